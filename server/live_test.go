package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/perushtitsa/council/server/testenv"
)

// client speaks the JSON API as one signed-in person, to any of the processes.
type client struct {
	t    *testing.T
	jar  http.CookieJar
	http *http.Client
	csrf string
}

func newClient(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, jar: jar, http: &http.Client{Jar: jar, Timeout: 15 * time.Second}}
}

// call sends a JSON request and decodes the answer into out (when not nil).
func (c *client) call(method, url string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %v: %s", method, url, err, raw)
		}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, raw)
	}
	return resp.StatusCode, nil
}

// must is call that fails the test on any error.
func (c *client) must(method, url string, body any, out any) {
	c.t.Helper()
	if _, err := c.call(method, url, body, out); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) signIn(base, email, password string) {
	c.t.Helper()
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	c.must("POST", base+"/api/v1/session", map[string]string{"email": email, "password": password}, &out)
	c.csrf = out.CSRF
}

// cookieHeader is the session cookie for a websocket handshake.
func (c *client) cookieHeader(base string) http.Header {
	u, _ := url.Parse(base)
	h := http.Header{}
	var parts []string
	for _, ck := range c.jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if len(parts) > 0 {
		h.Set("Cookie", strings.Join(parts, "; "))
	}
	return h
}

// cluster is several server processes sharing one PostgreSQL database and one Redis.
type cluster struct {
	dbURL, redisURL, prefix string
	env                     []string // more environment for every process (load tools raise caps)
	procs                   []*process
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newCluster(t *testing.T, n int, redisURL string, env ...string) *cluster {
	t.Helper()
	cl := &cluster{dbURL: testenv.DatabaseURL(t, "postgres"), redisURL: redisURL, prefix: "test-" + randomHex(4) + ":", env: env}
	cmd := exec.Command(binary, "admin", "create", "--email", "admin@example.org", "--name", "Admin")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+cl.dbURL)
	cmd.Stdin = strings.NewReader("admin-password\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v %s", err, out)
	}
	for i := 0; i < n; i++ {
		cl.procs = append(cl.procs, cl.start(t))
	}
	return cl
}

func (cl *cluster) start(t *testing.T) *process {
	env := append([]string{"DATABASE_URL=" + cl.dbURL, "REDIS_URL=" + cl.redisURL, "REDIS_PREFIX=" + cl.prefix, "METRICS_TOKEN=" + metricsToken}, cl.env...)
	return startServer(t, t.TempDir(), env...)
}

// deliberation is a council with an open round, proposals, and members who can vote.
type deliberation struct {
	councilID int64
	proposals []int64
	members   []*client
	emails    []string
}

// setUp makes the council through process base: admin, n members, an open round, k proposals.
func setUp(t *testing.T, base string, members, proposals int) *deliberation {
	t.Helper()
	admin := newClient(t)
	admin.signIn(base, "admin@example.org", "admin-password")
	var cn struct{ ID int64 }
	admin.must("POST", base+"/api/v1/councils", map[string]string{"slug": "live", "name": "Live", "constituency": "mixed"}, &cn)
	d := &deliberation{councilID: cn.ID}
	for i := 0; i < members; i++ {
		email := fmt.Sprintf("member%d@example.org", i)
		role := "member"
		if i == 0 {
			role = "moderator"
		}
		var inv struct{ Token string }
		admin.must("POST", fmt.Sprintf("%s/api/v1/councils/%d/invitations", base, cn.ID),
			map[string]string{"email": email, "name": fmt.Sprintf("Член %d", i), "role": role, "group": "citizen"}, &inv)
		m := newClient(t)
		var acc struct {
			CSRF string `json:"csrf_token"`
		}
		m.must("POST", base+"/api/v1/invitations/"+inv.Token+"/accept", map[string]string{"name": fmt.Sprintf("Член %d", i), "password": "member-password"}, &acc)
		m.csrf = acc.CSRF
		d.members = append(d.members, m)
		d.emails = append(d.emails, email)
	}
	mod := d.members[0]
	var r struct{ ID int64 }
	mod.must("POST", fmt.Sprintf("%s/api/v1/councils/%d/rounds", base, cn.ID), map[string]any{"title": "Кръг", "ballot": "open", "quorum_percent": 0}, &r)
	mod.must("POST", fmt.Sprintf("%s/api/v1/rounds/%d/open", base, r.ID), nil, nil)
	for i := 0; i < proposals; i++ {
		var p struct{ ID int64 }
		mod.must("POST", fmt.Sprintf("%s/api/v1/rounds/%d/proposals", base, r.ID), map[string]string{"title": fmt.Sprintf("Предложение %d", i), "body": "…"}, &p)
		d.proposals = append(d.proposals, p.ID)
	}
	return d
}

