package browsertest

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// liveWithin is how soon a change must show on another member's page.
const liveWithin = time.Second

func count(proposalID int64, key string) string {
	return fmt.Sprintf(`#proposal-%d [data-count="%s"]`, proposalID, key)
}

const connected = `document.body.dataset.live === "connected"`

// Two members in separate browser sessions: one votes, the other sees the tally without a
// reload; one posts, the other sees the post.
func TestLiveVoteAndPost(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	a := newSession(t, browser, w.srv.URL)
	b := newSession(t, browser, w.srv.URL)
	a.signIn(memberAccs[0])
	b.signIn(memberAccs[1])
	round := w.path("rounds", w.roundID)
	a.open(round)
	b.open(round)
	a.waitFor("a connected", connected, 5*time.Second)
	b.waitFor("b connected", connected, 5*time.Second)
	b.eval0(`window.__notReloaded = true`)

	a.do("vote for", clickCSS(fmt.Sprintf(`#proposal-%d button[value="for"]`, w.proposalID)))
	took := b.waitFor("b sees the vote", fmt.Sprintf(`document.querySelector(%q).textContent.trim() === "1"`, count(w.proposalID, "for")), liveWithin)
	t.Logf("the other member saw the vote after %s", took)
	if got := b.text(count(w.proposalID, "voters")); got != "1" {
		t.Errorf("voters on b: %q, want 1", got)
	}
	if !eval[bool](b, `window.__notReloaded === true`) {
		t.Error("b's page was reloaded")
	}
	a.waitFor("a's own vote shows as pressed", fmt.Sprintf(`document.querySelector('#proposal-%d button[value="for"]').getAttribute("aria-pressed") === "true"`, w.proposalID), 2*time.Second)
	// The change is announced to screen readers on b's page.
	b.waitFor("the tally is announced", `document.getElementById("announcer").textContent.includes("1")`, 3*time.Second)

	// Change and withdraw: b follows.
	a.do("vote against", clickCSS(fmt.Sprintf(`#proposal-%d button[value="against"]`, w.proposalID)))
	b.waitFor("b sees the changed vote", fmt.Sprintf(`document.querySelector(%q).textContent.trim() === "1" && document.querySelector(%q).textContent.trim() === "0"`,
		count(w.proposalID, "against"), count(w.proposalID, "for")), liveWithin)
	a.do("withdraw", clickCSS(fmt.Sprintf(`#proposal-%d button[value="withdraw"]`, w.proposalID)))
	b.waitFor("b sees the withdrawal", fmt.Sprintf(`document.querySelector(%q).textContent.trim() === "0"`, count(w.proposalID, "voters")), liveWithin)

	// A post appears live in the topic.
	topic := w.path("topics", w.topicID)
	a.open(topic)
	b.open(topic)
	a.waitFor("a connected", connected, 5*time.Second)
	b.waitFor("b connected", connected, 5*time.Second)
	b.eval0(`window.__notReloaded = true`)
	const text = "Предлагам четвъртък след 17 ч. — тогава повечето хора са свободни."
	a.do("write a post", sendKeysCSS("#post-body", text), clickCSS(`form[data-new-post] button[type="submit"]`))
	took = b.waitFor("b sees the post", fmt.Sprintf(`[...document.querySelectorAll(".post [data-body]")].some(e => e.textContent.includes(%q))`, "четвъртък след 17 ч."), liveWithin)
	t.Logf("the other member saw the post after %s", took)
	if !eval[bool](b, `window.__notReloaded === true`) {
		t.Error("b's page was reloaded")
	}
	if n := eval[int](a, `[...document.querySelectorAll(".post [data-body]")].filter(e => e.textContent.includes("четвъртък след 17 ч.")).length`); n != 1 {
		t.Errorf("the author's page shows the new post %d times, want once", n)
	}
}

