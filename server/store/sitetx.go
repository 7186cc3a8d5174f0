package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// SiteTx is a write transaction that belongs to no council: a signal, its answers, the
// municipality's services. What it writes commits together, with whatever a caller's hook
// (the mail outbox) writes through it.
type SiteTx struct {
	tx    *sqlx.Tx
	store *Store
	now   time.Time
}

// InSite runs fn in a transaction stamped with now() and commits it unless fn fails.
func (s *Store) InSite(ctx context.Context, now func() time.Time, fn func(*SiteTx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(&SiteTx{tx: tx, store: s, now: stamp(now())}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	return nil
}

// Now is the transaction's timestamp; every row it writes carries it.
func (t *SiteTx) Now() time.Time { return t.now }

// forUpdate is the clause that locks the rows a PostgreSQL read selects until commit; SQLite
// transactions take the write lock when they begin.
func (s *Store) forUpdate() string {
	if s.dialect == "postgres" {
		return ` FOR UPDATE`
	}
	return ``
}