// watcher follows a council's live stream and keeps every seq it receives, in order.
type watcher struct {
	t     *testing.T
	c     *client
	mu    sync.Mutex
	seqs  []int64
	errs  []string
	ws    *websocket.Conn
	from  int64      // the seq the watcher starts after
	ended chan error // the stream ended (closed by the server or broken)
}

func (w *watcher) last() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.seqs) == 0 {
		return w.from
	}
	return w.seqs[len(w.seqs)-1]
}

func (w *watcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seqs)
}

// connect opens the stream on base, resuming after the last seq seen (when resume is true).
func (w *watcher) connect(base string, councilID int64, resume bool) error {
	u := strings.Replace(base, "http://", "ws://", 1) + fmt.Sprintf("/api/v1/councils/%d/live", councilID)
	if resume {
		u += fmt.Sprintf("?after=%d", w.last())
	}
	h := w.c.cookieHeader(base)
	h.Set("Origin", base)
	ws, resp, err := websocket.DefaultDialer.Dial(u, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return fmt.Errorf("dial %s: %v (status %d)", u, err, status)
	}
	w.ws = ws
	w.ended = make(chan error, 1)
	go func() {
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				w.ended <- err
				return
			}
			var ev struct {
				Seq  int64  `json:"seq"`
				Type string `json:"type"`
			}
			if err := json.Unmarshal(msg, &ev); err != nil || ev.Seq == 0 {
				w.mu.Lock()
				w.errs = append(w.errs, "unexpected frame: "+string(msg))
				w.mu.Unlock()
				continue
			}
			w.mu.Lock()
			w.seqs = append(w.seqs, ev.Seq)
			w.mu.Unlock()
		}
	}()
	return nil
}

// check asserts the watcher saw exactly from+1..to, each once, in order.
func (w *watcher) check(t *testing.T, name string, from, to int64) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.errs {
		t.Errorf("%s: %s", name, e)
	}
	if int64(len(w.seqs)) != to-from {
		t.Fatalf("%s: %d events, want %d (first %v, last %v)", name, len(w.seqs), to-from, head(w.seqs), tail(w.seqs))
	}
	for i, s := range w.seqs {
		if s != from+int64(i)+1 {
			t.Fatalf("%s: event %d has seq %d, want %d", name, i, s, from+int64(i)+1)
		}
	}
}

func head(s []int64) []int64 {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

func tail(s []int64) []int64 {
	if len(s) > 5 {
		return s[len(s)-5:]
	}
	return s
}

// lastSeq reads the council's last seq from the record.
func lastSeq(t *testing.T, c *client, base string, councilID int64) int64 {
	t.Helper()
	var out struct {
		LastSeq int64 `json:"last_seq"`
	}
	c.must("GET", fmt.Sprintf("%s/api/v1/councils/%d/events?limit=1", base, councilID), nil, &out)
	return out.LastSeq
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// burst has each member cast votes votes through the processes in turn, and returns how
// many each member had accepted.
func burst(d *deliberation, procs func(i int) string, votes int, stopOnError bool) []int {
	accepted := make([]int, len(d.members))
	choices := []string{"for", "against", "abstain"}
	var wg sync.WaitGroup
	for i, m := range d.members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < votes; j++ {
				base := procs(i + j)
				p := d.proposals[(i+j)%len(d.proposals)]
				_, err := m.call("PUT", fmt.Sprintf("%s/api/v1/proposals/%d/vote", base, p), map[string]string{"choice": choices[(i*7+j)%3]}, nil)
				if err == nil {
					accepted[i]++
				} else if stopOnError {
					return
				}
			}
		}()
	}
	wg.Wait()
	return accepted
}

