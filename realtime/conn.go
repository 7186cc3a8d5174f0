package realtime

import (
	"encoding/json"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"

	fws "github.com/fasthttp/websocket"
)

// Close codes this package sends.
const (
	closeNormal    = 1000
	closeGoingAway = 1001 // server shutting down
	closePolicy    = 1008 // client sends too much
	closeInternal  = 1011 // council could not be served
	closeTooSlow   = 4008 // client cannot keep up; reconnect with after=
	closeEvicted   = 4003 // the user may no longer follow the council: removed, or the session ended
)

const maxBatchBytes = 64 << 10 // a writer sends at most about this much per write call

// batchPool recycles writers' batch buffers, so an idle connection holds none.
var batchPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// conn is one websocket client. Its reader is the handler goroutine. It has no writer of its own
// while idle: whoever has something for it (the council's delivery, the shared ping schedule,
// the reader answering a ping) writes it at once without blocking when the socket takes it, and
// only what the socket does not take at once — or what arrives while that is being written —
// is handed to a writer goroutine, which lives until the backlog is written. One party at a
// time writes (the one holding the socket: see writing), so frames never interleave and arrive
// in the order they were queued.
type conn struct {
	h         *Hub
	ws        *fws.Conn
	net       net.Conn
	raw       syscall.RawConn // for writes that never block; nil: every write goes to a writer goroutine
	councilID int64
	userID    int64  // who is connected (0: not given), so that a removed member can be let go
	session   string // the session it was opened with ("" when not given), so that a sign-out ends it
	// publicOnly: the connection receives only public events, and skip frames for the others.
	publicOnly bool

	closeOnce sync.Once
	closing   chan struct{} // closed by kick; the writer sends closeCode and stops
	closeCode int
	closeText string
	done      chan struct{} // closed when the last writer has stopped
	doneOnce  sync.Once

	dlMu   sync.Mutex
	ending bool // the read deadline is no longer extended

	nextPing time.Time // when the shared schedule pings it next; guarded by h.mu

	mu sync.Mutex
	// writing: a goroutine holds the socket for writing (the start writer from the beginning,
	// then a writer for a backlog); everything else is queued for it.
	writing bool
	kicked  bool
	queue   []outBatch  // deliveries waiting for the writer; at most QueueSize
	partial []byte      // the rest of a write the socket did not take at once
	sentP   []*outFrame // the events in partial, for the metrics
	pong    bool        // the client sent {"type":"ping"}
	ctlPong []byte      // a websocket pong frame answering the client's protocol ping
	ping    bool        // the schedule asks for a websocket ping

	lastSent int64 // the last seq written (or announced by a resync); used by whoever writes
}

func newConn(h *Hub, ws *fws.Conn, councilID int64) *conn {
	c := &conn{
		h: h, ws: ws, net: ws.NetConn(), councilID: councilID,
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		writing: true, // the start writer owns the socket until it has sent the start
	}
	c.raw = rawConn(c.net)
	return c
}

// rawConn finds the socket under the connections that wrap it (the HTTP server's hijacked
// connection, the listener's accounting), for writes that never block.
func rawConn(nc net.Conn) syscall.RawConn {
	for i := 0; i < 8 && nc != nil; i++ {
		if sc, ok := nc.(syscall.Conn); ok {
			rc, err := sc.SyscallConn()
			if err != nil {
				return nil
			}
			return rc
		}
		u, ok := nc.(interface{ UnsafeConn() net.Conn })
		if !ok {
			return nil
		}
		nc = u.UnsafeConn()
	}
	return nil
}

// enqueue hands b to the connection without blocking; false means its queue is full (the client
// is too slow). A connection already closing takes nothing.
func (c *conn) enqueue(b outBatch) bool {
	c.mu.Lock()
	if c.kicked {
		c.mu.Unlock()
		return true
	}
	if c.writing {
		if len(c.queue) >= c.h.opts.QueueSize {
			c.mu.Unlock()
			return false
		}
		c.queue = append(c.queue, b)
		c.mu.Unlock()
		return true
	}
	var err error
	if len(b) == 1 {
		if p, f := c.frameOf(b[0]); p != nil {
			err = c.writeNowLocked(p, f, nil)
		}
	} else {
		bp := batchPool.Get().(*[]byte)
		var sent []*outFrame
		*bp, sent = c.appendBatch((*bp)[:0], b, nil)
		if len(*bp) > 0 {
			err = c.writeNowLocked(*bp, nil, sent)
		}
		putBatch(bp)
	}
	c.mu.Unlock()
	if err != nil {
		c.fail(err)
	}
	return true
}

// frameOf returns the bytes f is sent as on this connection, or nil when the client has it
// already, moving lastSent; the frame is returned when it is an event to count.
func (c *conn) frameOf(f *outFrame) ([]byte, *outFrame) {
	var counted *outFrame
	switch {
	case f.isResync:
		c.lastSent = f.resync
	case f.seq <= c.lastSent:
		return nil, nil
	default:
		c.lastSent = f.seq
		counted = f
	}
	if c.publicOnly && !f.public && !f.isResync {
		return f.skip, counted
	}
	return f.wire, counted
}

