package realtime

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// LocalCouncilID is the fiber.Ctx Locals key under which the server's middleware stores the
// authorised council id (an int64) before Handler runs.
const LocalCouncilID = "council_id"

// LocalUserID is the Locals key under which the server may store the connecting user's id (an
// int64); Options.Evicts names users by it.
const LocalUserID = "realtime_user_id"

// LocalSession is the Locals key under which the server may store the session the connection is
// opened with (a string); Hub.EndSessions closes connections by it, and the per-session cap
// counts by it.
const LocalSession = "realtime_session"

// LocalPublic is the Locals key under which the server marks (true) a connection that may follow
// only what the public may read: a visitor, or someone without a seat, in a council whose open
// rounds are public. It receives skip frames in place of the other events.
const LocalPublic = "realtime_public"

// startRequest is where a client asks to start: after (-1: not given), and the "at" of that
// event as the client saw it (zero: not given), which must match the record's.
type startRequest struct {
	after   int64
	at      time.Time
	release func()
}

// Handler returns the websocket endpoint GET /api/v1/councils/:id/live?after=SEQ.
//
// The server mounts it after its own middleware has authenticated the user, checked council
// membership and the Origin, and set Locals(LocalCouncilID, int64). Before upgrading it answers
// 400 for a bad after=, 426 for a request that is not a websocket upgrade, 503 while shutting
// down, all with the API's JSON error body.
func (h *Hub) Handler() fiber.Handler {
	upgrader := fws.FastHTTPUpgrader{
		HandshakeTimeout: 10 * time.Second,
		// A connection keeps its read buffer for life: client frames are small (4 KiB at most,
		// read through the HTTP server's own buffer), so a small one does.
		ReadBufferSize: 512,
		// Data frames are written ready-made (frame.go), so the library's write buffer is
		// needed only if its writer is ever used; then it comes from a pool, never per socket.
		WriteBufferSize: 4096,
		WriteBufferPool: &sync.Pool{},
		// The server's middleware has checked the Origin before this handler runs.
		CheckOrigin: func(*fasthttp.RequestCtx) bool { return true },
	}
	// direct upgrades on the socket itself, once the HTTP server has let go of the connection
	// (see upgradeDirect), with the same buffers.
	direct := &fws.Upgrader{
		HandshakeTimeout: upgrader.HandshakeTimeout,
		ReadBufferSize:   upgrader.ReadBufferSize,
		WriteBufferSize:  upgrader.WriteBufferSize,
		WriteBufferPool:  upgrader.WriteBufferPool,
		CheckOrigin:      func(*http.Request) bool { return true },
	}
	return func(c *fiber.Ctx) error {
		id, ok := c.Locals(LocalCouncilID).(int64)
		if !ok || id <= 0 {
			h.log.Error("realtime: live endpoint mounted without Locals(council_id) as int64")
			return jsonError(c, fiber.StatusInternalServerError, "internal", "council unknown")
		}
		start, err := parseStart(c)
		if err != nil {
			return jsonError(c, fiber.StatusBadRequest, "bad_request", err.Error())
		}
		if !fws.FastHTTPIsWebSocketUpgrade(c.Context()) {
			c.Set(fiber.HeaderUpgrade, "websocket")
			return jsonError(c, fiber.StatusUpgradeRequired, "bad_request", "this endpoint only speaks websocket")
		}
		if h.isClosing() {
			return jsonError(c, fiber.StatusServiceUnavailable, "unavailable", "server shutting down")
		}
		user, _ := c.Locals(LocalUserID).(int64)
		// A copy: the string may point into the request's buffer, which the server reuses
		// once the connection is taken over, while the socket lives on.
		session, _ := c.Locals(LocalSession).(string)
		session = strings.Clone(session)
		public, _ := c.Locals(LocalPublic).(bool)
		release, ok := h.reserve(user, session)
		if !ok {
			h.metrics.refused.Inc()
			c.Set(fiber.HeaderRetryAfter, "10")
			return jsonError(c, fiber.StatusTooManyRequests, "rate_limited",
				"too many live connections for this account; close another tab or window first")
		}
		start.release = release
		a := Admission{CouncilID: id, UserID: user, Session: session, Public: public}
		run := func(ws *fws.Conn) {
			defer release()
			defer h.recoverPanic(id)
			h.serve(ws, a, start)
		}
		if h.upgradeDirect(c, direct, a, start) {
			c.Status(fiber.StatusSwitchingProtocols) // for the access log; the socket answers itself
			return nil
		}
		err = upgrader.Upgrade(c.Context(), run)
		if err != nil {
			release()
			return jsonError(c, fiber.StatusBadRequest, "bad_request", "websocket handshake failed")
		}
		return nil
	}
}