// TestLiveAcrossThreeProcesses: 10 members vote 100 times each through three processes; a
// watcher on each process receives all 1000 events, gapless, in order, none twice.
func TestLiveAcrossThreeProcesses(t *testing.T) {
	cl := newCluster(t, 3, testenv.RedisURL())
	d := setUp(t, cl.procs[0].base, 10, 5)
	start := lastSeq(t, d.members[0], cl.procs[0].base, d.councilID)
	var watchers []*watcher
	for i, p := range cl.procs {
		w := &watcher{t: t, c: d.members[i]}
		if err := w.connect(p.base, d.councilID, false); err != nil {
			t.Fatal(err)
		}
		defer w.ws.Close()
		watchers = append(watchers, w)
	}
	time.Sleep(200 * time.Millisecond) // the Redis subscriptions are confirmed
	accepted := burst(d, func(i int) string { return cl.procs[i%3].base }, 100, false)
	for i, n := range accepted {
		if n != 100 {
			t.Fatalf("member %d had %d of 100 votes accepted", i, n)
		}
	}
	end := start + 1000
	for i, w := range watchers {
		waitFor(t, 20*time.Second, fmt.Sprintf("watcher on process %d", i), func() bool { return w.count() >= 1000 })
		w.check(t, fmt.Sprintf("process %d", i), start, end)
	}
	if got := lastSeq(t, d.members[0], cl.procs[1].base, d.councilID); got != end {
		t.Fatalf("record ends at %d, want %d", got, end)
	}
}

