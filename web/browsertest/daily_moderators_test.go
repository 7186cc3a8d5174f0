package browsertest

import (
	"fmt"
	"strings"
	"testing"
)

// turnoutRows reads the participation panel's table: "group voted members" per row.
const turnoutRows = `[...document.querySelectorAll("[data-participation] tbody tr")].map(tr => [...tr.children].map(c => c.textContent.trim()).join(" ")).join("; ")`

// missingNames reads who the participation panel says has not voted on every proposal.
const missingNames = `[...document.querySelectorAll("[data-participation] .missing li")].map(li => li.firstChild.textContent.trim()).join(", ")`

// A moderator (not an admin) sees who is taking part while a round is open: turnout per group
// and, by name, who has not voted — in a secret ballot too, where nothing says how anyone voted.
// Members see no such panel. Checked at a phone's and a desktop's width.
func TestDailyParticipationPanel(t *testing.T) {
	w := seed(t)
	w.addMember(t, moderatorAcc, "moderator", "business")
	var p2 struct{ ID int64 }
	w.members[0].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", w.roundID), map[string]string{"title": "Приемно време в събота", "body": "Събота сутрин."}, &p2)
	vote(w.members[0], w.proposalID, "for", "")
	vote(w.members[1], p2.ID, "against", "")
	browser := newBrowser(t)
	mod := newSession(t, browser, w.srv.URL)
	mod.signIn(moderatorAcc)
	for _, width := range widths {
		mod.viewport(width)
		mod.open(w.path("rounds", w.roundID))
		if !eval[bool](mod, visibleJS("[data-participation]")) {
			t.Fatalf("%d px: no participation panel for the moderator", width)
		}
		if got := squash(mod.text("[data-participation] > p")); got != "Гласували са 2 от 3 членове (поне по едно предложение)." {
			t.Errorf("%d px: the panel's lead: %q", width, got)
		}
		if got := eval[string](mod, turnoutRows); got != "Граждани 1 1; НПО 1 1; Бизнес 0 1" {
			t.Errorf("%d px: turnout per group: %q", width, got)
		}
		if got := squash(eval[string](mod, `[...document.querySelectorAll("[data-participation] .missing li")].map(li => li.textContent).join("; ")`)); got !=
			"Иван Георгиев · Гражданин · без глас по 1 от 2 предложения; Петя Николова · Бизнес · без глас по 2 от 2 предложения; Стоян Иванов · НПО · без глас по 1 от 2 предложения" {
			t.Errorf("%d px: not yet voted on every proposal: %q", width, got)
		}
		if strings.Contains(mod.text("[data-participation]"), "изборът остава таен") {
			t.Errorf("%d px: an open ballot's panel says the choice stays secret", width)
		}
		if !eval[bool](mod, noSideScroll) || !eval[bool](mod, `[...document.querySelectorAll("[data-participation] .table-scroll")].every(b => b.scrollWidth <= b.clientWidth)`) {
			t.Errorf("%d px: the participation panel does not fit: %s", width, eval[string](mod, `JSON.stringify({doc: [document.documentElement.scrollWidth, document.documentElement.clientWidth], boxes: [...document.querySelectorAll("[data-participation] .table-scroll")].map(b => [b.scrollWidth, b.clientWidth]), wide: [...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))})`))
		}
	}
	member := newSession(t, browser, w.srv.URL)
	member.signIn(memberAccs[0])
	member.open(w.path("rounds", w.roundID))
	if member.exists("[data-participation]") {
		t.Error("a member sees the participation panel")
	}

	// A secret ballot: who took part shows, how never does.
	var p struct{ ID int64 }
	w.members[0].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", w.draftID), map[string]string{"title": "Онлайн записване за час", "body": "През сайта на общината."}, &p)
	w.admin.call("POST", fmt.Sprintf("/api/v1/rounds/%d/open", w.draftID), map[string]any{}, nil)
	vote(w.members[0], p.ID, "against", "")
	vote(w.members[1], p.ID, "for", "")
	mod.viewport(1280)
	mod.open(w.path("rounds", w.draftID))
	if got := squash(mod.text("[data-participation] > p")); got != "Гласували са 2 от 3 членове (поне по едно предложение)." {
		t.Errorf("secret ballot: the panel's lead: %q", got)
	}
	if got := eval[string](mod, turnoutRows); got != "Граждани 1 1; НПО 1 1; Бизнес 0 1" {
		t.Errorf("secret ballot: turnout per group: %q", got)
	}
	if got := eval[string](mod, missingNames); got != "Петя Николова" {
		t.Errorf("secret ballot: not yet voted: %q", got)
	}
	if !strings.Contains(mod.text("[data-participation]"), "изборът остава таен") {
		t.Error("secret ballot: the panel does not say the choice stays secret")
	}
	panel := mod.text("[data-participation]")
	if mod.exists("[data-choice]") || mod.exists("[data-roll-call]") || mod.exists("[data-count]") || strings.Contains(panel, "Против") || strings.Contains(panel, "За") {
		t.Error("secret ballot: the moderator's page tells how someone voted")
	}
}

