package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
)

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testServer is one "process": a hub behind a real Fiber app on a loopback port.
type testServer struct {
	hub  *Hub
	app  *fiber.App
	addr string
}

// startServer mounts the hub like the server does: a middleware sets the council id, then the
// handler. sndBuf > 0 shrinks the server sockets' send buffers (for slow-consumer tests).
func startServer(t testing.TB, rec Record, broker Broker, opts Options, sndBuf int) *testServer {
	t.Helper()
	return startServerKeep(t, rec, broker, opts, sndBuf, true)
}

// startServerKeep is startServer with the HTTP server's KeepHijackedConns given: false runs the
// upgrade through the server's hijacked connection, as under a server that keeps it.
func startServerKeep(t testing.TB, rec Record, broker Broker, opts Options, sndBuf int, keep bool) *testServer {
	t.Helper()
	if opts.Log == nil {
		opts.Log = quietLog()
	}
	hub := NewHub(rec, broker, opts)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Server().KeepHijackedConns = keep // true as the server runs it
	app.Get("/api/v1/councils/:id/live", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.ErrNotFound
		}
		c.Locals(LocalCouncilID, id)
		if u := c.Get("X-Test-User"); u != "" {
			user, _ := strconv.ParseInt(u, 10, 64)
			c.Locals(LocalUserID, user)
		}
		if s := c.Get("X-Test-Session"); s != "" {
			c.Locals(LocalSession, s)
		}
		if c.Get("X-Test-Public") != "" {
			c.Locals(LocalPublic, true)
		}
		return c.Next()
	}, hub.Handler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if sndBuf > 0 {
		ln = smallBufListener{ln.(*net.TCPListener), sndBuf}
	}
	go func() { _ = app.Listener(ln) }()
	s := &testServer{hub: hub, app: app, addr: ln.Addr().String()}
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *testServer) stop(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.hub.Shutdown(ctx); err != nil {
		t.Errorf("hub shutdown: %v", err)
	}
	_ = s.app.ShutdownWithContext(ctx)
}

type smallBufListener struct {
	*net.TCPListener
	size int
}

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	_ = c.SetWriteBuffer(l.size)
	return c, nil
}

// client is a websocket client that records every frame it reads.
type client struct {
	t     *testing.T
	ws    *fws.Conn
	mu    sync.Mutex
	seqs  []int64
	msgs  []map[string]any // non-event frames (resync, pong)
	types []string         // the "type" of every frame, in order
	err   error            // why reading stopped
	pings atomic.Int32     // websocket pings from the server
	done  chan struct{}
	hold  chan struct{} // when non-nil, reading waits until it is closed
}

func (s *testServer) url(councilID int64, after string) string {
	u := fmt.Sprintf("ws://%s/api/v1/councils/%d/live", s.addr, councilID)
	if after != "" {
		u += "?after=" + after
	}
	return u
}