// TestLiveRefusesStrangers: anonymous, another council's member and a foreign Origin are refused.
func TestLiveRefusesStrangers(t *testing.T) {
	cl := newCluster(t, 1, testenv.RedisURL())
	base := cl.procs[0].base
	d := setUp(t, base, 2, 1)
	u := strings.Replace(base, "http://", "ws://", 1) + fmt.Sprintf("/api/v1/councils/%d/live", d.councilID)
	dial := func(h http.Header) int {
		ws, resp, err := websocket.DefaultDialer.Dial(u, h)
		if err == nil {
			ws.Close()
			return 101
		}
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return resp.StatusCode
	}
	if got := dial(http.Header{"Origin": {base}}); got != 401 {
		t.Errorf("anonymous: %d, want 401", got)
	}
	h := d.members[0].cookieHeader(base)
	h.Set("Origin", "http://evil.example")
	if got := dial(h); got != 403 {
		t.Errorf("foreign origin: %d, want 403", got)
	}
	h.Set("Origin", base)
	if got := dial(h); got != 101 {
		t.Errorf("member from our origin: %d, want 101", got)
	}
	admin := newClient(t)
	admin.signIn(base, "admin@example.org", "admin-password")
	var other struct{ ID int64 }
	admin.must("POST", base+"/api/v1/councils", map[string]string{"slug": "other", "name": "Other", "constituency": "ngos"}, &other)
	ou := strings.Replace(base, "http://", "ws://", 1) + fmt.Sprintf("/api/v1/councils/%d/live", other.ID)
	if _, resp, err := websocket.DefaultDialer.Dial(ou, h); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Errorf("member of another council: %v %v, want 403", resp, err)
	}

	// A member removed while following the council is let go at once.
	w := &watcher{t: t, c: d.members[1]}
	if err := w.connect(base, d.councilID, false); err != nil {
		t.Fatal(err)
	}
	defer w.ws.Close()
	var me struct {
		User struct{ ID int64 } `json:"user"`
	}
	d.members[1].must("GET", base+"/api/v1/me", nil, &me)
	d.members[0].must("DELETE", fmt.Sprintf("%s/api/v1/councils/%d/members/%d", base, d.councilID, me.User.ID), nil, nil)
	select {
	case err := <-w.ended:
		if !websocket.IsCloseError(err, 4003) {
			t.Fatalf("the removed member's stream ended with %v, want close 4003", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the removed member still follows the council")
	}
	if w.count() != 0 {
		t.Fatalf("the removed member received %d events, the member.left among them", w.count())
	}
}

// TestLiveSurvivesSIGKILL: a process is killed mid-burst; its watcher reconnects to another
// process with after= and ends with every event exactly once; every accepted vote is recorded.
func TestLiveSurvivesSIGKILL(t *testing.T) {
	cl := newCluster(t, 2, testenv.RedisURL())
	a, b := cl.procs[0], cl.procs[1]
	d := setUp(t, a.base, 8, 4)
	start := lastSeq(t, d.members[0], a.base, d.councilID)
	w := &watcher{t: t, c: d.members[1], from: start}
	if err := w.connect(b.base, d.councilID, true); err != nil {
		t.Fatal(err)
	}
	killed := make(chan struct{})
	go func() {
		waitFor(t, 20*time.Second, "the burst to start", func() bool { return w.count() >= 50 })
		b.cmd.Process.Kill() // SIGKILL: no goodbye to anyone
		close(killed)
	}()
	var accepted []int
	done := make(chan struct{})
	go func() {
		accepted = burst(d, func(i int) string {
			select {
			case <-killed:
				return a.base
			default:
				return []string{a.base, b.base}[i%2]
			}
		}, 60, false)
		close(done)
	}()
	select {
	case <-w.ended:
	case <-time.After(30 * time.Second):
		t.Fatal("the watcher on the killed process never noticed")
	}
	if err := w.connect(a.base, d.councilID, true); err != nil {
		t.Fatalf("reconnect: %v", err)
	}
	defer w.ws.Close()
	<-done
	end := lastSeq(t, d.members[0], a.base, d.councilID)
	waitFor(t, 20*time.Second, "the watcher to catch up", func() bool { return w.last() >= end })
	w.check(t, "watcher", start, end)
	// Every accepted vote is in the record.
	var evs struct {
		Events []struct {
			Type string `json:"type"`
			Data struct {
				Voter struct{ ID int64 } `json:"voter"`
			} `json:"data"`
		} `json:"events"`
	}
	d.members[0].must("GET", fmt.Sprintf("%s/api/v1/councils/%d/events?after=%d&limit=1000", a.base, d.councilID, start), nil, &evs)
	perVoter := map[int64]int{}
	for _, e := range evs.Events {
		if e.Type == "vote.cast" {
			perVoter[e.Data.Voter.ID]++
		}
	}
	for i, m := range d.members {
		var out struct {
			User struct{ ID int64 } `json:"user"`
		}
		m.must("GET", a.base+"/api/v1/me", nil, &out)
		if perVoter[out.User.ID] < accepted[i] {
			t.Errorf("member %d: %d votes accepted but %d recorded", i, accepted[i], perVoter[out.User.ID])
		}
	}
}

// TestLiveEmbeddedDefault: one process on SQLite with in-process fan-out passes the same
// burst, and a watcher that disconnects mid-stream resumes with after= losing nothing.
func TestLiveEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	if out, err := command(t, dir, "admin-password\n", "admin", "create", "--email", "admin@example.org", "--name", "Admin"); err != nil {
		t.Fatalf("admin create: %v %s", err, out)
	}
	p := startServer(t, dir)
	d := setUp(t, p.base, 10, 5)
	start := lastSeq(t, d.members[0], p.base, d.councilID)
	steady := &watcher{t: t, c: d.members[1], from: start}
	flaky := &watcher{t: t, c: d.members[2], from: start}
	for _, w := range []*watcher{steady, flaky} {
		if err := w.connect(p.base, d.councilID, true); err != nil {
			t.Fatal(err)
		}
		defer func() { w.ws.Close() }()
	}
	go func() {
		// Drop the flaky watcher mid-stream, twice, and come back with after=.
		for i := 0; i < 2; i++ {
			waitFor(t, 20*time.Second, "events", func() bool { return flaky.count() >= 200*(i+1) })
			flaky.ws.Close()
			<-flaky.ended
			if err := flaky.connect(p.base, d.councilID, true); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	accepted := burst(d, func(int) string { return p.base }, 60, false)
	for i, n := range accepted {
		if n != 60 {
			t.Fatalf("member %d had %d of 60 votes accepted", i, n)
		}
	}
	end := start + 600
	for name, w := range map[string]*watcher{"steady": steady, "flaky": flaky} {
		waitFor(t, 20*time.Second, name, func() bool { return w.last() >= end })
		w.check(t, name, start, end)
	}
	// A graceful shutdown closes websockets with 1001 so that browsers reconnect elsewhere.
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-steady.ended:
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Fatalf("stream ended with %v, want close 1001", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the websocket stayed open after SIGTERM")
	}
}

// redisServer runs a redis-server of the test's own on a free loopback port.
type redisServer struct {
	port int
	cmd  *exec.Cmd
}

func (r *redisServer) start(t *testing.T) {
	t.Helper()
	r.cmd = exec.Command("redis-server", "--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("redis-server is needed (make test installs it): %v", err)
	}
	waitFor(t, 10*time.Second, "redis-server", func() bool {
		out, err := exec.Command("redis-cli", "-p", fmt.Sprint(r.port), "ping").Output()
		return err == nil && strings.Contains(string(out), "PONG")
	})
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
	}
}

// TestLiveAcrossRedisOutage: Redis stops while votes keep coming and starts again; every
// watcher of every process ends with every event, in order, without reconnecting.
func TestLiveAcrossRedisOutage(t *testing.T) {
	rs := &redisServer{port: freePort(t)}
	rs.start(t)
	defer rs.stop()
	cl := newCluster(t, 2, fmt.Sprintf("redis://127.0.0.1:%d/0", rs.port))
	a, b := cl.procs[0], cl.procs[1]
	d := setUp(t, a.base, 6, 3)
	start := lastSeq(t, d.members[0], a.base, d.councilID)
	var watchers []*watcher
	for i, p := range cl.procs {
		w := &watcher{t: t, c: d.members[i], from: start}
		if err := w.connect(p.base, d.councilID, true); err != nil {
			t.Fatal(err)
		}
		defer w.ws.Close()
		watchers = append(watchers, w)
	}
	time.Sleep(200 * time.Millisecond)
	done := make(chan []int)
	go func() {
		done <- burst(d, func(i int) string { return cl.procs[i%2].base }, 80, false)
	}()
	waitFor(t, 20*time.Second, "the burst to start", func() bool { return watchers[1].count() >= 60 })
	rs.stop()
	time.Sleep(1500 * time.Millisecond) // writes go on while Redis is away
	var ready struct{}
	if code, _ := d.members[0].call("GET", b.base+"/readyz", nil, &ready); code != 503 {
		t.Errorf("/readyz during the outage: %d, want 503", code)
	}
	rs.start(t)
	accepted := <-done
	for i, n := range accepted {
		if n != 80 {
			t.Fatalf("member %d had %d of 80 votes accepted: writes must go on without Redis", i, n)
		}
	}
	end := lastSeq(t, d.members[0], a.base, d.councilID)
	for i, w := range watchers {
		waitFor(t, 30*time.Second, fmt.Sprintf("watcher %d", i), func() bool { return w.last() >= end })
		select {
		case err := <-w.ended:
			t.Fatalf("watcher %d was disconnected: %v", i, err)
		default:
		}
		w.check(t, fmt.Sprintf("watcher %d", i), start, end)
	}
}
