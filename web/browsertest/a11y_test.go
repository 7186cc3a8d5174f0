package browsertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// axeScript reads axe-core as the npm package ships it (see the Makefile's axe target).
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AXE_JS")
	if path == "" {
		path = filepath.Join("testdata", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no axe-core at %s: run make axe (npm pack axe-core)", path)
	}
	return string(b)
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axeCheck runs axe-core on the current page for WCAG 2.1 A and AA, with every <details>
// opened so that the forms inside are checked too.
func (s *session) axeCheck(script string) []axeViolation {
	s.t.Helper()
	if !eval[bool](s, `typeof axe !== "undefined"`) {
		eval[any](s, script+"; null")
	}
	raw := eval[string](s, js(`(async () => {
		document.querySelectorAll("details").forEach(d => { d.open = true; });
		const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]});
		if (r.passes.length < 10) throw new Error("axe checked almost nothing: " + r.passes.length + " rules passed");
		return JSON.stringify(r.violations);
	})()`))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		s.t.Fatal(err)
	}
	return vs
}

// Every page, in both languages, as the public, a member, an admin and a moderator.
func TestAccessibility(t *testing.T) {
	script := axeScript(t)
	w := seed(t)
	closed := w.closedRound(t)
	public, publicTopic := w.dailyStates(t)
	browser := newBrowser(t)
	type visit struct {
		who  string
		path string
	}
	visits := []visit{
		{"public", "/"},
		{"public", "/outcomes"},
		{"public", "/outcomes?q=анкета"},
		{"public", "/councils/" + w.slug},
		{"public", w.path("rounds", closed)},
		{"public", "/signin"},
		{"public", "/invitations/" + w.inviteTok},
		{"public", "/invitations/no-such-token"},
		{"public", "/no-such-page"},
		{"member", w.path("rounds", w.roundID)},
		{"member", w.path("topics", w.topicID)},
		{"member", "/me"},
		{"member", "/councils/" + w.slug},
		{"admin", w.path("rounds", w.draftID)},
		{"admin", w.path("rounds", w.roundID)},
		{"admin", w.path("topics", w.topicID)},
		{"admin", "/councils/" + w.slug},
		{"admin", "/admin"},
		{"public", "/reset"},
		{"public", "/reset/no-such-token"},
		{"public", "/privacy"},
		{"public", "/unsubscribe/no-such-token"},
		{"member", "/me/account"},
		{"admin", "/councils/" + w.slug + "/invitations"},
		{"admin", "/admin/outbox"},
		{"admin", "/admin/users"},
		// The daily tools: filters, a filter in error, public open rounds, an archived council,
		// the moderator's participation panel and settings.
		{"public", "/outcomes?council=" + w.slug + "&outcome=adopted&from=2020-01-01&to=2035-12-31"},
		{"public", "/outcomes?from=2026-12-31&to=2026-01-01&outcome=none"},
		{"public", "/councils/kultura"},
		{"public", w.path("rounds", public)},
		{"public", w.path("topics", publicTopic)},
		{"public", "/councils/arhiv"},
		{"admin", "/councils/arhiv"},
		{"moderator", w.path("rounds", w.roundID)},
		{"moderator", w.path("topics", w.topicID)},
		{"moderator", "/councils/" + w.slug},
	}
	for _, lang := range []string{"bg", "en"} {
		sessions := map[string]*session{
			"public":    newSession(t, browser, w.srv.URL),
			"member":    newSession(t, browser, w.srv.URL),
			"admin":     newSession(t, browser, w.srv.URL),
			"moderator": newSession(t, browser, w.srv.URL),
		}
		sessions["member"].signIn(memberAccs[0])
		sessions["admin"].signIn(adminAcc)
		sessions["moderator"].signIn(moderatorAcc)
		for _, s := range sessions {
			s.open("/?lang=" + lang)
		}
		for _, v := range visits {
			t.Run(lang+" "+v.who+" "+v.path, func(t *testing.T) {
				s := sessions[v.who]
				s.t = t
				s.open(v.path)
				if got := eval[string](s, `document.documentElement.lang`); got != lang {
					t.Fatalf("page language %q, want %q", got, lang)
				}
				for _, vi := range s.axeCheck(script) {
					var where []string
					for _, n := range vi.Nodes {
						where = append(where, fmt.Sprint(n.Target)+" "+truncate(n.HTML, 120))
					}
					t.Errorf("%s (%s): %s\n\t%s", vi.ID, vi.Impact, vi.Help, strings.Join(where, "\n\t"))
				}
			})
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
