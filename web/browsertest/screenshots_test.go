package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestScreenshots saves the main pages at 1280 and 360 px into docs/screenshots/ when
// SCREENSHOTS=1 (make screenshots); otherwise it skips.
func TestScreenshots(t *testing.T) {
	if os.Getenv("SCREENSHOTS") != "1" {
		t.Skip("set SCREENSHOTS=1 to save screenshots into docs/screenshots")
	}
	out := filepath.Join(repoRoot(t), "docs", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	w := seed(t)
	closed := w.closedRound(t)
	// A moderator who has not voted yet, and a second proposal one member has not voted on,
	// for the participation panel.
	w.addMember(t, moderatorAcc, "moderator", "business")
	var p2 struct{ ID int64 }
	w.members[1].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", w.roundID), map[string]string{"title": "Приемно време в събота сутрин",
		"body": "Веднъж месечно общината да приема в **събота** от 9 до 12 ч."}, &p2)
	vote(w.members[0], w.proposalID, "for", "Работя до 18 ч. и сряда вечер ми е удобна.")
	vote(w.members[1], w.proposalID, "abstain", "")
	vote(w.members[1], p2.ID, "for", "")
	browser := newBrowser(t)
	public := newSession(t, browser, w.srv.URL)
	member := newSession(t, browser, w.srv.URL)
	member.signIn(memberAccs[0])
	admin := newSession(t, browser, w.srv.URL)
	admin.signIn(adminAcc)
	shots := []struct {
		name string
		s    *session
		path string
		el   string // the element to capture; the whole page when empty
	}{
		{"home", public, "/", ""},
		{"outcomes", public, "/outcomes", ""},
		{"outcome", public, w.path("rounds", closed), ""},
		{"round-live", member, w.path("rounds", w.roundID), ""},
		{"topic", member, w.path("topics", w.topicID), ""},
		{"council-moderator", admin, "/councils/" + w.slug, ""},
		{"signin", public, "/signin", ""},
		{"participation", admin, w.path("rounds", w.roundID), `section[aria-labelledby="mod-h"]`},
		{"roll-call", public, w.path("rounds", closed), `section[aria-labelledby="results-h"]`},
		{"home-en", public, "/?lang=en", ""},
	}
	for _, width := range []int{1280, 360} {
		for _, sh := range shots {
			sh.s.viewport(width)
			sh.s.open(sh.path)
			time.Sleep(300 * time.Millisecond) // let the live connection settle
			ctx, cancel := context.WithTimeout(sh.s.ctx, 20*time.Second)
			shot := chromedp.FullScreenshot(100)
			if sh.el != "" {
				shot = chromedp.Screenshot(chromedp.CSS(sh.el))
			}
			png, err := chromedp.Run(ctx, shot)
			cancel()
			if err != nil {
				t.Fatalf("%s: %v", sh.name, err)
			}
			file := filepath.Join(out, fmt.Sprintf("%s-%d.png", sh.name, width))
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("saved %s", file)
		}
		public.open("/?lang=bg")
	}
}

// repoRoot is the directory holding go.mod, above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}
