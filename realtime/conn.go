package realtime

import (
	"encoding/json"
	"net"
	"sync"
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

// conn is one websocket client. Its reader is the handler goroutine; its single writer goroutine
// owns every data write, taking whatever is queued in one write call.
type conn struct {
	h         *Hub
	ws        *fws.Conn
	net       net.Conn
	councilID int64
	userID    int64  // who is connected (0: not given), so that a removed member can be let go
	session   string // the session it was opened with ("" when not given), so that a sign-out ends it
	// publicOnly: the connection receives only public events, and skip frames for the others.
	publicOnly bool

	queue chan outBatch // bounded; full means the client is too slow
	pongs chan struct{} // the client sent {"type":"ping"}
	pings chan string   // the client sent a protocol ping

	closeOnce sync.Once
	closing   chan struct{} // closed by kick; the writer sends closeCode and stops
	closeCode int
	closeText string
	done      chan struct{} // closed when the writer has stopped

	dlMu   sync.Mutex
	ending bool // the read deadline is no longer extended

	lastSent int64 // writer only: the last seq written (or announced by a resync)
}

func newConn(h *Hub, ws *fws.Conn, councilID int64) *conn {
	return &conn{
		h: h, ws: ws, net: ws.NetConn(), councilID: councilID,
		queue:   make(chan outBatch, h.opts.QueueSize),
		pongs:   make(chan struct{}, 1),
		pings:   make(chan string, 1),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// enqueue queues b without blocking; false means the queue is full. A connection already
// closing takes nothing.
func (c *conn) enqueue(b outBatch) bool {
	select {
	case c.queue <- b:
		return true
	case <-c.closing:
		return true
	default:
		return false
	}
}

// kick asks the writer to close the websocket with code (0: no close frame) and stop. The first
// call wins.
func (c *conn) kick(code int, text string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.closing)
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
		_ = c.ws.SetReadDeadline(time.Now().Add(c.h.opts.PingEvery + c.h.opts.PongWait))
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
// else ignored; more than ClientRate messages in a second closes with 1008.
func (c *conn) readLoop() {
	c.ws.SetReadLimit(c.h.opts.ReadLimit)
	c.extendRead()
	c.ws.SetPongHandler(func(string) error { c.extendRead(); return nil })
	c.ws.SetPingHandler(func(data string) error {
		select {
		case c.pings <- data:
		default:
		}
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
			signal(c.pongs)
		}
	}
}

// isClientPing is the one decision about what a client's data frame means: a JSON object whose
// "type" is "ping" asks for a pong; anything else is ignored.
func isClientPing(msg []byte) bool {
	var m struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(msg, &m) == nil && m.Type == "ping"
}

// writeLoop sends the start (resync or backfill), then queued frames, pongs and pings, until
// kicked or a write fails.
func (c *conn) writeLoop(start startPlan) {
	defer close(c.done)
	if err := c.sendStart(start); err != nil {
		c.fail(err)
		return
	}
	ping := time.NewTicker(c.h.opts.PingEvery)
	defer ping.Stop()
	for {
		select { // closing first: nothing more is written once kicked
		case <-c.closing:
			c.writeClose()
			return
		default:
		}
		var err error
		select {
		case <-c.closing:
			c.writeClose()
			return
		case b := <-c.queue:
			err = c.writeQueued(b)
		case <-c.pongs:
			err = c.writeRaw(pongFrame)
		case data := <-c.pings:
			err = c.ws.WriteControl(fws.PongMessage, []byte(data), c.deadline())
		case <-ping.C:
			err = c.ws.WriteControl(fws.PingMessage, nil, c.deadline())
		}
		if err != nil {
			c.fail(err)
			return
		}
	}
}

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

// writeQueued writes b and every batch already queued behind it, in as few write calls as
// possible (one per maxBatchBytes), skipping what the client already has.
func (c *conn) writeQueued(b outBatch) error {
	w := c.newBatchWriter()
	defer w.release()
	for {
		for _, f := range b {
			if err := w.add(f); err != nil {
				return err
			}
		}
		select {
		case b = <-c.queue:
		default:
			return w.flush()
		}
	}
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
	c := w.c
	switch {
	case f.isResync:
		c.lastSent = f.resync
	case f.seq <= c.lastSent:
		return nil
	default:
		c.lastSent = f.seq
		w.sent = append(w.sent, f)
	}
	if c.publicOnly && !f.public && !f.isResync {
		*w.bp = append(*w.bp, f.skip...)
	} else {
		*w.bp = append(*w.bp, f.wire...)
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

func (w *batchWriter) release() {
	if cap(*w.bp) <= 4*maxBatchBytes {
		batchPool.Put(w.bp)
	}
}

// countSent counts the events written; the latency metric takes live deliveries only, so that
// a client resuming from the record does not add the events' age to it.
func (c *conn) countSent(sent []*outFrame) {
	now := time.Now()
	for _, f := range sent {
		if !f.committed.IsZero() {
			c.h.metrics.latency.Observe(now.Sub(f.committed).Seconds())
		}
	}
	c.h.metrics.delivered.Add(float64(len(sent)))
}

// writeRaw writes complete frames with one call. Only the writer goroutine writes data frames;
// the library's own control frames are single write calls too, so frames never interleave.
func (c *conn) writeRaw(b []byte) error {
	if err := c.net.SetWriteDeadline(c.deadline()); err != nil {
		return err
	}
	_, err := c.net.Write(b)
	return err
}
