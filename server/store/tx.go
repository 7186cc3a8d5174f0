package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
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

// roundEvents returns the events of a round up to seq upTo (0: all), oldest first.
func roundEvents(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, roundID, upTo int64) ([]Event, error) {
	if upTo <= 0 {
		upTo = math.MaxInt64
	}
	var rows []eventRow
	err := sqlx.SelectContext(ctx, q, &rows, rebind(`SELECT `+eventColumns+` FROM events
		WHERE round_id = ? AND seq <= ? ORDER BY seq`), roundID, upTo)
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

// LastEvent returns the council's highest committed seq and the time of that event (zero when
// the council has no events yet): where a page's live connection starts, and the identity of
// that position.
func (s *Store) LastEvent(ctx context.Context, councilID int64) (int64, time.Time, error) {
	var row struct {
		Seq int64      `db:"last_seq"`
		At  *time.Time `db:"at"`
	}
	err := s.db.GetContext(ctx, &row, s.rebind(`SELECT c.last_seq, e.at FROM councils c
		LEFT JOIN events e ON e.council_id = c.id AND e.seq = c.last_seq WHERE c.id = ?`), councilID)
	if err != nil {
		return 0, time.Time{}, notFound(err)
	}
	if row.At == nil {
		return row.Seq, time.Time{}, nil
	}
	return row.Seq, row.At.UTC(), nil
}

// RecentWrites returns when the author's latest writes of a kind ("topics", "posts" or
// "proposals") since a moment were made, newest first, at most limit of them.
func (t *Tx) RecentWrites(ctx context.Context, kind string, authorID int64, since time.Time, limit int) ([]time.Time, error) {
	table, ok := writeTables[kind]
	if !ok {
		return nil, fmt.Errorf("store: no writes of kind %q", kind)
	}
	var times []time.Time
	err := t.tx.SelectContext(ctx, &times, t.store.rebind(`SELECT created_at FROM `+table+`
		WHERE author_id = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?`), authorID, since.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to count recent %s: %w", kind, err)
	}
	return times, nil
}

var writeTables = map[string]string{"topics": "topics", "posts": "posts", "proposals": "proposals"}