// upgradeDirect upgrades on the socket itself when the HTTP server leaves hijacked connections to
// their handler (fasthttp's KeepHijackedConns): the server's request, its 4 KiB read buffer and
// its goroutine are then given back at once instead of being held for the websocket's life, and
// the websocket reads the socket through its own small buffer. It reports false, having done
// nothing, when the server keeps them (the upgrade then goes through the server's hijacked
// connection) or the request lacks what the handshake needs (the library then answers it).
//
// The handshake's answer is written on the socket once the server has let go of it; a client
// may send nothing before that answer (RFC 6455, section 4.1), so nothing it sent is left in the
// server's buffer.
func (h *Hub) upgradeDirect(c *fiber.Ctx, u *fws.Upgrader, a Admission, start *startRequest) bool {
	ctx := c.Context()
	if !c.App().Server().KeepHijackedConns || string(ctx.Request.Header.Peek("Sec-WebSocket-Version")) != "13" ||
		len(ctx.Request.Header.Peek("Sec-WebSocket-Key")) == 0 {
		return false
	}
	r := &http.Request{Method: http.MethodGet, Host: string(ctx.Host()), Header: http.Header{}}
	for _, k := range []string{"Connection", "Upgrade", "Sec-WebSocket-Version", "Sec-WebSocket-Key"} {
		r.Header.Set(k, string(ctx.Request.Header.Peek(k)))
	}
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(hc net.Conn) {
		nc := hc
		if u, ok := hc.(interface{ UnsafeConn() net.Conn }); ok {
			nc = u.UnsafeConn() // the server's wrapper reads through its buffer, given back now
		}
		go func() {
			var rest func()
			defer func() {
				if rest == nil {
					start.release()
					_ = nc.Close()
				}
			}()
			defer h.recoverPanic(a.CouncilID)
			ws, err := u.Upgrade(&socketResponse{conn: nc}, r, nil)
			if err != nil {
				h.log.Debug("realtime: websocket handshake failed", "err", err)
				return
			}
			if rest = h.open(ws, a, start); rest != nil {
				go func() { // a fresh goroutine, whose stack stays as small as reading needs
					defer func() { _ = nc.Close() }()
					defer start.release()
					defer h.recoverPanic(a.CouncilID)
					rest()
				}()
			}
		}()
	})
	return true
}

// recoverPanic logs a websocket goroutine's panic rather than let it end the process.
func (h *Hub) recoverPanic(councilID int64) {
	if r := recover(); r != nil {
		h.log.Error("realtime: websocket handler panicked", "council", councilID, "panic", r)
	}
}

// socketResponse is the http.ResponseWriter the library's handshake needs: the socket itself,
// which it takes over (Hijack), or on which it writes a plain refusal.
type socketResponse struct {
	conn   net.Conn
	header http.Header
	wrote  bool
}

func (w *socketResponse) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *socketResponse) WriteHeader(status int) {
	if w.wrote {
		return
	}
	w.wrote = true
	_, _ = fmt.Fprintf(w.conn, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n",
		status, http.StatusText(status))
}

func (w *socketResponse) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusBadRequest)
	return w.conn.Write(p)
}

// Hijack hands the socket over, with buffers that hold nothing: the request was read already.
func (w *socketResponse) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.wrote = true
	return w.conn, bufio.NewReadWriter(bufio.NewReaderSize(w.conn, 16), bufio.NewWriterSize(w.conn, 256)), nil
}

