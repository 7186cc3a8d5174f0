package store

import (
	"context"
	"fmt"

	"github.com/perushtitsa/council/server/model"
)

// CreateTopic inserts a topic.
func (t *Tx) CreateTopic(ctx context.Context, tp *model.Topic) error {
	tp.CreatedAt = t.now
	err := t.tx.GetContext(ctx, &tp.ID, t.store.rebind(`INSERT INTO topics (round_id, author_id, title, body, body_html, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), tp.RoundID, tp.Author.ID, tp.Title, tp.Body, tp.BodyHTML, tp.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to create topic: %w", err)
	}
	return nil
}

// CreatePost inserts a post.
func (t *Tx) CreatePost(ctx context.Context, p *model.Post) error {
	p.CreatedAt = t.now
	// The number is the next in the topic: the council's write lock serialises posts.
	var row struct {
		ID     int64 `db:"id"`
		Number int   `db:"number"`
	}
	err := t.tx.GetContext(ctx, &row, t.store.rebind(`INSERT INTO posts (topic_id, reply_to, author_id, body, body_html, created_at, number)
		VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(number), 0) + 1 FROM posts WHERE topic_id = ?)) RETURNING id, number`),
		p.TopicID, p.ReplyTo, p.Author.ID, p.Body, p.BodyHTML, p.CreatedAt, p.TopicID)
	p.ID, p.Number = row.ID, row.Number
	if err != nil {
		return fmt.Errorf("store: unable to create post: %w", err)
	}
	return nil
}

// EditPost keeps the post's current body as an earlier version and writes the new one (p
// holds the post as it is; body and html are its new text).
func (t *Tx) EditPost(ctx context.Context, p *model.Post, body, html string) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`INSERT INTO post_versions (post_id, body, written_at)
		VALUES (?, ?, ?)`), p.ID, p.Body, p.WrittenAt())
	if err != nil {
		return fmt.Errorf("store: unable to keep post version: %w", err)
	}
	_, err = t.tx.ExecContext(ctx, t.store.rebind(`UPDATE posts SET body = ?, body_html = ?, edited_at = ? WHERE id = ?`), body, html, t.now, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to edit post: %w", err)
	}
	p.Body, p.BodyHTML, p.EditedAt = body, html, &t.now
	return nil
}

// HidePost hides a post with the moderator's reason.
func (t *Tx) HidePost(ctx context.Context, p *model.Post, reason string, by int64) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE posts SET hidden = ?, hidden_reason = ?, hidden_by = ? WHERE id = ?`), true, reason, by, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to hide post: %w", err)
	}
	p.Hidden, p.HiddenReason = true, reason
	return nil
}

// DeletePost marks a post deleted by its author and erases its text, and every earlier version
// of it: its place stays.
func (t *Tx) DeletePost(ctx context.Context, p *model.Post) error {
	if _, err := t.tx.ExecContext(ctx, t.store.rebind(`DELETE FROM post_versions WHERE post_id = ?`), p.ID); err != nil {
		return fmt.Errorf("store: unable to erase post versions: %w", err)
	}
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE posts SET body = '', body_html = '', deleted_at = ? WHERE id = ?`), t.now, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to delete post: %w", err)
	}
	p.Body, p.BodyHTML, p.DeletedAt = "", "", &t.now
	return nil
}

// UnhidePost shows a hidden post again.
func (t *Tx) UnhidePost(ctx context.Context, p *model.Post) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE posts SET hidden = ?, hidden_reason = '', hidden_by = NULL WHERE id = ?`), false, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to unhide post: %w", err)
	}
	p.Hidden, p.HiddenReason = false, ""
	return nil
}

// EditProposal writes a proposal's new title and text.
func (t *Tx) EditProposal(ctx context.Context, p *model.Proposal) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE proposals SET title = ?, body = ?, body_html = ?, edited_at = ? WHERE id = ?`),
		p.Title, p.Body, p.BodyHTML, t.now, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to edit proposal: %w", err)
	}
	p.EditedAt = &t.now
	return nil
}

// WithdrawProposal marks a proposal withdrawn by its author.
func (t *Tx) WithdrawProposal(ctx context.Context, p *model.Proposal) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE proposals SET withdrawn_at = ? WHERE id = ?`), t.now, p.ID)
	if err != nil {
		return fmt.Errorf("store: unable to withdraw proposal: %w", err)
	}
	p.WithdrawnAt = &t.now
	return nil
}

