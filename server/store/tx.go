package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Tx is a write transaction inside one council. It holds the council's sequence lock from
// its first statement to its commit, so writes in one council are serialised and the events
// they append get gapless, commit-ordered seq numbers.
type Tx struct {
	tx        *sqlx.Tx
	store     *Store
	councilID int64
	lastSeq   int64
	now       time.Time
	events    []Event
}

// InCouncil runs fn in a transaction that holds councilID's sequence lock and returns the
// events fn appended, once they are committed. When fn returns an error nothing is written.
func (s *Store) InCouncil(ctx context.Context, councilID int64, fn func(*Tx) error) ([]Event, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to begin: %w", err)
	}
	defer tx.Rollback()
	t := &Tx{tx: tx, store: s, councilID: councilID}
	lock := `SELECT last_seq FROM councils WHERE id = ?`
	if s.dialect == "postgres" {
		lock += ` FOR UPDATE`
	}
	if err := tx.GetContext(ctx, &t.lastSeq, s.rebind(lock), councilID); err != nil {
		return nil, notFound(err)
	}
	// Stamped once the lock is held, so that event times follow the order of seq.
	t.now = now()
	if err := fn(t); err != nil {
		return nil, err
	}
	if len(t.events) > 0 {
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE councils SET last_seq = ? WHERE id = ?`), t.lastSeq, councilID); err != nil {
			return nil, fmt.Errorf("store: unable to advance seq: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: unable to commit: %w", err)
	}
	return t.events, nil
}

// Now is the transaction's timestamp; every row it writes carries it.
func (t *Tx) Now() time.Time { return t.now }

// CouncilID is the council whose lock the transaction holds.
func (t *Tx) CouncilID() int64 { return t.councilID }

func (t *Tx) q() sqlx.ExtContext { return t.tx }

// Append writes an event to the council's record with the next seq.
func (t *Tx) Append(ctx context.Context, typ string, roundID *int64, actor *Person, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("store: unable to encode %s: %w", typ, err)
	}
	t.lastSeq++
	ev := Event{Seq: t.lastSeq, CouncilID: t.councilID, RoundID: roundID, Type: typ, At: t.now, Actor: actor, Data: raw}
	var actorID *int64
	var actorName *string
	if actor != nil {
		actorID, actorName = &actor.ID, &actor.Name
	}
	_, err = t.tx.ExecContext(ctx, t.store.rebind(`
		INSERT INTO events (council_id, seq, round_id, type, at, actor_id, actor_name, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		ev.CouncilID, ev.Seq, roundID, typ, ev.At, actorID, actorName, string(raw))
	if err != nil {
		return Event{}, fmt.Errorf("store: unable to append %s: %w", typ, err)
	}
	t.events = append(t.events, ev)
	return ev, nil
}

type eventRow struct {
	CouncilID int64     `db:"council_id"`
	Seq       int64     `db:"seq"`
	RoundID   *int64    `db:"round_id"`
	Type      string    `db:"type"`
	At        time.Time `db:"at"`
	ActorID   *int64    `db:"actor_id"`
	ActorName *string   `db:"actor_name"`
	Data      string    `db:"data"`
}

func (r eventRow) event() Event {
	ev := Event{Seq: r.Seq, CouncilID: r.CouncilID, RoundID: r.RoundID, Type: r.Type, At: r.At.UTC(), Data: json.RawMessage(r.Data)}
	if r.ActorID != nil {
		ev.Actor = &Person{ID: *r.ActorID, Name: deref(r.ActorName)}
	}
	return ev
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

const eventColumns = `council_id, seq, round_id, type, at, actor_id, actor_name, data`

// EventsAfter returns the council's events with seq > after, oldest first, at most limit.
func (s *Store) EventsAfter(ctx context.Context, councilID, after int64, limit int) ([]Event, error) {
	var rows []eventRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+eventColumns+` FROM events
		WHERE council_id = ? AND seq > ? ORDER BY seq LIMIT ?`), councilID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read events: %w", err)
	}
	return toEvents(rows), nil
}

// RoundEvents returns every event of a round, oldest first.
func roundEvents(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, roundID int64) ([]Event, error) {
	var rows []eventRow
	err := sqlx.SelectContext(ctx, q, &rows, rebind(`SELECT `+eventColumns+` FROM events
		WHERE round_id = ? ORDER BY seq`), roundID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read round events: %w", err)
	}
	return toEvents(rows), nil
}

func toEvents(rows []eventRow) []Event {
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out
}

// LastSeq returns the council's highest committed seq.
func (s *Store) LastSeq(ctx context.Context, councilID int64) (int64, error) {
	var seq int64
	err := s.db.GetContext(ctx, &seq, s.rebind(`SELECT last_seq FROM councils WHERE id = ?`), councilID)
	return seq, notFound(err)
}
