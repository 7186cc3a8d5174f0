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
	w.members[0].call("PUT", fmt.Sprintf("/api/v1/proposals/%d/vote", w.proposalID), map[string]string{"choice": "for"}, nil)
	w.members[1].call("PUT", fmt.Sprintf("/api/v1/proposals/%d/vote", w.proposalID), map[string]string{"choice": "abstain"}, nil)
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
	}{
		{"home", public, "/"},
		{"outcomes", public, "/outcomes"},
		{"outcome", public, w.path("rounds", closed)},
		{"round-live", member, w.path("rounds", w.roundID)},
		{"topic", member, w.path("topics", w.topicID)},
		{"council-moderator", admin, "/councils/" + w.slug},
		{"signin", public, "/signin"},
		{"home-en", public, "/?lang=en"},
	}
	for _, width := range []int{1280, 360} {
		for _, sh := range shots {
			sh.s.viewport(width)
			sh.s.open(sh.path)
			time.Sleep(300 * time.Millisecond) // let the live connection settle
			ctx, cancel := context.WithTimeout(sh.s.ctx, 20*time.Second)
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
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
