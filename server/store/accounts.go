package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// notifyRow is which notifications a user wants, one column per kind.
type notifyRow struct {
	Invitation  bool `db:"notify_invitation"`
	RoundOpened bool `db:"notify_round_opened"`
	ClosingSoon bool `db:"notify_closing_soon"`
	RoundClosed bool `db:"notify_round_closed"`
	Reply       bool `db:"notify_reply"`
}

const notifyColumns = `notify_invitation, notify_round_opened, notify_closing_soon, notify_round_closed, notify_reply`

// notifyColumn names the column of each kind of notification.
var notifyColumn = map[string]string{
	model.MailInvitation:  "notify_invitation",
	model.MailRoundOpened: "notify_round_opened",
	model.MailClosingSoon: "notify_closing_soon",
	model.MailRoundClosed: "notify_round_closed",
	model.MailReply:       "notify_reply",
}

func (r notifyRow) model() model.Notify {
	return model.Notify{Invitation: r.Invitation, RoundOpened: r.RoundOpened, ClosingSoon: r.ClosingSoon,
		RoundClosed: r.RoundClosed, Reply: r.Reply}
}

// WriteTx is a write transaction outside any council's lock: an account's changes, with the
// mails they cause written in the same transaction.
type WriteTx struct {
	tx    *sqlx.Tx
	store *Store
	now   time.Time
}

// InTx runs fn in a transaction stamped with now(); nothing is written when fn fails.
func (s *Store) InTx(ctx context.Context, now func() time.Time, fn func(*WriteTx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(&WriteTx{tx: tx, store: s, now: stamp(now())}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	return nil
}

// Now is the transaction's time.
func (w *WriteTx) Now() time.Time { return w.now }

// Reader reads inside the transaction.
func (w *WriteTx) Reader() *Reader { return &Reader{q: w.tx, rebind: w.store.rebind} }

func (w *WriteTx) exec(ctx context.Context, query string, args ...any) error {
	_, err := w.tx.ExecContext(ctx, w.store.rebind(query), args...)
	return err
}

// UserByID finds an account by id.
func (r *Reader) UserByID(ctx context.Context, id int64) (*model.User, error) {
	var row userRow
	if err := sqlx.GetContext(ctx, r.q, &row, r.rebind(`SELECT `+userColumns+` FROM users WHERE id = ?`), id); err != nil {
		return nil, notFound(err)
	}
	return row.model(), nil
}

// UpdateProfile writes a user's name, organisation, language and notifications.
func (s *Store) UpdateProfile(ctx context.Context, u *model.User) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`UPDATE users SET name = ?, organisation = ?, language = ?,
		notify_invitation = ?, notify_round_opened = ?, notify_closing_soon = ?, notify_round_closed = ?, notify_reply = ?
		WHERE id = ?`), u.Name, u.Organisation, u.Language, u.Notify.Invitation, u.Notify.RoundOpened, u.Notify.ClosingSoon,
		u.Notify.RoundClosed, u.Notify.Reply, u.ID)
	if err != nil {
		return fmt.Errorf("store: unable to update profile: %w", err)
	}
	return nil
}

// SetNotify switches one kind of notification of a user on or off (an unsubscribe link).
func (s *Store) SetNotify(ctx context.Context, userID int64, kind string, on bool) error {
	col, ok := notifyColumn[kind]
	if !ok {
		return fmt.Errorf("store: no notification %q", kind)
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`UPDATE users SET `+col+` = ? WHERE id = ?`), on, userID)
	return err
}

// SetPassword replaces a user's password hash and ends every session of theirs but keep
// ("" for none), returning the keys of the sessions ended.
func (w *WriteTx) SetPassword(ctx context.Context, userID int64, hash, keep string) ([]string, error) {
	if err := w.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID); err != nil {
		return nil, fmt.Errorf("store: unable to set password: %w", err)
	}
	return deleteSessions(ctx, w.tx, w.store.rebind, userID, keep)
}

// CreatePasswordReset stores a reset link by the hash of its token (and clears expired ones).
func (w *WriteTx) CreatePasswordReset(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	if err := w.exec(ctx, `DELETE FROM password_resets WHERE expires_at <= ?`, w.now); err != nil {
		return fmt.Errorf("store: unable to clear expired resets: %w", err)
	}
	err := w.exec(ctx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, userID, w.now, stamp(expires))
	if err != nil {
		return fmt.Errorf("store: unable to create password reset: %w", err)
	}
	return nil
}

// UsePasswordReset uses a reset link up, once, and returns its user; ErrNotFound when it is
// unknown, used or expired.
func (w *WriteTx) UsePasswordReset(ctx context.Context, tokenHash string) (int64, error) {
	var userID int64
	err := w.tx.GetContext(ctx, &userID, w.store.rebind(`UPDATE password_resets SET used_at = ?
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`), w.now, tokenHash, w.now)
	return userID, notFound(err)
}

// PasswordResetUser returns the user of a reset link that can still be used at a moment.
func (s *Store) PasswordResetUser(ctx context.Context, tokenHash string, at time.Time) (*model.User, error) {
	var row userRow
	err := s.db.GetContext(ctx, &row, s.rebind(`SELECT `+userColumnsOf("u")+` FROM password_resets r JOIN users u ON u.id = r.user_id
		WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ?`), tokenHash, stamp(at))
	if err != nil {
		return nil, notFound(err)
	}
	return row.model(), nil
}

// CreateEmailChange stores a confirmation link for a new address by the hash of its token
// (and clears expired ones).
func (w *WriteTx) CreateEmailChange(ctx context.Context, tokenHash string, userID int64, email string, expires time.Time) error {
	if err := w.exec(ctx, `DELETE FROM email_changes WHERE expires_at <= ?`, w.now); err != nil {
		return fmt.Errorf("store: unable to clear expired confirmations: %w", err)
	}
	err := w.exec(ctx, `INSERT INTO email_changes (token_hash, user_id, new_email, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		tokenHash, userID, email, w.now, stamp(expires))
	if err != nil {
		return fmt.Errorf("store: unable to create email change: %w", err)
	}
	return nil
}

// UseEmailChange uses a confirmation link up, once, and returns its user and the new address;
// ErrNotFound when it is unknown, used or expired.
func (w *WriteTx) UseEmailChange(ctx context.Context, tokenHash string) (int64, string, error) {
	var row struct {
		UserID int64  `db:"user_id"`
		Email  string `db:"new_email"`
	}
	err := w.tx.GetContext(ctx, &row, w.store.rebind(`UPDATE email_changes SET used_at = ?
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id, new_email`), w.now, tokenHash, w.now)
	return row.UserID, row.Email, notFound(err)
}

// SetEmail changes a user's address; ErrConflict when another account has it.
func (w *WriteTx) SetEmail(ctx context.Context, userID int64, email string) error {
	err := w.exec(ctx, `UPDATE users SET email = ? WHERE id = ?`, email, userID)
	if isUniqueViolation(err) {
		return ErrConflict
	}
	return err
}

// EmailChange returns the new address of a confirmation link that can still be used at a
// moment.
func (s *Store) EmailChange(ctx context.Context, tokenHash string, at time.Time) (string, error) {
	var email string
	err := s.db.GetContext(ctx, &email, s.rebind(`SELECT new_email FROM email_changes
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), tokenHash, stamp(at))
	return email, notFound(err)
}