// CreateProposal inserts a proposal.
func (t *Tx) CreateProposal(ctx context.Context, p *model.Proposal) error {
	p.CreatedAt = t.now
	err := t.tx.GetContext(ctx, &p.ID, t.store.rebind(`INSERT INTO proposals (round_id, topic_id, author_id, title, body, body_html, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), p.RoundID, p.TopicID, p.Author.ID, p.Title, p.Body, p.BodyHTML, p.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to create proposal: %w", err)
	}
	return nil
}

// CastVote records or changes a member's vote, with the group the member sits in and the
// reason they give, and returns the proposal's new tally.
func (t *Tx) CastVote(ctx context.Context, proposalID, userID int64, group, choice, reason string) (model.Counts, error) {
	if t.store.dialect == "postgres" {
		return t.castVotePostgres(ctx, proposalID, userID, group, choice, reason)
	}
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`INSERT INTO votes (proposal_id, user_id, grp, choice, reason, cast_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (proposal_id, user_id) DO UPDATE SET grp = excluded.grp, choice = excluded.choice, reason = excluded.reason, cast_at = excluded.cast_at`),
		proposalID, userID, group, choice, reason, t.now)
	if err != nil {
		return model.Counts{}, fmt.Errorf("store: unable to cast vote: %w", err)
	}
	return t.recount(ctx, proposalID)
}

// castVotePostgres is CastVote in one statement, one round trip inside the council's lock: the
// vote's upsert, and the proposal's tally counted afresh from the other voters' rows (which the
// statement's snapshot holds as they are) and this vote's choice (which it does not yet see).
func (t *Tx) castVotePostgres(ctx context.Context, proposalID, userID int64, group, choice, reason string) (model.Counts, error) {
	var row struct {
		For     int `db:"votes_for"`
		Against int `db:"votes_against"`
		Abstain int `db:"votes_abstain"`
	}
	err := t.tx.GetContext(ctx, &row, `WITH cast_vote AS (
			INSERT INTO votes (proposal_id, user_id, grp, choice, reason, cast_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (proposal_id, user_id) DO UPDATE SET grp = excluded.grp, choice = excluded.choice, reason = excluded.reason, cast_at = excluded.cast_at
			RETURNING choice
		), others AS (
			SELECT COUNT(*) FILTER (WHERE choice = 'for') AS f, COUNT(*) FILTER (WHERE choice = 'against') AS a,
				COUNT(*) FILTER (WHERE choice = 'abstain') AS b
			FROM votes WHERE proposal_id = $1 AND user_id <> $2
		)
		UPDATE proposals SET
			votes_for = others.f + CASE WHEN cast_vote.choice = 'for' THEN 1 ELSE 0 END,
			votes_against = others.a + CASE WHEN cast_vote.choice = 'against' THEN 1 ELSE 0 END,
			votes_abstain = others.b + CASE WHEN cast_vote.choice = 'abstain' THEN 1 ELSE 0 END
		FROM cast_vote, others WHERE proposals.id = $1
		RETURNING votes_for, votes_against, votes_abstain`,
		proposalID, userID, group, choice, reason, t.now)
	if err != nil {
		return model.Counts{}, fmt.Errorf("store: unable to cast vote: %w", err)
	}
	var c model.Counts
	c.Add(model.ChoiceFor, row.For)
	c.Add(model.ChoiceAgainst, row.Against)
	c.Add(model.ChoiceAbstain, row.Abstain)
	return c, nil
}

// WithdrawVote removes a member's vote; false when there was none.
func (t *Tx) WithdrawVote(ctx context.Context, proposalID, userID int64) (bool, model.Counts, error) {
	res, err := t.tx.ExecContext(ctx, t.store.rebind(`DELETE FROM votes WHERE proposal_id = ? AND user_id = ?`), proposalID, userID)
	if err != nil {
		return false, model.Counts{}, fmt.Errorf("store: unable to withdraw vote: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, model.Counts{}, nil
	}
	c, err := t.recount(ctx, proposalID)
	return true, c, err
}

// recount counts a proposal's votes afresh and keeps the tally on the proposal.
func (t *Tx) recount(ctx context.Context, proposalID int64) (model.Counts, error) {
	var rows []struct {
		Choice string `db:"choice"`
		N      int    `db:"n"`
	}
	err := t.tx.SelectContext(ctx, &rows, t.store.rebind(`SELECT choice, COUNT(*) AS n FROM votes WHERE proposal_id = ? GROUP BY choice`), proposalID)
	if err != nil {
		return model.Counts{}, fmt.Errorf("store: unable to recount: %w", err)
	}
	var c model.Counts
	for _, r := range rows {
		c.Add(r.Choice, r.N)
	}
	_, err = t.tx.ExecContext(ctx, t.store.rebind(`UPDATE proposals SET votes_for = ?, votes_against = ?, votes_abstain = ? WHERE id = ?`),
		c.For, c.Against, c.Abstain, proposalID)
	if err != nil {
		return model.Counts{}, fmt.Errorf("store: unable to store tally: %w", err)
	}
	return c, nil
}

// Unrendered is a body written before bodies were rendered when written.
type Unrendered struct {
	Table string // "topics", "posts" or "proposals"
	ID    int64
	Body  string
}

var renderedTables = []string{"topics", "posts", "proposals"}

// Unrendered returns up to limit bodies that have no HTML yet.
func (s *Store) Unrendered(ctx context.Context, limit int) ([]Unrendered, error) {
	var out []Unrendered
	for _, table := range renderedTables {
		var rows []struct {
			ID   int64  `db:"id"`
			Body string `db:"body"`
		}
		err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT id, body FROM `+table+` WHERE body_html IS NULL ORDER BY id LIMIT ?`), limit-len(out))
		if err != nil {
			return nil, fmt.Errorf("store: unable to find unrendered %s: %w", table, err)
		}
		for _, r := range rows {
			out = append(out, Unrendered{Table: table, ID: r.ID, Body: r.Body})
		}
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// SetHTML keeps the HTML of a body that had none.
func (s *Store) SetHTML(ctx context.Context, u Unrendered, html string) error {
	for _, table := range renderedTables {
		if table == u.Table {
			_, err := s.db.ExecContext(ctx, s.rebind(`UPDATE `+table+` SET body_html = ? WHERE id = ? AND body_html IS NULL`), html, u.ID)
			return err
		}
	}
	return fmt.Errorf("store: no bodies in %q", u.Table)
}
