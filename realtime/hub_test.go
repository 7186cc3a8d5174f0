package realtime

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

func TestLiveEventsInOrder(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{}, 0)
	rec.commit(1) // before anyone connects: not sent without after=
	a := dial(t, s, 1, "", 0, nil)
	b := dial(t, s, 1, "", 0, nil)
	other := dial(t, s, 2, "", 0, nil)
	waitAttached(t, s.hub, 1, 2)
	for range 50 {
		rec.commitPublish(s.hub, 1)
	}
	waitFor(t, 5*time.Second, "50 events", func() bool { return a.count() == 50 && b.count() == 50 })
	wantSeqs(t, "a", a.received(), 2, 51)
	wantSeqs(t, "b", b.received(), 2, 51)
	if n := other.count(); n != 0 {
		t.Errorf("council 2 client got %d events of council 1", n)
	}
}

func TestGapIsFilledFromRecord(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{PollEvery: time.Hour}, 0)
	a := dial(t, s, 1, "", 0, nil)
	waitAttached(t, s.hub, 1, 1)
	rec.commitPublish(s.hub, 1)
	rec.commit(1) // seq 2: its publish is lost
	rec.commitPublish(s.hub, 1)
	waitFor(t, 5*time.Second, "3 events", func() bool { return a.count() == 3 })
	wantSeqs(t, "a", a.received(), 1, 3)
}

func TestSafetyPollDeliversLostPublish(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{PollEvery: 100 * time.Millisecond}, 0)
	a := dial(t, s, 1, "", 0, nil)
	waitAttached(t, s.hub, 1, 1)
	rec.commit(1) // never published, and nothing follows it
	waitFor(t, 5*time.Second, "the lost event", func() bool { return a.count() == 1 })
	wantSeqs(t, "a", a.received(), 1, 1)
}

func TestResumeAfterDisconnect(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{}, 0)
	a := dial(t, s, 1, "", 0, nil)
	waitAttached(t, s.hub, 1, 1)
	for range 30 {
		rec.commitPublish(s.hub, 1)
	}
	waitFor(t, 5*time.Second, "30 events", func() bool { return a.count() == 30 })
	a.close()
	first := a.received()

	// Events keep committing while the client is away and while it reconnects.
	stop := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for i := 0; i < 200; i++ {
			select {
			case <-stop:
				return
			default:
			}
			rec.commitPublish(s.hub, 1)
			time.Sleep(time.Millisecond)
		}
	}()
	time.Sleep(20 * time.Millisecond)
	b := dial(t, s, 1, strconv.FormatInt(first[len(first)-1], 10), 0, nil)
	<-writerDone
	close(stop)
	last, _ := rec.LastSeq(context.Background(), 1)
	waitFor(t, 5*time.Second, "the rest", func() bool { return int64(b.count()) == last-30 })
	wantSeqs(t, "first connection", first, 1, 30)
	wantSeqs(t, "resumed connection", b.received(), 31, last)
}

func TestResyncWhenFarBehind(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{}, 0)
	for range 1200 {
		rec.commit(1)
	}
	a := dial(t, s, 1, "10", 0, nil)
	waitAttached(t, s.hub, 1, 1)
	rec.commitPublish(s.hub, 1)
	waitFor(t, 5*time.Second, "the live event", func() bool { return a.count() == 1 })
	wantSeqs(t, "a", a.received(), 1201, 1201)
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.msgs) != 1 || a.msgs[0]["type"] != "resync" || a.msgs[0]["last_seq"] != float64(1200) {
		t.Errorf("want one resync frame with last_seq 1200, got %v", a.msgs)
	}

	// Within reach: the record is replayed instead.
	b := dial(t, s, 1, "300", 0, nil)
	waitFor(t, 5*time.Second, "the replay", func() bool { return b.count() == 901 })
	wantSeqs(t, "b", b.received(), 301, 1201)
}

func TestSlowConsumerIsCutWith4008(t *testing.T) {
	rec := newMemRecord()
	rec.pad = padding(2000)
	s := startServer(t, rec, NewMemoryBroker(), Options{QueueSize: 16}, 16<<10)
	hold := make(chan struct{})
	slow := dial(t, s, 1, "", 4<<10, hold)
	fast := []*client{dial(t, s, 1, "", 0, nil), dial(t, s, 1, "", 0, nil)}
	waitAttached(t, s.hub, 1, 3)

	const total = 600
	for i := int64(1); i <= total; i++ {
		rec.commitPublish(s.hub, 1)
		// Pace on the fast clients so only the stalled one can overflow.
		waitFor(t, 5*time.Second, "fast clients", func() bool {
			return int64(fast[0].count()) >= i-8 && int64(fast[1].count()) >= i-8
		})
	}
	for i, c := range fast {
		waitFor(t, 5*time.Second, "fast client", func() bool { return c.count() == total })
		wantSeqs(t, "fast client "+strconv.Itoa(i), c.received(), 1, total)
	}
	waitAttached(t, s.hub, 1, 2) // the slow one was dropped from the council

	close(hold)
	<-slow.done
	var ce *fws.CloseError
	if err := slow.closeErr(); !errors.As(err, &ce) || ce.Code != closeTooSlow {
		t.Fatalf("slow client: want close 4008, got %v", err)
	}
	got := slow.received()
	if len(got) == 0 || len(got) >= total {
		t.Fatalf("slow client got %d events before the cut", len(got))
	}
	wantSeqs(t, "slow client before the cut", got, 1, int64(len(got)))

	again := dial(t, s, 1, strconv.Itoa(len(got)), 0, nil)
	waitFor(t, 5*time.Second, "the rest", func() bool { return again.count() == total-len(got) })
	wantSeqs(t, "slow client after reconnecting", again.received(), int64(len(got))+1, total)
}