// appendBatch appends b's frames that the client does not have yet.
func (c *conn) appendBatch(dst []byte, b outBatch, sent []*outFrame) ([]byte, []*outFrame) {
	for _, f := range b {
		p, counted := c.frameOf(f)
		dst = append(dst, p...)
		if counted != nil {
			sent = append(sent, counted)
		}
	}
	return dst, sent
}

// writeNowLocked writes p (holding the events one or sent) without blocking, while no writer
// holds the socket; what the socket does not take at once goes to a new writer goroutine.
// Called with c.mu held; an error is the caller's to fail with once it has let go of c.mu.
func (c *conn) writeNowLocked(p []byte, one *outFrame, sent []*outFrame) error {
	n, err := c.tryWrite(p)
	if err != nil {
		return err
	}
	if n == len(p) {
		if one != nil {
			c.countOne(one, time.Now())
		}
		c.countSent(sent)
		return nil
	}
	c.partial = append([]byte(nil), p[n:]...)
	if one != nil {
		sent = append(sent, one)
	}
	c.sentP = sent
	c.writing = true
	go c.runWriter()
	return nil
}

// tryWrite writes what the socket takes at once, never waiting for it.
func (c *conn) tryWrite(p []byte) (int, error) {
	if c.raw == nil {
		return 0, nil
	}
	var n int
	var werr error
	err := c.raw.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), p)
		return true
	})
	if err != nil {
		return 0, err
	}
	if werr != nil {
		if errors.Is(werr, syscall.EAGAIN) || errors.Is(werr, syscall.EINTR) {
			return 0, nil
		}
		return 0, werr
	}
	return max(n, 0), nil
}

// kick asks the connection to close the websocket with code (0: no close frame) and stop
// writing. The first call wins.
func (c *conn) kick(code int, text string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.closing)
		c.mu.Lock()
		c.kicked = true
		idle := !c.writing
		c.writing = true
		c.queue = nil
		c.mu.Unlock()
		if idle {
			go c.runWriter()
		}
	})
}

// abort unblocks both goroutines at once, without a close handshake.
func (c *conn) abort() {
	_ = c.net.SetDeadline(time.Now())
}

// extendRead moves the read deadline past the next ping's pong, unless the connection is ending.
func (c *conn) extendRead() {
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	if !c.ending {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.h.opts.PingEvery + c.h.opts.pingTick() + c.h.opts.PongWait))
	}
}

// endReads gives the reader d more to see the client's close reply, then ends it.
func (c *conn) endReads(d time.Duration) {
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	c.ending = true
	_ = c.ws.SetReadDeadline(time.Now().Add(d))
}

// readLoop reads client frames until the connection ends: {"type":"ping"} is answered, anything
// else ignored; more than ClientRate messages in a second closes with 1008. A close frame from
// the client is answered with its code by the connection's own writer.
func (c *conn) readLoop() {
	c.ws.SetReadLimit(c.h.opts.ReadLimit)
	c.extendRead()
	c.ws.SetPongHandler(func(string) error { c.extendRead(); return nil })
	c.ws.SetPingHandler(func(data string) error {
		c.control(func() { c.ctlPong = controlFrame(0x8A, data) })
		return nil
	})
	c.ws.SetCloseHandler(func(code int, _ string) error {
		c.kick(code, "")
		return nil
	})
	window, count := time.Now(), 0
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		c.extendRead()
		if now := time.Now(); now.Sub(window) >= time.Second {
			window, count = now, 0
		}
		count++
		if count > c.h.opts.ClientRate {
			c.kick(closePolicy, "too many messages")
			continue
		}
		if isClientPing(msg) {
			c.control(func() { c.pong = true })
		}
	}
}

// sendPing is the shared ping schedule's turn for this connection.
func (c *conn) sendPing() { c.control(func() { c.ping = true }) }

// control notes a frame to send (set, under c.mu) and sends it at once unless a writer holds
// the socket, which then sends it with what it writes next.
func (c *conn) control(set func()) {
	c.mu.Lock()
	if c.kicked {
		c.mu.Unlock()
		return
	}
	set()
	var err error
	if !c.writing {
		bp := batchPool.Get().(*[]byte)
		*bp = c.appendControl((*bp)[:0])
		err = c.writeNowLocked(*bp, nil, nil)
		putBatch(bp)
	}
	c.mu.Unlock()
	if err != nil {
		c.fail(err)
	}
}

// appendControl appends the pings and pongs due, clearing them; c.mu held.
func (c *conn) appendControl(dst []byte) []byte {
	if c.ctlPong != nil {
		dst = append(dst, c.ctlPong...)
		c.ctlPong = nil
	}
	if c.pong {
		dst = append(dst, pongFrame...)
		c.pong = false
	}
	if c.ping {
		dst = append(dst, pingFrame...)
		c.ping = false
	}
	return dst
}

// isClientPing is the one decision about what a client's data frame means: a JSON object whose
// "type" is "ping" asks for a pong; anything else is ignored.
func isClientPing(msg []byte) bool {
	var m struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(msg, &m) == nil && m.Type == "ping"
}

