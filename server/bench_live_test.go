package main

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/perushtitsa/council/server/testenv"
)

// The fan-out benchmarks are load tools, not checks: they print figures for docs/benchmarks.md
// and assert nothing about time. They fail only when an event is lost or arrives twice, or
// when the harness cannot do its work. COUNCIL_BIN names the binary to measure (main_test.go).

// benchEnv is an environment variable read as an integer, or def.
func benchEnv(t *testing.T, name string, def int) int {
	t.Helper()
	return benchEnvFrom(t, name, def, 1)
}

// benchEnvFrom is benchEnv for a setting that may be as low as least.
func benchEnvFrom(t *testing.T, name string, def, least int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < least {
		t.Fatalf("%s must be an integer of at least %d, got %q", name, least, s)
	}
	return v
}

// benchCaps lift the per-session and per-user caps of live sockets: the tool's watchers share
// a few accounts.
var benchCaps = []string{"LIVE_MAX_PER_SESSION=100000", "LIVE_MAX_PER_USER=100000", "MAX_CONNECTIONS=100000", "LOG_LEVEL=warn"}

// benchDialer keeps the harness's own sockets small, since thousands share the machine with the
// servers.
var benchDialer = &websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 256}

// frame is one message a bench watcher received, kept raw and parsed after the run so that
// parsing costs nothing while the latency is measured.
type frame struct {
	at  time.Time
	msg []byte
}

// benchWatcher follows a council and keeps every frame with the time it arrived.
type benchWatcher struct {
	ws     *websocket.Conn
	mu     sync.Mutex
	frames []frame
	err    error
	n      atomic.Int64
}

func dialBench(base string, councilID int64, c *client) (*websocket.Conn, error) {
	u := strings.Replace(base, "http://", "ws://", 1) + fmt.Sprintf("/api/v1/councils/%d/live", councilID)
	h := c.cookieHeader(base)
	h.Set("Origin", base)
	ws, resp, err := benchDialer.Dial(u, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, fmt.Errorf("dial %s: %v (status %d)", u, err, status)
	}
	return ws, nil
}

func (w *benchWatcher) read() {
	for {
		_, msg, err := w.ws.ReadMessage()
		now := time.Now()
		if err != nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
			return
		}
		w.mu.Lock()
		w.frames = append(w.frames, frame{at: now, msg: msg})
		w.mu.Unlock()
		w.n.Add(1)
	}
}

// watch starts reading the watchers' websockets the way mode says: one epoll loop a processor,
// or read (the library's reader) in a goroutine per watcher. The returned stop ends the epoll
// loops; the goroutines end when their websockets are closed.
func watch(t *testing.T, mode string, ws []*websocket.Conn, bw []*benchWatcher, count func([]byte) int64, reply func([]byte) []byte, read func(*benchWatcher)) (stop func()) {
	t.Helper()
	if mode == "goroutines" {
		for _, w := range bw {
			go read(w)
		}
		return func() {}
	}
	stop, err := epollWatch(ws, bw, count, reply)
	if err != nil {
		t.Fatal(err)
	}
	return stop
}

// dialAll opens n websockets with at most 16 handshakes at once; dial(i) opens the i-th.
func dialAll(t *testing.T, n int, dial func(i int) (*websocket.Conn, error)) []*websocket.Conn {
	t.Helper()
	out := make([]*websocket.Conn, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				ws, err := dial(i)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				out[i] = ws
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		for _, ws := range out {
			if ws != nil {
				ws.Close()
			}
		}
		t.Fatalf("opening %d websockets: %v", n, firstErr)
	}
	return out
}

// percentiles formats p50/p95/p99/max of d (sorted here) in milliseconds.
func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "no samples"
	}
	slices.Sort(d)
	at := func(q float64) float64 {
		i := int(q*float64(len(d))+0.5) - 1
		i = max(0, min(i, len(d)-1))
		return float64(d[i].Microseconds()) / 1000
	}
	return fmt.Sprintf("p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)",
		at(0.50), at(0.95), at(0.99), float64(d[len(d)-1].Microseconds())/1000, len(d))
}

