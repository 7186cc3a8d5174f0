package realtime

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Options tune a Hub. Zero values take the documented defaults.
type Options struct {
	Log        *slog.Logger          // default slog.Default()
	Registerer prometheus.Registerer // where to register metrics; nil = don't register

	// QueueSize bounds each connection's send queue, in deliveries: one event, or a run of
	// consecutive events delivered together (a burst, a gap filled from the record), so a burst
	// is not mistaken for a slow client. Default 256; a full queue closes the client with 4008.
	QueueSize    int
	PingEvery    time.Duration // websocket ping interval; default 25s
	PongWait     time.Duration // how long after a ping the pong may take; default 10s
	WriteTimeout time.Duration // deadline of each write; default 10s
	ResyncAfter  int           // a resume more than this many events behind gets a resync; default 1000

	PollEvery      time.Duration // safety poll of the record per subscribed council; default 2s
	RecordTimeout  time.Duration // deadline of each Record call; default 5s
	JoinTimeout    time.Duration // how long a new connection waits for its council to be ready; default 10s
	PublishQueue   int           // events waiting for the broker; default 4096; full = dropped, counted
	PublishTimeout time.Duration // deadline of each broker publish; default 2s
	ReadLimit      int64         // largest client frame, bytes; default 4096 (bigger closes with 1009)
	ClientRate     int           // client messages per second before closing with 1008; default 20

	CloseGrace time.Duration // how long to wait for the client's close reply; default 1s

	// MaxPerSession and MaxPerUser cap the websockets one session, and one user across their
	// sessions, may hold on this process; past them the upgrade is refused with 429. Defaults
	// 8 and 24: a few tabs on a few devices, not thousands of sockets from one account.
	MaxPerSession int
	MaxPerUser    int

	// Admit, when set, is asked again once a new connection is attached to its council and
	// registered for session ends — after which no removal or sign-out can slip by unseen — whether
	// its user may still follow the council with that session. An ErrNotAllowed answer closes
	// the connection with 4003, any other error with 1011.
	Admit func(ctx context.Context, a Admission) error
}

// Admission is who a connection is for: the council, the user and the session (zero for a
// visitor who is not signed in), and whether it follows the council as the public does.
type Admission struct {
	CouncilID int64
	UserID    int64
	Session   string
	Public    bool
}

// ErrNotAllowed is what Options.Admit answers for a connection that may no longer follow its
// council.
var ErrNotAllowed = errors.New("realtime: not allowed")

func (o Options) withDefaults() Options {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	setDefault(&o.QueueSize, 256)
	setDefault(&o.PingEvery, 25*time.Second)
	setDefault(&o.PongWait, 10*time.Second)
	setDefault(&o.WriteTimeout, 10*time.Second)
	setDefault(&o.ResyncAfter, 1000)
	setDefault(&o.PollEvery, 2*time.Second)
	setDefault(&o.RecordTimeout, 5*time.Second)
	setDefault(&o.JoinTimeout, 10*time.Second)
	setDefault(&o.PublishQueue, 4096)
	setDefault(&o.PublishTimeout, 2*time.Second)
	setDefault(&o.ReadLimit, 4096)
	setDefault(&o.ClientRate, 20)
	setDefault(&o.CloseGrace, time.Second)
	setDefault(&o.MaxPerSession, 8)
	setDefault(&o.MaxPerUser, 24)
	return o
}

func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Hub is one process's live fan-out: the local websocket connections grouped by council, each
// council subscribed on the Broker while it has local connections.
//
// Guarantees: per connection, events arrive in seq order, without gaps and without duplicates
// (or a resync frame says where they continue); a slow connection is cut with 4008 and never
// delays the others; a lost broker message is repaired from the Record, at the latest by the
// next safety poll.
type Hub struct {
	rec     Record
	broker  Broker
	opts    Options
	log     *slog.Logger
	metrics *metrics

	ctx    context.Context // cancelled when Shutdown gives up waiting
	cancel context.CancelFunc

	mu       sync.Mutex
	councils map[int64]*councilState
	conns    map[*conn]struct{}
	closing  bool
	connWG   sync.WaitGroup // serving connections
	loopWG   sync.WaitGroup // council loops

	subMu sync.Mutex // serialises broker (un)subscriptions
	subs  map[int64]int

	perSession map[string]int // connections, and upgrades under way, per session; guarded by mu
	perUser    map[int64]int  // the same per user

	pubQueue   chan Event
	pubStop    chan struct{}
	pubDone    chan struct{}
	pingStop   chan struct{}
	pingDone   chan struct{}
	brokerDown atomic.Bool
}

