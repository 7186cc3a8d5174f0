package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
)

// Tx is a write transaction inside one council. It holds the council's sequence lock from
// its first statement to its commit, so writes in one council are serialised and the events
// they append get gapless, commit-ordered seq numbers.
type Tx struct {
	tx        *sqlx.Tx
	store     *Store
	councilID int64
	lastSeq   int64
	seqStored int64 // the council's last_seq as its row holds it now
	now       time.Time
	events    []model.Event
	public    bool // the council's open rounds are public
	archived  bool // the council is archived: no new rounds or members
}

// InCouncil runs fn in a transaction that holds councilID's sequence lock and returns the
// events fn appended, once they are committed. When fn returns an error nothing is written.
// now gives the transaction its time, read once the lock is held, so that event times follow
// the order of seq.
func (s *Store) InCouncil(ctx context.Context, councilID int64, now func() time.Time, fn func(*Tx) error) ([]model.Event, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to begin: %w", err)
	}
	defer tx.Rollback()
	t := &Tx{tx: tx, store: s, councilID: councilID}
	lock := `SELECT last_seq, open_rounds_public, archived FROM councils WHERE id = ?`
	if s.dialect == "postgres" {
		lock += ` FOR UPDATE`
	}
	var row struct {
		LastSeq  int64 `db:"last_seq"`
		Public   bool  `db:"open_rounds_public"`
		Archived bool  `db:"archived"`
	}
	if err := tx.GetContext(ctx, &row, s.rebind(lock), councilID); err != nil {
		return nil, notFound(err)
	}
	t.lastSeq, t.public, t.archived = row.LastSeq, row.Public, row.Archived
	t.seqStored = row.LastSeq
	t.now = stamp(now())
	if err := fn(t); err != nil {
		return nil, err
	}
	if t.lastSeq != t.seqStored {
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

// OpenRoundsPublic reports whether the council's open rounds are public, as the lock read it.
func (t *Tx) OpenRoundsPublic() bool { return t.public }

// Archived reports whether the council is archived, as the lock read it.
func (t *Tx) Archived() bool { return t.archived }

// NewEvent is an event to append: its type and encoded payload, and, for an event that carries
// a post's text, the post and the payload as it reads once the post is hidden.
type NewEvent struct {
	Type         string
	RoundID      *int64
	Actor        *model.Person
	Data         []byte
	PostID       *int64
	Redacted     []byte
	Evicts       int64 // passed through to the committed event
	Public       bool  // passed through to the committed event
	ClosesPublic bool  // passed through to the committed event
}

// Append writes an event to the council's record with the next seq.
func (t *Tx) Append(ctx context.Context, ne NewEvent) (model.Event, error) {
	t.lastSeq++
	ev := model.Event{Seq: t.lastSeq, CouncilID: t.councilID, RoundID: ne.RoundID, Type: ne.Type, At: t.now,
		Actor: ne.Actor, Data: ne.Data, Evicts: ne.Evicts, Public: ne.Public, ClosesPublic: ne.ClosesPublic}
	var actorID *int64
	var actorName *string
	if ne.Actor != nil {
		actorID, actorName = &ne.Actor.ID, &ne.Actor.Name
	}
	var redacted *string
	if ne.Redacted != nil {
		r := string(ne.Redacted)
		redacted = &r
	}
	insert := appendEvent
	if t.store.dialect == "postgres" {
		insert = appendEventAdvancing
	}
	_, err := t.tx.ExecContext(ctx, insert,
		ev.CouncilID, ev.Seq, ne.RoundID, ne.Type, ev.At, actorID, actorName, string(ne.Data), ne.PostID, redacted)
	if err != nil {
		return model.Event{}, fmt.Errorf("store: unable to append %s: %w", ne.Type, err)
	}
	if t.store.dialect == "postgres" {
		t.seqStored = t.lastSeq
	}
	t.events = append(t.events, ev)
	return ev, nil
}

// appendEvent inserts an event (SQLite's placeholders).
const appendEvent = `INSERT INTO events (council_id, seq, round_id, type, at, actor_id, actor_name, data, post_id, data_redacted)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// appendEventAdvancing is appendEvent on PostgreSQL, where the council's seq advances in the
// same statement, which saves the transaction a round trip at its end; the council's row is
// locked by the transaction already.
var appendEventAdvancing = `WITH advanced AS (UPDATE councils SET last_seq = $2 WHERE id = $1) ` +
	sqlx.Rebind(sqlx.DOLLAR, appendEvent)

// eventColumns reads an event's payload — or, where the event carries the text of a post its
// author deleted since, or hidden since and redact is bound true, the payload without that
// text — and whether anyone may read it: it is about a closed round, or an open round of a
// council whose open rounds are public (closed and open bound as the states' words).
const eventColumns = `e.council_id, e.seq, e.round_id, e.type, e.at, e.actor_id, e.actor_name,
	CASE WHEN p.deleted_at IS NOT NULL OR (? AND p.hidden) THEN e.data_redacted ELSE e.data END AS data,
	CASE WHEN r.status = ? OR (r.status = ? AND c.open_rounds_public) THEN 1 ELSE 0 END AS public`

const eventsFrom = ` FROM events e LEFT JOIN posts p ON p.id = e.post_id LEFT JOIN rounds r ON r.id = e.round_id
	JOIN councils c ON c.id = e.council_id `

// eventArgs binds eventColumns' parameters.
func eventArgs(redact bool, more ...any) []any {
	return append([]any{redact, model.StatusClosed, model.StatusOpen}, more...)
}

// EventsAfter returns the council's events with seq > after, oldest first, at most limit;
// redact leaves out the text of posts hidden since (for anyone but the council's moderators).
func (s *Store) EventsAfter(ctx context.Context, councilID, after int64, limit int, redact bool) ([]model.Event, error) {
	var rows []eventRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT `+eventColumns+eventsFrom+`
		WHERE e.council_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?`), eventArgs(redact, councilID, after, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read events: %w", err)
	}
	return mapRows(rows, (*eventRow).model), nil
}

// roundEvents returns the events of a round up to seq upTo (0: all), oldest first, the text
// of posts hidden since left out.
func roundEvents(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, roundID, upTo int64) ([]model.Event, error) {
	if upTo <= 0 {
		upTo = math.MaxInt64
	}
	var rows []eventRow
	err := sqlx.SelectContext(ctx, q, &rows, rebind(`SELECT `+eventColumns+eventsFrom+`
		WHERE e.round_id = ? AND e.seq <= ? ORDER BY e.seq`), eventArgs(true, roundID, upTo)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read round events: %w", err)
	}
	return mapRows(rows, (*eventRow).model), nil
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

// Write kinds whose recent count limits a member's rate.
const (
	WriteTopics    = "topics"
	WritePosts     = "posts"
	WriteProposals = "proposals"
)

var writeTables = map[string]string{WriteTopics: "topics", WritePosts: "posts", WriteProposals: "proposals"}

// RecentWrites returns when the author's latest writes of a kind (WriteTopics, WritePosts,
// WriteProposals) since a moment were made, newest first, at most limit of them.
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

// CouncilSeqs returns every council's highest committed seq, by council: one cheap read that
// tells a process whether another one changed anything in any council's record.
func (s *Store) CouncilSeqs(ctx context.Context) (map[int64]int64, error) {
	var rows []struct {
		ID      int64 `db:"id"`
		LastSeq int64 `db:"last_seq"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, last_seq FROM councils`); err != nil {
		return nil, err
	}
	seqs := make(map[int64]int64, len(rows))
	for _, r := range rows {
		seqs[r.ID] = r.LastSeq
	}
	return seqs, nil
}
