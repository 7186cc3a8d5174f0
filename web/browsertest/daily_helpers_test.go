package browsertest

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// widths are the page widths the daily tools are checked at where layout or focus matter: a
// phone and a desktop.
var widths = []int{360, 1280}

// moderatorAcc is a council moderator who is not a site admin.
var moderatorAcc = account{"petya@perushtitsa.example", "Петя Николова", "petya-password-2026"}

// newTab opens another tab in s's browser context: the same cookies, storage and
// BroadcastChannel, as a member with two tabs open.
func (s *session) newTab() *session {
	s.t.Helper()
	ctx, cancel := chromedp.NewContext(s.ctx)
	if err := chromedp.Do(ctx); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(cancel)
	return &session{t: s.t, ctx: ctx, url: s.url}
}

// timezone makes the tab's scripts run in the zone tz, as a browser abroad would.
func (s *session) timezone(tz string) {
	s.t.Helper()
	if _, err := chromedp.Call(s.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: tz}); err != nil {
		s.t.Fatalf("time zone %s: %v", tz, err)
	}
}

// dialogs answers the JavaScript dialogs of a tab (confirm, alert) as a person would, and
// keeps what each one said.
type dialogs struct {
	mu     sync.Mutex
	accept bool
	seen   []string
}

// answerDialogs starts answering the tab's dialogs: accepting them, or dismissing them.
func (s *session) answerDialogs(accept bool) *dialogs {
	d := &dialogs{accept: accept}
	events := chromedp.Events(s.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.seen = append(d.seen, ev.Message)
			accept := d.accept
			d.mu.Unlock()
			_, _ = chromedp.Call(s.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
		}
	}()
	return d
}

// setAccept says how the next dialogs are answered.
func (d *dialogs) setAccept(accept bool) {
	d.mu.Lock()
	d.accept = accept
	d.mu.Unlock()
}

// messages returns what the dialogs so far said.
func (d *dialogs) messages() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.seen...)
}

// waitDialog waits for the n-th dialog (from 1) and returns its message.
func (d *dialogs) waitDialog(t *testing.T, n int) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := d.messages(); len(m) >= n {
			return m[n-1]
		}
		time.Sleep(15 * time.Millisecond)
	}
	t.Fatalf("no dialog #%d (saw %q)", n, d.messages())
	return ""
}

// waitText waits until the text of the first element matching sel contains want.
func (s *session) waitText(what, sel, want string) {
	s.t.Helper()
	s.waitFor(what, fmt.Sprintf(`(document.querySelector(%q)?.textContent || "").includes(%q)`, sel, want), 5*time.Second)
}

// mark tags the loaded document, so that waitReload can tell when another has replaced it.
func (s *session) mark() { s.eval0(`window.__mark = true`) }

// waitReload waits until the marked document has been replaced and the new one is loaded.
func (s *session) waitReload(what string) {
	s.t.Helper()
	s.waitFor(what, `window.__mark === undefined && document.readyState === "complete"`, 8*time.Second)
}

// stillSame reports whether the marked document is still the one shown (no reload).
func (s *session) stillSame() bool {
	s.t.Helper()
	return eval[bool](s, `window.__mark === true`)
}

// exists reports whether an element matches sel.
func (s *session) exists(sel string) bool {
	s.t.Helper()
	return eval[bool](s, fmt.Sprintf(`document.querySelector(%q) !== null`, sel))
}

// visibleJS is a JavaScript condition: the element matching sel is rendered (not hidden).
func visibleJS(sel string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"; })()`, sel)
}

// noSideScroll is a JavaScript condition: the page does not scroll sideways.
const noSideScroll = `document.documentElement.scrollWidth <= document.documentElement.clientWidth`

// typeInto replaces a field's text by typing, as a person would (input events fire).
func (s *session) typeInto(sel, text string) {
	s.t.Helper()
	s.eval0(fmt.Sprintf(`const e = document.querySelector(%q); e.focus(); e.value = ""`, sel))
	s.do("type into "+sel, sendKeysCSS(sel, text))
}

// roundJSON is what the tests read back of a round over the API.
type roundJSON struct {
	ID       int64      `json:"id"`
	Status   string     `json:"status"`
	ClosesAt *time.Time `json:"closes_at"`
}

func (w *world) round(t *testing.T, id int64) roundJSON {
	t.Helper()
	var r roundJSON
	w.admin.call("GET", "/api/v1/rounds/"+strconv.FormatInt(id, 10), nil, &r)
	return r
}

// newRound creates a round with member 0's proposals and opens it; it returns the round's id
// and the proposals' ids. visibility "" leaves the ballot's default.
func (w *world) newRound(t *testing.T, title, ballot, visibility string, quorum int, proposals ...string) (int64, []int64) {
	t.Helper()
	body := map[string]any{"title": title, "description": "Въпрос към съвета: " + title, "ballot": ballot, "quorum_percent": quorum}
	if visibility != "" {
		body["results_visibility"] = visibility
	}
	var r struct{ ID int64 }
	w.admin.call("POST", fmt.Sprintf("/api/v1/councils/%d/rounds", w.councilID), body, &r)
	var ids []int64
	for _, p := range proposals {
		var out struct{ ID int64 }
		w.members[0].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", r.ID), map[string]string{"title": p, "body": "Предложение: " + p}, &out)
		ids = append(ids, out.ID)
	}
	w.admin.call("POST", fmt.Sprintf("/api/v1/rounds/%d/open", r.ID), map[string]any{}, nil)
	return r.ID, ids
}