// NewHub returns a running hub over rec and broker. The hub owns broker from now on: Shutdown
// closes it.
func NewHub(rec Record, broker Broker, opts Options) *Hub {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		rec: rec, broker: broker, opts: opts, log: opts.Log,
		metrics:  newMetrics(opts.Registerer),
		ctx:      ctx,
		cancel:   cancel,
		councils: make(map[int64]*councilState),
		conns:    make(map[*conn]struct{}),
		subs:     make(map[int64]int),

		perSession: make(map[string]int),
		perUser:    make(map[int64]int),
		pubQueue:   make(chan Event, opts.PublishQueue),
		pubStop:    make(chan struct{}),
		pubDone:    make(chan struct{}),
		pingStop:   make(chan struct{}),
		pingDone:   make(chan struct{}),
	}
	if err := broker.Run(brokerSink{h}); err != nil {
		h.log.Error("realtime: broker did not start", "err", err)
	}
	go h.publishLoop()
	go h.pingLoop()
	return h
}

// Publish hands a committed event to this process's connections and to the broker. Call it right
// after the transaction committed. It never blocks on sockets or on the broker: local delivery
// is queued to the council's loop, the broker publish to a background sender (dropped and
// counted when that queue is full; other processes then repair from the Record). Safe for
// concurrent use, in any order.
func (h *Hub) Publish(ev Event) {
	h.metrics.published.Inc()
	h.deliverLocal(ev)
	select {
	case h.pubQueue <- ev:
	default:
		h.metrics.publishFailures.Inc()
		h.noteBroker(errors.New("publish queue full"))
	}
}

// deliverLocal delivers ev to this process's connections only, as if it had come from the broker.
func (h *Hub) deliverLocal(ev Event) {
	h.mu.Lock()
	st := h.councils[ev.CouncilID]
	h.mu.Unlock()
	if st != nil {
		st.push(ev)
	}
}

// EndSessions closes, with 4003, every live connection opened with one of the sessions, on this
// process at once and on the others through the broker: a sign-out or a revoked session leaves
// no socket behind. Sessions are named as the connections were given them (Admission.Session).
func (h *Hub) EndSessions(ctx context.Context, sessions ...string) error {
	if len(sessions) == 0 {
		return nil
	}
	h.endLocal(sessions)
	ctx, cancel := context.WithTimeout(ctx, h.opts.PublishTimeout)
	defer cancel()
	err := h.broker.PublishControl(ctx, Control{EndSessions: sessions})
	h.noteBroker(err)
	return err
}

// endLocal kicks this process's connections of the sessions.
func (h *Hub) endLocal(sessions []string) {
	ended := make(map[string]bool, len(sessions))
	for _, s := range sessions {
		if s != "" {
			ended[s] = true
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		if ended[c.session] {
			c.kick(closeEvicted, "session ended")
		}
	}
}

// reserve counts a connection about to be upgraded against the caps of its session and user;
// the returned func gives the place back, once.
func (h *Hub) reserve(user int64, session string) (release func(), ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if session != "" && h.perSession[session] >= h.opts.MaxPerSession {
		return nil, false
	}
	if user != 0 && h.perUser[user] >= h.opts.MaxPerUser {
		return nil, false
	}
	h.perSession[session]++
	h.perUser[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.perSession[session]--; h.perSession[session] <= 0 {
				delete(h.perSession, session)
			}
			if h.perUser[user]--; h.perUser[user] <= 0 {
				delete(h.perUser, user)
			}
		})
	}, true
}

// Ready reports the broker's health, for /readyz.
func (h *Hub) Ready(ctx context.Context) error {
	return h.broker.Ready(ctx)
}

