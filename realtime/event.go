// Package realtime fans a council's committed events out to browsers over websockets, live, in
// seq order, across every server process.
//
// The record in the database is the truth; a Broker (Redis pub/sub between processes, or an
// in-process loopback) is only the fast path. Each process keeps, per council that has local
// clients, the last seq it delivered: a duplicate is dropped, a gap is filled from the Record
// before anything later is delivered, and a light poll of the Record catches an event whose
// broker message was lost even when no later event arrives. A client resumes with ?after=SEQ and
// gets the record from there, then the live events, with no gap and no duplicate.
package realtime

import (
	"context"
	"time"
)

// Event is one committed event of a council's record, already encoded as the JSON object that
// clients receive ({"seq","council_id","round_id","type","at","actor","data"}). JSON is encoded
// once by the server and shared, never modified, by every connection that receives it.
type Event struct {
	CouncilID int64
	Seq       int64
	// At is the event's own time in the record, the "at" of its JSON: with Seq it identifies
	// the event, so that a client resuming after a database restore is told to start over
	// rather than silently skip what the restored record holds under the same seq.
	At time.Time
	// Committed is when the server committed the event, for the delivery-latency metric; zero
	// for events read back from the record (a replay is not a live delivery).
	Committed time.Time
	// Evicts names a user the event takes out of the council (a member removed), 0 for none:
	// that user's connections to the council close with 4003 before the event reaches them.
	Evicts int64
	// Public says that anyone may read the event (its round is closed, or open in a council
	// whose open rounds are public). A public-only connection receives, in place of an event
	// that is not public, a skip frame {"type":"skip","seq","at"} that keeps its position.
	Public bool
	// ClosesPublic says that the event ends what the public may follow live: every public-only
	// connection to the council closes with 4003 before the event is delivered.
	ClosesPublic bool
	JSON         []byte
}

// Record reads committed events back from the database, the truth that the hub repairs from.
// The server implements it; implementations must be safe for concurrent use.
type Record interface {
	// EventsAfter returns the council's events with seq > after, in seq order, at most limit of
	// them.
	EventsAfter(ctx context.Context, councilID, after int64, limit int) ([]Event, error)
	// LastSeq returns the council's highest committed seq (0 when none).
	LastSeq(ctx context.Context, councilID int64) (int64, error)
}
