package browsertest

import (
	"fmt"
	"testing"
	"time"
)

// The generic message a conflict showed before conflicts said what they were with.
const genericConflict = "Действието не е възможно в това състояние. Презаредете страницата."

// A moderator invites at a phone's and a desktop's width: after each invitation the form is
// empty for the next person and the link is shown, in view, with the keyboard on it. Inviting
// someone who already sits on the council says so beside the email field.
func TestDailyInviteFormAndAlreadyMember(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	mod := newSession(t, browser, w.srv.URL)
	mod.signIn(adminAcc)
	for i, width := range widths {
		mod.viewport(width)
		mod.open("/councils/" + w.slug)
		mod.do("fill the invitation",
			sendKeysCSS("#inv-name", "Даниела Христова"),
			sendKeysCSS("#inv-email", fmt.Sprintf("daniela%d@perushtitsa.example", i)),
			sendKeysCSS("#inv-org", "Лозарска изба ЕООД"),
			setValueCSS("#inv-group", "business"),
			clickCSS(`form[data-then="invite"] button[type="submit"]`),
		)
		mod.waitFor("the invitation link", `document.querySelector("[data-invite-url]").value.includes("/invitations/")`, 5*time.Second)
		for _, sel := range []string{"#inv-name", "#inv-email", "#inv-org"} {
			if v := eval[string](mod, fmt.Sprintf(`document.querySelector(%q).value`, sel)); v != "" {
				t.Errorf("%d px: %s keeps %q after the invitation", width, sel, v)
			}
		}
		if g := eval[string](mod, `document.querySelector("#inv-group").value`); g != "citizen" {
			t.Errorf("%d px: the group stays %q after the invitation", width, g)
		}
		if !eval[bool](mod, visibleJS("[data-invite-result]")) {
			t.Errorf("%d px: the link is not shown", width)
		}
		if id := eval[string](mod, `document.activeElement.id`); id != "invite-url" {
			t.Errorf("%d px: the keyboard is on %q, not on the link", width, id)
		}
		if !eval[bool](mod, `(() => { const r = document.querySelector("#invite-url").getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth && r.width > 100; })()`) {
			t.Errorf("%d px: the link field does not fit the page", width)
		}
		if !eval[bool](mod, noSideScroll) {
			t.Errorf("%d px: the council page scrolls sideways", width)
		}
	}

	// Ivan already sits on the council.
	mod.viewport(1280)
	mod.open("/councils/" + w.slug)
	mod.do("invite a member again",
		sendKeysCSS("#inv-name", memberAccs[0].name),
		sendKeysCSS("#inv-email", memberAccs[0].email),
		clickCSS(`form[data-then="invite"] button[type="submit"]`),
	)
	const already = "Този човек вече е член на съвета."
	mod.waitText("the email field's error", `form[data-then="invite"] [data-error-for="email"]`, already)
	if got := mod.text(`form[data-then="invite"] .form-error`); got == genericConflict || got == "" {
		t.Errorf("the form's message is %q, not what conflicts", got)
	}
	if got := eval[string](mod, `document.querySelector("#inv-email").getAttribute("aria-invalid")`); got != "true" {
		t.Errorf("the email field is not marked invalid: %q", got)
	}
}

// An admin creating a council gets its short address suggested from the Cyrillic name by the
// official transliteration until typing one; a taken address is said beside its field.
func TestDailyAdminSlugSuggestedAndTaken(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	admin := newSession(t, browser, w.srv.URL)
	admin.signIn(adminAcc)
	admin.open("/admin")
	for _, c := range []struct{ name, slug string }{
		{"Съвет за младежта", "savet-za-mladezhta"},
		{"Община България", "obshtina-bulgaria"},
		{"Щастливи жители на Перущица", "shtastlivi-zhiteli-na-perushtitsa"},
	} {
		admin.typeInto("#c-name", c.name)
		if got := eval[string](admin, `document.querySelector("#c-slug").value`); got != c.slug {
			t.Errorf("name %q: slug %q, want %q", c.name, got, c.slug)
		}
	}
	// Once the admin types an address, the name no longer changes it.
	admin.typeInto("#c-slug", "obsluzhvane")
	admin.typeInto("#c-name", "Съвет за младежта")
	if got := eval[string](admin, `document.querySelector("#c-slug").value`); got != "obsluzhvane" {
		t.Errorf("a typed slug was replaced by %q", got)
	}
	admin.do("create", clickCSS(`form[data-api="POST /api/v1/councils"] button[type="submit"]`))
	admin.waitText("the slug's error", `[data-error-for="slug"]`, "Този кратък адрес вече се използва от друг съвет.")
	if got := admin.text(`form[data-api="POST /api/v1/councils"] .form-error`); got == genericConflict {
		t.Errorf("the form's message is the generic %q", got)
	}
	// With the suggested address it is created.
	admin.typeInto("#c-slug", "")
	admin.eval0(`document.querySelector("#c-slug").dispatchEvent(new Event("input"))`)
	admin.typeInto("#c-name", "Съвет за младежта")
	admin.do("create", clickCSS(`form[data-api="POST /api/v1/councils"] button[type="submit"]`))
	admin.waitFor("the new council's page", `location.pathname === "/councils/savet-za-mladezhta"`, 5*time.Second)
}

// An author opens the edit form of a proposal nobody has voted on; meanwhile a member votes on
// it. Saving, or withdrawing, then says somebody has voted, not that something went wrong.
func TestDailyProposalEditedAfterAVote(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	author := newSession(t, browser, w.srv.URL)
	author.signIn(memberAccs[0])
	author.open(w.path("rounds", w.roundID))
	author.waitFor("connected", connected, 5*time.Second)
	p := fmt.Sprintf("#proposal-%d", w.proposalID)
	author.do("open the edit form", clickCSS(p+" [data-author-actions] details > summary"))
	author.typeInto(fmt.Sprintf("#pe-title-%d", w.proposalID), "Приемно време всяка сряда до 20 ч.")

	vote(w.members[1], w.proposalID, "for", "")
	author.waitText("the vote arrives", p+" [data-turnout]", "гласували 1 от 2")

	const voted = "Някой вече гласува по предложението, затова то не може да се променя или оттегля."
	author.do("save", clickCSS(p+" [data-author-actions] form[data-api^=PATCH] button[type=submit]"))
	author.waitText("the conflict", p+" [data-author-actions] form[data-api^=PATCH] .form-error", voted)

	d := author.answerDialogs(true)
	author.do("withdraw", clickCSS(p+" [data-author-actions] form[data-api^=DELETE] button[type=submit]"))
	d.waitDialog(t, 1)
	author.waitText("the conflict", p+" [data-author-actions] form[data-api^=DELETE] .form-error", voted)
	var got struct {
		Title string `json:"title"`
	}
	w.admin.call("GET", fmt.Sprintf("/api/v1/proposals/%d", w.proposalID), nil, &got)
	if got.Title != "Приемно време всяка сряда до 19 ч." {
		t.Errorf("the proposal changed after a vote: %q", got.Title)
	}
}
