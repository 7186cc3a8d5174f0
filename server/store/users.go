package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// CreateUser inserts an account created at a moment; ErrConflict when the email is taken.
func (s *Store) CreateUser(ctx context.Context, u *model.User, at time.Time) error {
	return createUser(ctx, s.db, s.rebind, u, stamp(at))
}

func createUser(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, u *model.User, at time.Time) error {
	u.CreatedAt, u.Notify = at, model.NotifyAll
	if u.Language == "" {
		u.Language = "bg"
	}
	err := sqlx.GetContext(ctx, q, &u.ID, rebind(`INSERT INTO users (email, name, role, organisation, password_hash, created_at, language)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), u.Email, u.Name, u.Role, u.Organisation, u.PasswordHash, u.CreatedAt, u.Language)
	if isUniqueViolation(err) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: unable to create user: %w", err)
	}
	return nil
}

// UserByEmail finds an account by its (lower-case) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (*model.User, error) {
	return s.Reader().UserByEmail(ctx, email)
}

// UserByEmail finds an account by its (lower-case) email.
func (r *Reader) UserByEmail(ctx context.Context, email string) (*model.User, error) {
	var row userRow
	if err := sqlx.GetContext(ctx, r.q, &row, r.rebind(`SELECT `+userColumns+` FROM users WHERE email = ?`), email); err != nil {
		return nil, notFound(err)
	}
	return row.model(), nil
}

// UserByID finds an account by id.
func (s *Store) UserByID(ctx context.Context, id int64) (*model.User, error) {
	var row userRow
	if err := s.db.GetContext(ctx, &row, s.rebind(`SELECT `+userColumns+` FROM users WHERE id = ?`), id); err != nil {
		return nil, notFound(err)
	}
	return row.model(), nil
}

// CountUsersWithRole tells how many accounts have a site role.
func (s *Store) CountUsersWithRole(ctx context.Context, role string) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, s.rebind(`SELECT COUNT(*) FROM users WHERE role = ?`), role)
	return n, err
}

// CreateSession stores a session by the hash of its token.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, csrf string, created, expires time.Time) error {
	return s.CreateSessionFrom(ctx, tokenHash, userID, csrf, "", created, expires)
}

// SessionUser returns the user and CSRF token of a session unexpired at a moment.
func (s *Store) SessionUser(ctx context.Context, tokenHash string, at time.Time) (*model.User, string, error) {
	var row struct {
		userRow
		CSRF string `db:"csrf_token"`
	}
	err := s.db.GetContext(ctx, &row, s.rebind(`SELECT `+userColumnsOf("u")+`, s.csrf_token
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`), tokenHash, stamp(at))
	if err != nil {
		return nil, "", notFound(err)
	}
	return row.userRow.model(), row.CSRF, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
	return err
}

// DeleteExpired removes sessions expired at a moment and sign-in failures a day older.
func (s *Store) DeleteExpired(ctx context.Context, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE expires_at <= ?`), stamp(at)); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM login_failures WHERE failed_at < ?`), stamp(at.Add(-24*time.Hour)))
	return err
}

// RecordLoginFailure notes a sign-in attempt, named by attempt and made at a moment, as failed
// under each key (an email, an address).
func (s *Store) RecordLoginFailure(ctx context.Context, attempt string, at time.Time, keys ...string) error {
	for _, k := range keys {
		if _, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO login_failures (key, failed_at, attempt) VALUES (?, ?, ?)`), k, stamp(at), attempt); err != nil {
			return fmt.Errorf("store: unable to record login failure: %w", err)
		}
	}
	return nil
}

// ForgetLoginFailure takes back what an attempt recorded.
func (s *Store) ForgetLoginFailure(ctx context.Context, attempt string) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM login_failures WHERE attempt = ?`), attempt)
	return err
}

// LoginFailures counts a key's failures since a moment and returns the oldest of them.
func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) (int, *time.Time, error) {
	var times []time.Time
	err := s.db.SelectContext(ctx, &times, s.rebind(`SELECT failed_at FROM login_failures WHERE key = ? AND failed_at > ? ORDER BY failed_at`), key, since.UTC())
	if err != nil {
		return 0, nil, fmt.Errorf("store: unable to count login failures: %w", err)
	}
	if len(times) == 0 {
		return 0, nil, nil
	}
	oldest := times[0].UTC()
	return len(times), &oldest, nil
}

// ClearLoginFailures forgets a key's failures after a successful sign-in.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM login_failures WHERE key = ?`), key)
	return err
}
