package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// Reader runs the read queries of rounds and their contents, on the database or inside a
// transaction (seeing that transaction's own writes).
type Reader struct {
	q      sqlx.QueryerContext
	rebind func(string) string
}

// Reader reads from the database outside any transaction.
func (s *Store) Reader() *Reader { return &Reader{q: s.db, rebind: s.rebind} }

// Reader reads inside the transaction, seeing its own writes.
func (t *Tx) Reader() *Reader { return &Reader{q: t.tx, rebind: t.store.rebind} }

// Round finds a round by id.
func (r *Reader) Round(ctx context.Context, id int64) (*model.Round, error) {
	var row roundRow
	if err := sqlx.GetContext(ctx, r.q, &row, r.rebind(`SELECT `+roundColumns+` FROM rounds WHERE id = ?`), id); err != nil {
		return nil, notFound(err)
	}
	rd, err := row.model()
	return &rd, err
}

func (r *Reader) rounds(ctx context.Context, query string, args ...any) ([]model.Round, error) {
	var rows []roundRow
	if err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: unable to list rounds: %w", err)
	}
	out := make([]model.Round, 0, len(rows))
	for i := range rows {
		rd, err := rows[i].model()
		if err != nil {
			return nil, err
		}
		out = append(out, rd)
	}
	return out, nil
}

// Rounds lists a council's rounds in the given states, newest first.
func (r *Reader) Rounds(ctx context.Context, councilID int64, states ...string) ([]model.Round, error) {
	q := `SELECT ` + roundColumns + ` FROM rounds WHERE council_id = ? AND status IN (?` + strings.Repeat(", ?", max(len(states)-1, 0)) + `)`
	args := []any{councilID}
	for _, st := range states {
		args = append(args, st)
	}
	return r.rounds(ctx, q+` ORDER BY created_at DESC, id DESC`, args...)
}

// RoundsPage lists one page of a council's rounds in the given states, newest first (limit
// rounds from offset), with how many there are in all.
func (r *Reader) RoundsPage(ctx context.Context, councilID int64, limit, offset int, states ...string) ([]model.Round, int, error) {
	cond := ` FROM rounds WHERE council_id = ? AND status IN (?` + strings.Repeat(", ?", max(len(states)-1, 0)) + `)`
	args := []any{councilID}
	for _, st := range states {
		args = append(args, st)
	}
	var total int
	if err := sqlx.GetContext(ctx, r.q, &total, r.rebind(`SELECT COUNT(*)`+cond), args...); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count rounds: %w", err)
	}
	if limit == 0 || offset >= total {
		return []model.Round{}, total, nil
	}
	rounds, err := r.rounds(ctx, `SELECT `+roundColumns+cond+` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	return rounds, total, err
}

// Topics lists a round's topics, oldest first.
func (r *Reader) Topics(ctx context.Context, roundID int64) ([]model.Topic, error) {
	var rows []topicRow
	err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(`SELECT `+topicColumns+`
		FROM topics t JOIN users u ON u.id = t.author_id WHERE t.round_id = ? ORDER BY t.id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list topics: %w", err)
	}
	return mapRows(rows, (*topicRow).model), nil
}

// Topic finds a topic by id.
func (r *Reader) Topic(ctx context.Context, id int64) (*model.Topic, error) {
	var row topicRow
	err := sqlx.GetContext(ctx, r.q, &row, r.rebind(`SELECT `+topicColumns+`
		FROM topics t JOIN users u ON u.id = t.author_id WHERE t.id = ?`), id)
	if err != nil {
		return nil, notFound(err)
	}
	t := row.model()
	return &t, nil
}

// Posts lists a topic's posts, oldest first.
func (r *Reader) Posts(ctx context.Context, topicID int64) ([]model.Post, error) {
	var rows []postRow
	err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(`SELECT `+postColumns+`
		FROM posts p JOIN users u ON u.id = p.author_id WHERE p.topic_id = ? ORDER BY p.id`), topicID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list posts: %w", err)
	}
	return mapRows(rows, (*postRow).model), nil
}

// PostsPage lists one page of a topic's posts, oldest first (limit posts from offset; a
// negative offset: the last page), with how many there are in all and the offset read.
func (r *Reader) PostsPage(ctx context.Context, topicID int64, limit, offset int) ([]model.Post, int, int, error) {
	var total int
	if err := sqlx.GetContext(ctx, r.q, &total, r.rebind(`SELECT COUNT(*) FROM posts WHERE topic_id = ?`), topicID); err != nil {
		return nil, 0, 0, fmt.Errorf("store: unable to count posts: %w", err)
	}
	if offset < 0 && limit > 0 {
		offset = max(total-1, 0) / limit * limit
	}
	if limit == 0 || offset >= total {
		return []model.Post{}, total, max(offset, 0), nil
	}
	var rows []postRow
	err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(`SELECT `+postColumns+`
		FROM posts p JOIN users u ON u.id = p.author_id WHERE p.topic_id = ? ORDER BY p.id LIMIT ? OFFSET ?`), topicID, limit, offset)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("store: unable to list posts: %w", err)
	}
	return mapRows(rows, (*postRow).model), total, offset, nil
}

