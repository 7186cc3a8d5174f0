// Package store holds every SQL statement of the platform, for PostgreSQL and SQLite alike:
// reads, write transactions that serialise per council, and the append-only event log.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"modernc.org/sqlite" // SQLite driver, pure Go
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/perushtitsa/council/schema"
)

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a unique value is already taken.
var ErrConflict = errors.New("store: conflict")

// Store is the platform's database.
type Store struct {
	db      *sqlx.DB
	dialect string
}

// DefaultSQLite is the file the embedded default keeps its records in.
const DefaultSQLite = "council.db"

// WaitBackstop is the longest the database itself lets one statement run or wait, whatever
// the caller's context says: PostgreSQL's statement_timeout and
// idle_in_transaction_session_timeout, SQLite's busy_timeout. Requests have shorter
// deadlines, which end their waits first (the SQLite driver ends a busy wait when the
// call's context ends); this bounds work whose client went away or had no deadline. A wait
// ended either way is Unavailable.
const WaitBackstop = 30 * time.Second

// Open connects to the database a DATABASE_URL names: postgres://… selects PostgreSQL,
// sqlite:PATH an SQLite file, and the empty string the embedded default file.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		db, err := openPostgres(databaseURL)
		if err != nil {
			return nil, fmt.Errorf("store: unable to open PostgreSQL: %w", err)
		}
		db.SetMaxOpenConns(40)
		db.SetMaxIdleConns(20)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return finishOpen(ctx, db, schema.Postgres)
	case databaseURL == "" || strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(databaseURL, "sqlite:")
		if path == "" {
			path = DefaultSQLite
		}
		q := url.Values{}
		q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", WaitBackstop.Milliseconds()))
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		// Deleted rows are overwritten, not merely unlinked: an erased secret vote must not be
		// readable from the file afterwards.
		q.Add("_pragma", "secure_delete(1)")
		q.Set("_txlock", "immediate")
		q.Set("_time_format", "sqlite")
		db, err := sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("store: unable to open SQLite: %w", err)
		}
		db.SetMaxOpenConns(8)
		return finishOpen(ctx, db, schema.SQLite)
	default:
		return nil, fmt.Errorf("store: DATABASE_URL must start with postgres:// or sqlite: (got %q)", redact(databaseURL))
	}
}

func finishOpen(ctx context.Context, db *sqlx.DB, dialect string) (*Store, error) {
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := db.PingContext(pingCtx)
	// Processes opening a new SQLite file at once race to switch it to WAL, and the loser is
	// told the file is busy without waiting: it tries again.
	for dialect == schema.SQLite && Unavailable(err) && pingCtx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		err = db.PingContext(pingCtx)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: unable to reach the %s database: %w", dialect, err)
	}
	return &Store{db: db, dialect: dialect}, nil
}

func redact(u string) string {
	if parsed, err := url.Parse(u); err == nil && parsed.User != nil {
		parsed.User = url.User(parsed.User.Username())
		return parsed.String()
	}
	return u
}

// Dialect names the database in use: "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// DB gives tests and tools the underlying handle.
func (s *Store) DB() *sqlx.DB { return s.db }

// Migrate brings the schema up to date.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	return schema.Migrate(ctx, s.db, s.dialect)
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close releases the connections.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) rebind(q string) string { return s.db.Rebind(q) }

// stamp is how the store keeps a time: UTC, to the microsecond, as PostgreSQL keeps it.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// isUniqueViolation recognises a unique-constraint failure by the driver's error code:
// PostgreSQL's SQLSTATE 23505, SQLite's extended codes for a unique index or a primary key.
func isUniqueViolation(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.SQLState() == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