// Connections returns the number of open websocket connections on this process.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// Shutdown closes every websocket with 1001 (going away), waits for their goroutines, stops the
// council loops (unsubscribing them), the broker sender and the broker. When ctx ends first the
// remaining sockets are cut without a close handshake and ctx's error is returned.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	already := h.closing
	h.closing = true
	for c := range h.conns {
		c.kick(closeGoingAway, "server shutting down")
	}
	h.mu.Unlock()
	if already {
		return nil
	}
	var err error
	if !waitGroup(ctx, &h.connWG) {
		err = ctx.Err()
		h.cancel()
		h.mu.Lock()
		for c := range h.conns {
			c.abort()
		}
		h.mu.Unlock()
		h.connWG.Wait()
	}
	h.loopWG.Wait()
	close(h.pubStop)
	<-h.pubDone
	close(h.pingStop)
	<-h.pingDone
	h.cancel()
	if cerr := h.broker.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// waitGroup waits for wg or ctx, reporting whether wg finished.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// publishLoop sends events to the broker one after the other, in Publish order.
func (h *Hub) publishLoop() {
	defer close(h.pubDone)
	for {
		select {
		case ev := <-h.pubQueue:
			h.publishToBroker(ev)
		case <-h.pubStop:
			return
		}
	}
}

func (h *Hub) publishToBroker(ev Event) {
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.PublishTimeout)
	err := h.broker.Publish(ctx, ev)
	cancel()
	if err != nil {
		h.metrics.publishFailures.Inc()
	}
	h.noteBroker(err)
}

// pingTick is how often the ping schedule looks for connections due: a ping comes at most this
// much later than PingEvery.
func (o Options) pingTick() time.Duration { return max(o.PingEvery/25, time.Millisecond) }

// pingLoop is the one ping schedule of every connection: each is pinged PingEvery after it
// started and after its last ping (a tick later at most), with no timer or goroutine of its own.
func (h *Hub) pingLoop() {
	defer close(h.pingDone)
	tick := time.NewTicker(h.opts.pingTick())
	defer tick.Stop()
	var due []*conn
	for {
		select {
		case <-h.pingStop:
			return
		case now := <-tick.C:
			h.mu.Lock()
			for c := range h.conns {
				if !now.Before(c.nextPing) {
					c.nextPing = now.Add(h.opts.PingEvery)
					due = append(due, c)
				}
			}
			h.mu.Unlock()
			for _, c := range due {
				c.sendPing()
			}
			clear(due)
			due = due[:0]
		}
	}
}

// noteBroker logs the broker's transitions between working and failing, not every failure.
func (h *Hub) noteBroker(err error) {
	if err != nil {
		if !h.brokerDown.Swap(true) {
			h.log.Warn("realtime: broker publish failing; other processes will repair from the record", "err", err)
		}
		return
	}
	if h.brokerDown.Swap(false) {
		h.log.Info("realtime: broker publish working again")
	}
}

// brokerSink routes what the broker hears to council states, keeping the handler methods off
// Hub's own API.
type brokerSink struct{ h *Hub }

func (s brokerSink) HandleEvent(ev Event) { s.h.deliverLocal(ev) }

func (s brokerSink) HandleControl(c Control) { s.h.endLocal(c.EndSessions) }

func (s brokerSink) HandleSubscribed(councilID int64) {
	s.h.mu.Lock()
	st := s.h.councils[councilID]
	s.h.mu.Unlock()
	if st != nil {
		st.requestRepair()
	}
}

// subscribe and unsubscribe keep a count per council so that a council state retiring and a new
// one starting for the same council never leave the broker unsubscribed.
func (h *Hub) subscribe(councilID int64) {
	h.subMu.Lock()
	defer h.subMu.Unlock()
	h.subs[councilID]++
	if h.subs[councilID] > 1 {
		return
	}
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.PublishTimeout)
	defer cancel()
	if err := h.broker.Subscribe(ctx, councilID); err != nil {
		h.log.Warn("realtime: broker subscribe failed; relying on the record poll until it recovers",
			"council", councilID, "err", err)
	}
}

func (h *Hub) unsubscribe(councilID int64) {
	h.subMu.Lock()
	defer h.subMu.Unlock()
	h.subs[councilID]--
	if h.subs[councilID] > 0 {
		return
	}
	delete(h.subs, councilID)
	ctx, cancel := context.WithTimeout(context.Background(), h.opts.PublishTimeout)
	defer cancel()
	if err := h.broker.Unsubscribe(ctx, councilID); err != nil {
		h.log.Warn("realtime: broker unsubscribe failed", "council", councilID, "err", err)
	}
}
