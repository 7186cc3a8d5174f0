package realtime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// One session may hold MaxPerSession sockets and one user MaxPerUser; past them the upgrade is
// refused with 429 rate_limited, and a socket closed gives its place back.
func TestSocketCapsPerSessionAndUser(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{MaxPerSession: 2, MaxPerUser: 3}, 0)
	a1, _, err := dialAs(t, s, 1, 7, "sess-a", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dialAs(t, s, 1, 7, "sess-a", ""); err != nil {
		t.Fatal(err)
	}
	_, resp, err := dialAs(t, s, 1, 7, "sess-a", "")
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a third socket of one session: %v %v", resp, err)
	}
	if _, _, err := dialAs(t, s, 1, 7, "sess-b", ""); err != nil {
		t.Fatalf("another session of the same user: %v", err)
	}
	if _, resp, err := dialAs(t, s, 2, 7, "sess-c", ""); err == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a fourth socket of one user, other council and session: %v %v", resp, err)
	}
	if _, _, err := dialAs(t, s, 1, 8, "sess-x", ""); err != nil {
		t.Fatalf("another user is capped too: %v", err)
	}
	a1.close()
	waitFor(t, 5*time.Second, "the place given back", func() bool {
		c, _, err := dialAs(t, s, 1, 7, "sess-a", "")
		if err == nil {
			c.close()
		}
		return err == nil
	})
}

// A session's end closes its sockets with 4003 on every process, and leaves the others open.
func TestEndSessionsClosesOnEveryProcess(t *testing.T) {
	rec := newMemRecord()
	hubs := startRedisHubs(t, 2, sharedRedis, uniquePrefix(t), rec, Options{})
	here, _, err := dialAs(t, hubs[0], 1, 7, "ending", "")
	if err != nil {
		t.Fatal(err)
	}
	there, _, err := dialAs(t, hubs[1], 1, 7, "ending", "")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := dialAs(t, hubs[1], 1, 7, "staying", "")
	if err != nil {
		t.Fatal(err)
	}
	waitAttached(t, hubs[1].hub, 1, 2)
	time.Sleep(200 * time.Millisecond) // the control channel subscription is confirmed
	if err := hubs[0].hub.EndSessions(context.Background(), "ending"); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*client{"this process": here, "the other process": there} {
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			t.Fatalf("the ended session's socket on %s is still open", name)
		}
		if !fws.IsCloseError(c.closeErr(), closeEvicted) {
			t.Errorf("%s: closed with %v, want 4003", name, c.closeErr())
		}
	}
	rec.commitPublish(hubs[1].hub, 1)
	waitFor(t, 5*time.Second, "the other session's event", func() bool { return other.count() == 1 })
}

// A connection is asked about again once attached: one whose user was removed (or signed out)
// between the check before the upgrade and the attachment is closed with 4003 and gets nothing.
func TestAdmitIsAskedOnceAttached(t *testing.T) {
	rec := newMemRecord()
	var allowed atomic.Bool
	var asked atomic.Int32
	var s *testServer
	s = startServer(t, rec, NewMemoryBroker(), Options{Admit: func(_ context.Context, a Admission) error {
		asked.Add(1)
		// By the time Admit is asked the connection is attached: an event published now
		// reaches it, so nothing can fall between the check and the attachment.
		s.hub.mu.Lock()
		st := s.hub.councils[a.CouncilID]
		s.hub.mu.Unlock()
		st.mu.Lock()
		n := len(st.conns)
		st.mu.Unlock()
		if n == 0 {
			return fmt.Errorf("asked before the connection was attached")
		}
		if !allowed.Load() {
			return fmt.Errorf("membership gone: %w", ErrNotAllowed)
		}
		return nil
	}}, 0)
	c, _, err := dialAs(t, s, 1, 7, "sess", "")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("a connection Admit refuses stays open")
	}
	if !fws.IsCloseError(c.closeErr(), closeEvicted) || c.count() != 0 {
		t.Fatalf("refused: %v, %d events", c.closeErr(), c.count())
	}
	allowed.Store(true)
	ok, _, err := dialAs(t, s, 1, 7, "sess", "")
	if err != nil {
		t.Fatal(err)
	}
	waitAttached(t, s.hub, 1, 1)
	rec.commitPublish(s.hub, 1)
	waitFor(t, 5*time.Second, "an event", func() bool { return ok.count() == 1 })
	if asked.Load() != 2 {
		t.Errorf("Admit asked %d times, want 2", asked.Load())
	}
	// A broken check closes with 1011 rather than letting the connection in.
	s2 := startServer(t, rec, NewMemoryBroker(), Options{Admit: func(context.Context, Admission) error { return errors.New("database down") }}, 0)
	broken, _, err := dialAs(t, s2, 1, 7, "sess", "")
	if err != nil {
		t.Fatal(err)
	}
	<-broken.done
	if !fws.IsCloseError(broken.closeErr(), closeInternal) {
		t.Errorf("a failed check: %v, want 1011", broken.closeErr())
	}
}

// A client resuming from a position the record does not hold — behind a restored database, or
// with an event the record has under another time — is told to start over.
func TestResumeFromAnUnknownPositionResyncs(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{}, 0)
	var last Event
	for range 5 {
		last = rec.commit(1)
	}
	at := last.At.UTC().Format(time.RFC3339Nano)
	cases := map[string]struct {
		query  string
		resync bool
	}{
		"the record's own position":       {"after=5&at=" + at, false},
		"a position without its time":     {"after=5", false},
		"ahead of the record":             {"after=9", true},
		"the same seq at another time":    {"after=5&at=" + last.At.Add(time.Millisecond).UTC().Format(time.RFC3339Nano), true},
		"an earlier seq, the record's at": {"after=3&at=" + at, true},
	}
	for name, tc := range cases {
		c, _, err := dialAs(t, s, 1, 7, "s-"+name, tc.query)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tc.resync {
			waitFor(t, 5*time.Second, name+": a resync", func() bool {
				c.mu.Lock()
				defer c.mu.Unlock()
				return len(c.msgs) == 1 && c.msgs[0]["type"] == "resync"
			})
		} else {
			time.Sleep(100 * time.Millisecond)
			c.mu.Lock()
			n := len(c.msgs)
			c.mu.Unlock()
			if n != 0 {
				t.Errorf("%s: told to start over", name)
			}
		}
		c.close()
	}
	if _, resp, err := dialAs(t, s, 1, 7, "bad", "at=2026-01-01T00:00:00Z"); err == nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("at without after: %v %v", resp, err)
	}
}
