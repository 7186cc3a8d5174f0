package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/perushtitsa/council/server/testenv"
)

// userID reads the signed-in user's id.
func userID(t *testing.T, c *client, base string) int64 {
	t.Helper()
	var me struct {
		User struct{ ID int64 } `json:"user"`
	}
	c.must("GET", base+"/api/v1/me", nil, &me)
	return me.User.ID
}

// A member removed at the very moment their socket opens never keeps it: whichever comes
// first, the socket ends with 4003 (or is refused) and carries nothing of what follows.
func TestLiveRemovalRacesTheUpgrade(t *testing.T) {
	const trials = 48
	cl := newCluster(t, 2, testenv.RedisURL())
	base := cl.procs[0].base
	d := setUp(t, base, trials+1, 1)
	mod := d.members[0]
	ids := make([]int64, trials+1)
	for i := 1; i <= trials; i++ {
		ids[i] = userID(t, d.members[i], base)
	}
	watchers := make([]*watcher, trials+1)
	for i := 1; i <= trials; i++ {
		// One at a time, so that each socket starts its council's live state afresh on its
		// process (the widest window), the socket opened a little later each time to sweep it.
		proc := cl.procs[i%2].base
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i%12) * time.Millisecond)
			w := &watcher{t: t, c: d.members[i]}
			if err := w.connect(proc, d.councilID, false); err == nil {
				watchers[i] = w
			}
		}()
		go func() {
			defer wg.Done()
			mod.must("DELETE", fmt.Sprintf("%s/api/v1/councils/%d/members/%d", base, d.councilID, ids[i]), nil, nil)
		}()
		wg.Wait()
		if w := watchers[i]; w != nil {
			select {
			case err := <-w.ended:
				w.ended <- err
			case <-time.After(3 * time.Second):
			}
		}
	}
	// What happens in the council from now on must reach none of them.
	mod.must("PUT", fmt.Sprintf("%s/api/v1/proposals/%d/vote", base, d.proposals[0]), map[string]string{"choice": "for"}, nil)
	var record struct {
		Events []struct {
			Seq  int64
			Type string
			Data struct {
				UserID int64 `json:"user_id"`
			}
		}
	}
	mod.must("GET", fmt.Sprintf("%s/api/v1/councils/%d/events?limit=1000", base, d.councilID), nil, &record)
	removedAt := map[int64]int64{}
	for _, ev := range record.Events {
		if ev.Type == "member.left" {
			removedAt[ev.Data.UserID] = ev.Seq
		}
	}
	for i := 1; i <= trials; i++ {
		w := watchers[i]
		if w == nil {
			continue // refused at the upgrade: the removal came first
		}
		select {
		case err := <-w.ended:
			if !websocket.IsCloseError(err, 4003) {
				t.Errorf("member %d: the stream ended with %v, want 4003", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("member %d: removed, yet the socket stays open", i)
		}
		w.ws.Close()
		w.mu.Lock()
		for _, seq := range w.seqs {
			if seq >= removedAt[ids[i]] {
				t.Errorf("member %d received event %d, at or after their removal (%d)", i, seq, removedAt[ids[i]])
			}
		}
		w.mu.Unlock()
	}
}

// Signing out closes that session's sockets on every process, and only that session's.
func TestSignOutClosesSocketsEverywhere(t *testing.T) {
	cl := newCluster(t, 2, testenv.RedisURL())
	base := cl.procs[0].base
	d := setUp(t, base, 2, 1)
	m := d.members[1]
	var ws []*watcher
	for _, p := range cl.procs {
		w := &watcher{t: t, c: m}
		if err := w.connect(p.base, d.councilID, false); err != nil {
			t.Fatal(err)
		}
		defer w.ws.Close()
		ws = append(ws, w)
	}
	other := newClient(t)
	other.signIn(base, d.emails[1], "member-password") // the same member, another device
	keep := &watcher{t: t, c: other}
	if err := keep.connect(cl.procs[1].base, d.councilID, false); err != nil {
		t.Fatal(err)
	}
	defer keep.ws.Close()
	time.Sleep(200 * time.Millisecond)
	m.must("DELETE", base+"/api/v1/session", nil, nil)
	for i, w := range ws {
		select {
		case err := <-w.ended:
			if !websocket.IsCloseError(err, 4003) {
				t.Errorf("process %d: the signed-out socket ended with %v, want 4003", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("process %d: the signed-out session's socket stays open", i)
		}
	}
	d.members[0].must("PUT", fmt.Sprintf("%s/api/v1/proposals/%d/vote", base, d.proposals[0]), map[string]string{"choice": "for"}, nil)
	waitFor(t, 10*time.Second, "the other session's event", func() bool { return keep.count() == 1 })
}

// One session holds at most LIVE_MAX_PER_SESSION sockets; the next is refused with 429.
func TestLiveSocketCap(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, dir, "DATABASE_URL=sqlite:"+dir+"/council.db", "LIVE_MAX_PER_SESSION=3")
	if _, err := command(t, dir, "admin-password\n", "admin", "create", "--email", "admin@example.org", "--name", "Admin"); err != nil {
		t.Fatal(err)
	}
	d := setUp(t, p.base, 1, 0)
	u := strings.Replace(p.base, "http://", "ws://", 1) + fmt.Sprintf("/api/v1/councils/%d/live", d.councilID)
	h := d.members[0].cookieHeader(p.base)
	for i := 0; i < 3; i++ {
		ws, _, err := websocket.DefaultDialer.Dial(u, h)
		if err != nil {
			t.Fatalf("socket %d: %v", i, err)
		}
		defer ws.Close()
	}
	_, resp, err := websocket.DefaultDialer.Dial(u, h)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a fourth socket of one session: %v %v", resp, err)
	}
}