// parseStart reads ?after=SEQ and ?at=TIME (RFC 3339, the "at" of event SEQ as the client has it).
func parseStart(c *fiber.Ctx) (*startRequest, error) {
	start := &startRequest{after: -1, release: func() {}}
	if s := c.Query("after"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 {
			return nil, errors.New("after must be a non-negative integer seq")
		}
		start.after = v
	}
	if s := c.Query("at"); s != "" {
		at, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || start.after <= 0 {
			return nil, errors.New("at must be the RFC 3339 time of the event named by after")
		}
		start.at = at
	}
	return start, nil
}

func jsonError(c *fiber.Ctx, status int, code, msg string) error {
	return c.Status(status).JSON(fiber.Map{"error": code, "message": msg})
}

// serve runs one websocket: open it, then read until the end.
func (h *Hub) serve(ws *fws.Conn, a Admission, start *startRequest) {
	if rest := h.open(ws, a, start); rest != nil {
		rest()
	}
}

// open starts one websocket: register it (so that a session's end finds it from now on), join
// the council (so live events are captured from now on), ask Admit again (whatever happened
// before this point is now visible to it) and start the writer with the resume plan. It returns
// the rest of the websocket's life — read until the end, then wait for the writer, since the
// connection is recycled after — or nil when the websocket was refused. The rest may run on
// another goroutine, whose stack then holds only what reading needs.
func (h *Hub) open(ws *fws.Conn, a Admission, start *startRequest) (rest func()) {
	c := newConn(h, ws, a.CouncilID)
	c.userID, c.session, c.publicOnly = a.UserID, a.Session, a.Public
	if !h.track(c) {
		c.refuse(closeGoingAway, "server shutting down")
		return nil
	}
	st, err := h.join(c)
	if err != nil {
		code := closeInternal
		if err == errShuttingDown {
			code = closeGoingAway
		}
		c.refuse(code, err.Error())
		h.untrack(c)
		return nil
	}
	last := st.attach(c)
	if code, reason := h.admit(a); code != 0 {
		c.refuse(code, reason)
		h.leave(st, c)
		h.untrack(c)
		return nil
	}
	plan := c.planStart(start.after, last)
	plan.at = start.at
	go c.startWriter(plan)
	return func() {
		defer h.untrack(c)
		defer h.leave(st, c)
		c.readLoop()
		c.kick(closeNormal, "")
		c.waitWriter()
	}
}

// admit asks Options.Admit about a connection now attached; it answers the close code to refuse
// it with, or 0.
func (h *Hub) admit(a Admission) (int, string) {
	if h.opts.Admit == nil {
		return 0, ""
	}
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.RecordTimeout)
	defer cancel()
	switch err := h.opts.Admit(ctx, a); {
	case err == nil:
		return 0, ""
	case errors.Is(err, ErrNotAllowed):
		return closeEvicted, "no longer allowed"
	default:
		h.log.Warn("realtime: cannot check a new connection's rights", "council", a.CouncilID, "err", err)
		return closeInternal, "cannot check access"
	}
}

// refuse closes a connection whose writer never started: the code of a kick that came first
// wins over the one given.
func (c *conn) refuse(code int, reason string) {
	c.kick(code, reason)
	_ = c.ws.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(c.closeCode, c.closeText), c.deadline())
}

// waitWriter gives the writer CloseGrace to finish its close frame, then cuts it short.
func (c *conn) waitWriter() {
	t := time.NewTimer(c.h.opts.CloseGrace)
	defer t.Stop()
	select {
	case <-c.done:
		return
	case <-t.C:
	}
	c.abort()
	<-c.done
}

func (h *Hub) track(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.conns[c] = struct{}{}
	c.nextPing = time.Now().Add(h.opts.PingEvery)
	h.connWG.Add(1)
	h.metrics.connections.Inc()
	return true
}

func (h *Hub) untrack(c *conn) {
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
	h.metrics.connections.Dec()
	h.connWG.Done()
}

func (h *Hub) isClosing() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closing
}
