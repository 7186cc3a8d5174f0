package realtime

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// memRecord is the test's database: committed events per council, gapless.
type memRecord struct {
	mu     sync.Mutex
	events map[int64][]Event
	pad    string // makes events bigger when set
}

func newMemRecord() *memRecord { return &memRecord{events: make(map[int64][]Event)} }

// commit appends the council's next event, as a store transaction would.
func (r *memRecord) commit(councilID int64) Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq := int64(len(r.events[councilID])) + 1
	at := time.Now()
	js := fmt.Sprintf(`{"seq":%d,"council_id":%d,"round_id":null,"type":"post.created","at":%q,"actor":null,"data":{"pad":%q}}`,
		seq, councilID, at.UTC().Format(time.RFC3339Nano), r.pad)
	ev := Event{CouncilID: councilID, Seq: seq, At: at, JSON: []byte(js)}
	r.events[councilID] = append(r.events[councilID], ev)
	return ev
}

// commitFlags appends the council's next event with public and closesPublic set.
func (r *memRecord) commitFlags(councilID int64, public, closesPublic bool) Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq := int64(len(r.events[councilID])) + 1
	at := time.Now()
	js := fmt.Sprintf(`{"seq":%d,"council_id":%d,"round_id":1,"type":"post.created","at":%q,"actor":null,"data":{}}`,
		seq, councilID, at.UTC().Format(time.RFC3339Nano))
	ev := Event{CouncilID: councilID, Seq: seq, At: at, Public: public, ClosesPublic: closesPublic, JSON: []byte(js)}
	r.events[councilID] = append(r.events[councilID], ev)
	return ev
}

// commitPublish commits and then publishes, like the server: concurrent callers may publish out
// of commit order.
func (r *memRecord) commitPublish(h *Hub, councilID int64) Event {
	ev := r.commit(councilID)
	h.Publish(ev)
	return ev
}

func (r *memRecord) EventsAfter(_ context.Context, councilID, after int64, limit int) ([]Event, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := r.events[councilID]
	if after >= int64(len(all)) {
		return nil, nil
	}
	out := all[after:]
	if len(out) > limit {
		out = out[:limit]
	}
	return append([]Event(nil), out...), nil
}

func (r *memRecord) LastSeq(_ context.Context, councilID int64) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return int64(len(r.events[councilID])), nil
}

func padding(n int) string { return strings.Repeat("x", n) }
