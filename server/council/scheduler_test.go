package council_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// syncBuffer is a log destination the scheduler's goroutine and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// With the database stopped, each pass of the scheduler gives up at its limit and the next
// one starts, instead of the first waiting for as long as the database is stopped; once the
// database runs again, the round that fell due in the meantime is closed.
func TestSchedulerPassesEndWhileTheDatabaseIsFrozen(t *testing.T) {
	pg := testenv.StartPostgres(t)
	w := testenv.NewWorld(t, testenv.OpenURL(t, pg.URL))
	var logged syncBuffer
	svc := council.NewService(council.Config{Store: w.Store, Log: slog.New(slog.NewTextHandler(&logged, nil))})
	ctx := context.Background()
	soon := time.Now().Add(1500 * time.Millisecond)
	title, ballot, quorum := "Due", model.BallotOpen, 0
	r, err := svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OpenRound(ctx, w.Moderator, r.ID, &soon); err != nil {
		t.Fatal(err)
	}
	pg.Freeze(t)
	runCtx, stop := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { svc.RunScheduler(runCtx, 50*time.Millisecond, 300*time.Millisecond); close(stopped) }()
	time.Sleep(2 * time.Second)
	pg.Thaw(t)
	if n := strings.Count(logged.String(), "scheduled closing failed"); n < 3 {
		t.Errorf("%d passes gave up in 2 s frozen, want one every 350 ms or so:\n%s", n, logged.String())
	}
	waitUntil(t, 10*time.Second, "the due round to close after the thaw", func() bool {
		got, err := svc.Round(ctx, w.Moderator, r.ID)
		return err == nil && got.Status == model.StatusClosed
	})
	stop()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the scheduler did not stop with its context")
	}
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
