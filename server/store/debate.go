package store

import (
	"context"
	"fmt"
)

// CreateTopic inserts a topic.
func (t *Tx) CreateTopic(ctx context.Context, tp *Topic) error {
	tp.CreatedAt = t.now
	err := t.tx.GetContext(ctx, &tp.ID, t.store.rebind(`INSERT INTO topics (round_id, author_id, title, body, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`), tp.RoundID, tp.AuthorID, tp.Title, tp.Body, tp.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to create topic: %w", err)
	}
	return nil
}

// CreatePost inserts a post.
func (t *Tx) CreatePost(ctx context.Context, p *Post) error {
	p.CreatedAt = t.now
	err := t.tx.GetContext(ctx, &p.ID, t.store.rebind(`INSERT INTO posts (topic_id, reply_to, author_id, body, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`), p.TopicID, p.ReplyTo, p.AuthorID, p.Body, p.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to create post: %w", err)
	}
	return nil
}

// EditPost keeps the post's current body as an earlier version and writes the new one.
func (t *Tx) EditPost(ctx context.Context, p *Post, body string) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`INSERT INTO post_versions (post_id, body, written_at)
		VALUES (?, ?, ?)`), p.ID, p.Body, p.editedOrCreated())
	if err != nil {
		return fmt.Errorf("store: unable to keep post version: %w", err)
	}
	_, err = t.tx.ExecContext(ctx, t.store.rebind(`UPDATE posts SET body = ?, edited_at = ? WHERE id = ?`), body, t.now, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to edit post: %w", err)
	}
	p.Body, p.EditedAt = body, &t.now
	return nil
}

// PostVersions returns a post's earlier bodies, oldest first.
func (r *Reader) PostVersions(ctx context.Context, postID int64) ([]string, error) {
	var out []string
	err := r.selectStrings(ctx, &out, `SELECT body FROM post_versions WHERE post_id = ? ORDER BY id`, postID)
	return out, err
}

// HidePost hides a post with the moderator's reason.
func (t *Tx) HidePost(ctx context.Context, p *Post, reason string, by int64) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE posts SET hidden = ?, hidden_reason = ?, hidden_by = ? WHERE id = ?`), true, reason, by, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to hide post: %w", err)
	}
	p.Hidden, p.HiddenReason = true, reason
	return nil
}

// CreateProposal inserts a proposal.
func (t *Tx) CreateProposal(ctx context.Context, p *Proposal) error {
	p.CreatedAt = t.now
	err := t.tx.GetContext(ctx, &p.ID, t.store.rebind(`INSERT INTO proposals (round_id, topic_id, author_id, title, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), p.RoundID, p.TopicID, p.AuthorID, p.Title, p.Body, p.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to create proposal: %w", err)
	}
	return nil
}

// CastVote records or changes a member's vote, with the group the member sits in, and
// returns the proposal's new tally.
func (t *Tx) CastVote(ctx context.Context, proposalID, userID int64, group, choice string) (Counts, error) {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`INSERT INTO votes (proposal_id, user_id, grp, choice, cast_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (proposal_id, user_id) DO UPDATE SET grp = excluded.grp, choice = excluded.choice, cast_at = excluded.cast_at`),
		proposalID, userID, group, choice, t.now)
	if err != nil {
		return Counts{}, fmt.Errorf("store: unable to cast vote: %w", err)
	}
	return t.recount(ctx, proposalID)
}

// WithdrawVote removes a member's vote; false when there was none.
func (t *Tx) WithdrawVote(ctx context.Context, proposalID, userID int64) (bool, Counts, error) {
	res, err := t.tx.ExecContext(ctx, t.store.rebind(`DELETE FROM votes WHERE proposal_id = ? AND user_id = ?`), proposalID, userID)
	if err != nil {
		return false, Counts{}, fmt.Errorf("store: unable to withdraw vote: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, Counts{}, nil
	}
	c, err := t.recount(ctx, proposalID)
	return true, c, err
}

// recount counts a proposal's votes afresh and keeps the tally on the proposal.
func (t *Tx) recount(ctx context.Context, proposalID int64) (Counts, error) {
	var rows []struct {
		Choice string `db:"choice"`
		N      int    `db:"n"`
	}
	err := t.tx.SelectContext(ctx, &rows, t.store.rebind(`SELECT choice, COUNT(*) AS n FROM votes WHERE proposal_id = ? GROUP BY choice`), proposalID)
	if err != nil {
		return Counts{}, fmt.Errorf("store: unable to recount: %w", err)
	}
	var c Counts
	for _, r := range rows {
		addChoice(&c, r.Choice, r.N)
	}
	_, err = t.tx.ExecContext(ctx, t.store.rebind(`UPDATE proposals SET votes_for = ?, votes_against = ?, votes_abstain = ? WHERE id = ?`),
		c.For, c.Against, c.Abstain, proposalID)
	if err != nil {
		return Counts{}, fmt.Errorf("store: unable to store tally: %w", err)
	}
	return c, nil
}
