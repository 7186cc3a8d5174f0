package realtime

import (
	"cmp"
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

const (
	catchUpPage = 500   // events per Record read
	maxInbox    = 10000 // events waiting for a council loop; beyond, drop and re-read the record
)

var (
	errShuttingDown = errors.New("realtime: hub shutting down")
	errJoinTimeout  = errors.New("realtime: council not ready")
)

// councilState is one council's live state on this process, alive while the council has local
// connections. A single loop goroutine delivers its events, so deliveries are serial and
// lastDelivered only grows by one (or jumps with a resync).
type councilState struct {
	h       *Hub
	id      int64
	members int // connections that joined and have not left; guarded by h.mu

	mu            sync.Mutex
	conns         map[*conn]struct{} // connections that receive deliveries
	list          []*conn            // conns as a slice for the fan-out; nil when conns changed
	last          int64              // last seq delivered; written by the loop only
	inbox         []Event            // received, not yet looked at by the loop
	inboxOverflow bool

	wake   chan struct{}
	repair chan struct{}
	ready  chan struct{} // closed once last is known
	stop   chan struct{} // closed when the last member leaves

	pending []Event // loop only: events past a gap the record could not fill yet
}

func newCouncilState(h *Hub, id int64) *councilState {
	return &councilState{
		h: h, id: id,
		conns:  make(map[*conn]struct{}),
		wake:   make(chan struct{}, 1),
		repair: make(chan struct{}, 1),
		ready:  make(chan struct{}),
		stop:   make(chan struct{}),
	}
}

// join registers c as a member of its council, starting the council's state and broker
// subscription for the first one, and waits until the council knows its last seq.
func (h *Hub) join(c *conn) (*councilState, error) {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return nil, errShuttingDown
	}
	st := h.councils[c.councilID]
	if st == nil {
		st = newCouncilState(h, c.councilID)
		h.councils[c.councilID] = st
		h.loopWG.Add(1)
		go st.run()
	}
	st.members++
	h.mu.Unlock()

	timer := time.NewTimer(h.opts.JoinTimeout)
	defer timer.Stop()
	select {
	case <-st.ready:
		return st, nil
	case <-timer.C:
		h.leave(st, c)
		return nil, errJoinTimeout
	case <-c.closing:
		h.leave(st, c)
		return nil, errShuttingDown
	}
}

// leave removes c; the last member to leave stops the council's loop, which unsubscribes.
func (h *Hub) leave(st *councilState, c *conn) {
	st.mu.Lock()
	st.remove(c)
	st.mu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	st.members--
	if st.members == 0 {
		if h.councils[st.id] == st {
			delete(h.councils, st.id)
		}
		close(st.stop)
	}
}

// attach starts deliveries to c and returns the last seq delivered before it: c receives
// every event after that seq through its queue.
func (st *councilState) attach(c *conn) int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.conns[c] = struct{}{}
	st.list = nil
	return st.last
}

// push hands an event to the loop without blocking.
func (st *councilState) push(ev Event) {
	st.mu.Lock()
	if len(st.inbox) < maxInbox {
		st.inbox = append(st.inbox, ev)
	} else {
		st.inboxOverflow = true
	}
	st.mu.Unlock()
	signal(st.wake)
}

// requestRepair asks the loop to re-read the record.
func (st *councilState) requestRepair() { signal(st.repair) }

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (st *councilState) run() {
	defer st.h.loopWG.Done()
	st.h.subscribe(st.id)
	defer st.h.unsubscribe(st.id)
	if !st.init() {
		return
	}
	poll := time.NewTicker(st.h.opts.PollEvery)
	defer poll.Stop()
	for {
		select {
		case <-st.stop:
			return
		case <-st.wake:
			st.processInbox()
		case <-st.repair:
			st.catchUp(0)
			st.drainPending()
		case <-poll.C:
			st.catchUp(0)
			st.drainPending()
		}
	}
}

// init learns the council's last seq (after subscribing, so nothing committed later is missed),
// retrying until it succeeds or the council is no longer needed.
func (st *councilState) init() bool {
	for {
		last, err := st.lastSeq()
		if err == nil {
			st.mu.Lock()
			st.last = last
			st.mu.Unlock()
			close(st.ready)
			return true
		}
		st.h.log.Warn("realtime: cannot read the council's last seq", "council", st.id, "err", err)
		select {
		case <-st.stop:
			return false
		case <-time.After(st.h.opts.PollEvery):
		}
	}
}

func (st *councilState) processInbox() {
	st.mu.Lock()
	evs, overflow := st.inbox, st.inboxOverflow
	st.inbox, st.inboxOverflow = nil, false
	st.mu.Unlock()
	if overflow {
		st.catchUp(0)
	}
	st.pending = append(st.pending, evs...)
	if len(st.pending) > maxInbox { // the record is the truth; let the poll fetch from it
		st.pending = nil
	}
	st.drainPending()
}

// drainPending delivers received events in seq order, dropping duplicates; at a gap it reads the
// missing events from the record once, keeping what is still beyond a gap for the next poll.
func (st *councilState) drainPending() {
	slices.SortFunc(st.pending, func(a, b Event) int { return cmp.Compare(a.Seq, b.Seq) })
	repaired := false
	i := 0
	for i < len(st.pending) {
		ev := st.pending[i]
		switch {
		case ev.Seq <= st.last:
			i++
		case ev.Seq == st.last+1:
			j := i + 1
			for j < len(st.pending) && st.pending[j].Seq == st.pending[j-1].Seq+1 {
				j++
			}
			st.deliver(st.pending[i:j])
			i = j
		case !repaired:
			st.catchUp(ev.Seq - 1)
			repaired = true
		default:
			st.pending = slices.Clone(st.pending[i:])
			return
		}
	}
	st.pending = nil
}

