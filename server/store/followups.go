package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// CreateFollowUp inserts a follow-up of a proposal of the transaction's council, with the seq
// of the event that records it.
func (t *Tx) CreateFollowUp(ctx context.Context, f *model.FollowUp) error {
	f.CouncilID, f.CreatedAt = t.councilID, t.now
	err := t.tx.GetContext(ctx, &f.ID, t.store.rebind(`INSERT INTO follow_ups (proposal_id, round_id, council_id, status, body,
		responsible_unit, due_date, author_id, created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		f.ProposalID, f.RoundID, f.CouncilID, f.Status, f.Body, f.ResponsibleUnit, f.DueDate, f.Author.ID, t.now, f.Seq)
	if err != nil {
		return fmt.Errorf("store: unable to create follow-up: %w", err)
	}
	return nil
}

// NextSeq is the seq the transaction's next event will have.
func (t *Tx) NextSeq() int64 { return t.lastSeq + 1 }

type followUpRow struct {
	ID              int64     `db:"id"`
	ProposalID      int64     `db:"proposal_id"`
	RoundID         int64     `db:"round_id"`
	CouncilID       int64     `db:"council_id"`
	Status          string    `db:"status"`
	Body            string    `db:"body"`
	ResponsibleUnit string    `db:"responsible_unit"`
	DueDate         string    `db:"due_date"`
	AuthorID        int64     `db:"author_id"`
	AuthorName      string    `db:"author_name"`
	CreatedAt       time.Time `db:"created_at"`
	Seq             int64     `db:"seq"`
}

const followUpColumns = `f.id, f.proposal_id, f.round_id, f.council_id, f.status, f.body, f.responsible_unit, f.due_date,
	f.author_id, u.name AS author_name, f.created_at, f.seq`

func (r *followUpRow) model() model.FollowUp {
	return model.FollowUp{ID: r.ID, ProposalID: r.ProposalID, RoundID: r.RoundID, CouncilID: r.CouncilID, Status: r.Status,
		Body: r.Body, ResponsibleUnit: r.ResponsibleUnit, DueDate: r.DueDate,
		Author: model.Person{ID: r.AuthorID, Name: r.AuthorName}, CreatedAt: r.CreatedAt.UTC(), Seq: r.Seq}
}

// FollowUps returns the follow-ups of the given proposals, oldest first, by proposal.
func (r *Reader) FollowUps(ctx context.Context, proposalIDs []int64) (map[int64][]model.FollowUp, error) {
	out := map[int64][]model.FollowUp{}
	if len(proposalIDs) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT `+followUpColumns+` FROM follow_ups f JOIN users u ON u.id = f.author_id
		WHERE f.proposal_id IN (?) ORDER BY f.id`, proposalIDs)
	if err != nil {
		return nil, err
	}
	var rows []followUpRow
	if err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: unable to list follow-ups: %w", err)
	}
	for i := range rows {
		out[rows[i].ProposalID] = append(out[rows[i].ProposalID], rows[i].model())
	}
	return out, nil
}

// DecidedRounds lists the closed rounds, of one council (0: every council), newest first: the
// rounds whose adopted proposals the decisions tracker follows.
func (r *Reader) DecidedRounds(ctx context.Context, councilID int64) ([]model.Round, error) {
	return r.rounds(ctx, `SELECT `+roundColumns+` FROM rounds WHERE status = ? AND (council_id = ? OR ? = 0)
		ORDER BY closed_at DESC, id DESC`, model.StatusClosed, councilID, councilID)
}

// ProposalsOf returns the proposals of the given rounds, oldest first.
func (r *Reader) ProposalsOf(ctx context.Context, roundIDs []int64) ([]model.Proposal, error) {
	if len(roundIDs) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT `+proposalColumns+` FROM proposals p JOIN users u ON u.id = p.author_id
		WHERE p.round_id IN (?) ORDER BY p.id`, roundIDs)
	if err != nil {
		return nil, err
	}
	var rows []proposalRow
	if err := sqlx.SelectContext(ctx, r.q, &rows, r.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: unable to list proposals: %w", err)
	}
	return mapRows(rows, (*proposalRow).model), nil
}
