package browsertest

import (
	"strings"
	"testing"
	"time"
)

// A moderator invites someone from the council page and hands over the link; the invited
// person accepts it without any script-only step and lands on the council, signed in. The
// moderator then makes them a moderator and removes them again.
func TestInviteAcceptAndManageMembers(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	mod := newSession(t, browser, w.srv.URL)
	mod.signIn(adminAcc)
	mod.open("/councils/" + w.slug)
	mod.do("fill the invitation",
		sendKeysCSS("#inv-name", "Даниела Христова"),
		sendKeysCSS("#inv-email", "firma@perushtitsa.example"),
		sendKeysCSS("#inv-org", "Лозарска изба „Перущица“ ЕООД"),
		setValueCSS("#inv-group", "business"),
		clickCSS(`form[data-then="invite"] button[type="submit"]`),
	)
	mod.waitFor("the invitation link", `document.querySelector("[data-invite-url]").value.includes("/invitations/")`, 5*time.Second)
	link := eval[string](mod, `document.querySelector("[data-invite-url]").value`)
	path := link[strings.Index(link, "/invitations/"):]

	guest := newSession(t, browser, w.srv.URL)
	guest.open(path)
	guest.do("accept", sendKeysCSS("#password", "daniela-password-2026"), clickCSS(`form[action^="/invitations/"] button[type="submit"]`))
	guest.waitFor("the council page, signed in", `location.pathname === "/councils/`+w.slug+`" && document.querySelector('form[action="/signout"]') !== null`, 5*time.Second)
	if got := guest.text(".notice"); got == "" {
		t.Error("no welcome notice after accepting")
	}

	mod.open("/councils/" + w.slug)
	uid := eval[string](mod, `[...document.querySelectorAll(".members tbody tr")].find(tr => tr.textContent.includes("Даниела Христова")).querySelector("select").id.replace("role-", "")`)
	mod.do("make moderator", setValueCSS("#role-"+uid, "moderator"), clickCSS(`form[data-api$="/members/`+uid+`"][data-api^="PATCH"] button`))
	mod.waitFor("the role changed", `document.querySelector("#role-`+uid+`") && document.querySelector("#role-`+uid+`").value === "moderator" && performance.getEntriesByType("navigation")[0].type === "reload"`, 5*time.Second)
	mod.eval0(`window.confirm = () => true`)
	mod.do("remove", clickCSS(`form[data-api$="/members/`+uid+`"][data-api^="DELETE"] button`))
	mod.waitFor("the member is gone", `document.querySelector("#role-`+uid+`") === null`, 5*time.Second)
}
