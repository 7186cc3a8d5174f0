package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/testenv"
)

// TestBenchPages is a load tool, not a check: with BENCH=pages (`make bench-pages`) it closes a
// round with a debate and votes on each database, then measures requests per second of the
// round's public outcome page (Bulgarian and English), its record (record.json) and /healthz of
// the same process, and prints each figure beside its ratio to /healthz (the mean of /healthz
// measured just before and just after it). With BENCH_BASE naming
// another binary (an earlier commit's), each database's figures are taken from both binaries in
// turn, base then new, twice (A B A B), on the same data.
//
// The load comes from wrk when it is installed, or else from the Go generator below; either way
// BENCH_CONNS keep-alive connections (default 64) ask for BENCH_SECONDS (default 3) each, and
// send Accept-Encoding: gzip, br as browsers do (the answers are not decompressed). Only answers
// 200 count; how many were not is printed beside the figure.
func TestBenchPages(t *testing.T) {
	if os.Getenv("BENCH") != "pages" {
		t.Skip("a load tool: run with BENCH=pages (make bench-pages)")
	}
	secs := envInt("BENCH_SECONDS", 3)
	conns := envInt("BENCH_CONNS", 64)
	bins := []string{binary}
	names := []string{"new"}
	if base := os.Getenv("BENCH_BASE"); base != "" {
		bins, names = []string{base, binary, base, binary}, []string{"base", "new", "base", "new"}
	}
	tool := "the Go load generator"
	if _, err := exec.LookPath("wrk"); err == nil {
		tool = "wrk"
	}
	fmt.Printf("bench-pages: %s, %d connections, %d s per figure\n", tool, conns, secs)
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			dbURL := testenv.DatabaseURL(t, d)
			cmd := exec.Command(bins[0], "admin", "create", "--email", "admin@example.org", "--name", "Admin")
			cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
			cmd.Stdin = strings.NewReader("admin-password\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("admin create: %v %s", err, out)
			}
			dir := t.TempDir()
			var roundID int64
			for i, bin := range bins {
				p := startServerCmd(t, dir, []string{bin}, "DATABASE_URL="+dbURL, "LOG_LEVEL=warn")
				if roundID == 0 {
					roundID = closedRound(t, p.base)
				}
				page := fmt.Sprintf("%s/rounds/%d", p.base, roundID)
				figures := []struct {
					name, url string
					header    []string
				}{
					{"outcome page (bg)", page, nil},
					{"outcome page (en)", page, []string{"Cookie: lang=en"}},
					{"record.json", fmt.Sprintf("%s/api/v1/rounds/%d/record", p.base, roundID), nil},
				}
				// /healthz is measured just before and just after each figure, and the figure
				// is set against their mean: on a shared machine the load of the moment moves
				// both alike.
				healthz := p.base + "/healthz"
				warm(t, healthz, nil)
				before, _ := loadFor(t, tool, healthz, nil, conns, time.Duration(secs)*time.Second)
				for _, f := range figures {
					size := warm(t, f.url, f.header)
					rps, failed := loadFor(t, tool, f.url, f.header, conns, time.Duration(secs)*time.Second)
					after, _ := loadFor(t, tool, healthz, nil, conns, time.Duration(secs)*time.Second)
					health := (before + after) / 2
					note := ""
					if failed > 0 {
						note = fmt.Sprintf(", %d answers not 200", failed)
					}
					fmt.Printf("%s %-4s %-18s %9.0f req/s  /healthz %6.0f  %.3f of /healthz  (%s%s)\n", d, names[i], f.name, rps, health, rps/health, size, note)
					before = after
				}
				p.cmd.Process.Kill()
				<-p.done
			}
		})
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// closedRound makes a council whose round had a debate, votes and a summary, closes it and
// returns its id.
func closedRound(t *testing.T, base string) int64 {
	d := setUp(t, base, 5, 4)
	mod := d.members[0]
	var r struct{ ID int64 }
	var rounds struct{ Rounds []struct{ ID int64 } }
	mod.must("GET", fmt.Sprintf("%s/api/v1/councils/%d/rounds", base, d.councilID), nil, &rounds)
	r.ID = rounds.Rounds[0].ID
	var topic struct{ ID int64 }
	mod.must("POST", fmt.Sprintf("%s/api/v1/rounds/%d/topics", base, r.ID), map[string]string{"title": "Обсъждане", "body": "Какво да направим с **площада**?"}, &topic)
	for i, m := range d.members {
		for j := 0; j < 3; j++ {
			m.must("POST", fmt.Sprintf("%s/api/v1/topics/%d/posts", base, topic.ID), map[string]string{"body": fmt.Sprintf("Мнение %d от член %d: пейки, дървета и осветление по *главната* улица.", j, i)}, nil)
		}
		for k, p := range d.proposals {
			choice := []string{"for", "against", "abstain"}[(i+k)%3]
			m.must("PUT", fmt.Sprintf("%s/api/v1/proposals/%d/vote", base, p), map[string]string{"choice": choice}, nil)
		}
	}
	mod.must("POST", fmt.Sprintf("%s/api/v1/rounds/%d/close", base, r.ID), map[string]string{"outcome_summary": "Съветът прие две от четирите предложения."}, nil)
	return r.ID
}

// warm asks once, so that the first figure does not include what the first request renders,
// and fails the run on anything but 200.
func warm(t *testing.T, url string, header []string) string {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	for _, h := range header {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", url, resp.StatusCode)
	}
	enc := resp.Header.Get("Content-Encoding")
	if enc == "" {
		enc = "identity"
	}
	return fmt.Sprintf("%d B %s", n, enc)
}

var (
	wrkRate   = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkCount  = regexp.MustCompile(`(\d+) requests in`)
	wrkFailed = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

// loadFor measures requests per second of url with tool: the answers 200, and how many were
// anything else (a server that gives up under the load says so with 503).
func loadFor(t *testing.T, tool, url string, header []string, conns int, d time.Duration) (float64, int) {
	if tool == "wrk" {
		args := []string{"-t2", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(d.Seconds())) + "s", "-H", "Accept-Encoding: gzip, br"}
		for _, h := range header {
			args = append(args, "-H", h)
		}
		out, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
		if err != nil {
			t.Fatalf("wrk: %v %s", err, out)
		}
		m, n := wrkRate.FindSubmatch(out), wrkCount.FindSubmatch(out)
		if m == nil || n == nil {
			t.Fatalf("wrk said:\n%s", out)
		}
		rps, _ := strconv.ParseFloat(string(m[1]), 64)
		total, _ := strconv.Atoi(string(n[1]))
		failed := 0
		if f := wrkFailed.FindSubmatch(out); f != nil {
			failed, _ = strconv.Atoi(string(f[1]))
		}
		if total > 0 {
			rps *= float64(total-failed) / float64(total)
		}
		return rps, failed
	}
	return goLoad(url, header, conns, d)
}

// goLoad is the load generator used without wrk: conns goroutines, each with its own
// keep-alive connection, asking one after the other until d has passed.
func goLoad(url string, header []string, conns int, d time.Duration) (float64, int) {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var done, failed atomic.Int64
	var wg sync.WaitGroup
	began := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
				req.Header.Set("Accept-Encoding", "gzip, br")
				for _, h := range header {
					k, v, _ := strings.Cut(h, ": ")
					req.Header.Set(k, v)
				}
				resp, err := tr.RoundTrip(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
				} else {
					done.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(began).Seconds(), int(failed.Load())
}
