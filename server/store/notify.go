package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// Recipients lists the members of the transaction's council who want mails of kind, as the
// transaction sees them (a member seated in it included).
func (t *Tx) Recipients(ctx context.Context, kind string) ([]model.User, error) {
	col, ok := notifyColumn[model.PreferenceOf(kind)]
	if !ok {
		return nil, fmt.Errorf("store: no notification %q", kind)
	}
	var rows []userRow
	err := t.tx.SelectContext(ctx, &rows, t.store.rebind(`SELECT `+userColumnsOf("u")+`
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.council_id = ? AND u.`+col+` AND u.erased_at IS NULL ORDER BY u.id`), t.councilID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list recipients: %w", err)
	}
	return derefUsers(rows), nil
}

// UserByID finds an account inside the transaction.
func (t *Tx) UserByID(ctx context.Context, id int64) (*model.User, error) {
	return t.Reader().UserByID(ctx, id)
}

func derefUsers(rows []userRow) []model.User {
	out := make([]model.User, len(rows))
	for i := range rows {
		out[i] = *rows[i].model()
	}
	return out
}

// ClosingSoon lists the open rounds, with at least one proposal, whose closing time falls
// after from and no later than to.
func (s *Store) ClosingSoon(ctx context.Context, from, to time.Time) ([]model.Round, error) {
	return s.Reader().rounds(ctx, `SELECT `+roundColumns+` FROM rounds WHERE status = ? AND closes_at > ? AND closes_at <= ?
		AND EXISTS (SELECT 1 FROM proposals p WHERE p.round_id = rounds.id) ORDER BY closes_at, id`,
		model.StatusOpen, stamp(from), stamp(to))
}

// RemindClosingSoon notes, for the members of a round's council who have not voted on every
// one of its proposals and want the reminder, that they are reminded, and returns those not
// reminded before: a member is returned once per round, whichever process asks, however often.
func (w *WriteTx) RemindClosingSoon(ctx context.Context, r *model.Round) ([]model.User, error) {
	var ids []int64
	err := w.tx.SelectContext(ctx, &ids, w.store.rebind(`INSERT INTO closing_soon_sent (round_id, user_id, sent_at)
		SELECT ?, m.user_id, ? FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.council_id = ? AND u.notify_closing_soon AND u.erased_at IS NULL
		AND (SELECT COUNT(*) FROM votes v JOIN proposals p ON p.id = v.proposal_id
		     WHERE p.round_id = ? AND p.withdrawn_at IS NULL AND v.user_id = m.user_id)
		  < (SELECT COUNT(*) FROM proposals p WHERE p.round_id = ? AND p.withdrawn_at IS NULL)
		ON CONFLICT (round_id, user_id) DO NOTHING RETURNING user_id`), r.ID, w.now, r.CouncilID, r.ID, r.ID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to note closing-soon reminders: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT `+userColumns+` FROM users WHERE id IN (?) ORDER BY id`, ids)
	if err != nil {
		return nil, err
	}
	var rows []userRow
	if err := w.tx.SelectContext(ctx, &rows, w.store.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: unable to read reminded members: %w", err)
	}
	return derefUsers(rows), nil
}

// AwaitingVotes lists, of a round's proposals, those on which the user has not voted.
func (r *Reader) AwaitingVotes(ctx context.Context, roundID, userID int64) ([]int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, r.q, &ids, r.rebind(`SELECT p.id FROM proposals p WHERE p.round_id = ?
		AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.proposal_id = p.id AND v.user_id = ?) ORDER BY p.id`), roundID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list proposals awaiting a vote: %w", err)
	}
	return ids, nil
}

// CouncilByID finds a council by id.
func (r *Reader) CouncilByID(ctx context.Context, id int64) (*model.Council, error) {
	var row councilRow
	if err := sqlx.GetContext(ctx, r.q, &row, r.rebind(`SELECT `+councilColumns+` FROM councils c WHERE c.id = ?`), id); err != nil {
		return nil, notFound(err)
	}
	c := row.model()
	return &c, nil
}
