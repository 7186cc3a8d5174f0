package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/perushtitsa/council/realtime"
	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// publisher hands committed events to the live hub, once there is one.
type publisher struct {
	hub atomic.Pointer[realtime.Hub]
	// control carries ended sessions to the serving processes from a command that runs beside
	// them without a hub of its own (admin reset-password); nil: there is none.
	control realtime.Broker
}

// Publish encodes each event once and gives it to the hub.
func (p *publisher) Publish(evs []model.Event) {
	hub := p.hub.Load()
	if hub == nil {
		return
	}
	committed := time.Now() // the latency metric runs from here: the transaction has just committed
	for _, ev := range evs {
		if re, err := liveEvent(ev); err == nil {
			re.Committed = committed
			hub.Publish(re)
		}
	}
}

// EndSessions closes the live connections of ended sessions on every process.
func (p *publisher) EndSessions(ctx context.Context, sessions ...string) error {
	if hub := p.hub.Load(); hub != nil {
		return hub.EndSessions(ctx, sessions...)
	}
	if p.control != nil {
		return p.control.PublishControl(ctx, realtime.Control{EndSessions: sessions})
	}
	return nil
}

// liveEvent is an event as the hub carries it: encoded once, with what the hub needs to know.
func liveEvent(ev model.Event) (realtime.Event, error) {
	raw, err := events.Envelope(ev)
	return realtime.Event{CouncilID: ev.CouncilID, Seq: ev.Seq, At: ev.At, Evicts: ev.Evicts,
		Public: ev.Public, ClosesPublic: ev.ClosesPublic, JSON: raw}, err
}

// admit tells the hub whether a connection, now attached, may still follow its council.
func admit(svc *council.Service) func(context.Context, realtime.Admission) error {
	return func(ctx context.Context, a realtime.Admission) error {
		if a.Public {
			ok, err := svc.PublicLive(ctx, a.CouncilID)
			if err == nil && !ok {
				err = realtime.ErrNotAllowed
			}
			return err
		}
		ok, err := svc.LiveAllowed(ctx, a.CouncilID, a.UserID, a.Session)
		if err == nil && !ok {
			err = realtime.ErrNotAllowed
		}
		return err
	}
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
