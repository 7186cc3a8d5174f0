package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// myVote is a JavaScript condition: the "my vote" line of the proposal reads want.
func myVote(proposalID int64, want string) string {
	return fmt.Sprintf(`(document.querySelector("#proposal-%d [data-my-vote]")?.textContent || "").trim() === %q`, proposalID, want)
}

// A member votes and withdraws with the keyboard alone, at a phone's and a desktop's width:
// after the withdrawal the keyboard stays on the proposal's "my vote" line, not lost on the
// page. A vote cast in a second tab of the same browser shows in the first.
func TestDailyVoteKeyboardAndSecondTab(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	s := newSession(t, browser, w.srv.URL)
	s.signIn(memberAccs[0])
	round := w.path("rounds", w.roundID)
	p := fmt.Sprintf("#proposal-%d", w.proposalID)
	for _, width := range widths {
		s.viewport(width)
		s.open(round)
		s.eval0(fmt.Sprintf(`document.querySelector(%q).focus()`, p+` button[value="for"]`))
		s.do("vote with Enter", chromedp.KeyEvent("\r"))
		s.waitFor("the vote is pressed", fmt.Sprintf(`document.querySelector(%q).getAttribute("aria-pressed") === "true"`, p+` button[value="for"]`), 5*time.Second)
		s.do("tab to the withdraw button", chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"))
		if v := eval[string](s, `document.activeElement.value || ""`); v != "withdraw" {
			t.Fatalf("%d px: three tabs after voting reach %q, not the withdraw button", width, v)
		}
		s.do("withdraw with Enter", chromedp.KeyEvent("\r"))
		s.waitFor("the vote is withdrawn", myVote(w.proposalID, "Все още не сте гласували."), 5*time.Second)
		if !eval[bool](s, fmt.Sprintf(`document.activeElement.matches("[data-my-vote]") && document.querySelector(%q).contains(document.activeElement)`, p)) {
			t.Errorf("%d px: after withdrawing, the keyboard is on %s, not the proposal's 'my vote' line", width,
				eval[string](s, `document.activeElement.outerHTML.slice(0, 80)`))
		}
		if !eval[bool](s, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return r.top >= -1 && r.bottom <= innerHeight + 1; })()`, p+" [data-my-vote]")) { // a pixel of rounding aside
			t.Errorf("%d px: the focused 'my vote' line is out of view: %s", width, eval[string](s, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return JSON.stringify({top: r.top, bottom: r.bottom, h: innerHeight, y: scrollY, ah: document.activeElement.outerHTML.slice(0,60)}); })()`, p+" [data-my-vote]")))
		}
		s.waitText("the withdrawal is announced", "#announcer", "Гласът ви е оттеглен.")
	}

	// Two tabs of one browser: the vote in the second shows in the first, without a reload.
	s.viewport(1280)
	s.open(round)
	s.waitFor("connected", connected, 5*time.Second)
	s.mark()
	other := s.newTab()
	other.open(round)
	other.do("vote against in the other tab", clickCSS(p+` button[value="against"]`))
	s.waitFor("the first tab shows the vote", myVote(w.proposalID, "Гласувахте: Против."), 2*time.Second)
	if !eval[bool](s, fmt.Sprintf(`document.querySelector(%q).getAttribute("aria-pressed") === "true" && !document.querySelector(%q).hidden`,
		p+` button[value="against"]`, p+` [data-withdraw]`)) {
		t.Error("the first tab's buttons do not show the vote")
	}
	other.do("withdraw in the other tab", clickCSS(p+` button[value="withdraw"]`))
	s.waitFor("the first tab shows the withdrawal", myVote(w.proposalID, "Все още не сте гласували."), 2*time.Second)
	if !s.stillSame() {
		t.Error("the first tab was reloaded")
	}
}

