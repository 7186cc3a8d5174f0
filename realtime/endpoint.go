package realtime

import (
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

// localAfter carries the parsed ?after= from the HTTP request to the websocket (-1: not given).
const localAfter = "realtime_after"

// Handler returns the websocket endpoint GET /api/v1/councils/:id/live?after=SEQ.
//
// The server mounts it after its own middleware has authenticated the user, checked council
// membership and the Origin, and set Locals(LocalCouncilID, int64). Before upgrading it answers
// 400 for a bad after=, 426 for a request that is not a websocket upgrade, 503 while shutting
// down, all with the API's JSON error body.
func (h *Hub) Handler() fiber.Handler {
	upgrade := websocket.New(func(ws *websocket.Conn) {
		id, _ := ws.Locals(LocalCouncilID).(int64)
		after, _ := ws.Locals(localAfter).(int64)
		user, _ := ws.Locals(LocalUserID).(int64)
		h.serve(ws.Conn, id, after, user)
	}, websocket.Config{HandshakeTimeout: 10 * time.Second})
	return func(c *fiber.Ctx) error {
		id, ok := c.Locals(LocalCouncilID).(int64)
		if !ok || id <= 0 {
			h.log.Error("realtime: live endpoint mounted without Locals(council_id) as int64")
			return jsonError(c, fiber.StatusInternalServerError, "internal", "council unknown")
		}
		after := int64(-1)
		if s := c.Query("after"); s != "" {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v < 0 {
				return jsonError(c, fiber.StatusBadRequest, "bad_request", "after must be a non-negative integer seq")
			}
			after = v
		}
		if !websocket.IsWebSocketUpgrade(c) {
			c.Set(fiber.HeaderUpgrade, "websocket")
			return jsonError(c, fiber.StatusUpgradeRequired, "bad_request", "this endpoint only speaks websocket")
		}
		if h.isClosing() {
			return jsonError(c, fiber.StatusServiceUnavailable, "unavailable", "server shutting down")
		}
		c.Locals(localAfter, after)
		if err := upgrade(c); err != nil {
			return jsonError(c, fiber.StatusBadRequest, "bad_request", "websocket handshake failed")
		}
		return nil
	}
}

func jsonError(c *fiber.Ctx, status int, code, msg string) error {
	return c.Status(status).JSON(fiber.Map{"error": code, "message": msg})
}

// serve runs one websocket: join the council (so live events are captured from now on),
// start the writer with the resume plan, read until the end, then wait for the writer, since
// the connection is recycled when serve returns.
func (h *Hub) serve(ws *fws.Conn, councilID, after, userID int64) {
	c := newConn(h, ws, councilID)
	c.userID = userID
	if !h.track(c) {
		_ = ws.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(closeGoingAway, "server shutting down"), c.deadline())
		return
	}
	defer h.untrack(c)
	st, err := h.join(c)
	if err != nil {
		code := closeInternal
		if err == errShuttingDown {
			code = closeGoingAway
		}
		_ = ws.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(code, err.Error()), c.deadline())
		return
	}
	defer h.leave(st, c)
	plan := c.planStart(after, st.attach(c))
	go c.writeLoop(plan)
	c.readLoop()
	c.kick(closeNormal, "")
	c.waitWriter()
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