// PostNumbers reads the numbers of some of a topic's posts, by id.
func (r *Reader) PostNumbers(ctx context.Context, topicID int64, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT id, number FROM posts WHERE topic_id = ? AND id IN (?)`, topicID, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID     int64 `db:"id"`
		Number int   `db:"number"`
	}
	if err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: unable to read post numbers: %w", err)
	}
	for _, row := range rows {
		out[row.ID] = row.Number
	}
	return out, nil
}

// Post finds a post by id.
func (r *Reader) Post(ctx context.Context, id int64) (*model.Post, error) {
	var row postRow
	err := sqlx.GetContext(ctx, r.q, &row, r.rebind(`SELECT `+postColumns+`
		FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = ?`), id)
	if err != nil {
		return nil, notFound(err)
	}
	p := row.model()
	return &p, nil
}

// Proposals lists a round's proposals, oldest first, with their tallies.
func (r *Reader) Proposals(ctx context.Context, roundID int64) ([]model.Proposal, error) {
	var rows []proposalRow
	err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(`SELECT `+proposalColumns+`
		FROM proposals p JOIN users u ON u.id = p.author_id WHERE p.round_id = ? ORDER BY p.id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list proposals: %w", err)
	}
	return mapRows(rows, (*proposalRow).model), nil
}

// Proposal finds a proposal by id.
func (r *Reader) Proposal(ctx context.Context, id int64) (*model.Proposal, error) {
	var row proposalRow
	err := sqlx.GetContext(ctx, r.q, &row, r.rebind(`SELECT `+proposalColumns+`
		FROM proposals p JOIN users u ON u.id = p.author_id WHERE p.id = ?`), id)
	if err != nil {
		return nil, notFound(err)
	}
	p := row.model()
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

type voteRow struct {
	ProposalID   int64     `db:"proposal_id"`
	ID           int64     `db:"id"`
	Name         string    `db:"name"`
	Organisation string    `db:"organisation"`
	Choice       string    `db:"choice"`
	Reason       string    `db:"reason"`
	CastAt       time.Time `db:"cast_at"`
}

// Votes lists the named votes on a proposal, in the order they were cast.
func (r *Reader) Votes(ctx context.Context, proposalID int64) ([]model.Vote, error) {
	byProposal, err := r.votesWhere(ctx, `v.proposal_id = ?`, proposalID)
	return byProposal[proposalID], err
}

// RoundVotes lists the named votes on every proposal of a round, by proposal, in the order cast.
func (r *Reader) RoundVotes(ctx context.Context, roundID int64) (map[int64][]model.Vote, error) {
	return r.votesWhere(ctx, `v.proposal_id IN (SELECT id FROM proposals WHERE round_id = ?)`, roundID)
}

func (r *Reader) votesWhere(ctx context.Context, where string, arg int64) (map[int64][]model.Vote, error) {
	var rows []voteRow
	err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(`SELECT v.proposal_id, u.id, u.name, u.organisation, v.choice, v.reason, v.cast_at
		FROM votes v JOIN users u ON u.id = v.user_id WHERE `+where+` ORDER BY v.cast_at, u.id`), arg)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list votes: %w", err)
	}
	out := map[int64][]model.Vote{}
	for _, v := range rows {
		out[v.ProposalID] = append(out[v.ProposalID], model.Vote{Voter: model.Voter{ID: v.ID, Name: v.Name, Organisation: v.Organisation},
			Choice: v.Choice, Reason: v.Reason, CastAt: v.CastAt.UTC()})
	}
	return out, nil
}

// Participation is one member's taking part in a round: the proposals they voted on.
type Participation struct {
	UserID  int64
	Name    string
	Group   string
	VotedOn []int64
}

// Participation lists the council's members with the proposals of the round (withdrawn ones
// aside) each has voted on — never how.
func (r *Reader) Participation(ctx context.Context, councilID, roundID int64) ([]Participation, error) {
	var rows []struct {
		UserID     int64  `db:"user_id"`
		Name       string `db:"name"`
		Group      string `db:"grp"`
		ProposalID *int64 `db:"proposal_id"`
	}
	err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(`SELECT m.user_id, u.name, m.grp, v.proposal_id
		FROM memberships m JOIN users u ON u.id = m.user_id
		LEFT JOIN votes v ON v.user_id = m.user_id
			AND v.proposal_id IN (SELECT id FROM proposals WHERE round_id = ? AND withdrawn_at IS NULL)
		WHERE m.council_id = ? ORDER BY u.name, m.user_id, v.proposal_id`), roundID, councilID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read participation: %w", err)
	}
	var out []Participation
	for _, row := range rows {
		if len(out) == 0 || out[len(out)-1].UserID != row.UserID {
			out = append(out, Participation{UserID: row.UserID, Name: row.Name, Group: row.Group})
		}
		if row.ProposalID != nil {
			last := &out[len(out)-1]
			last.VotedOn = append(last.VotedOn, *row.ProposalID)
		}
	}
	return out, nil
}

// Participants lists the members who voted in a closed round.
func (r *Reader) Participants(ctx context.Context, roundID int64) ([]model.Voter, error) {
	var rows []struct {
		ID           int64  `db:"id"`
		Name         string `db:"name"`
		Organisation string `db:"organisation"`
	}
	err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(`SELECT u.id, u.name, u.organisation FROM round_participants rp
		JOIN users u ON u.id = rp.user_id WHERE rp.round_id = ? ORDER BY u.name, u.id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list participants: %w", err)
	}
	out := make([]model.Voter, len(rows))
	for i, row := range rows {
		out[i] = model.Voter{ID: row.ID, Name: row.Name, Organisation: row.Organisation}
	}
	return out, nil
}

// RoundEvents returns the events of a round up to seq upTo (0: all), oldest first, without
// the text of posts hidden since.
func (r *Reader) RoundEvents(ctx context.Context, roundID, upTo int64) ([]model.Event, error) {
	return roundEvents(ctx, r.q, r.rebind, roundID, upTo)
}