// Quorum progress and the roll call follow other members' votes live; a round that shows
// results after its close shows no tally, and a vote does not reveal one.
func TestDailyQuorumRollCallAndHiddenResults(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	s := newSession(t, browser, w.srv.URL)
	s.signIn(memberAccs[1])
	s.open(w.path("rounds", w.roundID))
	s.waitFor("connected", connected, 5*time.Second)
	s.mark()
	p := fmt.Sprintf("#proposal-%d", w.proposalID)
	if got := squash(s.text(p + " [data-quorum]")); got != "гласували 0 от 2 · за кворум (30%) трябва още 1 глас" {
		t.Errorf("quorum before any vote: %q", got)
	}
	s.do("open the roll call", clickCSS(p+" [data-roll-call-box] > summary"))
	if !eval[bool](s, visibleJS(p+" [data-roll-call-empty]")) {
		t.Error("the empty roll call does not say nobody has voted")
	}

	const reason = "Сряда е удобна за работещите."
	vote(w.members[0], w.proposalID, "for", reason)
	s.waitText("quorum follows the vote", p+" [data-quorum]", "гласували 1 от 2")
	if got := squash(s.text(p + " [data-quorum]")); got != "гласували 1 от 2 · кворумът (30%) е достигнат" {
		t.Errorf("quorum after one vote: %q", got)
	}
	line := fmt.Sprintf(`%s [data-roll-call] li[data-voter-id]`, p)
	s.waitText("the roll call shows the vote", line, "Иван Георгиев")
	if got := s.text(line + " [data-choice]"); got != "За" {
		t.Errorf("the roll call's choice: %q", got)
	}
	if got := s.text(line + " q.reason"); got != reason {
		t.Errorf("the roll call's reason: %q", got)
	}
	if eval[bool](s, visibleJS(p+" [data-roll-call-empty]")) {
		t.Error("the roll call still says nobody has voted")
	}
	// The member's own vote with a reason joins the roll call; a changed vote replaces its line.
	s.do("vote with a reason", sendKeysCSS(fmt.Sprintf("#reason-%d", w.proposalID), "Предпочитам четвъртък."), clickCSS(p+` button[value="against"]`))
	s.waitFor("two lines", fmt.Sprintf(`document.querySelectorAll(%q).length === 2`, line), 2*time.Second)
	vote(w.members[0], w.proposalID, "abstain", "")
	s.waitFor("Ivan's line changes", fmt.Sprintf(`[...document.querySelectorAll(%q)].some(li => li.textContent.includes("Иван") && li.querySelector("[data-choice]").dataset.choice === "abstain" && !li.querySelector("q"))`, line), 2*time.Second)
	if n := eval[int](s, fmt.Sprintf(`document.querySelectorAll(%q).length`, line)); n != 2 {
		t.Errorf("the roll call has %d lines for two voters", n)
	}
	if !s.stillSame() {
		t.Error("the page was reloaded")
	}

	// Results after the close: no tally, no roll call, and a vote does not reveal one.
	rid, pids := w.newRound(t, "Паркиране пред общината", "open", "after_close", 50, "Два часа безплатно паркиране")
	s.open(w.path("rounds", rid))
	s.waitFor("connected", connected, 5*time.Second)
	hp := fmt.Sprintf("#proposal-%d", pids[0])
	noTally := func(when string) {
		t.Helper()
		if s.exists(hp+" [data-tally]") || s.exists(hp+" [data-roll-call]") || s.exists(hp+" [data-count]") {
			t.Errorf("%s: a tally or roll call is shown", when)
		}
		if got := s.text(hp + " [data-tally-hidden]"); got != "Резултатите се показват след закриването на консултацията." {
			t.Errorf("%s: the hidden tally's note reads %q", when, got)
		}
	}
	noTally("before votes")
	vote(w.members[0], pids[0], "against", "")
	s.waitText("quorum follows the vote", hp+" [data-quorum]", "гласували 1 от 2")
	noTally("after another member's vote")
	s.do("vote", clickCSS(hp+` button[value="for"]`))
	s.waitFor("my vote", myVote(pids[0], "Гласувахте: За."), 2*time.Second)
	s.waitText("quorum follows my vote", hp+" [data-quorum]", "гласували 2 от 2")
	noTally("after my vote")
	if strings.Contains(s.text("#announcer"), "Против") {
		t.Error("the announcer read out a choice")
	}
}

// Closing a round whose proposals lack quorum warns, on the page and in the question asked;
// the warning follows the votes live, and goes once quorum is reached.
func TestDailyCloseWarnsWithoutQuorum(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	mod := newSession(t, browser, w.srv.URL)
	mod.signIn(adminAcc)
	mod.viewport(360)
	mod.open(w.path("rounds", w.roundID))
	mod.waitFor("connected", connected, 5*time.Second)
	const warning = "Внимание: 1 предложение още няма кворум. Ако закриете сега, то ще бъде отбелязано „Няма кворум“."
	if !eval[bool](mod, visibleJS("[data-quorum-warning]")) || mod.text("[data-quorum-warning]") != warning {
		t.Errorf("the warning on the page: %q", mod.text("[data-quorum-warning]"))
	}
	if !eval[bool](mod, noSideScroll) {
		t.Error("the moderator's round page scrolls sideways at 360 px")
	}
	d := mod.answerDialogs(false)
	mod.do("close", clickCSS(`#close-round button[type="submit"]`))
	if msg := d.waitDialog(t, 1); !strings.Contains(msg, warning) || !strings.Contains(msg, "Да бъде ли закрита консултацията?") {
		t.Errorf("the question asked does not warn: %q", msg)
	}
	if r := w.round(t, w.roundID); r.Status != "open" {
		t.Fatalf("dismissing the question closed the round: %s", r.Status)
	}

	vote(w.members[0], w.proposalID, "for", "")
	mod.waitFor("the warning goes once quorum is reached", `document.querySelector("[data-quorum-warning]").hidden`, 2*time.Second)
	mod.do("close", clickCSS(`#close-round button[type="submit"]`))
	if msg := d.waitDialog(t, 2); strings.Contains(msg, "кворум") {
		t.Errorf("the question warns although quorum is reached: %q", msg)
	}
	d.setAccept(true)
	mod.do("close", clickCSS(`#close-round button[type="submit"]`))
	d.waitDialog(t, 3)
	mod.waitFor("the outcome page", `document.querySelector("[data-sha256]") !== null`, 5*time.Second)
}