// vote casts c's vote, with a reason when one is given.
func vote(c *client, proposalID int64, choice, reason string) {
	c.t.Helper()
	body := map[string]string{"choice": choice}
	if reason != "" {
		body["reason"] = reason
	}
	c.call("PUT", fmt.Sprintf("/api/v1/proposals/%d/vote", proposalID), body, nil)
}

// squash joins the words of a text with single spaces, as it reads on screen.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// contains reports whether s holds every one of parts.
func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// otherCouncil creates a second council with member 0 seated in it (as a citizen) and returns
// its id. Accepting signs member 0 in afresh, so their client takes the new session's token.
func (w *world) otherCouncil(t *testing.T, slug, name string) int64 {
	t.Helper()
	var c struct{ ID int64 }
	w.admin.call("POST", "/api/v1/councils", map[string]string{"slug": slug, "name": name, "description": "Съвет на община Перущица: " + name + ".", "constituency": "mixed"}, &c)
	var inv struct{ Token string }
	w.admin.call("POST", fmt.Sprintf("/api/v1/councils/%d/invitations", c.ID), map[string]string{"email": memberAccs[0].email, "name": memberAccs[0].name, "role": "member", "group": "citizen"}, &inv)
	var acc struct {
		CSRF string `json:"csrf_token"`
	}
	w.members[0].call("POST", "/api/v1/invitations/"+inv.Token+"/accept", map[string]string{"name": memberAccs[0].name, "password": memberAccs[0].password}, &acc)
	w.members[0].csrf = acc.CSRF
	return c.ID
}

// dailyStates adds to the world what the daily tools show, for the accessibility check and the
// screenshots: a vote with a reason (the roll call), a proposal its author may still edit, a
// withdrawn proposal, a deleted and a hidden post, a moderator who is not an admin, an archived
// council ("arhiv"), and a council whose open rounds are public ("kultura"). It returns that
// council's open round and its topic.
func (w *world) dailyStates(t *testing.T) (round, topic int64) {
	t.Helper()
	w.addMember(t, moderatorAcc, "moderator", "business")
	vote(w.members[1], w.proposalID, "for", "Сряда е удобна за работещите.")
	w.members[0].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", w.roundID), map[string]string{"title": "Приемно време в събота", "body": "Събота сутрин от 9 до 12 ч."}, nil)
	var p, post struct{ ID int64 }
	w.members[1].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", w.roundID), map[string]string{"title": "Приемно време в неделя", "body": "Неделя следобед."}, &p)
	w.members[1].call("DELETE", fmt.Sprintf("/api/v1/proposals/%d", p.ID), nil, nil)
	w.members[0].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.topicID), map[string]string{"body": "Ще преосмисля това мнение."}, &post)
	w.members[0].call("DELETE", fmt.Sprintf("/api/v1/posts/%d", post.ID), nil, nil)
	w.members[1].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.topicID), map[string]string{"body": "Неуместен коментар."}, &post)
	w.admin.call("POST", fmt.Sprintf("/api/v1/posts/%d/hide", post.ID), map[string]string{"reason": "Лични нападки"}, nil)

	w.admin.call("POST", "/api/v1/councils", map[string]string{"slug": "arhiv", "name": "Съвет за транспорта (2024–2025)", "description": "Съветът приключи работата си.", "constituency": "mixed"}, nil)
	w.admin.call("PATCH", "/api/v1/councils/arhiv", map[string]bool{"archived": true}, nil)

	cid := w.otherCouncil(t, "kultura", "Съвет за култура")
	w.admin.call("PATCH", "/api/v1/councils/kultura", map[string]bool{"open_rounds_public": true}, nil)
	var r, tp struct{ ID int64 }
	w.admin.call("POST", fmt.Sprintf("/api/v1/councils/%d/rounds", cid), map[string]any{"title": "Празник на Перущица", "description": "Как да отбележим празника на града?", "ballot": "open", "quorum_percent": 50}, &r)
	w.members[0].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", r.ID), map[string]string{"title": "Концерт на площада", "body": "Концерт вечерта на празника."}, &p)
	w.admin.call("POST", fmt.Sprintf("/api/v1/rounds/%d/open", r.ID), map[string]any{}, nil)
	w.members[0].call("POST", fmt.Sprintf("/api/v1/rounds/%d/topics", r.ID), map[string]string{"title": "Кои изпълнители?", "body": "Местни групи или гости?"}, &tp)
	w.members[0].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]string{"body": "Местните читалищни състави."}, nil)
	vote(w.members[0], p.ID, "for", "Празникът е на площада.")
	return r.ID, tp.ID
}
