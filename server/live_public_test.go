package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/perushtitsa/council/server/testenv"
)

// frameLog keeps every frame a socket receives.
type frameLog struct {
	mu     sync.Mutex
	frames []map[string]any
	ended  chan error
}

func follow(ws *websocket.Conn) *frameLog {
	l := &frameLog{ended: make(chan error, 1)}
	go func() {
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				l.ended <- err
				return
			}
			var m map[string]any
			_ = json.Unmarshal(msg, &m)
			l.mu.Lock()
			l.frames = append(l.frames, m)
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *frameLog) snapshot() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]map[string]any(nil), l.frames...)
}

// A council that makes its open rounds public is followed live by visitors who are not signed
// in, across processes: they get what the public may read, a skip frame in place of anything
// else (a new member's name), in order and without gaps; when the council stops, their socket
// closes with 4003 and they are refused from then on.
func TestLivePublicOpenRounds(t *testing.T) {
	cl := newCluster(t, 2, testenv.RedisURL())
	base, other := cl.procs[0].base, cl.procs[1].base
	d := setUp(t, base, 2, 1)
	mod := d.members[0]
	councilURL := fmt.Sprintf("%s/api/v1/councils/%d", base, d.councilID)
	live := strings.Replace(other, "http://", "ws://", 1) + fmt.Sprintf("/api/v1/councils/%d/live", d.councilID)
	dial := func(origin string) (*websocket.Conn, int) {
		ws, resp, err := websocket.DefaultDialer.Dial(live, http.Header{"Origin": {origin}})
		if err == nil {
			return ws, 101
		}
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return nil, resp.StatusCode
	}
	if _, got := dial(other); got != 401 {
		t.Fatalf("a visitor before the council is public: %d, want 401", got)
	}
	mod.must("PATCH", councilURL, map[string]bool{"open_rounds_public": true}, nil)
	if _, got := dial("http://evil.example"); got != 403 {
		t.Errorf("a visitor from another site: %d, want 403", got)
	}
	ws, got := dial(other)
	if got != 101 {
		t.Fatalf("a visitor of a public council: %d, want 101", got)
	}
	defer ws.Close()
	visitor := follow(ws)
	time.Sleep(300 * time.Millisecond) // the socket is attached on its process

	vote := fmt.Sprintf("%s/api/v1/proposals/%d/vote", base, d.proposals[0])
	mod.must("PUT", vote, map[string]string{"choice": "for", "reason": "Публично"}, nil)
	admin := newClient(t)
	admin.signIn(base, "admin@example.org", "admin-password")
	var inv struct{ Token string }
	admin.must("POST", councilURL+"/invitations", map[string]string{"email": "secret-name@example.org", "name": "Тайно Име", "role": "member", "group": "ngo"}, &inv)
	newcomer := newClient(t)
	newcomer.must("POST", base+"/api/v1/invitations/"+inv.Token+"/accept", map[string]string{"name": "Тайно Име", "password": "member-password"}, nil)
	mod.must("DELETE", vote, nil, nil)
	waitFor(t, 10*time.Second, "three frames for the visitor", func() bool { return len(visitor.snapshot()) >= 3 })

	frames := visitor.snapshot()
	raw, _ := json.Marshal(frames)
	if strings.Contains(string(raw), "Тайно Име") || strings.Contains(string(raw), "secret-name") {
		t.Errorf("a members-only event reached the public: %s", raw)
	}
	var types []string
	first := int64(frames[0]["seq"].(float64))
	for i, f := range frames {
		types = append(types, fmt.Sprint(f["type"]))
		if seq := int64(f["seq"].(float64)); seq != first+int64(i) {
			t.Errorf("frame %d has seq %d, want %d (a gap or a repeat)", i, seq, first+int64(i))
		}
	}
	if want := "vote.cast skip vote.withdrawn"; strings.Join(types, " ") != want {
		t.Errorf("the visitor's frames: %v, want %s", types, want)
	}
	if frames[1]["at"] == nil || frames[1]["data"] != nil {
		t.Errorf("a skip frame: %v, want seq and at only", frames[1])
	}

	mod.must("PATCH", councilURL, map[string]bool{"open_rounds_public": false}, nil)
	select {
	case err := <-visitor.ended:
		if !websocket.IsCloseError(err, 4003) {
			t.Errorf("the visitor's socket ended with %v, want 4003", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the visitor still follows a council that is no longer public")
	}
	if _, got := dial(other); got != 401 {
		t.Errorf("a visitor after the council stopped: %d, want 401", got)
	}
}
