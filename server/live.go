package main

import (
	"bytes"
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"council/realtime"
	"council/server/council"
	"council/server/store"
)

// publisher hands committed events to the live hub, once there is one.
type publisher struct {
	hub atomic.Pointer[realtime.Hub]
}

// Publish encodes each event once and gives it to the hub.
func (p *publisher) Publish(events []council.Event) {
	hub := p.hub.Load()
	if hub == nil {
		return
	}
	committed := time.Now() // the latency metric runs from here: the transaction has just committed
	for _, ev := range events {
		if re, err := liveEvent(ev); err == nil {
			re.At = committed
			hub.Publish(re)
		}
	}
}

func liveEvent(ev council.Event) (realtime.Event, error) {
	raw, err := json.Marshal(ev)
	return realtime.Event{CouncilID: ev.CouncilID, Seq: ev.Seq, At: ev.At, JSON: raw}, err
}

// evicts tells the hub which user a member.left event takes out of the council, so that their
// open streams are closed wherever they are connected.
func evicts(ev realtime.Event) (int64, bool) {
	if !bytes.Contains(ev.JSON, []byte(`"type":"member.left"`)) {
		return 0, false
	}
	var left struct {
		Data struct {
			UserID int64 `json:"user_id"`
		} `json:"data"`
	}
	if json.Unmarshal(ev.JSON, &left) != nil {
		return 0, false
	}
	return left.Data.UserID, true
}

// record lets the hub read events back from the store, hidden posts' text left out.
type record struct {
	svc *council.Service
	st  *store.Store
}

func (r record) EventsAfter(ctx context.Context, councilID, after int64, limit int) ([]realtime.Event, error) {
	evs, err := r.svc.EventsForReplay(ctx, councilID, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]realtime.Event, 0, len(evs))
	for _, ev := range evs {
		re, err := liveEvent(ev)
		if err != nil {
			return nil, err
		}
		out = append(out, re)
	}
	return out, nil
}

func (r record) LastSeq(ctx context.Context, councilID int64) (int64, error) {
	return r.st.LastSeq(ctx, councilID)
}
