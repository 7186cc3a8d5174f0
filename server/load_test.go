package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/testenv"
)

// TestLoadLiveFanout is a load tool, not a check: with LOAD=1 (`make load`) it runs three
// processes on PostgreSQL and Redis, 30 watchers (10 per process) and 10 members voting as
// fast as the server answers, then prints throughput and the servers' own delivery latency
// (commit to websocket write) for docs/benchmarks.md.
func TestLoadLiveFanout(t *testing.T) {
	if os.Getenv("LOAD") == "" {
		t.Skip("a load tool: run with LOAD=1 (make load)")
	}
	cl := newCluster(t, 3, testenv.RedisURL())
	d := setUp(t, cl.procs[0].base, 10, 5)
	start := lastSeq(t, d.members[0], cl.procs[0].base, d.councilID)
	var watchers []*watcher
	for i := 0; i < 30; i++ {
		w := &watcher{t: t, c: d.members[i%10], from: start}
		if err := w.connect(cl.procs[i%3].base, d.councilID, true); err != nil {
			t.Fatal(err)
		}
		defer w.ws.Close()
		watchers = append(watchers, w)
	}
	time.Sleep(300 * time.Millisecond)
	const votes = 200
	began := time.Now()
	accepted := burst(d, func(i int) string { return cl.procs[i%3].base }, votes, false)
	took := time.Since(began)
	total := 0
	for _, n := range accepted {
		total += n
	}
	end := start + int64(total)
	for i, w := range watchers {
		waitFor(t, 60*time.Second, fmt.Sprintf("watcher %d", i), func() bool { return w.last() >= end })
		w.check(t, fmt.Sprintf("watcher %d", i), start, end)
	}
	allIn := time.Since(began)
	fmt.Printf("votes: %d in %v (%.0f votes/s through 3 processes, one council)\n", total, took.Round(time.Millisecond), float64(total)/took.Seconds())
	fmt.Printf("every one of 30 watchers had all %d events %v after the first vote\n", total, allIn.Round(time.Millisecond))
	var sum, count float64
	buckets := map[float64]float64{}
	for _, p := range cl.procs {
		s, c, b := latency(t, p.base)
		sum, count = sum+s, count+c
		for le, n := range b {
			buckets[le] += n
		}
	}
	fmt.Printf("delivery latency, commit to write, over %.0f deliveries: mean %.1f ms", count, 1000*sum/count)
	for _, q := range []float64{0.5, 0.99} {
		fmt.Printf(", p%.0f ≤ %s ms", q*100, quantileBound(buckets, count, q))
	}
	fmt.Println()
}

// metricsToken is the bearer token the test processes ask for on /metrics.
const metricsToken = "test-metrics-token"

// latency reads the delivery-latency histogram from a process's /metrics.
func latency(t *testing.T, base string) (sum, count float64, buckets map[float64]float64) {
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buckets = map[float64]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		name, value, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(name, "council_event_delivery_latency_seconds") {
			continue
		}
		v, _ := strconv.ParseFloat(value, 64)
		switch {
		case strings.HasSuffix(name, "_sum"):
			sum = v
		case strings.HasSuffix(name, "_count"):
			count = v
		case strings.Contains(name, `le="`):
			le := name[strings.Index(name, `le="`)+4 : strings.LastIndex(name, `"`)]
			if f, err := strconv.ParseFloat(le, 64); err == nil {
				buckets[f] = v
			}
		}
	}
	return sum, count, buckets
}

// quantileBound names the smallest bucket bound holding the quantile.
func quantileBound(buckets map[float64]float64, count, q float64) string {
	best := -1.0
	for le, n := range buckets {
		if n >= q*count && (best < 0 || le < best) {
			best = le
		}
	}
	if best < 0 {
		return "∞"
	}
	return strconv.FormatFloat(best*1000, 'f', -1, 64)
}
