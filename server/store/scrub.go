package store

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// ErrBusy means that the database files could not be scrubbed now: a reader (a backup, a long
// read) still holds a snapshot that needs the pages as they were.
var ErrBusy = errors.New("store: a reader holds the database files")

// How long one scrub may wait for readers, and how a scrub that could not finish is retried.
const (
	ScrubTry        = 2 * time.Second
	ScrubRetryEvery = 5 * time.Second
	ScrubRetryFor   = 15 * time.Minute
)

// scrub makes rows deleted from tables unrecoverable from the database's own files: on SQLite
// (secure_delete is on for every connection) the write-ahead log, which still holds the pages
// as they were, is checkpointed and truncated — ErrBusy when a reader prevents it; on
// PostgreSQL the tables are vacuumed, so that their dead rows are removed.
func (s *Store) scrub(ctx context.Context, tables ...string) error {
	if s.dialect == "postgres" {
		for _, t := range tables {
			if _, err := s.db.ExecContext(ctx, `VACUUM `+t); err != nil {
				return err
			}
		}
		return nil
	}
	var busy, logFrames, checkpointed int
	err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed)
	switch {
	case err != nil:
		return err
	case busy != 0:
		return ErrBusy
	}
	return nil
}

// ScrubSoon runs scrub (ScrubErased, ScrubSurveys) with ScrubTry to wait for readers, so that
// the request that closed something is not held up by a backup running at that moment. What
// cannot be scrubbed now is retried in the background every ScrubRetryEvery for up to
// ScrubRetryFor; each outcome is logged with what, the thing closed.
func (s *Store) ScrubSoon(ctx context.Context, log *slog.Logger, scrub func(context.Context) error, what ...any) {
	try := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, ScrubTry)
		defer cancel()
		return scrub(ctx)
	}
	err := try(ctx)
	if err == nil {
		return
	}
	log.Warn("erased rows not yet scrubbed from the database files; retrying in the background",
		append(what, "err", err)...)
	go func() {
		for deadline := time.Now().Add(ScrubRetryFor); time.Now().Before(deadline); {
			time.Sleep(ScrubRetryEvery)
			err = try(context.Background())
			if err == nil {
				log.Info("erased rows scrubbed from the database files", what...)
				return
			}
			if s.db.PingContext(context.Background()) != nil {
				break // the database was closed: the process is going away
			}
		}
		log.Error("unable to scrub erased rows from the database files", append(what, "err", err)...)
	}()
}