// An admin renames a council and archives one; a moderator who is not an admin may only make
// the council's open rounds public; members see no settings.
func TestDailyCouncilSettings(t *testing.T) {
	w := seed(t)
	w.addMember(t, moderatorAcc, "moderator", "business")
	browser := newBrowser(t)
	admin := newSession(t, browser, w.srv.URL)
	admin.signIn(adminAcc)
	council := "/councils/" + w.slug
	for _, width := range widths {
		admin.viewport(width)
		admin.open(council)
		for _, sel := range []string{"#cs-name", "#cs-desc", "#cs-public", "#cs-archived"} {
			if !eval[bool](admin, visibleJS(sel)) {
				t.Errorf("%d px: the admin's settings lack %s", width, sel)
			}
		}
		if !eval[bool](admin, noSideScroll) {
			t.Errorf("%d px: the council page scrolls sideways", width)
		}
	}
	admin.viewport(1280)
	const name, desc = "Съвет за обслужване на гражданите", "Как общината да обслужва по-добре, по-бързо и по-близо до хората."
	admin.typeInto("#cs-name", name)
	admin.typeInto("#cs-desc", desc)
	admin.mark()
	admin.do("save", clickCSS(`#council-settings button[type="submit"]`))
	admin.waitReload("the page after saving")
	if admin.text("h1") != name || admin.text(".lead") != desc {
		t.Errorf("after saving: %q / %q", admin.text("h1"), admin.text(".lead"))
	}
	// A council with an open round cannot be archived: the page says what to do first.
	admin.do("archive", clickCSS("#cs-archived"), clickCSS(`#council-settings button[type="submit"]`))
	admin.waitText("the refusal", "#council-settings .form-error", "Първо закрийте отворените консултации на съвета.")

	// A council without open rounds is archived: its page says so and takes no new rounds.
	var c struct{ ID int64 }
	w.admin.call("POST", "/api/v1/councils", map[string]string{"slug": "kultura", "name": "Съвет за култура", "description": "Читалище, празници, музей.", "constituency": "mixed"}, &c)
	admin.open("/councils/kultura")
	if !admin.exists("#new-round-h") || admin.exists("[data-archived]") {
		t.Fatal("before archiving: no new-round form, or already archived")
	}
	admin.mark()
	admin.do("archive", clickCSS("#cs-archived"), clickCSS(`#council-settings button[type="submit"]`))
	admin.waitReload("the page after archiving")
	const notice = "Съветът е архивиран: историята му остава за справка, нови консултации няма."
	if admin.text("[data-archived]") != notice || admin.exists("#new-round-h") || admin.exists(`form[data-then="invite"]`) {
		t.Errorf("the archived council: notice %q, new-round form %v", admin.text("[data-archived]"), admin.exists("#new-round-h"))
	}
	if !eval[bool](admin, `document.querySelector("#cs-archived").checked`) {
		t.Error("the archived box is not checked after archiving")
	}
	visitor := newSession(t, browser, w.srv.URL)
	visitor.open("/councils/kultura")
	if visitor.text("[data-archived]") != notice {
		t.Error("the public does not see that the council is archived")
	}

	// A moderator may make open rounds public, and nothing else.
	mod := newSession(t, browser, w.srv.URL)
	mod.signIn(moderatorAcc)
	mod.open(council)
	if !mod.exists("#cs-public") || mod.exists("#cs-name") || mod.exists("#cs-archived") {
		t.Fatalf("the moderator's settings: public %v, name %v, archived %v", mod.exists("#cs-public"), mod.exists("#cs-name"), mod.exists("#cs-archived"))
	}
	mod.mark()
	mod.do("make open rounds public", clickCSS("#cs-public"), clickCSS(`#council-settings button[type="submit"]`))
	mod.waitReload("the page after saving")
	if !strings.Contains(mod.text("main > p.muted"), "отворените консултации са публични") || !eval[bool](mod, `document.querySelector("#cs-public").checked`) {
		t.Errorf("the council does not say its open rounds are public: %q", mod.text("main > p.muted"))
	}
	var got struct {
		Name             string `json:"name"`
		OpenRoundsPublic bool   `json:"open_rounds_public"`
	}
	w.admin.call("GET", "/api/v1/councils/"+w.slug, nil, &got)
	if got.Name != name || !got.OpenRoundsPublic {
		t.Errorf("the council over the API: %+v", got)
	}
	member := newSession(t, browser, w.srv.URL)
	member.signIn(memberAccs[0])
	member.open(council)
	if member.exists("#council-settings") {
		t.Error("a member sees the council's settings")
	}
}