// Under an HTTP server that keeps hijacked connections to itself, the upgrade goes through its
// connection and everything works the same: events in order, pings, pongs, a clean close.
func TestServedThroughTheHTTPServersConnection(t *testing.T) {
	rec := newMemRecord()
	s := startServerKeep(t, rec, NewMemoryBroker(), Options{PingEvery: 50 * time.Millisecond}, 0, false)
	a := dial(t, s, 1, "", 0, nil)
	waitAttached(t, s.hub, 1, 1)
	for i := 0; i < 20; i++ {
		rec.commitPublish(s.hub, 1)
	}
	waitFor(t, 5*time.Second, "the events", func() bool { return len(a.received()) == 20 })
	wantSeqs(t, "client", a.received(), 1, 20)
	waitFor(t, 3*time.Second, "a websocket ping", func() bool { return a.pings.Load() > 0 })
	if err := a.ws.WriteMessage(fws.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "pong", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.msgs) == 1 && a.msgs[0]["type"] == "pong"
	})
	a.close()
	waitFor(t, 5*time.Second, "the socket to be let go", func() bool { return s.hub.Connections() == 0 })
}

func TestPingPong(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{PingEvery: 50 * time.Millisecond}, 0)
	a := dial(t, s, 1, "", 0, nil)
	waitFor(t, 3*time.Second, "a websocket ping", func() bool { return a.pings.Load() > 0 })
	if err := a.ws.WriteMessage(fws.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "pong", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.msgs) == 1 && a.msgs[0]["type"] == "pong"
	})
}

func TestClientFloodIsClosedWith1008(t *testing.T) {
	s := startServer(t, newMemRecord(), NewMemoryBroker(), Options{}, 0)
	a := dial(t, s, 1, "", 0, nil)
	for range 40 {
		if err := a.ws.WriteMessage(fws.TextMessage, []byte(`{"type":"noise"}`)); err != nil {
			break
		}
	}
	<-a.done
	var ce *fws.CloseError
	if err := a.closeErr(); !errors.As(err, &ce) || ce.Code != closePolicy {
		t.Fatalf("want close 1008, got %v", err)
	}
}

func TestOversizedClientFrameIsRefused(t *testing.T) {
	s := startServer(t, newMemRecord(), NewMemoryBroker(), Options{}, 0)
	a := dial(t, s, 1, "", 0, nil)
	_ = a.ws.WriteMessage(fws.TextMessage, []byte(padding(10000)))
	<-a.done
	var ce *fws.CloseError
	if err := a.closeErr(); !errors.As(err, &ce) || ce.Code != fws.CloseMessageTooBig {
		t.Fatalf("want close 1009, got %v", err)
	}
}

func TestHandlerRefusesBadRequests(t *testing.T) {
	s := startServer(t, newMemRecord(), NewMemoryBroker(), Options{}, 0)
	base := "http://" + s.addr + "/api/v1/councils/1/live"
	upgrade := http.Header{
		"Connection": {"Upgrade"}, "Upgrade": {"websocket"},
		"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="},
	}
	for _, tc := range []struct {
		name   string
		url    string
		header http.Header
		status int
	}{
		{"after not a number", base + "?after=abc", upgrade, 400},
		{"after negative", base + "?after=-1", upgrade, 400},
		{"plain GET", base, nil, 426},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := httpGet(t, tc.url, tc.header)
			if resp.StatusCode != tc.status || body["error"] != "bad_request" || body["message"] == "" {
				t.Errorf("got %d %v, want %d with a bad_request body", resp.StatusCode, body, tc.status)
			}
		})
	}
	if n := s.hub.Connections(); n != 0 {
		t.Errorf("%d connections after refusals", n)
	}
}

func TestShutdownClosesWith1001(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{}, 0)
	clients := []*client{dial(t, s, 1, "", 0, nil), dial(t, s, 2, "", 0, nil)}
	waitConnections(t, s.hub, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.hub.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		<-c.done
		var ce *fws.CloseError
		if err := c.closeErr(); !errors.As(err, &ce) || ce.Code != closeGoingAway {
			t.Errorf("want close 1001, got %v", err)
		}
	}
	if n := s.hub.Connections(); n != 0 {
		t.Errorf("%d connections after shutdown", n)
	}
}

func TestNoGoroutineLeakAfterClientsLeave(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{}, 0)
	dial(t, s, 1, "", 0, nil).close() // warm up: every long-lived goroutine has started
	waitConnections(t, s.hub, 0)
	waitAttached(t, s.hub, 1, 0)
	before := ourGoroutines()
	for round := range 3 {
		var cs []*client
		for i := range 6 {
			cs = append(cs, dial(t, s, int64(i%3+1), "0", 0, nil))
		}
		waitConnections(t, s.hub, 6)
		for range 20 {
			rec.commitPublish(s.hub, int64(round%3+1))
		}
		for _, c := range cs {
			c.close()
		}
		waitConnections(t, s.hub, 0)
	}
	waitBaseline(t, before)

}

// A council with many connections is delivered to by several goroutines at once when the
// process has the processors for it; every connection still gets every event once, in order.
func TestParallelFanoutKeepsOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	const n = 6 * fanoutChunk // two goroutines write, on four processors
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{}, 0)
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = dial(t, s, 1, "", 0, nil)
	}
	waitAttached(t, s.hub, 1, n)
	for range 30 {
		rec.commitPublish(s.hub, 1)
	}
	waitFor(t, 10*time.Second, "30 events on every connection", func() bool {
		for _, c := range clients {
			if c.count() < 30 {
				return false
			}
		}
		return true
	})
	for i, c := range clients {
		wantSeqs(t, "client "+strconv.Itoa(i), c.received(), 1, 30)
	}
}