// dial connects and starts reading; rcvBuf > 0 shrinks the client's receive buffer.
func dial(t *testing.T, s *testServer, councilID int64, after string, rcvBuf int, hold chan struct{}) *client {
	t.Helper()
	d := fws.Dialer{HandshakeTimeout: 5 * time.Second}
	if rcvBuf > 0 {
		d.NetDial = func(network, addr string) (net.Conn, error) {
			c, err := net.Dial(network, addr)
			if err == nil {
				_ = c.(*net.TCPConn).SetReadBuffer(rcvBuf)
			}
			return c, err
		}
	}
	ws, resp, err := d.Dial(s.url(councilID, after), nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	c := &client{t: t, ws: ws, done: make(chan struct{}), hold: hold}
	ws.SetPingHandler(func(data string) error {
		c.pings.Add(1)
		return ws.WriteControl(fws.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	go c.read()
	t.Cleanup(func() { c.close() })
	return c
}

// dialAs connects as a user with a session (through the test server's headers) to the url's
// query; it returns the refusal instead of failing.
func dialAs(t *testing.T, s *testServer, councilID, user int64, session, query string) (*client, *http.Response, error) {
	t.Helper()
	d := fws.Dialer{HandshakeTimeout: 5 * time.Second}
	h := http.Header{"X-Test-User": {strconv.FormatInt(user, 10)}, "X-Test-Session": {session}}
	u := s.url(councilID, "")
	if query != "" {
		u += "?" + query
	}
	ws, resp, err := d.Dial(u, h)
	if err != nil {
		return nil, resp, err
	}
	c := &client{t: t, ws: ws, done: make(chan struct{})}
	go c.read()
	t.Cleanup(func() { c.close() })
	return c, resp, nil
}

func (c *client) read() {
	defer close(c.done)
	if c.hold != nil {
		<-c.hold
	}
	for {
		_, p, err := c.ws.ReadMessage()
		if err != nil {
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
			return
		}
		var m map[string]any
		if err := json.Unmarshal(p, &m); err != nil {
			c.t.Errorf("frame is not JSON: %q", p)
			continue
		}
		c.mu.Lock()
		typ, _ := m["type"].(string)
		c.types = append(c.types, typ)
		if seq, ok := m["seq"].(float64); ok {
			c.seqs = append(c.seqs, int64(seq))
		} else {
			c.msgs = append(c.msgs, m)
		}
		c.mu.Unlock()
	}
}

func (c *client) close() {
	_ = c.ws.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(fws.CloseNormalClosure, ""), time.Now().Add(time.Second))
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
	}
	_ = c.ws.Close()
	<-c.done
}

func (c *client) received() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int64(nil), c.seqs...)
}

func (c *client) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seqs)
}

func (c *client) closeErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			if os.Getenv("REALTIME_DUMP") != "" {
				buf := make([]byte, 8<<20)
				_ = os.WriteFile("/tmp/rtdump.txt", buf[:runtime.Stack(buf, true)], 0o644)
			}
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wantSeqs fails unless got is exactly from, from+1, ..., to.
func wantSeqs(t *testing.T, who string, got []int64, from, to int64) {
	t.Helper()
	if int64(len(got)) != to-from+1 {
		t.Errorf("%s: got %d events, want %d (%d..%d)", who, len(got), to-from+1, from, to)
	}
	for i, s := range got {
		if s != from+int64(i) {
			t.Errorf("%s: event %d has seq %d, want %d (gap, duplicate or reorder)", who, i, s, from+int64(i))
			return
		}
	}
}

// waitConnections waits until the hub has n websockets (joined, or gone).
func waitConnections(t *testing.T, h *Hub, n int) {
	t.Helper()
	waitFor(t, 5*time.Second, fmt.Sprintf("%d connections", n), func() bool { return h.Connections() == n })
}

// waitAttached waits until council id has n attached connections on h, so that live events are
// captured.
func waitAttached(t *testing.T, h *Hub, id int64, n int) {
	t.Helper()
	waitFor(t, 5*time.Second, "attached connections", func() bool {
		h.mu.Lock()
		st := h.councils[id]
		h.mu.Unlock()
		if st == nil {
			return n == 0
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		return len(st.conns) == n
	})
}

// redisClient connects to addr (the shared Redis by default) and fails the test if it is down.
func redisClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// uniquePrefix keeps parallel test runs on one Redis apart.
func uniquePrefix(t *testing.T) string {
	return fmt.Sprintf("test:%s:%d:", t.Name(), time.Now().UnixNano())
}

func httpGet(t *testing.T, url string, header http.Header) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp, body
}

// ourGoroutines counts the goroutines running this package's code or go-redis's (fasthttp keeps
// idle workers of its own for a while, which are no leak of ours).
func ourGoroutines() int {
	buf := make([]byte, 4<<20)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "github.com/perushtitsa/council/realtime.(*") || strings.Contains(g, "redis/go-redis") {
			n++
		}
	}
	return n
}

// waitBaseline fails unless ourGoroutines comes back to at most before.
func waitBaseline(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for ourGoroutines() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := ourGoroutines(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines of ours, baseline %d:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
