package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/testenv"
)

// TestLoadSurveyResponses is a load tool, not a check: with LOAD=1 (`make load-surveys`) it
// runs one process on each database, opens a public survey, and has 200 clients send 2,000
// responses to it at once (each client from an address of its own, each response from a
// browser of its own), then prints responses per second for docs/benchmarks.md.
func TestLoadSurveyResponses(t *testing.T) {
	if os.Getenv("LOAD") == "" {
		t.Skip("a load tool: run with LOAD=1 (make load-surveys)")
	}
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			dbURL := testenv.DatabaseURL(t, d)
			cmd := exec.Command(binary, "admin", "create", "--email", "admin@example.org", "--name", "Admin")
			cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
			cmd.Stdin = strings.NewReader("admin-password\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("admin create: %v %s", err, out)
			}
			p := startServer(t, t.TempDir(), "DATABASE_URL="+dbURL, "PROXY_HEADER=X-Forwarded-For", "LOG_LEVEL=warn")
			admin := newClient(t)
			admin.signIn(p.base, "admin@example.org", "admin-password")
			var sv struct{ ID int64 }
			admin.must("POST", p.base+"/api/v1/surveys", map[string]any{"title": "Load", "audience": "public", "results": "live",
				"questions": []map[string]any{
					{"kind": "single", "text": "Q1", "options": []string{"a", "b", "c"}, "required": true},
					{"kind": "multiple", "text": "Q2", "options": []string{"a", "b", "c"}},
					{"kind": "scale", "text": "Q3", "required": true},
					{"kind": "text", "text": "Q4"},
				}}, &sv)
			admin.must("POST", fmt.Sprintf("%s/api/v1/surveys/%d/open", p.base, sv.ID), nil, nil)
			const clients, each = 200, 10
			url := fmt.Sprintf("%s/api/v1/surveys/%d/responses", p.base, sv.ID)
			var wg sync.WaitGroup
			var mu sync.Mutex
			failed := map[int]int{}
			start := make(chan struct{})
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					hc := &http.Client{Timeout: 30 * time.Second}
					addr := fmt.Sprintf("203.0.%d.%d", 113+c/250, c%250+1)
					<-start
					for i := 0; i < each; i++ {
						if status := respondOnce(hc, url, addr, c*each+i); status != http.StatusCreated {
							mu.Lock()
							failed[status]++
							mu.Unlock()
						}
					}
				}()
			}
			began := time.Now()
			close(start)
			wg.Wait()
			took := time.Since(began)
			var res struct{ Responses int }
			admin.must("GET", fmt.Sprintf("%s/api/v1/surveys/%d/results", p.base, sv.ID), nil, &res)
			if len(failed) > 0 || res.Responses != clients*each {
				t.Fatalf("refused by status: %v; %d responses counted, want %d", failed, res.Responses, clients*each)
			}
			fmt.Printf("%s: %d responses to one public survey from %d clients in %v: %.0f responses/s\n",
				d, res.Responses, clients, took.Round(time.Millisecond), float64(res.Responses)/took.Seconds())
		})
	}
}

// respondOnce sends one response as a new browser (no cookie) from a client address.
func respondOnce(hc *http.Client, url, addr string, n int) int {
	body, _ := json.Marshal(map[string]any{"answers": []map[string]any{
		{"question": 1, "choice": n % 3}, {"question": 2, "choices": []int{n % 3}}, {"question": 3, "value": 1 + n%5},
		{"question": 4, "text": fmt.Sprintf("answer %d", n)}}})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := hc.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
