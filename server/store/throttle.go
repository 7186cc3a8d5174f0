package store

import (
	"context"
	"fmt"
	"time"
)

// Throttle scopes: what a hit counts.
const (
	ThrottleSignals = "signals" // signals sent from one client address
)

// Hit records an attempt, named by attempt and made at a moment, under a scope and a key (the
// hash of a client address, never the address): attempts are counted before they are
// allowed, so that attempts sent all at once cannot slip past a limit together.
func (s *Store) Hit(ctx context.Context, scope, key, attempt string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`INSERT INTO throttle_hits (scope, key, at, attempt) VALUES (?, ?, ?, ?)`),
		scope, key, stamp(at), attempt)
	if err != nil {
		return fmt.Errorf("store: unable to record a hit: %w", err)
	}
	return nil
}

// ForgetHit takes back what an attempt recorded (an attempt refused, or one that failed).
func (s *Store) ForgetHit(ctx context.Context, attempt string) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM throttle_hits WHERE attempt = ?`), attempt)
	return err
}

// Hits counts a key's hits in a scope since a moment and returns the oldest of them.
func (s *Store) Hits(ctx context.Context, scope, key string, since time.Time) (int, *time.Time, error) {
	var times []time.Time
	err := s.db.SelectContext(ctx, &times, s.rebind(`SELECT at FROM throttle_hits WHERE scope = ? AND key = ? AND at > ? ORDER BY at`),
		scope, key, stamp(since))
	if err != nil {
		return 0, nil, fmt.Errorf("store: unable to count hits: %w", err)
	}
	if len(times) == 0 {
		return 0, nil, nil
	}
	oldest := times[0].UTC()
	return len(times), &oldest, nil
}

// PruneHits forgets a scope's hits older than a moment.
func (s *Store) PruneHits(ctx context.Context, scope string, before time.Time) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`DELETE FROM throttle_hits WHERE scope = ? AND at < ?`), scope, stamp(before))
	return err
}