// A moderator opens and closes a round from the pages; a visitor without a session then sees
// the outcome with its results and downloads a record whose SHA-256 matches the published one.
func TestModeratorRunsARoundAndThePublicReadsIt(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	mod := newSession(t, browser, w.srv.URL)
	mod.signIn(adminAcc)
	draft := w.path("rounds", w.draftID)
	mod.open(draft)
	mod.do("open the round", clickCSS(`#open-round button[type="submit"]`))
	mod.waitFor("the round is open", `document.querySelector("#close-round") !== null`, 5*time.Second)

	// A member votes on a proposal tabled in the open round.
	rid := strconv.FormatInt(w.draftID, 10)
	var p struct{ ID int64 }
	w.members[0].call("POST", "/api/v1/rounds/"+rid+"/proposals", map[string]string{"title": "Онлайн записване за час", "body": "Записване за час в деловодството през сайта."}, &p)
	w.members[0].call("PUT", "/api/v1/proposals/"+strconv.FormatInt(p.ID, 10)+"/vote", map[string]string{"choice": "for"}, nil)
	w.members[1].call("PUT", "/api/v1/proposals/"+strconv.FormatInt(p.ID, 10)+"/vote", map[string]string{"choice": "abstain"}, nil)
	mod.waitFor("the moderator sees the new proposal live", fmt.Sprintf(`document.querySelector("#proposal-%d") !== null`, p.ID), 2*time.Second)

	const summary = "Съветът прие онлайн записването за час; общината ще го въведе до края на годината."
	mod.do("write the summary", sendKeysCSS("#summary", summary))
	mod.eval0(`window.confirm = () => true`)
	mod.do("close the round", clickCSS(`#close-round button[type="submit"]`))
	mod.waitFor("the outcome page", `document.querySelector("[data-sha256]") !== null`, 5*time.Second)

	visitor := newSession(t, browser, w.srv.URL)
	visitor.open(draft)
	if got := visitor.text(".summary .description"); got != summary {
		t.Errorf("summary on the public page: %q", got)
	}
	if got := visitor.text(fmt.Sprintf("#proposal-%d .outcome strong", p.ID)); got != "Прието" {
		t.Errorf("outcome: %q, want Прието", got)
	}
	if got := visitor.text(fmt.Sprintf("#proposal-%d [data-count=\"for\"]", p.ID)); got != "1" {
		t.Errorf("for: %q, want 1", got)
	}
	// A secret ballot with one citizen and one NGO voter: the split would tell their choices.
	if n := eval[int](visitor, fmt.Sprintf(`document.querySelectorAll("#proposal-%d table.groups").length`, p.ID)); n != 0 {
		t.Errorf("the split by group of a secret ballot with groups of one voter is shown")
	}
	if got := visitor.text(fmt.Sprintf("#proposal-%d .by-group-withheld", p.ID)); !strings.Contains(got, "по-малко от трима") {
		t.Errorf("the page does not say why the split is withheld: %q", got)
	}
	// Download the record as the page links it, and check it against the published digest.
	check := eval[map[string]any](visitor, js(`(async () => {
		const a = document.querySelector('a[href$="/record"]');
		const res = await fetch(a.href);
		const bytes = await res.arrayBuffer();
		const digest = await crypto.subtle.digest("SHA-256", bytes);
		const hex = [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, "0")).join("");
		const csv = await fetch(document.querySelector('a[href$="/record.csv"]').href);
		return {status: res.status, size: bytes.byteLength, hex, published: document.querySelector("[data-sha256]").textContent.trim(), csv: csv.status, csvType: csv.headers.get("content-type")};
	})()`))
	if check["status"].(float64) != 200 || check["size"].(float64) < 100 {
		t.Fatalf("record download: %v", check)
	}
	if check["hex"] != check["published"] {
		t.Errorf("the record's SHA-256 %v differs from the published %v", check["hex"], check["published"])
	}
	if check["csv"].(float64) != 200 {
		t.Errorf("CSV download: %v", check)
	}
	if eval[bool](visitor, `document.querySelector('form[action="/signout"]') !== null`) {
		t.Error("the visitor is signed in")
	}
}

// The server is cut off (killed and started again on the same port) while a vote happens;
// the page shows the quiet reconnecting state, comes back, and shows the vote.
func TestReconnectsAfterServerRestart(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	b := newSession(t, browser, w.srv.URL)
	b.signIn(memberAccs[1])
	b.open(w.path("rounds", w.roundID))
	b.waitFor("connected", connected, 5*time.Second)
	b.eval0(`window.__notReloaded = true`)

	w.srv.stop(syscall.SIGKILL)
	b.waitFor("the page shows it is reconnecting", `document.body.dataset.live === "reconnecting" && document.getElementById("live-status").textContent.length > 0`, 5*time.Second)
	w.srv.start()
	// The vote happens while the page is still away: it must arrive through after=.
	w.members[0].call("PUT", fmt.Sprintf("/api/v1/proposals/%d/vote", w.proposalID), map[string]string{"choice": "against"}, nil)
	b.waitFor("the page shows the vote made while it was away", fmt.Sprintf(`document.querySelector(%q).textContent.trim() === "1"`, count(w.proposalID, "against")), 15*time.Second)
	b.waitFor("connected again", connected, 5*time.Second)
	// And the live path works again afterwards.
	w.members[0].call("PUT", fmt.Sprintf("/api/v1/proposals/%d/vote", w.proposalID), map[string]string{"choice": "for"}, nil)
	b.waitFor("a vote after the reconnect", fmt.Sprintf(`document.querySelector(%q).textContent.trim() === "1"`, count(w.proposalID, "for")), liveWithin)
	if !eval[bool](b, `window.__notReloaded === true`) {
		t.Error("the page was reloaded instead of resuming")
	}
}

// The language switch shows Bulgarian by default and English on request, and remembers it.
func TestLanguageSwitch(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	v := newSession(t, browser, w.srv.URL)
	v.open("/")
	if lang := eval[string](v, `document.documentElement.lang`); lang != "bg" {
		t.Fatalf("default language %q, want bg", lang)
	}
	if got := v.text(`.nav a[href="/outcomes"]`); got != "Решения" {
		t.Errorf("Bulgarian navigation: %q", got)
	}
	v.do("switch to English", clickCSS(".lang-switch"))
	v.waitFor("English", `document.documentElement.lang === "en"`, 5*time.Second)
	if got := v.text(`.nav a[href="/outcomes"]`); got != "Outcomes" {
		t.Errorf("English navigation: %q", got)
	}
	v.open("/outcomes")
	if got := v.text("h1"); got != "Outcomes" {
		t.Errorf("the choice is not remembered: h1 %q", got)
	}
	v.do("switch back", clickCSS(".lang-switch"))
	v.waitFor("Bulgarian", `document.documentElement.lang === "bg"`, 5*time.Second)
	if got := v.text("h1"); got != "Решения" {
		t.Errorf("back to Bulgarian: h1 %q", got)
	}
}
