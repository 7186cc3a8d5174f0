package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Reader runs the read queries of rounds and their contents, on the database or inside a
// transaction (the close of a round renders its record from inside its transaction).
type Reader struct {
	q      sqlx.QueryerContext
	rebind func(string) string
}

// Reader reads from the database outside any transaction.
func (s *Store) Reader() *Reader { return &Reader{q: s.db, rebind: s.rebind} }

// Reader reads inside the transaction, seeing its own writes.
func (t *Tx) Reader() *Reader { return &Reader{q: t.tx, rebind: t.store.rebind} }

const roundColumns = `id, council_id, title, description, status, ballot, quorum_percent, closes_at, opened_at,
	closed_at, outcome_summary, record_sha256, created_at, results, results_visibility, text_bytes, closed_seq`

type roundRow struct {
	Round
	ResultsJSON *string `db:"results"`
}

func (r *roundRow) round() (Round, error) {
	rd := r.Round
	fixTimes(&rd)
	if r.ResultsJSON != nil && *r.ResultsJSON != "" {
		if err := json.Unmarshal([]byte(*r.ResultsJSON), &rd.Results); err != nil {
			return rd, fmt.Errorf("store: round %d has unreadable results: %w", rd.ID, err)
		}
	}
	return rd, nil
}

func fixTimes(r *Round) {
	r.CreatedAt = r.CreatedAt.UTC()
	for _, t := range []**timeT{&r.ClosesAt, &r.OpenedAt, &r.ClosedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
}

// Round finds a round by id.
func (r *Reader) Round(ctx context.Context, id int64) (*Round, error) {
	var row roundRow
	if err := sqlx.GetContext(ctx, r.q, &row, r.rebind(`SELECT `+roundColumns+` FROM rounds WHERE id = ?`), id); err != nil {
		return nil, notFound(err)
	}
	rd, err := row.round()
	return &rd, err
}

func (r *Reader) rounds(ctx context.Context, query string, args ...any) ([]Round, error) {
	var rows []roundRow
	if err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: unable to list rounds: %w", err)
	}
	out := make([]Round, 0, len(rows))
	for i := range rows {
		rd, err := rows[i].round()
		if err != nil {
			return nil, err
		}
		out = append(out, rd)
	}
	return out, nil
}

// Rounds lists a council's rounds, newest first; closedOnly keeps the public ones.
func (r *Reader) Rounds(ctx context.Context, councilID int64, closedOnly bool) ([]Round, error) {
	q := `SELECT ` + roundColumns + ` FROM rounds WHERE council_id = ?`
	if closedOnly {
		q += ` AND status = 'closed'`
	}
	return r.rounds(ctx, q+` ORDER BY created_at DESC, id DESC`, councilID)
}

const topicColumns = `t.id, t.round_id, t.title, t.body, t.author_id, u.name AS author_name, t.created_at,
	(SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id) AS post_count`

func fillTopic(t *Topic) {
	t.Author = Person{ID: t.AuthorID, Name: t.AuthorNm}
	t.CreatedAt = t.CreatedAt.UTC()
}

