package realtime

import (
	"context"
	"errors"
	"strconv"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
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

// localStart carries the parsed resume position and the reservation from the HTTP request to
// the websocket.
const localStart = "realtime_start"

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
	upgrade := websocket.New(func(ws *websocket.Conn) {
		id, _ := ws.Locals(LocalCouncilID).(int64)
		start, _ := ws.Locals(localStart).(*startRequest)
		user, _ := ws.Locals(LocalUserID).(int64)
		session, _ := ws.Locals(LocalSession).(string)
		public, _ := ws.Locals(LocalPublic).(bool)
		defer start.release()
		h.serve(ws.Conn, Admission{CouncilID: id, UserID: user, Session: session, Public: public}, start)
	}, websocket.Config{HandshakeTimeout: 10 * time.Second})
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
		if !websocket.IsWebSocketUpgrade(c) {
			c.Set(fiber.HeaderUpgrade, "websocket")
			return jsonError(c, fiber.StatusUpgradeRequired, "bad_request", "this endpoint only speaks websocket")
		}
		if h.isClosing() {
			return jsonError(c, fiber.StatusServiceUnavailable, "unavailable", "server shutting down")
		}
		user, _ := c.Locals(LocalUserID).(int64)
		session, _ := c.Locals(LocalSession).(string)
		release, ok := h.reserve(user, session)
		if !ok {
			h.metrics.refused.Inc()
			c.Set(fiber.HeaderRetryAfter, "10")
			return jsonError(c, fiber.StatusTooManyRequests, "rate_limited",
				"too many live connections for this account; close another tab or window first")
		}
		start.release = release
		c.Locals(localStart, start)
		if err := upgrade(c); err != nil {
			release()
			return jsonError(c, fiber.StatusBadRequest, "bad_request", "websocket handshake failed")
		}
		return nil
	}
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

// serve runs one websocket: register it (so that a session's end finds it from now on), join
// the council (so live events are captured from now on), ask Admit again (whatever happened
// before this point is now visible to it), start the writer with the resume plan, read until
// the end, then wait for the writer, since the connection is recycled when serve returns.
func (h *Hub) serve(ws *fws.Conn, a Admission, start *startRequest) {
	c := newConn(h, ws, a.CouncilID)
	c.userID, c.session, c.publicOnly = a.UserID, a.Session, a.Public
	if !h.track(c) {
		c.refuse(closeGoingAway, "server shutting down")
		return
	}
	defer h.untrack(c)
	st, err := h.join(c)
	if err != nil {
		code := closeInternal
		if err == errShuttingDown {
			code = closeGoingAway
		}
		c.refuse(code, err.Error())
		return
	}
	defer h.leave(st, c)
	last := st.attach(c)
	if code, reason := h.admit(a); code != 0 {
		c.refuse(code, reason)
		return
	}
	plan := c.planStart(start.after, last)
	plan.at = start.at
	go c.writeLoop(plan)
	c.readLoop()
	c.kick(closeNormal, "")
	c.waitWriter()
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
