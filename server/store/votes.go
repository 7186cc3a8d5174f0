package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// voteTargetRound is roundColumns read from the alias r, each named "r.col" in the result.
var voteTargetRound = func() string {
	cols := strings.FieldsFunc(roundColumns, func(c rune) bool { return c == ',' || unicode.IsSpace(c) })
	for i, c := range cols {
		cols[i] = `r.` + c + ` AS "r.` + c + `"`
	}
	return strings.Join(cols, ", ")
}()

// VoteTarget reads, in one query, what a vote needs to know before it is cast: the proposal,
// its round, and the voter's seat in the round's council (nil when the voter has none).
func (s *Store) VoteTarget(ctx context.Context, proposalID, userID int64) (*model.Proposal, *model.Round, *model.Member, error) {
	return voteTarget(ctx, s.db, s.rebind, proposalID, userID)
}

// VoteTarget is Store.VoteTarget read inside the transaction, under the council's lock: what a
// vote is checked against as it is cast.
func (t *Tx) VoteTarget(ctx context.Context, proposalID, userID int64) (*model.Proposal, *model.Round, *model.Member, error) {
	return voteTarget(ctx, t.tx, t.store.rebind, proposalID, userID)
}

func voteTarget(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, proposalID, userID int64) (*model.Proposal, *model.Round, *model.Member, error) {
	var row struct {
		proposalRow
		Round roundRow `db:"r"`
		Seat  struct {
			UserID       *int64     `db:"user_id"`
			Name         *string    `db:"name"`
			Email        *string    `db:"email"`
			Organisation *string    `db:"organisation"`
			Group        *string    `db:"grp"`
			Role         *string    `db:"role"`
			JoinedAt     *time.Time `db:"joined_at"`
		} `db:"m"`
	}
	err := sqlx.GetContext(ctx, q, &row, rebind(`SELECT `+proposalColumns+`, `+voteTargetRound+`,
		m.user_id AS "m.user_id", mu.name AS "m.name", mu.email AS "m.email", mu.organisation AS "m.organisation",
		m.grp AS "m.grp", m.role AS "m.role", m.joined_at AS "m.joined_at"
		FROM proposals p JOIN users u ON u.id = p.author_id JOIN rounds r ON r.id = p.round_id
		LEFT JOIN memberships m ON m.council_id = r.council_id AND m.user_id = ?
		LEFT JOIN users mu ON mu.id = m.user_id
		WHERE p.id = ?`), userID, proposalID)
	if err != nil {
		return nil, nil, nil, notFound(err)
	}
	p := row.proposalRow.model()
	r, err := row.Round.model()
	if err != nil {
		return nil, nil, nil, err
	}
	var m *model.Member
	if seat := row.Seat; seat.UserID != nil && seat.Name != nil && seat.Email != nil && seat.Organisation != nil &&
		seat.Group != nil && seat.Role != nil && seat.JoinedAt != nil {
		m = &model.Member{UserID: *seat.UserID, Name: *seat.Name, Email: *seat.Email, Organisation: *seat.Organisation,
			Group: *seat.Group, Role: *seat.Role, JoinedAt: seat.JoinedAt.UTC()}
	}
	return &p, &r, m, nil
}

// Seats returns the seats the given users hold in the transaction's council, by user id; a
// user without one is absent.
func (t *Tx) Seats(ctx context.Context, userIDs []int64) (map[int64]*model.Member, error) {
	q, args, err := sqlx.In(`SELECT `+memberColumns+` FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.council_id = ? AND m.user_id IN (?)`, t.councilID, userIDs)
	if err != nil {
		return nil, err
	}
	var rows []memberRow
	if err := t.tx.SelectContext(ctx, &rows, t.store.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: unable to read seats: %w", err)
	}
	out := make(map[int64]*model.Member, len(rows))
	for i := range rows {
		m := rows[i].model()
		out[m.UserID] = &m
	}
	return out, nil
}

// ProposalsWithdrawn tells of each given proposal whether its author has withdrawn it; a
// proposal that does not exist is absent.
func (t *Tx) ProposalsWithdrawn(ctx context.Context, ids []int64) (map[int64]bool, error) {
	q, args, err := sqlx.In(`SELECT id, withdrawn_at IS NOT NULL AS withdrawn FROM proposals WHERE id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID        int64 `db:"id"`
		Withdrawn bool  `db:"withdrawn"`
	}
	if err := t.tx.SelectContext(ctx, &rows, t.store.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: unable to read proposals: %w", err)
	}
	out := make(map[int64]bool, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Withdrawn
	}
	return out, nil
}