// Topics lists a round's topics, oldest first.
func (r *Reader) Topics(ctx context.Context, roundID int64) ([]Topic, error) {
	out := []Topic{}
	err := sqlx.SelectContext(ctx, r.q, &out, r.rebind(`SELECT `+topicColumns+`
		FROM topics t JOIN users u ON u.id = t.author_id WHERE t.round_id = ? ORDER BY t.id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list topics: %w", err)
	}
	for i := range out {
		fillTopic(&out[i])
	}
	return out, nil
}

// Topic finds a topic by id.
func (r *Reader) Topic(ctx context.Context, id int64) (*Topic, error) {
	var t Topic
	err := sqlx.GetContext(ctx, r.q, &t, r.rebind(`SELECT `+topicColumns+`
		FROM topics t JOIN users u ON u.id = t.author_id WHERE t.id = ?`), id)
	if err != nil {
		return nil, notFound(err)
	}
	fillTopic(&t)
	return &t, nil
}

const postColumns = `p.id, p.topic_id, p.reply_to, p.author_id, u.name AS author_name, p.body, p.created_at,
	p.edited_at, p.hidden, p.hidden_reason`

func fillPost(p *Post) {
	p.Author = Person{ID: p.AuthorID, Name: p.AuthorNm}
	p.CreatedAt = p.CreatedAt.UTC()
	if p.EditedAt != nil {
		e := p.EditedAt.UTC()
		p.EditedAt = &e
	}
}

// Posts lists a topic's posts, oldest first.
func (r *Reader) Posts(ctx context.Context, topicID int64) ([]Post, error) {
	out := []Post{}
	err := sqlx.SelectContext(ctx, r.q, &out, r.rebind(`SELECT `+postColumns+`
		FROM posts p JOIN users u ON u.id = p.author_id WHERE p.topic_id = ? ORDER BY p.id`), topicID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list posts: %w", err)
	}
	for i := range out {
		fillPost(&out[i])
	}
	return out, nil
}

// Post finds a post by id.
func (r *Reader) Post(ctx context.Context, id int64) (*Post, error) {
	var p Post
	err := sqlx.GetContext(ctx, r.q, &p, r.rebind(`SELECT `+postColumns+`
		FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = ?`), id)
	if err != nil {
		return nil, notFound(err)
	}
	fillPost(&p)
	return &p, nil
}

const proposalColumns = `p.id, p.round_id, p.topic_id, p.title, p.body, p.author_id, u.name AS author_name,
	p.created_at, p.votes_for, p.votes_against, p.votes_abstain`

func fillProposal(p *Proposal) {
	p.Author = Person{ID: p.AuthorID, Name: p.AuthorNm}
	p.CreatedAt = p.CreatedAt.UTC()
	p.Tally = &Counts{For: p.VotesFor, Against: p.VotesAg, Abstain: p.VotesAb, Voters: p.VotesFor + p.VotesAg + p.VotesAb}
}

// Proposals lists a round's proposals, oldest first, with their tallies.
func (r *Reader) Proposals(ctx context.Context, roundID int64) ([]Proposal, error) {
	out := []Proposal{}
	err := sqlx.SelectContext(ctx, r.q, &out, r.rebind(`SELECT `+proposalColumns+`
		FROM proposals p JOIN users u ON u.id = p.author_id WHERE p.round_id = ? ORDER BY p.id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list proposals: %w", err)
	}
	for i := range out {
		fillProposal(&out[i])
	}
	return out, nil
}

// Proposal finds a proposal by id.
func (r *Reader) Proposal(ctx context.Context, id int64) (*Proposal, error) {
	var p Proposal
	err := sqlx.GetContext(ctx, r.q, &p, r.rebind(`SELECT `+proposalColumns+`
		FROM proposals p JOIN users u ON u.id = p.author_id WHERE p.id = ?`), id)
	if err != nil {
		return nil, notFound(err)
	}
	fillProposal(&p)
	return &p, nil
}

// MyVotes returns a user's choices on the given round's proposals, by proposal id.
func (r *Reader) MyVotes(ctx context.Context, roundID, userID int64) (map[int64]string, error) {
	var rows []struct {
		ProposalID int64  `db:"proposal_id"`
		Choice     string `db:"choice"`
	}
	err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(`SELECT v.proposal_id, v.choice FROM votes v
		JOIN proposals p ON p.id = v.proposal_id WHERE p.round_id = ? AND v.user_id = ?`), roundID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read votes: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, row := range rows {
		out[row.ProposalID] = row.Choice
	}
	return out, nil
}

// Votes lists the named votes on a proposal, in the order they were cast.
func (r *Reader) Votes(ctx context.Context, proposalID int64) ([]Vote, error) {
	var rows []struct {
		ID           int64  `db:"id"`
		Name         string `db:"name"`
		Organisation string `db:"organisation"`
		Choice       string `db:"choice"`
		CastAt       timeT  `db:"cast_at"`
	}
	err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(`SELECT u.id, u.name, u.organisation, v.choice, v.cast_at
		FROM votes v JOIN users u ON u.id = v.user_id WHERE v.proposal_id = ? ORDER BY v.cast_at, u.id`), proposalID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list votes: %w", err)
	}
	out := make([]Vote, len(rows))
	for i, row := range rows {
		out[i] = Vote{Voter: VoterInfo{ID: row.ID, Name: row.Name, Organisation: row.Organisation}, Choice: row.Choice, CastAt: row.CastAt.UTC()}
	}
	return out, nil
}

// Participants lists the members who voted in a closed round.
func (r *Reader) Participants(ctx context.Context, roundID int64) ([]VoterInfo, error) {
	out := []VoterInfo{}
	err := sqlx.SelectContext(ctx, r.q, &out, r.rebind(`SELECT u.id, u.name, u.organisation FROM round_participants rp
		JOIN users u ON u.id = rp.user_id WHERE rp.round_id = ? ORDER BY u.name, u.id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list participants: %w", err)
	}
	return out, nil
}

// RoundEvents returns the events of a round up to seq upTo (0: all), oldest first.
func (r *Reader) RoundEvents(ctx context.Context, roundID, upTo int64) ([]Event, error) {
	return roundEvents(ctx, r.q, r.rebind, roundID, upTo)
}

func (r *Reader) selectStrings(ctx context.Context, dest *[]string, query string, args ...any) error {
	if err := sqlx.SelectContext(ctx, r.q, dest, r.rebind(query), args...); err != nil {
		return fmt.Errorf("store: unable to read: %w", err)
	}
	return nil
}
