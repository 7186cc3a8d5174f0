package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// PendingInvitations lists a council's invitations that can still be accepted at a moment,
// newest first, each with the status of the latest mail written for it.
func (s *Store) PendingInvitations(ctx context.Context, councilID int64, at time.Time) ([]model.PendingInvitation, error) {
	var rows []struct {
		invitationRow
		CreatedAt  time.Time `db:"created_at"`
		MailStatus *string   `db:"mail_status"`
	}
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+invitationColumns+`, created_at,
		(SELECT o.status FROM mail_outbox o WHERE o.invitation_id = invitations.id ORDER BY o.id DESC LIMIT 1) AS mail_status
		FROM invitations WHERE council_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY id DESC`), councilID, stamp(at))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list invitations: %w", err)
	}
	out := make([]model.PendingInvitation, len(rows))
	for i := range rows {
		out[i] = model.PendingInvitation{Invitation: *rows[i].invitationRow.model(), CreatedAt: rows[i].CreatedAt.UTC()}
		out[i].MailStatus = deref(rows[i].MailStatus)
	}
	return out, nil
}

// InvitationCouncil returns the council an invitation seats in; ErrNotFound when there is no
// such invitation.
func (s *Store) InvitationCouncil(ctx context.Context, id int64) (int64, error) {
	var councilID int64
	err := s.db.GetContext(ctx, &councilID, s.rebind(`SELECT council_id FROM invitations WHERE id = ?`), id)
	return councilID, notFound(err)
}

// PendingInvitation finds one of the transaction's council's invitations that can still be
// accepted; ErrNotFound otherwise.
func (t *Tx) PendingInvitation(ctx context.Context, id int64) (*model.Invitation, error) {
	var row invitationRow
	err := t.tx.GetContext(ctx, &row, t.store.rebind(`SELECT `+invitationColumns+` FROM invitations
		WHERE id = ? AND council_id = ? AND used_at IS NULL AND expires_at > ?`), id, t.councilID, t.now)
	if err != nil {
		return nil, notFound(err)
	}
	return row.model(), nil
}

// EndInvitation makes an invitation's link stop working at once: it expires now.
func (t *Tx) EndInvitation(ctx context.Context, id int64) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE invitations SET expires_at = ? WHERE id = ? AND council_id = ?`), t.now, id, t.councilID)
	return err
}

// RenewInvitation gives an invitation a new token (the old link stops working) and a new
// expiry.
func (t *Tx) RenewInvitation(ctx context.Context, inv *model.Invitation, tokenHash string) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE invitations SET token_hash = ?, expires_at = ? WHERE id = ? AND council_id = ?`),
		tokenHash, stamp(inv.ExpiresAt), inv.ID, t.councilID)
	if err != nil {
		return fmt.Errorf("store: unable to renew invitation: %w", err)
	}
	return nil
}

// InvitationMailLang returns the language of the latest mail written for an invitation, ""
// when none was.
func (t *Tx) InvitationMailLang(ctx context.Context, id int64) (string, error) {
	return invitationMailLang(ctx, t.tx, t.store.rebind, id)
}

// InvitationMailLang returns the language of the latest mail written for an invitation, ""
// when none was.
func (s *Store) InvitationMailLang(ctx context.Context, id int64) (string, error) {
	return invitationMailLang(ctx, s.db, s.rebind, id)
}

func invitationMailLang(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, id int64) (string, error) {
	var langs []string
	err := sqlx.SelectContext(ctx, q, &langs, rebind(`SELECT lang FROM mail_outbox WHERE invitation_id = ? ORDER BY id DESC LIMIT 1`), id)
	if err != nil || len(langs) == 0 {
		return "", err
	}
	return langs[0], nil
}

// DropInvitationMails keeps an invitation's mails still waiting in the outbox from going out,
// with why: their link no longer works.
func (t *Tx) DropInvitationMails(ctx context.Context, id int64, why string) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE mail_outbox SET status = ?, last_error = ?, secret = NULL
		WHERE invitation_id = ? AND status = ?`), model.MailNotSent, why, id, model.MailQueued)
	return err
}
