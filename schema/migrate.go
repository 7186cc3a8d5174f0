// Package schema holds the numbered, append-only database migrations for PostgreSQL and SQLite
// and applies them, one transaction each, recording the applied version.
package schema

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialects the migrations exist for.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// migrationLock is the PostgreSQL advisory lock key that serialises migrating processes.
const migrationLock = 727274001

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the dialect's migrations in version order.
func Migrations(dialect string) ([]Migration, error) {
	names, err := fs.Glob(files, dialect+"/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, name := range names {
		base := strings.TrimPrefix(name, dialect+"/")
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("schema: migration %s is not named NNN_name.sql", name)
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: version, Name: base, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("schema: migration %s breaks the numbering (want %d)", m.Name, i+1)
		}
	}
	return out, nil
}

// Migrate applies every migration newer than the database's recorded version and returns the
// version the database is at afterwards. On PostgreSQL an advisory lock makes processes that
// start together take turns, so each migration runs exactly once.
func Migrate(ctx context.Context, db *sqlx.DB, dialect string) (int, error) {
	migrations, err := Migrations(dialect)
	if err != nil {
		return 0, err
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return 0, fmt.Errorf("schema: unable to connect: %w", err)
	}
	defer conn.Close()
	if dialect == Postgres {
		// A migration, or the wait for another process's, may outlast the statement_timeout
		// the store gives its connections; this connection goes back to the pool with it reset.
		if _, err := conn.ExecContext(ctx, `SET statement_timeout = 0`); err != nil {
			return 0, fmt.Errorf("schema: unable to lift the statement timeout: %w", err)
		}
		defer conn.ExecContext(context.Background(), `RESET statement_timeout`)
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
			return 0, fmt.Errorf("schema: unable to take the migration lock: %w", err)
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return 0, fmt.Errorf("schema: unable to create schema_version: %w", err)
	}
	var current int
	if err := conn.GetContext(ctx, &current, `SELECT COALESCE(MAX(version), 0) FROM schema_version`); err != nil {
		return 0, fmt.Errorf("schema: unable to read the version: %w", err)
	}
	if current > len(migrations) {
		return current, fmt.Errorf("schema: the database is at version %d, newer than this program (%d)", current, len(migrations))
	}
	for _, m := range migrations[current:] {
		if err := apply(ctx, conn, db, m); err != nil {
			return current, err
		}
		current = m.Version
	}
	return current, nil
}

// apply runs one migration in its own transaction, unless another process applied it first:
// the version is read again inside the transaction, which on SQLite holds the write lock.
func apply(ctx context.Context, conn *sqlx.Conn, db *sqlx.DB, m Migration) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("schema: unable to begin %s: %w", m.Name, err)
	}
	defer tx.Rollback()
	var current int
	if err := tx.GetContext(ctx, &current, `SELECT COALESCE(MAX(version), 0) FROM schema_version`); err != nil {
		return fmt.Errorf("schema: unable to read the version: %w", err)
	}
	if current >= m.Version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("schema: migration %s failed: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO schema_version (version) VALUES (?)`), m.Version); err != nil {
		return fmt.Errorf("schema: unable to record %s: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("schema: unable to commit %s: %w", m.Name, err)
	}
	return nil
}
