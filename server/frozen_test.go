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

// answer is one request sent while the database was frozen, and how it went.
type answer struct {
	name   string
	status int
	header http.Header
	body   string
	took   time.Duration
	err    error
}

// timed sends one request as c (its cookies and CSRF token) and measures how long the answer took.
func (c *client) timed(name, method, url string, body any) answer {
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
	start := time.Now()
	resp, err := c.http.Do(req)
	a := answer{name: name, err: err}
	if err == nil {
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		a.status, a.header, a.body = resp.StatusCode, resp.Header, string(raw)
	}
	a.took = time.Since(start)
	return a
}

// TestFrozenDatabase stops a PostgreSQL of the test's own with SIGSTOP under a running server:
// readiness, reads, votes and pages answer 503 within their deadlines instead of hanging,
// static files are still served, and once the database runs again everything works without
// a restart.
func TestFrozenDatabase(t *testing.T) {
	pg := testenv.StartPostgres(t)
	cmd := exec.Command(binary, "admin", "create", "--email", "admin@example.org", "--name", "Admin")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+pg.URL)
	cmd.Stdin = strings.NewReader("admin-password\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v %s", err, out)
	}
	const requestTimeout = 3 * time.Second
	p := startServer(t, t.TempDir(), "DATABASE_URL="+pg.URL, "REQUEST_TIMEOUT="+requestTimeout.String())
	d := setUp(t, p.base, 1, 1)
	voter := d.members[0]
	voteURL := fmt.Sprintf("%s/api/v1/proposals/%d/vote", p.base, d.proposals[0])
	voter.must("PUT", voteURL, map[string]string{"choice": "for"}, nil)

	pg.Freeze(t)
	frozenAt := time.Now()
	requests := []func() answer{
		func() answer { return voter.timed("readyz", "GET", p.base+"/readyz", nil) },
		func() answer { return voter.timed("councils", "GET", p.base+"/api/v1/councils", nil) },
		func() answer { return voter.timed("vote", "PUT", voteURL, map[string]string{"choice": "against"}) },
		func() answer { return voter.timed("page", "GET", p.base+"/", nil) },
		func() answer { return voter.timed("static", "GET", p.base+"/static/js/app.js", nil) },
		func() answer { return newClient(t).timed("anonymous councils", "GET", p.base+"/api/v1/councils", nil) },
	}
	answers := make([]answer, len(requests))
	var wg sync.WaitGroup
	for i, req := range requests {
		wg.Go(func() { answers[i] = req() })
	}
	wg.Wait()
	// Requests answer 503 at the request deadline, give or take the time to write the answer.
	limit := map[string]time.Duration{"readyz": 3 * time.Second, "static": time.Second}
	for _, a := range answers {
		t.Logf("frozen: %-18s %d in %v", a.name, a.status, a.took.Round(time.Millisecond))
		max, ok := limit[a.name]
		if !ok {
			max = requestTimeout + 2*time.Second
		}
		want := fmt.Sprint(http.StatusServiceUnavailable)
		if a.name == "static" {
			want = fmt.Sprint(http.StatusOK)
		}
		switch {
		case a.err != nil:
			t.Errorf("%s: %v after %v", a.name, a.err, a.took)
		case fmt.Sprint(a.status) != want:
			t.Errorf("%s: %d, want %s: %.300s", a.name, a.status, want, a.body)
		case a.took > max:
			t.Errorf("%s: answered after %v, want within %v", a.name, a.took, max)
		case a.name != "static" && a.name != "readyz" && a.header.Get("Retry-After") == "":
			t.Errorf("%s: 503 without Retry-After", a.name)
		case strings.Contains(a.name, "councils") || a.name == "vote":
			var body struct{ Error, Message string }
			if json.Unmarshal([]byte(a.body), &body); body.Error != "unavailable" || body.Message == "" {
				t.Errorf("%s: body %s, want error unavailable", a.name, a.body)
			}
		}
	}
	if t.Failed() {
		t.Logf("server log:\n%s", p.Log())
	}

	pg.Thaw(t)
	thawedAt := time.Now()
	t.Logf("frozen for %v", thawedAt.Sub(frozenAt).Round(time.Millisecond))
	waitFor(t, 15*time.Second, "/readyz to answer 200 after SIGCONT", func() bool {
		return voter.timed("readyz", "GET", p.base+"/readyz", nil).status == http.StatusOK
	})
	t.Logf("ready again %v after SIGCONT", time.Since(thawedAt).Round(time.Millisecond))
	var vote struct{ Choice string }
	voter.must("PUT", voteURL, map[string]string{"choice": "abstain"}, &vote)
	voter.must("GET", p.base+"/api/v1/councils", nil, nil)
	var proposal struct {
		MyVote string `json:"my_vote"`
	}
	voter.must("GET", fmt.Sprintf("%s/api/v1/proposals/%d", p.base, d.proposals[0]), nil, &proposal)
	if vote.Choice != "abstain" || proposal.MyVote != "abstain" {
		t.Fatalf("the vote after SIGCONT: %q, proposal shows %q", vote.Choice, proposal.MyVote)
	}
	t.Logf("serving again %v after SIGCONT", time.Since(thawedAt).Round(time.Millisecond))
}

// A request timeout that is not a positive duration stops the process with a message that
// names the setting, rather than serving without deadlines.
func TestRequestTimeoutSetting(t *testing.T) {
	for _, bad := range []string{"soon", "10", "-1s", "0s"} {
		cmd := exec.Command(binary, "migrate")
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "DATABASE_URL=", "REQUEST_TIMEOUT="+bad)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "REQUEST_TIMEOUT") {
			t.Errorf("REQUEST_TIMEOUT=%s: %v\n%s", bad, err, out)
		}
	}
	cmd := exec.Command(binary, "migrate", "--request-timeout", "0s")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "DATABASE_URL=", "REQUEST_TIMEOUT=")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "request-timeout") {
		t.Errorf("--request-timeout 0s: %v\n%s", err, out)
	}
}
