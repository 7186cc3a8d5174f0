package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/perushtitsa/council/server/testenv"
)

// TestBenchCentrifugo is `make bench-centrifugo`: the reference beside `make bench-live`.
// Two Centrifugo nodes (the binary CENTRIFUGO names, built outside this repository) share
// Redis through its Redis engine; WATCHERS websockets (default 2000) spread over the two nodes
// subscribe to one channel with Centrifugo's JSON protocol, while a publisher publishes RATE
// messages a second (default 5) for SECONDS (default 20) through the server HTTP API, to the
// nodes in turn, each from its own goroutine and carrying its number. Every watcher keeps each
// frame with the time it arrived, as in TestBenchLive; frames are parsed after the run and the
// same percentiles are printed: publish→screen (the publish request is sent → the watcher has
// the message), the publish answer, the nodes' CPU time, and lost and duplicate messages.
func TestBenchCentrifugo(t *testing.T) {
	bin := os.Getenv("CENTRIFUGO")
	if os.Getenv("BENCH") != "centrifugo" || bin == "" {
		t.Skip("a load tool: run with BENCH=centrifugo CENTRIFUGO=/path/to/centrifugo (make bench-centrifugo)")
	}
	watchers := benchEnv(t, "WATCHERS", 2000)
	rate := benchEnv(t, "RATE", 5)
	seconds := benchEnv(t, "SECONDS", 20)
	warm := benchEnvFrom(t, "WARMUP", 3, 0)
	const nodes = 2
	mode, err := watchMode()
	if err != nil {
		t.Fatal(err)
	}
	const channel = "bench"
	apiKey := randomHex(16)
	prefix := "bench-cf-" + randomHex(4)

	var bases []string
	var pids []int
	for i := 0; i < nodes; i++ {
		base, pid := startCentrifugo(t, bin, i, apiKey, prefix)
		bases = append(bases, base)
		pids = append(pids, pid)
	}
	// Both nodes see each other through Redis before any client comes.
	for _, base := range bases {
		waitFor(t, 30*time.Second, "both Centrifugo nodes in "+base+"'s info", func() bool {
			var info struct {
				Result struct {
					Nodes []json.RawMessage `json:"nodes"`
				} `json:"result"`
			}
			body, err := centrifugoAPI(base, apiKey, "info", []byte(`{}`))
			return err == nil && json.Unmarshal(body, &info) == nil && len(info.Result.Nodes) == nodes
		})
	}

	ws := dialAll(t, watchers, func(i int) (*websocket.Conn, error) {
		return dialCentrifugo(bases[i%nodes], channel)
	})
	bw := make([]*benchWatcher, watchers)
	for i, c := range ws {
		bw[i] = &benchWatcher{ws: c}
	}
	stop := watch(t, mode, ws, bw, centrifugoPushes, centrifugoPong, (*benchWatcher).readAndPong)
	defer func() {
		stop()
		for _, w := range bw {
			w.ws.Close()
		}
	}()
	time.Sleep(time.Second) // as TestBenchLive: every subscription settled

	pad := strings.Repeat("x", 300) // a message of about the size of a vote's event
	message := func(k int) []byte {
		return fmt.Appendf(nil, `{"channel":%q,"data":{"n":%d,"pad":%q}}`, channel, k, pad)
	}
	warmUp(t, bw, rate*warm, rate, func(k int) error {
		_, err := centrifugoAPI(bases[k%nodes], apiKey, "publish", message(k))
		return err
	})
	cpu0, own0 := pidsCPU(t, pids), pidsCPU(t, []int{os.Getpid()})

	total := rate * seconds
	sent := make([]time.Time, total)
	answered := make([]time.Duration, total)
	failed := make([]error, total)
	var pubs sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for k := 0; k < total; k++ {
		<-tick.C
		pubs.Add(1)
		go func() {
			defer pubs.Done()
			body := message(k)
			sent[k] = time.Now()
			_, failed[k] = centrifugoAPI(bases[k%nodes], apiKey, "publish", body)
			answered[k] = time.Since(sent[k])
		}()
	}
	tick.Stop()
	pubs.Wait()
	for k, err := range failed {
		if err != nil {
			t.Fatalf("publish %d: %v", k, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, w := range bw {
		for w.n.Load() < int64(total) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(500 * time.Millisecond) // a duplicate, if any, would arrive now
	cpu, own := pidsCPU(t, pids)-cpu0, pidsCPU(t, []int{os.Getpid()})-own0

	var pubToScreen []time.Duration
	lost, dups, disorder := 0, 0, 0
	frameBytes, frameCount := 0, 0
	for i, w := range bw {
		w.mu.Lock()
		frames, rerr := w.frames, w.err
		w.mu.Unlock()
		if rerr != nil {
			t.Errorf("watcher %d was disconnected: %v", i, rerr)
		}
		seen := make([]bool, total)
		prev := int64(-1)
		for _, f := range frames {
			frameBytes += len(f.msg)
			frameCount++
			// The JSON protocol may put several replies in one frame, a line each; a ping is {}.
			for _, line := range bytes.Split(f.msg, []byte("\n")) {
				if len(line) == 0 || string(line) == "{}" {
					continue
				}
				k, ok := leadingInt(field(line, "n"))
				if !ok || !bytes.Contains(line, []byte(`"push"`)) || k < 0 || int(k) >= total {
					t.Fatalf("watcher %d: unexpected frame %s", i, line)
				}
				if seen[k] {
					dups++
					continue
				}
				seen[k] = true
				if k < prev {
					disorder++
				}
				prev = k
				pubToScreen = append(pubToScreen, f.at.Sub(sent[k]))
			}
		}
		for _, s := range seen {
			if !s {
				lost++
			}
		}
	}
	fmt.Printf("bench-centrifugo: %s (Redis engine), %d watchers over %d nodes, %d messages/s for %d s (%d messages), %d cores, watchers read by %s\n",
		bin, watchers, nodes, rate, seconds, total, runtime.NumCPU(), mode)
	fmt.Printf("  publish→screen: %s\n", percentiles(pubToScreen))
	fmt.Printf("  publish answered: %s\n", percentiles(answered))
	printCosts("nodes' CPU time (user+system, both processes) during the messages", "publisher",
		cpu, own, total*watchers, frameCount, frameBytes)
	fmt.Printf("  lost %d, duplicate %d, out of order %d\n", lost, dups, disorder)
	if lost > 0 || dups > 0 {
		t.Fatalf("%d messages lost, %d duplicated", lost, dups)
	}
}

// startCentrifugo runs node i of the reference with its Redis engine on a free loopback port
// and returns its base URL and process id once its HTTP API answers.
func startCentrifugo(t *testing.T, bin string, i int, apiKey, prefix string) (string, int) {
	t.Helper()
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cfg := map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": port},
		"log":         map[string]any{"level": "warn"},
		"engine": map[string]any{"type": "redis", "redis": map[string]any{
			"address": []string{testenv.RedisURL()}, "prefix": prefix,
		}},
		"client": map[string]any{
			"allowed_origins":                       []string{base},
			"allow_anonymous_connect_without_token": true,
		},
		"channel": map[string]any{"without_namespace": map[string]any{
			"allow_subscribe_for_anonymous": true, "allow_subscribe_for_client": true,
		}},
		"http_api":    map[string]any{"key": apiKey},
		"usage_stats": map[string]any{"disabled": true},
		"node":        map[string]any{"name": fmt.Sprintf("bench-%d", i)},
	}
	raw, _ := json.Marshal(cfg)
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", path)
	var log bytes.Buffer
	var mu sync.Mutex
	cmd.Stdout = io.Discard
	cmd.Stderr = &lockedWriter{mu: &mu, w: &log}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := centrifugoAPI(base, apiKey, "info", []byte(`{}`)); err == nil {
			return base, cmd.Process.Pid
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Fatalf("Centrifugo node %d did not answer:\n%s", i, log.String())
	return "", 0
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// centrifugoAPI calls a method of Centrifugo's server HTTP API and returns the answer's body;
// an answer with an error is an error.
func centrifugoAPI(base, key, method string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/api/"+method, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"error"`)) {
		return nil, fmt.Errorf("%s: status %d: %s", method, resp.StatusCode, out)
	}
	return out, nil
}

// dialCentrifugo opens a websocket to a node, connects without a token and subscribes to
// channel with the JSON protocol, and returns once the subscription is confirmed.
func dialCentrifugo(base, channel string) (*websocket.Conn, error) {
	u := strings.Replace(base, "http://", "ws://", 1) + "/connection/websocket"
	h := http.Header{}
	h.Set("Origin", base)
	ws, resp, err := benchDialer.Dial(u, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, fmt.Errorf("dial %s: %v (status %d)", u, err, status)
	}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for id, cmd := range []string{`{"id":1,"connect":{}}`, fmt.Sprintf(`{"id":2,"subscribe":{"channel":%q}}`, channel)} {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(cmd)); err != nil {
			ws.Close()
			return nil, err
		}
		want := fmt.Sprintf(`{"id":%d,`, id+1)
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				ws.Close()
				return nil, fmt.Errorf("%s: %v", cmd, err)
			}
			if bytes.HasPrefix(msg, []byte(want)) {
				if bytes.Contains(msg, []byte(`"error"`)) {
					ws.Close()
					return nil, fmt.Errorf("%s: %s", cmd, msg)
				}
				break
			}
		}
	}
	ws.SetReadDeadline(time.Time{})
	return ws, nil
}

// readAndPong is read for a Centrifugo watcher: it keeps every frame with its arrival time and
// answers the server's pings ({}) with pongs ({}), as its client libraries do.
func (w *benchWatcher) readAndPong() {
	for {
		_, msg, err := w.ws.ReadMessage()
		now := time.Now()
		if err != nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
			return
		}
		if pong := centrifugoPong(msg); pong != nil {
			w.ws.WriteMessage(websocket.TextMessage, pong)
		}
		w.mu.Lock()
		w.frames = append(w.frames, frame{at: now, msg: msg})
		w.mu.Unlock()
		w.n.Add(centrifugoPushes(msg))
	}
}

// centrifugoPong is the answer to a message holding the server's ping ({} on a line of its
// own), or nil.
func centrifugoPong(msg []byte) []byte {
	if bytes.Contains(msg, []byte("{}")) {
		for _, line := range bytes.Split(msg, []byte("\n")) {
			if string(line) == "{}" {
				return []byte("{}")
			}
		}
	}
	return nil
}

// centrifugoPushes counts the publications in a message, not the frames, so that the wait for
// the last one is right when several share a frame; a ping counts for nothing.
func centrifugoPushes(msg []byte) int64 {
	return int64(bytes.Count(msg, []byte(`"push"`)))
}

// pidsCPU adds up the user and system CPU time of processes, from /proc/PID/stat (in clock
// ticks of 10 ms).
func pidsCPU(t *testing.T, pids []int) time.Duration {
	t.Helper()
	var ticks int64
	for _, pid := range pids {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
		for _, s := range f[11:13] {
			v, _ := strconv.ParseInt(s, 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
