package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// SessionSeenEvery is how often a session's last_seen_at is brought up to date: at most once
// a minute, so that reading a session costs a write only now and then.
const SessionSeenEvery = time.Minute

type sessionRow struct {
	ID         int64     `db:"id"`
	UserID     int64     `db:"user_id"`
	Key        string    `db:"token_hash"`
	CSRF       string    `db:"csrf_token"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	UserAgent  string    `db:"user_agent"`
	ExpiresAt  time.Time `db:"expires_at"`
}

const sessionColumns = `s.id, s.user_id, s.token_hash, s.csrf_token, s.created_at, s.last_seen_at, s.user_agent, s.expires_at`

func (r *sessionRow) model() model.Session {
	return model.Session{ID: r.ID, UserID: r.UserID, Key: r.Key, CSRF: r.CSRF, CreatedAt: r.CreatedAt.UTC(),
		LastSeenAt: r.LastSeenAt.UTC(), UserAgent: r.UserAgent, ExpiresAt: r.ExpiresAt.UTC()}
}

// CreateSessionFrom stores a session by the hash of its token, with the browser it was started
// from (its User-Agent).
func (s *Store) CreateSessionFrom(ctx context.Context, tokenHash string, userID int64, csrf, userAgent string, created, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), tokenHash, userID, csrf, stamp(created), stamp(expires), stamp(created), userAgent)
	if err != nil {
		return fmt.Errorf("store: unable to create session: %w", err)
	}
	return nil
}

// SessionByKey returns a session unexpired at a moment, with its user.
func (s *Store) SessionByKey(ctx context.Context, tokenHash string, at time.Time) (*model.Session, *model.User, error) {
	var row struct {
		userRow
		sessionRow `db:"s"`
	}
	err := s.db.GetContext(ctx, &row, s.rebind(`SELECT `+userColumnsOf("u")+`, `+aliased(sessionColumns)+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`), tokenHash, stamp(at))
	if err != nil {
		return nil, nil, notFound(err)
	}
	sess := row.sessionRow.model()
	return &sess, row.userRow.model(), nil
}

// aliased names each "s.col" column "s.col" in the result, so that sqlx fills an embedded
// struct tagged with the table's alias.
func aliased(cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = c + ` AS "` + c + `"`
	}
	return strings.Join(parts, ", ")
}

// TouchSession notes that a session was used at a moment, unless that was noted less than
// SessionSeenEvery before.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`),
		stamp(at), tokenHash, stamp(at.Add(-SessionSeenEvery)))
	return err
}

// Sessions lists a user's sessions unexpired at a moment, the latest used first.
func (s *Store) Sessions(ctx context.Context, userID int64, at time.Time) ([]model.Session, error) {
	var rows []sessionRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+sessionColumns+` FROM sessions s
		WHERE s.user_id = ? AND s.expires_at > ? ORDER BY s.last_seen_at DESC, s.id DESC`), userID, stamp(at))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list sessions: %w", err)
	}
	return mapRows(rows, (*sessionRow).model), nil
}

// DeleteUserSession ends one of a user's sessions by its id and returns its key; ErrNotFound
// when the user has no such session.
func (s *Store) DeleteUserSession(ctx context.Context, userID, id int64) (string, error) {
	var key string
	err := s.db.GetContext(ctx, &key, s.rebind(`DELETE FROM sessions WHERE id = ? AND user_id = ? RETURNING token_hash`), id, userID)
	return key, notFound(err)
}

// deleteSessions ends every session of a user but the one named keep ("" for none) and
// returns the keys of those ended.
func deleteSessions(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, userID int64, keep string) ([]string, error) {
	var keys []string
	err := sqlx.SelectContext(ctx, q, &keys, rebind(`DELETE FROM sessions WHERE user_id = ? AND token_hash <> ? RETURNING token_hash`), userID, keep)
	if err != nil {
		return nil, fmt.Errorf("store: unable to end sessions: %w", err)
	}
	return keys, nil
}
