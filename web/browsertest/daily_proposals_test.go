package browsertest

import (
	"fmt"
	"testing"
	"time"
)

// proposalWith finds the proposal whose title is title, as a JavaScript expression.
func proposalWith(title string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(".proposal")].find(p => p.querySelector("[data-field=title]")?.textContent === %q)`, title)
}

// An author tables a proposal from a topic, edits it and withdraws it before anyone voted:
// the buttons are there at once, the proposal links to its topic, another member follows each
// change live, and once withdrawn it stays listed, marked, without vote buttons.
func TestDailyProposalAuthorEditAndWithdraw(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	a := newSession(t, browser, w.srv.URL)
	b := newSession(t, browser, w.srv.URL)
	a.signIn(memberAccs[0])
	b.signIn(memberAccs[1])
	round := w.path("rounds", w.roundID)
	for _, s := range []*session{a, b} {
		s.open(round)
		s.waitFor("connected", connected, 5*time.Second)
		s.mark()
	}
	// Nobody but its author may edit a proposal, and not even the author once it has a vote.
	if b.exists(fmt.Sprintf("#proposal-%d [data-author-actions]", w.proposalID)) {
		t.Error("another member may edit the author's proposal")
	}

	const title = "Приемно време в четвъртък"
	a.do("table a proposal",
		clickCSS(`details:has(form[data-api$="/proposals"]) > summary`),
		sendKeysCSS("#prop-title", title),
		sendKeysCSS("#prop-body", "Приемно време в четвъртък до 19 ч."),
		setValueCSS("#prop-topic", fmt.Sprint(w.topicID)),
		clickCSS(`form[data-api$="/proposals"] button[type="submit"]`),
	)
	mine := proposalWith(title)
	topicLink := fmt.Sprintf("/topics/%d", w.topicID)
	for _, s := range []*session{a, b} {
		s.waitFor("the new proposal", mine+` !== undefined`, 5*time.Second)
		link := eval[map[string]any](s, mine+`.querySelector("[data-field=topic-link]") && (() => { const l = `+mine+`.querySelector("[data-field=topic-link]");
			return {href: l.getAttribute("href"), text: l.textContent.trim(), shown: l.getClientRects().length > 0}; })()`)
		if link["href"] != topicLink || link["text"] != "от темата „Кой ден е най-удобен?“" || link["shown"] != true {
			t.Errorf("the proposal's link to its topic: %v", link)
		}
	}
	if !eval[bool](a, mine+`.querySelector("[data-author-actions] details > summary") !== null`) {
		t.Fatal("the proposal just tabled has no edit and withdraw buttons")
	}
	if eval[bool](b, mine+`.querySelector("[data-author-actions]") !== null`) {
		t.Error("another member has the author's buttons")
	}
	id := eval[string](a, mine+`.dataset.proposalId`)
	sel := "#proposal-" + id

	// Edit, straight away.
	a.do("open the edit form", clickCSS(sel+" [data-author-actions] details > summary"))
	if got := eval[string](a, `document.querySelector("#pe-title-`+id+`").value`); got != title {
		t.Errorf("the edit form's title: %q", got)
	}
	const edited = "Приемно време в четвъртък до 19 ч."
	a.typeInto("#pe-title-"+id, edited)
	a.do("save", clickCSS(sel+" [data-author-actions] form[data-api^=PATCH] button[type=submit]"))
	a.waitReload("the page after the edit")
	if got := a.text(sel + " [data-field=title]"); got != edited {
		t.Errorf("the edited title: %q", got)
	}
	if !eval[bool](a, visibleJS(sel+" [data-field=edited]")) {
		t.Error("the edited proposal is not marked edited")
	}
	b.waitFor("b sees the edit", fmt.Sprintf(`document.querySelector(%q)?.textContent === %q && !document.querySelector(%q).hidden`,
		sel+" [data-field=title]", edited, sel+" [data-field=edited]"), liveWithin)

	// Withdraw.
	d := a.answerDialogs(true)
	a.mark()
	a.do("withdraw", clickCSS(sel+" [data-author-actions] form[data-api^=DELETE] button[type=submit]"))
	if msg := d.waitDialog(t, 1); msg != "Да бъде ли оттеглено предложението? То остава в протокола като оттеглено и не може да бъде гласувано." {
		t.Errorf("the question asked: %q", msg)
	}
	a.waitReload("the page after withdrawing")
	for _, s := range []*session{a, b} {
		s.waitFor("withdrawn", fmt.Sprintf(`document.querySelector(%q)?.classList.contains("proposal-withdrawn")`, sel), liveWithin)
		if s.exists(sel+" form[data-vote]") || s.exists(sel+" [data-tally]") || s.exists(sel+" [data-author-actions]") || s.exists(sel+" [data-quorum]") {
			t.Error("a withdrawn proposal keeps vote buttons, a tally or the author's buttons")
		}
		if got := s.text(sel + " .hidden-note"); got != "Оттеглено от автора си, преди някой да гласува." && got != "Предложението е оттеглено от автора си." {
			t.Errorf("the withdrawn proposal's note: %q", got)
		}
		if got := s.text(sel + " [data-field=title]"); got != edited {
			t.Errorf("the withdrawn proposal is no longer listed with its title: %q", got)
		}
	}
	if !b.stillSame() {
		t.Error("b's page was reloaded")
	}
	// The link leads to the topic.
	b.do("follow the topic link", clickCSS(sel+" [data-field=topic-link]"))
	b.waitFor("the topic page", fmt.Sprintf(`location.pathname === %q`, topicLink), 5*time.Second)

	// A proposal with a vote can no longer be edited by its author.
	vote(w.members[1], w.proposalID, "for", "")
	a.open(round)
	if a.exists(fmt.Sprintf("#proposal-%d [data-author-actions]", w.proposalID)) {
		t.Error("the author may still edit a proposal someone voted on")
	}
}