// startWriter sends the start (resync or backfill), then whatever was queued meanwhile.
func (c *conn) startWriter(start startPlan) {
	if err := c.sendStart(start); err != nil {
		c.fail(err)
		c.finish()
		return
	}
	c.runWriter()
}

// runWriter holds the socket while there is a backlog: it writes what the socket did not take
// at once, then everything queued and due, in as few write calls as it can, until nothing is
// left (it lets go of the socket) or the connection is kicked (it sends the close frame and
// stops for good).
func (c *conn) runWriter() {
	bp := batchPool.Get().(*[]byte)
	defer func() { putBatch(bp) }()
	for {
		c.mu.Lock()
		if c.kicked { // nothing more is written once kicked but the rest of a frame begun
			rest := c.partial
			c.partial, c.sentP = nil, nil
			c.mu.Unlock()
			if len(rest) > 0 {
				_ = c.writeRaw(rest)
			}
			c.writeClose()
			c.finish()
			return
		}
		buf, sent := (*bp)[:0], c.sentP
		buf = append(buf, c.partial...)
		c.partial, c.sentP = nil, nil
		buf = c.appendControl(buf)
		i := 0
		for i < len(c.queue) && len(buf) < maxBatchBytes {
			buf, sent = c.appendBatch(buf, c.queue[i], sent)
			i++
		}
		if i == len(c.queue) {
			c.queue = nil
		} else {
			c.queue = c.queue[i:]
		}
		*bp = buf
		if len(buf) == 0 {
			// Writes that never block come next; a deadline left behind would fail them.
			_ = c.net.SetWriteDeadline(time.Time{})
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if err := c.writeRaw(buf); err != nil {
			c.fail(err)
			c.finish()
			return
		}
		c.countSent(sent)
	}
}

// finish marks the writing side stopped for good.
func (c *conn) finish() { c.doneOnce.Do(func() { close(c.done) }) }

// fail ends a connection whose writes no longer work.
func (c *conn) fail(err error) {
	c.h.log.Debug("realtime: websocket write failed", "council", c.councilID, "err", err)
	c.kick(0, "")
	c.endReads(0)
}

func (c *conn) writeClose() {
	if c.closeCode != 0 {
		msg := fws.FormatCloseMessage(c.closeCode, c.closeText)
		_ = c.ws.WriteControl(fws.CloseMessage, msg, c.deadline())
	}
	c.endReads(c.h.opts.CloseGrace)
}

func (c *conn) deadline() time.Time { return time.Now().Add(c.h.opts.WriteTimeout) }

// writeQueued writes b at once, blocking; only the start writer calls it.
func (c *conn) writeQueued(b outBatch) error {
	w := c.newBatchWriter()
	defer w.release()
	for _, f := range b {
		if err := w.add(f); err != nil {
			return err
		}
	}
	return w.flush()
}

// batchWriter gathers frames into one buffer and writes it when full or flushed.
type batchWriter struct {
	c    *conn
	bp   *[]byte
	sent []*outFrame
}

func (c *conn) newBatchWriter() *batchWriter {
	bp := batchPool.Get().(*[]byte)
	*bp = (*bp)[:0]
	return &batchWriter{c: c, bp: bp}
}

// add appends f unless the client has it already; resync frames move the starting point.
func (w *batchWriter) add(f *outFrame) error {
	p, counted := w.c.frameOf(f)
	*w.bp = append(*w.bp, p...)
	if counted != nil {
		w.sent = append(w.sent, counted)
	}
	if len(*w.bp) >= maxBatchBytes {
		return w.flush()
	}
	return nil
}

func (w *batchWriter) flush() error {
	if len(*w.bp) == 0 {
		return nil
	}
	if err := w.c.writeRaw(*w.bp); err != nil {
		return err
	}
	w.c.countSent(w.sent)
	*w.bp, w.sent = (*w.bp)[:0], w.sent[:0]
	return nil
}

func (w *batchWriter) release() { putBatch(w.bp) }

func putBatch(bp *[]byte) {
	if cap(*bp) <= 4*maxBatchBytes {
		batchPool.Put(bp)
	}
}

// countSent counts the events written; the latency metric takes live deliveries only, so that
// a client resuming from the record does not add the events' age to it.
func (c *conn) countSent(sent []*outFrame) {
	if len(sent) == 0 {
		return
	}
	now := time.Now()
	for _, f := range sent {
		c.countOne(f, now)
	}
}

func (c *conn) countOne(f *outFrame, now time.Time) {
	if !f.committed.IsZero() {
		c.h.metrics.latency.Observe(now.Sub(f.committed).Seconds())
	}
	c.h.metrics.delivered.Inc()
}

// writeRaw writes complete frames with one call, waiting for the socket up to the write
// timeout. Only the party holding the socket writes, so frames never interleave.
func (c *conn) writeRaw(b []byte) error {
	if err := c.net.SetWriteDeadline(c.deadline()); err != nil {
		return err
	}
	_, err := c.net.Write(b)
	return err
}
