package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

const userColumns = `id, email, name, role, organisation, password_hash, created_at`

// CreateUser inserts an account; ErrConflict when the email is taken.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	return createUser(ctx, s.db, s.rebind, u, now())
}

func createUser(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, u *User, at time.Time) error {
	u.CreatedAt = at
	err := sqlx.GetContext(ctx, q, &u.ID, rebind(`INSERT INTO users (email, name, role, organisation, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), u.Email, u.Name, u.Role, u.Organisation, u.PasswordHash, u.CreatedAt)
	if isUniqueViolation(err) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: unable to create user: %w", err)
	}
	return nil
}

// UserByEmail finds an account by its (lower-case) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.Reader().UserByEmail(ctx, email)
}

// UserByEmail finds an account by its (lower-case) email.
func (r *Reader) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if err := sqlx.GetContext(ctx, r.q, &u, r.rebind(`SELECT `+userColumns+` FROM users WHERE email = ?`), email); err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// UserByID finds an account by id.
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	var u User
	err := s.db.GetContext(ctx, &u, s.rebind(`SELECT `+userColumns+` FROM users WHERE id = ?`), id)
	if err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// CountAdmins tells how many site admins exist.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM users WHERE role = 'admin'`)
	return n, err
}

// CreateSession stores a session by the hash of its token.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, csrf string, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`), tokenHash, userID, csrf, now(), expires.UTC())
	if err != nil {
		return fmt.Errorf("store: unable to create session: %w", err)
	}
	return nil
}

// SessionUser returns the user and CSRF token of an unexpired session.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (*User, string, error) {
	var row struct {
		User
		CSRF string `db:"csrf_token"`
	}
	err := s.db.GetContext(ctx, &row, s.rebind(`SELECT u.id, u.email, u.name, u.role, u.organisation, u.password_hash, u.created_at, s.csrf_token
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`), tokenHash, now())
	if err != nil {
		return nil, "", notFound(err)
	}
	return &row.User, row.CSRF, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
	return err
}

// DeleteExpired removes sessions past their expiry and sign-in failures older than a day.
func (s *Store) DeleteExpired(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE expires_at <= ?`), now()); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM login_failures WHERE failed_at < ?`), now().Add(-24*time.Hour))
	return err
}

// RecordLoginFailure notes a sign-in attempt under each key (an email, an address) as failed
// and returns its time, by which a successful attempt is taken back.
func (s *Store) RecordLoginFailure(ctx context.Context, keys ...string) (time.Time, error) {
	at := now()
	for _, k := range keys {
		if _, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO login_failures (key, failed_at) VALUES (?, ?)`), k, at); err != nil {
			return at, fmt.Errorf("store: unable to record login failure: %w", err)
		}
	}
	return at, nil
}

// ForgetLoginFailure takes back the attempt recorded at a time under the keys.
func (s *Store) ForgetLoginFailure(ctx context.Context, at time.Time, keys ...string) error {
	for _, k := range keys {
		if _, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM login_failures WHERE key = ? AND failed_at = ?`), k, at); err != nil {
			return err
		}
	}
	return nil
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
	return len(times), &times[0], nil
}

// ClearLoginFailures forgets a key's failures after a successful sign-in.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM login_failures WHERE key = ?`), key)
	return err
}