// catchUp delivers the record's events after last up to target (0: the record's last seq). A
// council more than ResyncAfter behind tells its clients to resync instead.
func (st *councilState) catchUp(target int64) {
	if target == 0 {
		last, err := st.lastSeq()
		if err != nil {
			st.h.log.Warn("realtime: cannot read the council's last seq", "council", st.id, "err", err)
			return
		}
		target = last
	}
	if target <= st.last {
		return
	}
	if target-st.last > int64(st.h.opts.ResyncAfter) {
		st.resyncAll(target)
		return
	}
	for st.last < target {
		evs, err := st.eventsAfter(st.last, catchUpPage)
		if err != nil {
			st.h.log.Warn("realtime: cannot read the record", "council", st.id, "err", err)
			return
		}
		n := 0
		for n < len(evs) && evs[n].Seq == st.last+int64(n)+1 {
			n++
		}
		if n == 0 {
			return // not visible yet; the next poll retries
		}
		st.deliver(evs[:n])
	}
}

// deliver queues consecutive events to every connection as one batch, so that a burst (a gap
// filled from the record, many commits at once) takes one queue slot, however fast it comes.
// A connection whose queue is full is dropped from the council and closed with 4008: it never
// holds up the others.
func (st *councilState) deliver(evs []Event) {
	b := make(outBatch, len(evs))
	for i, ev := range evs {
		b[i] = eventFrame(ev)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.last = evs[len(evs)-1].Seq
	st.evict(evs)
	st.enqueueAll(b)
}

// evict closes, with 4003, the connections of users whom one of evs takes out of the council,
// and the public-only connections when one of evs ends the public's view, before the batch
// reaches them.
func (st *councilState) evict(evs []Event) {
	for _, ev := range evs {
		if ev.Evicts == 0 && !ev.ClosesPublic {
			continue
		}
		for c := range st.conns {
			switch {
			case ev.Evicts != 0 && c.userID == ev.Evicts && !c.publicOnly:
				st.remove(c)
				c.kick(closeEvicted, "no longer a member")
			case ev.ClosesPublic && c.publicOnly:
				st.remove(c)
				c.kick(closeEvicted, "no longer public")
			}
		}
	}
}

// resyncAll tells every connection to reload and continues after lastSeq.
func (st *councilState) resyncAll(lastSeq int64) {
	st.h.log.Info("realtime: council too far behind, clients resync", "council", st.id,
		"from", st.last, "to", lastSeq)
	b := outBatch{resyncFrame(lastSeq)}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.last = lastSeq
	st.enqueueAll(b)
}

// remove stops deliveries to c; st.mu held.
func (st *councilState) remove(c *conn) {
	if _, ok := st.conns[c]; ok {
		delete(st.conns, c)
		st.list = nil
	}
}

// fanoutChunk is how many connections a goroutine takes at a time in a delivery: the writes
// are system calls, so a council with many connections spreads them over the processors, a
// chunk at a time, so that a thread the system holds up delays only the chunk it has. One
// processor is always left to the rest of the process: a fan-out's writes never wait, so its
// goroutines would otherwise keep every processor until the last socket is written, and the
// vote being committed (holding its council's lock), the requests and the publish to the other
// processes would wait behind them. On two cores this halved the tail of the votes' answers
// under 1000 watchers.
const fanoutChunk = 32

// enqueueAll hands b to every connection, in parallel when there are many; it returns once
// every connection has it (written, or queued behind what it is still writing), so that the
// next delivery comes after it on every connection. st.mu held.
func (st *councilState) enqueueAll(b outBatch) {
	if st.list == nil {
		st.list = make([]*conn, 0, len(st.conns))
		for c := range st.conns {
			st.list = append(st.list, c)
		}
	}
	list := st.list
	workers := min(runtime.GOMAXPROCS(0)-1, (len(list)+4*fanoutChunk-1)/(4*fanoutChunk))
	if workers <= 1 {
		for _, c := range list {
			if !c.enqueue(b) {
				st.overflow(c)
			}
		}
		return
	}
	var next atomic.Int64
	work := func() (full []*conn) {
		for {
			i := int(next.Add(fanoutChunk)) - fanoutChunk
			if i >= len(list) {
				return full
			}
			for _, c := range list[i:min(i+fanoutChunk, len(list))] {
				if !c.enqueue(b) {
					full = append(full, c)
				}
			}
		}
	}
	full := make([][]*conn, workers)
	var wg sync.WaitGroup
	for i := 1; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			full[i] = work()
		}()
	}
	full[0] = work()
	wg.Wait()
	for _, cs := range full {
		for _, c := range cs {
			st.overflow(c)
		}
	}
}

// overflow lets go of a connection that cannot keep up; st.mu held.
func (st *councilState) overflow(c *conn) {
	st.remove(c)
	st.h.metrics.overflows.Inc()
	c.kick(closeTooSlow, "too slow")
}

func (st *councilState) lastSeq() (int64, error) { return st.h.lastSeq(st.id) }

func (st *councilState) eventsAfter(after int64, limit int) ([]Event, error) {
	return st.h.eventsAfter(st.id, after, limit)
}

// lastSeq and eventsAfter call the Record with a deadline.
func (h *Hub) lastSeq(councilID int64) (int64, error) {
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.RecordTimeout)
	defer cancel()
	return h.rec.LastSeq(ctx, councilID)
}

func (h *Hub) eventsAfter(councilID, after int64, limit int) ([]Event, error) {
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.RecordTimeout)
	defer cancel()
	h.metrics.recordReads.Inc()
	return h.rec.EventsAfter(ctx, councilID, after, limit)
}
