package main

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/testenv"
)

// TestBenchVotes is a load tool, not a check: with BENCH=votes (`make bench-votes`) it runs two
// processes on PostgreSQL and Redis, one council with an open round, and 16 voters voting as
// fast as the server answers for BENCH_SECONDS (default 10), then counts the votes committed
// (the council's seq: one event per vote) and prints committed votes per second. Then it runs
// pgbench, 16 clients for as long, on the same database with testdata/vote_tx.pgbench — the
// vote's SQL transaction as the platform issued it before it was reworked — and prints pgbench's
// transactions per second and the ratio of the two. It fails only if a vote answered 200 did
// not commit, or a commit has no answer, or a vote was refused: it asserts nothing about time.
// COUNCIL_BIN names a binary built already, to measure an earlier commit beside the new one.
func TestBenchVotes(t *testing.T) {
	if os.Getenv("BENCH") != "votes" {
		t.Skip("a load tool: run with BENCH=votes (make bench-votes)")
	}
	seconds := 10
	if s := os.Getenv("BENCH_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("BENCH_SECONDS=%q: want a number of seconds", s)
		}
		seconds = n
	}
	duration := time.Duration(seconds) * time.Second
	const voters, proposals = 16, 5
	cl := newCluster(t, 2, testenv.RedisURL())
	d := setUp(t, cl.procs[0].base, voters, proposals)
	start := lastSeq(t, d.members[0], cl.procs[0].base, d.councilID)

	// Each voter votes in turn on the proposals, through the two processes in turn, as soon
	// as its previous vote is answered.
	var accepted, refused atomic.Int64
	var firstErr atomic.Value
	choices := []string{"for", "against", "abstain"}
	deadline := time.Now().Add(duration)
	began := time.Now()
	var wg sync.WaitGroup
	for i, m := range d.members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; time.Now().Before(deadline); j++ {
				base := cl.procs[(i+j)%len(cl.procs)].base
				p := d.proposals[(i+j)%len(d.proposals)]
				_, err := m.call("PUT", fmt.Sprintf("%s/api/v1/proposals/%d/vote", base, p), map[string]string{"choice": choices[(i*7+j)%3]}, nil)
				if err != nil {
					refused.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				accepted.Add(1)
			}
		}()
	}
	wg.Wait()
	took := time.Since(began)
	end := lastSeq(t, d.members[0], cl.procs[1].base, d.councilID)
	committed := end - start
	platform := float64(committed) / took.Seconds()
	fmt.Printf("platform (%s): %d votes committed in %v by %d voters through %d processes: %.0f votes/s\n",
		filepath.Base(binary), committed, took.Round(time.Millisecond), voters, len(cl.procs), platform)
	if committed != accepted.Load() || refused.Load() > 0 {
		t.Fatalf("%d votes answered 200, %d refused (first: %v), but %d committed", accepted.Load(), refused.Load(), firstErr.Load(), committed)
	}

	tps := pgbenchVotes(t, cl.dbURL, d, voters, seconds)
	fmt.Printf("pgbench, the vote's SQL transaction, %d clients, same database: %.0f tps\n", voters, tps)
	fmt.Printf("ratio platform / pgbench: %.2f\n", platform/tps)
}

// pgbenchVotes runs testdata/vote_tx.pgbench on the council's database and returns pgbench's tps.
func pgbenchVotes(t *testing.T, dbURL string, d *deliberation, clients, seconds int) float64 {
	t.Helper()
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
		if len(matches) == 0 {
			t.Fatal("pgbench is needed (Debian: the postgresql-15 package, which .ci/services.sh installs)")
		}
		bin = matches[len(matches)-1]
	}
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids struct {
		Round int64 `db:"round"`
		UMin  int64 `db:"umin"`
		UMax  int64 `db:"umax"`
		Seats int64 `db:"seats"`
	}
	if err := db.Get(&ids, `SELECT (SELECT id FROM rounds WHERE council_id = $1) AS round,
		MIN(user_id) AS umin, MAX(user_id) AS umax, COUNT(*) AS seats FROM memberships WHERE council_id = $1`, d.councilID); err != nil {
		t.Fatal(err)
	}
	if ids.UMax-ids.UMin+1 != ids.Seats || len(d.proposals) == 0 || d.proposals[len(d.proposals)-1]-d.proposals[0]+1 != int64(len(d.proposals)) {
		t.Fatalf("the voters' or proposals' ids are not one run: %+v %v", ids, d.proposals)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.RawQuery = "" // libpq's URI takes sslmode, but nothing the Go driver alone knows
	cmd := exec.Command(bin, "-n", "-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(seconds),
		"-f", filepath.Join("testdata", "vote_tx.pgbench"),
		"-D", fmt.Sprintf("council=%d", d.councilID), "-D", fmt.Sprintf("round=%d", ids.Round),
		"-D", fmt.Sprintf("pmin=%d", d.proposals[0]), "-D", fmt.Sprintf("pmax=%d", d.proposals[len(d.proposals)-1]),
		"-D", fmt.Sprintf("umin=%d", ids.UMin), "-D", fmt.Sprintf("umax=%d", ids.UMax), u.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pgbench printed no tps:\n%s", out)
	}
	if fails := regexp.MustCompile(`number of failed transactions: ([1-9][0-9]*)`).FindSubmatch(out); fails != nil {
		t.Fatalf("pgbench: %s transactions failed:\n%s", fails[1], out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	return tps
}
