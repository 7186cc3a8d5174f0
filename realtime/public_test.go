package realtime

import (
	"net/http"
	"slices"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// dialPublic connects as the public (no user, no session) to the url's query.
func dialPublic(t *testing.T, s *testServer, councilID int64, query string) *client {
	t.Helper()
	d := fws.Dialer{HandshakeTimeout: 5 * time.Second}
	u := s.url(councilID, "")
	if query != "" {
		u += "?" + query
	}
	ws, resp, err := d.Dial(u, http.Header{"X-Test-Public": {"1"}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	c := &client{t: t, ws: ws, done: make(chan struct{})}
	go c.read()
	t.Cleanup(func() { c.close() })
	return c
}

func (c *client) frameTypes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.types)
}

// A public-only connection gets the public events and, in place of each other one, a skip
// frame that keeps its position: in order, with no gap, live through the broker of another
// process and replayed from the record alike; members get everything.
func TestPublicConnectionsSkipWhatIsNotPublic(t *testing.T) {
	rec := newMemRecord()
	hubs := startRedisHubs(t, 2, sharedRedis, uniquePrefix(t), rec, Options{})
	// Three events before anyone connects: public, not, public.
	rec.commitFlags(1, true, false)
	rec.commitFlags(1, false, false)
	rec.commitFlags(1, true, false)
	public := dialPublic(t, hubs[1], 1, "after=0")
	member, _, err := dialAs(t, hubs[1], 1, 7, "s", "after=0")
	if err != nil {
		t.Fatal(err)
	}
	waitAttached(t, hubs[1].hub, 1, 2)
	time.Sleep(200 * time.Millisecond) // the broker subscription is confirmed
	// Live, published on the other process: not public, public.
	hubs[0].hub.Publish(rec.commitFlags(1, false, false))
	hubs[0].hub.Publish(rec.commitFlags(1, true, false))
	waitFor(t, 5*time.Second, "five frames each", func() bool { return public.count() == 5 && member.count() == 5 })
	wantSeqs(t, "public", public.received(), 1, 5)
	wantSeqs(t, "member", member.received(), 1, 5)
	want := []string{"post.created", "skip", "post.created", "skip", "post.created"}
	if got := public.frameTypes(); !slices.Equal(got, want) {
		t.Errorf("public frames %v, want %v", got, want)
	}
	for _, typ := range member.frameTypes() {
		if typ != "post.created" {
			t.Errorf("a member got a %q frame; members get every event", typ)
		}
	}
}

// An event that ends the public's view (the council no longer shows its open rounds) closes the
// public-only connections with 4003 before it reaches them; members stay and get it.
func TestClosesPublicEvictsThePublic(t *testing.T) {
	rec := newMemRecord()
	s := startServer(t, rec, NewMemoryBroker(), Options{}, 0)
	public := dialPublic(t, s, 1, "")
	member, _, err := dialAs(t, s, 1, 7, "s", "")
	if err != nil {
		t.Fatal(err)
	}
	waitAttached(t, s.hub, 1, 2)
	s.hub.Publish(rec.commitFlags(1, true, true))
	select {
	case <-public.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the public connection is still open")
	}
	if !fws.IsCloseError(public.closeErr(), closeEvicted) {
		t.Errorf("public closed with %v, want 4003", public.closeErr())
	}
	if public.count() != 0 {
		t.Errorf("the public connection got %d events after its view ended", public.count())
	}
	waitFor(t, 5*time.Second, "the member's event", func() bool { return member.count() == 1 })
}

// The broker carries the flags: an event from a process of before the flags (five header
// fields) still decodes, as not public.
func TestBrokerEventFlags(t *testing.T) {
	ev := Event{CouncilID: 3, Seq: 9, At: time.Unix(0, 5).UTC(), Public: true, ClosesPublic: true, JSON: []byte(`{}`)}
	got, err := decodeBrokerEvent(encodeBrokerEvent(ev))
	if err != nil || !got.Public || !got.ClosesPublic || got.Seq != 9 {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	old, err := decodeBrokerEvent([]byte("3 9 5 0 0\n{}"))
	if err != nil || old.Public || old.ClosesPublic || old.Seq != 9 {
		t.Fatalf("five-field header: %+v %v", old, err)
	}
}