// field finds "name": in an event's JSON and returns what follows it.
func field(msg []byte, name string) []byte {
	i := bytes.Index(msg, []byte(`"`+name+`":`))
	if i < 0 {
		return nil
	}
	return msg[i+len(name)+3:]
}

func leadingInt(b []byte) (int64, bool) {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	v, err := strconv.ParseInt(string(b[:n]), 10, 64)
	return v, err == nil
}

// TestBenchLive is `make bench-live`: WATCHERS websockets (default 2000) spread over PROCS
// server processes (default 2) on PostgreSQL and Redis follow one council while its members cast
// RATE votes a second (default 5) for SECONDS (default 20), each vote sent to the processes in
// turn and tagged with its number in its reason. It prints, over every (vote, watcher) pair:
// vote→screen (the client sends the vote → the watcher's websocket has the event) and
// event→screen (the event's "at", stamped inside its transaction just before the commit → the
// watcher has it), the servers' own commit→write histogram, and lost and duplicate events.
func TestBenchLive(t *testing.T) {
	if os.Getenv("BENCH") != "live" {
		t.Skip("a load tool: run with BENCH=live (make bench-live)")
	}
	watchers := benchEnv(t, "WATCHERS", 2000)
	procs := benchEnv(t, "PROCS", 2)
	rate := benchEnv(t, "RATE", 5)
	seconds := benchEnv(t, "SECONDS", 20)
	warm := benchEnvFrom(t, "WARMUP", 3, 0)
	const members, proposals = 4, 5
	mode, err := watchMode()
	if err != nil {
		t.Fatal(err)
	}

	cl := newCluster(t, procs, testenv.RedisURL(), benchCaps...)
	d := setUp(t, cl.procs[0].base, members, proposals)

	ws := dialAll(t, watchers, func(i int) (*websocket.Conn, error) {
		return dialBench(cl.procs[i%procs].base, d.councilID, d.members[i%members])
	})
	bw := make([]*benchWatcher, watchers)
	for i, c := range ws {
		bw[i] = &benchWatcher{ws: c}
	}
	stop := watch(t, mode, ws, bw, func([]byte) int64 { return 1 }, nil, (*benchWatcher).read)
	defer func() {
		stop()
		for _, w := range bw {
			w.ws.Close()
		}
	}()
	time.Sleep(time.Second) // every process's Redis subscription is confirmed
	// cast sends vote k: from the members in turn, on the proposals in turn, to the processes
	// in turn.
	cast := func(k int, choice, reason string) error {
		_, err := d.members[k%members].call("PUT", fmt.Sprintf("%s/api/v1/proposals/%d/vote", cl.procs[k%procs].base, d.proposals[k%proposals]),
			map[string]string{"choice": choice, "reason": reason}, nil)
		return err
	}
	choices := []string{"for", "against", "abstain"}
	warmUp(t, bw, rate*warm, rate, func(k int) error {
		return cast(k, choices[k%3], fmt.Sprintf("warm-up-%d", k))
	})
	start := lastSeq(t, d.members[0], cl.procs[0].base, d.councilID)
	cpu0, own0 := clusterCPU(t, cl), pidsCPU(t, []int{os.Getpid()})

	// Votes at a fixed rate, each from its own goroutine so that a slow answer does not delay
	// the next vote.
	total := rate * seconds
	sent := make([]time.Time, total)
	answered := make([]time.Duration, total)
	failed := make([]error, total)
	var votes sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for k := 0; k < total; k++ {
		<-tick.C
		votes.Add(1)
		go func() {
			defer votes.Done()
			choice, reason := choices[(k/(members*proposals))%3], fmt.Sprintf("bench-%d", k)
			sent[k] = time.Now()
			failed[k] = cast(k, choice, reason)
			answered[k] = time.Since(sent[k])
		}()
	}
	tick.Stop()
	votes.Wait()
	for k, err := range failed {
		if err != nil {
			t.Fatalf("vote %d: %v", k, err)
		}
	}
	end := lastSeq(t, d.members[0], cl.procs[0].base, d.councilID)
	if end-start != int64(total) {
		t.Fatalf("the record grew by %d events for %d votes", end-start, total)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, w := range bw {
		for w.n.Load() < int64(total) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(500 * time.Millisecond) // a duplicate, if any, would arrive now
	cpu, own := clusterCPU(t, cl)-cpu0, pidsCPU(t, []int{os.Getpid()})-own0

	var voteToScreen, eventToScreen []time.Duration
	perVote := make([]voteTrace, total)
	for k := range perVote {
		perVote[k] = voteTrace{k: k, to: k % procs, answered: answered[k], first: make([]time.Duration, procs), last: make([]time.Duration, procs)}
	}
	lost, dups, disorder := 0, 0, 0
	frameBytes, frameCount := 0, 0
	for i, w := range bw {
		w.mu.Lock()
		frames, rerr := w.frames, w.err
		w.mu.Unlock()
		if rerr != nil {
			t.Errorf("watcher %d was disconnected: %v", i, rerr)
		}
		seen := make(map[int64]bool, total)
		var prev int64
		for _, f := range frames {
			frameBytes += len(f.msg)
			frameCount++
			seq, ok := leadingInt(field(f.msg, "seq"))
			if !ok {
				t.Fatalf("watcher %d: unexpected frame %s", i, f.msg)
			}
			if seen[seq] {
				dups++
				continue
			}
			seen[seq] = true
			if seq < prev {
				disorder++
			}
			prev = seq
			k := int64(-1)
			if r := field(f.msg, "reason"); r != nil && bytes.HasPrefix(r, []byte(`"bench-`)) {
				if v, ok := leadingInt(r[len(`"bench-`):]); ok && v >= 0 && int(v) < total {
					k = v
					voteToScreen = append(voteToScreen, f.at.Sub(sent[k]))
					perVote[k].screen(i%procs, f.at.Sub(sent[k]))
				}
			}
			if a := field(f.msg, "at"); len(a) > 2 {
				if end := bytes.IndexByte(a[1:], '"'); end > 0 {
					if at, err := time.Parse(time.RFC3339Nano, string(a[1:1+end])); err == nil {
						eventToScreen = append(eventToScreen, f.at.Sub(at))
						if k >= 0 {
							perVote[k].stamped = at.Sub(sent[k])
						}
					}
				}
			}
		}
		for s := start + 1; s <= end; s++ {
			if !seen[s] {
				lost++
			}
		}
	}
	fmt.Printf("bench-live: %s, %d watchers over %d processes, %d votes/s for %d s (%d votes, seq %d..%d), %d cores, watchers read by %s\n",
		binaryName(), watchers, procs, rate, seconds, total, start+1, end, runtime.NumCPU(), mode)
	fmt.Printf("  vote→screen:  %s\n", percentiles(voteToScreen))
	fmt.Printf("  event→screen: %s (from the event's \"at\", stamped in its transaction before the commit)\n", percentiles(eventToScreen))
	fmt.Printf("  vote answered: %s\n", percentiles(answered))
	var sum, count float64
	buckets := map[float64]float64{}
	for _, p := range cl.procs {
		s, c, b := latency(t, p.base)
		sum, count = sum+s, count+c
		for le, n := range b {
			buckets[le] += n
		}
	}
	if count > 0 {
		fmt.Printf("  servers' commit→write (council_event_delivery_latency_seconds, %.0f deliveries): mean %.2f ms, p50 ≤ %s ms, p99 ≤ %s ms\n",
			count, 1000*sum/count, quantileBound(buckets, count, 0.5), quantileBound(buckets, count, 0.99))
	}
	printSlowest(perVote, 3)
	printCosts("servers' CPU time (user+system, all processes) during the votes", "voters",
		cpu, own, total*watchers, frameCount, frameBytes)
	fmt.Printf("  lost %d, duplicate %d, out of order %d\n", lost, dups, disorder)
	if lost > 0 || dups > 0 || disorder > 0 {
		t.Fatalf("%d events lost, %d duplicated, %d out of order", lost, dups, disorder)
	}
}

// warmUp sends, before the measured messages, n of them at rate through send (k from 0),
// waits until every watcher has them all, and forgets them: the first uses of a path (a
// connection's first statements, planned anew; caches being filled) are a start's cost, not
// the steady state the figures describe, and both servers get the same warm-up.
func warmUp(t *testing.T, bw []*benchWatcher, n, rate int, send func(k int) error) {
	t.Helper()
	if n == 0 {
		return
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for k := 0; k < n; k++ {
		<-tick.C
		if err := send(k); err != nil {
			t.Fatalf("warm-up message %d: %v", k, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for i, w := range bw {
		for w.n.Load() < int64(n) {
			if time.Now().After(deadline) {
				t.Fatalf("watcher %d saw %d of the %d warm-up messages", i, w.n.Load(), n)
			}
			time.Sleep(10 * time.Millisecond)
		}
		w.mu.Lock()
		w.frames = nil
		w.n.Add(-int64(n))
		w.mu.Unlock()
	}
}

// voteTrace is where one vote's time went: from its request to the event's "at" (stamped in
// its transaction), to its answer, and to the first and the last screen on each process.
type voteTrace struct {
	k, to       int // the vote, and the process it was sent to
	stamped     time.Duration
	answered    time.Duration
	first, last []time.Duration // by process
}

func (v *voteTrace) screen(proc int, d time.Duration) {
	if v.first[proc] == 0 || d < v.first[proc] {
		v.first[proc] = d
	}
	v.last[proc] = max(v.last[proc], d)
}

func (v *voteTrace) slowest() time.Duration { return slices.Max(v.last) }

// printSlowest prints the n votes whose last screen came latest: with 2000 deliveries a vote,
// these are the votes that make the p99, and the line says whether their time went before the
// commit, in their answer, or in one process's fan-out.
func printSlowest(votes []voteTrace, n int) {
	byLast := slices.Clone(votes)
	slices.SortFunc(byLast, func(a, b voteTrace) int { return cmp.Compare(b.slowest(), a.slowest()) })
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	var relay, span, stamped, firstOwn []time.Duration
	for _, v := range votes {
		stamped = append(stamped, v.stamped)
		own := v.last[v.to] > 0 // fewer watchers than processes leave some without screens
		if own {
			firstOwn = append(firstOwn, v.first[v.to])
		}
		for p := range v.first {
			if v.last[p] == 0 {
				continue
			}
			span = append(span, v.last[p]-v.first[p])
			if p != v.to && own {
				relay = append(relay, v.first[p]-v.first[v.to])
			}
		}
	}
	fmt.Printf("  a vote's request to its event's \"at\": %s\n", percentiles(stamped))
	fmt.Printf("  a vote's request to its first screen: %s\n", percentiles(firstOwn))
	if len(relay) > 0 {
		fmt.Printf("  the other processes' first screen after the first on the vote's own: %s\n", percentiles(relay))
	}
	fmt.Printf("  first to last screen on one process: %s\n", percentiles(span))
	for _, v := range byLast[:min(n, len(byLast))] {
		var screens []string
		for p := range v.first {
			if v.last[p] == 0 {
				screens = append(screens, fmt.Sprintf("process %d none", p))
				continue
			}
			screens = append(screens, fmt.Sprintf("process %d %s–%s ms", p, ms(v.first[p]), ms(v.last[p])))
		}
		fmt.Printf("  a slowest vote: #%d to process %d: stamped %s ms, answered %s ms, screens %s\n",
			v.k, v.to, ms(v.stamped), ms(v.answered), strings.Join(screens, ", "))
	}
}

// printCosts prints what the fan-out cost the servers and the harness per delivery, and the
// frames' mean size: the lines bench-live and bench-centrifugo share, so the two read alike.
func printCosts(servers, senders string, cpu, own time.Duration, deliveries, frameCount, frameBytes int) {
	fmt.Printf("  %s: %v, %.1f µs per delivery\n",
		servers, cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(deliveries))
	fmt.Printf("  the harness's own CPU time (its watchers and %s): %v, %.1f µs per delivery\n",
		senders, own.Round(time.Millisecond), float64(own.Microseconds())/float64(deliveries))
	fmt.Printf("  %d frames of %d bytes on average\n", frameCount, frameBytes/max(frameCount, 1))
}

// clusterCPU adds up the user and system CPU time the cluster's processes have used.
func clusterCPU(t *testing.T, cl *cluster) time.Duration {
	t.Helper()
	pids := make([]int, len(cl.procs))
	for i, p := range cl.procs {
		pids[i] = p.cmd.Process.Pid
	}
	return pidsCPU(t, pids)
}

// binaryName says which server binary is measured.
func binaryName() string {
	if b := os.Getenv("COUNCIL_BIN"); b != "" {
		return b
	}
	return "this tree's server"
}

// rssKiB reads a process's resident set from /proc.
func rssKiB(t *testing.T, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			v, _ := leadingInt([]byte(strings.TrimSpace(rest)))
			return v
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// gauge reads one unlabelled sample from a process's /metrics.
func gauge(t *testing.T, base, name string) float64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	for _, line := range strings.Split(buf.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v
		}
	}
	return -1
}

// TestBenchIdle is `make bench-idle`: one server process on PostgreSQL and Redis; its resident
// set is read before and after SOCKETS (default 10,000) websockets follow one council without
// traffic, and the difference divided by their number is printed.
func TestBenchIdle(t *testing.T) {
	if os.Getenv("BENCH") != "idle" {
		t.Skip("a load tool: run with BENCH=idle (make bench-idle)")
	}
	n := benchEnv(t, "SOCKETS", 10000)
	cl := newCluster(t, 1, testenv.RedisURL(), benchCaps...)
	p := cl.procs[0]
	d := setUp(t, p.base, 4, 1)
	pid := p.cmd.Process.Pid
	// Warm the paths once, so that what they allocate for good is not counted per socket.
	warm := dialAll(t, 64, func(i int) (*websocket.Conn, error) { return dialBench(p.base, d.councilID, d.members[i%4]) })
	for _, ws := range warm {
		ws.Close()
	}
	waitFor(t, 10*time.Second, "the warm-up sockets to close", func() bool {
		return gauge(t, p.base, "council_websocket_connections") == 0
	})
	time.Sleep(2 * time.Second)
	before := rssKiB(t, pid)
	heap0, stack0 := gauge(t, p.base, "go_memstats_heap_inuse_bytes"), gauge(t, p.base, "go_memstats_stack_inuse_bytes")
	ws := dialAll(t, n, func(i int) (*websocket.Conn, error) { return dialBench(p.base, d.councilID, d.members[i%4]) })
	defer func() {
		for _, c := range ws {
			c.Close()
		}
	}()
	for _, c := range ws { // read, so that pings are answered as a browser would
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	waitFor(t, 30*time.Second, "every socket attached", func() bool {
		return gauge(t, p.base, "council_websocket_connections") == float64(n)
	})
	time.Sleep(5 * time.Second)
	after := rssKiB(t, pid)
	goroutines := gauge(t, p.base, "go_goroutines")
	heap1, stack1 := gauge(t, p.base, "go_memstats_heap_inuse_bytes"), gauge(t, p.base, "go_memstats_stack_inuse_bytes")
	fmt.Printf("bench-idle: %s, %d idle websockets on one process\n", binaryName(), n)
	fmt.Printf("  RSS %d KiB before, %d KiB after: %.1f KiB per socket; %.0f goroutines (%.2f per socket)\n",
		before, after, float64(after-before)/float64(n), goroutines, goroutines/float64(n))
	fmt.Printf("  of which Go heap in use %.1f KiB and goroutine stacks %.1f KiB per socket\n",
		(heap1-heap0)/1024/float64(n), (stack1-stack0)/1024/float64(n))
}
