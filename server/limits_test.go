package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fdLimit is the open file limit the flooded server runs under.
const fdLimit = 256

// TestServeSurvivesConnectionFlood floods a server whose open file limit is 256 with more
// connections than it has descriptors: idle ones, then keep-alive ones, then ones busy with
// a request. Today's fasthttp stops serving and the process exits on the first EMFILE; here
// the process must stay up, answer fresh clients while idle sockets flood it, refuse cleanly
// only when every connection is busy, and serve as before once the flood has gone.
func TestServeSurvivesConnectionFlood(t *testing.T) {
	dir := t.TempDir()
	p := startServerCmd(t, dir, []string{"sh", "-c", "ulimit -n " + strconv.Itoa(fdLimit) + ` && exec "$0"`, binary},
		"DATABASE_URL=sqlite:"+filepath.Join(dir, "flood.db"), "METRICS_TOKEN="+metricsToken)
	capInForce := loggedCap(t, p)
	if capInForce <= 0 || capInForce >= fdLimit {
		t.Fatalf("the cap in force (%d) is not below the file limit %d:\n%s", capInForce, fdLimit, p.Log())
	}
	floodIdle(t, p, capInForce)
	floodKeepAlive(t, p, capInForce)
	floodBusy(t, p, capInForce)
	if v := metric(t, p, "council_accept_errors_total"); v != 0 {
		t.Fatalf("the cap let the process run out of descriptors: %v accept errors", v)
	}
	if n := strings.Count(p.Log(), "level=ERROR"); n > 0 {
		t.Fatalf("%d errors logged for connections closed by the limits; a flood must not flood the log:\n%.2000s", n, p.Log())
	}
}

// floodIdle opens three times as many connections as there are descriptors and sends nothing.
func floodIdle(t *testing.T, p *process, capInForce int) {
	idle := dialMany(t, p, 3*fdLimit)
	alive(t, p, "with idle connections flooding it")
	took := fresh(t, p, "/healthz", http.StatusOK)
	fresh(t, p, "/api/v1/councils", http.StatusOK)
	t.Logf("%d idle connections, open file limit %d, cap %d: a fresh /healthz took %v", len(idle), fdLimit, capInForce, took)
	if v := metric(t, p, `council_connections_evicted_total{state="pending"}`); v < float64(len(idle)-capInForce) {
		t.Fatalf("evicted %v pending connections, want at least %d", v, len(idle)-capInForce)
	}
	closeAll(idle)
	fresh(t, p, "/api/v1/councils", http.StatusOK)
}

// floodKeepAlive leaves twice as many connections as there are descriptors waiting between
// requests: at the cap, those idle the longest make room for new ones.
func floodKeepAlive(t *testing.T, p *process, capInForce int) {
	kept, refused := keepAliveMany(t, p, 2*fdLimit)
	alive(t, p, "with keep-alive connections beyond the cap")
	if refused != 0 {
		t.Fatalf("%d keep-alive connections refused; idle ones should have made room", refused)
	}
	if v := metric(t, p, `council_connections_evicted_total{state="idle"}`); v < float64(len(kept)-capInForce) {
		t.Fatalf("evicted %v idle connections, want at least %d", v, len(kept)-capInForce)
	}
	fresh(t, p, "/api/v1/councils", http.StatusOK)
	closeAll(kept)
}

// floodBusy opens twice as many connections as there are descriptors, each busy with a
// request whose body never comes: they hold their places up to the cap, then new ones are
// refused with 503 and closed at once.
func floodBusy(t *testing.T, p *process, capInForce int) {
	evictedBefore := metric(t, p, `council_connections_evicted_total{state="pending"}`)
	var busy []net.Conn
	for range 2 * fdLimit {
		c := dialMany(t, p, 1)[0]
		fmt.Fprintf(c, "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
		busy = append(busy, c)
	}
	held, refused := sortBusy(busy)
	alive(t, p, "with busy connections up to the cap")
	if held > capInForce || held < capInForce/2 || refused < 2*fdLimit-capInForce {
		t.Fatalf("%d busy connections held, %d refused; want about the cap of %d held, the rest refused", held, refused, capInForce)
	}
	t.Logf("%d busy connections held, %d refused at the cap", held, refused)
	refusedNow(t, p)
	closeAll(busy)
	time.Sleep(200 * time.Millisecond)
	fresh(t, p, "/api/v1/councils", http.StatusOK)
	// A connection whose request the server has not read yet is still pending, and may have
	// made room for the next one instead of that one being refused.
	refusedTotal := metric(t, p, "council_connections_refused_total")
	evicted := metric(t, p, `council_connections_evicted_total{state="pending"}`) - evictedBefore
	if refusedTotal < float64(refused)/2 || refusedTotal+evicted < float64(refused) {
		t.Fatalf("council_connections_refused_total %v and %v pending evicted, for %d connections refused", refusedTotal, evicted, refused)
	}
}

// sortBusy waits a second for an answer on each connection: those refused answer 503 or are
// closed, those held answer nothing yet.
func sortBusy(conns []net.Conn) (held, refused int) {
	var wg sync.WaitGroup
	var n atomic.Int64
	deadline := time.Now().Add(time.Second)
	for _, c := range conns {
		wg.Go(func() {
			c.SetReadDeadline(deadline)
			buf := make([]byte, 64)
			_, err := c.Read(buf)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return int(n.Load()), len(conns) - int(n.Load())
}

var capLine = regexp.MustCompile(`msg="connection limits" max_connections=(\d+)`)

func loggedCap(t *testing.T, p *process) int {
	t.Helper()
	m := capLine.FindStringSubmatch(p.Log())
	if m == nil {
		t.Fatalf("the log does not say what cap is in force:\n%s", p.Log())
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func dialMany(t *testing.T, p *process, n int) []net.Conn {
	t.Helper()
	addr := strings.TrimPrefix(p.base, "http://")
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() { closeAll(conns) })
	for range n {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			alive(t, p, fmt.Sprintf("after %d connections", len(conns)))
			t.Fatalf("dial %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	return conns
}

// keepAliveMany opens n connections one after the other and sends one request on each; it
// returns those served (kept open) and the number refused (503, or closed before an answer).
func keepAliveMany(t *testing.T, p *process, n int) (held []net.Conn, refused int) {
	t.Helper()
	for range n {
		c := dialMany(t, p, 1)[0]
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		switch {
		case err != nil:
			refused++
		case resp.StatusCode == http.StatusServiceUnavailable:
			io.Copy(io.Discard, resp.Body)
			refused++
		case resp.StatusCode == http.StatusOK:
			io.Copy(io.Discard, resp.Body)
			c.SetDeadline(time.Time{})
			held = append(held, c)
		default:
			t.Fatalf("a flooding connection got %d", resp.StatusCode)
		}
	}
	return held, refused
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

func alive(t *testing.T, p *process, when string) {
	t.Helper()
	select {
	case err := <-p.done:
		t.Fatalf("the server exited %s: %v\n%s", when, err, p.Log())
	case <-time.After(time.Second):
	}
}

// fresh sends one request on a new connection and checks its status; it returns how long it took.
func fresh(t *testing.T, p *process, path string, want int) time.Duration {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := c.Get(p.base + path)
	if err != nil {
		t.Fatalf("GET %s on a fresh connection: %v\n%s", path, err, p.Log())
	}
	took := time.Since(start)
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d", path, resp.StatusCode, want)
	}
	return took
}

// refusedNow checks that a fresh connection is refused: 503, or closed before its answer.
func refusedNow(t *testing.T, p *process) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(p.base + "/healthz")
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("a connection over the cap waited instead of being refused: %v", err)
		}
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a connection over the cap was answered %d", resp.StatusCode)
	}
}

// metric reads one series of the server's /metrics.
func metric(t *testing.T, p *process, series string) float64 {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest(http.MethodGet, p.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	t.Fatalf("no %s in /metrics", series)
	return 0
}

func TestConnectionLimitsInForce(t *testing.T) {
	cfg := config{MaxConns: 30000, MaxPending: 4096} // the defaults
	for _, tc := range []struct {
		files                  uint64
		wantConns, wantPending int
		wantBound              string
	}{
		{1 << 20, 30000, 4096, "MAX_CONNECTIONS"},
		{20000, 20000 - 88, 4096, "file descriptors"},
		{256, 256 - 88, 84, "file descriptors"},
		{0, 30000, 4096, "MAX_CONNECTIONS"}, // limit unknown
		{50, 2, 1, "file descriptors"},      // fewer descriptors than the reserve
	} {
		got := limitsFor(cfg, tc.files, reserveFor(config{}, 8))
		if got.MaxConns != tc.wantConns || got.MaxPending != tc.wantPending || got.BoundBy != tc.wantBound {
			t.Errorf("file limit %d: %+v, want cap %d, pending %d, bound by %s", tc.files, got, tc.wantConns, tc.wantPending, tc.wantBound)
		}
	}
}

func TestConnectionSettings(t *testing.T) {
	t.Setenv("MAX_CONNECTIONS", "500")
	t.Setenv("FIRST_REQUEST_TIMEOUT", "3s")
	cfg, err := parseConfig(flag.NewFlagSet("serve", flag.ContinueOnError), []string{"--max-pending-connections", "7"})
	if err != nil || cfg.MaxConns != 500 || cfg.MaxPending != 7 || cfg.FirstRequestTimeout != 3*time.Second {
		t.Fatalf("%+v, %v", cfg, err)
	}
	for _, bad := range [][2]string{
		{"MAX_CONNECTIONS", "many"}, {"MAX_CONNECTIONS", "-1"}, {"MAX_PENDING_CONNECTIONS", "0"},
		{"FIRST_REQUEST_TIMEOUT", "10"}, {"FIRST_REQUEST_TIMEOUT", "-1s"},
	} {
		t.Run(bad[0]+"="+bad[1], func(t *testing.T) {
			t.Setenv(bad[0], bad[1])
			if _, err := parseConfig(flag.NewFlagSet("serve", flag.ContinueOnError), nil); err == nil || !strings.Contains(err.Error(), bad[0]) {
				t.Fatalf("accepted, or an error not naming the setting: %v", err)
			}
		})
	}
	if _, err := parseConfig(flag.NewFlagSet("serve", flag.ContinueOnError), []string{"--max-connections", "0"}); err == nil {
		t.Fatal("--max-connections 0 accepted")
	}
}

// A client that connects and resets before sending anything is no error of the server's: a
// flood of them must not fill the log with ERROR lines.
func TestResetConnectionsAreNoError(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, dir, "DATABASE_URL=sqlite:"+filepath.Join(dir, "reset.db"))
	for i := 0; i < 20; i++ {
		c, err := net.Dial("tcp", strings.TrimPrefix(p.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		c.(*net.TCPConn).SetLinger(0) // close with a reset
		c.Close()
	}
	resp, err := http.Get(p.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	time.Sleep(200 * time.Millisecond)
	if log := p.Log(); strings.Contains(log, "level=ERROR") {
		t.Fatalf("resets logged as errors:\n%s", log)
	}
}
