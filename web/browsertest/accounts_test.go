package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeClean fails the test on any accessibility violation axe finds on the current page.
func (s *session) axeClean(script string) {
	s.t.Helper()
	for _, v := range s.axeCheck(script) {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+" "+truncate(n.HTML, 120))
		}
		s.t.Errorf("%s: %s (%s): %s\n\t%s", eval[string](s, "location.pathname"), v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}

// A member who forgot their password asks for a link from the sign-in page, follows the
// mailed link, chooses a new password and is signed in at once; their other session ends and
// the link does not work twice. In both languages, with no accessibility violation.
func TestResetPasswordFromTheMailedLink(t *testing.T) {
	mb := newMailbox(t)
	w := seed(t, mb.setting())
	script := axeScript(t)
	browser := newBrowser(t)
	for i, lang := range []string{"bg", "en"} {
		t.Run(lang, func(t *testing.T) {
			acc, other := memberAccs[i], w.members[i]
			s := newSession(t, browser, w.srv.URL)
			s.open("/signin?lang=" + lang)
			s.do("follow the forgotten-password link", clickCSS(`a[href="/reset"]`), chromedp.WaitVisible(chromedp.CSS("#email")))
			s.axeClean(script)
			s.do("ask for a link", sendKeysCSS("#email", acc.email), chromedp.Submit(chromedp.CSS("#email")))
			s.waitFor("the notice that a link is on its way", `document.querySelector("p.notice") !== null`, 5*time.Second)
			path := mb.link(t, acc.email, "/reset/")
			s.open(path)
			if got := eval[string](s, `document.documentElement.lang`); got != lang {
				t.Fatalf("the reset page is in %q, want %q", got, lang)
			}
			s.axeClean(script)
			s.do("choose a new password", sendKeysCSS("#password", "a brand new pass 2026"), chromedp.Submit(chromedp.CSS("#password")))
			s.waitFor("my page, signed in", `location.pathname === "/me" && document.querySelector('form[action="/signout"]') !== null`, 5*time.Second)
			if s.text("p.notice") == "" {
				t.Error("no notice that the password changed")
			}
			if status, _ := other.try("GET", "/api/v1/me", nil, nil); status != 401 {
				t.Fatalf("the session from before the reset answers %d", status)
			}
			again := newSession(t, browser, w.srv.URL)
			again.open(path)
			if again.text("h1") == s.text("h1") || eval[bool](again, `document.querySelector("#password") !== null`) {
				t.Fatal("the reset link works a second time")
			}
			fresh := newClient(t, w.srv.URL)
			fresh.signIn(acc.email, "a brand new pass 2026")
			w.members[i] = fresh
		})
	}
}

// A member changes the language of their profile and the pages follow it, in this browser
// and in a new one; their agenda shows the open round and what waits for their vote.
func TestProfileLanguageAndAgenda(t *testing.T) {
	w := seed(t)
	script := axeScript(t)
	browser := newBrowser(t)
	s := newSession(t, browser, w.srv.URL)
	s.signIn(memberAccs[1])
	s.open("/me")
	agenda := s.text(".agenda")
	if !strings.Contains(agenda, "Приемно време за граждани и организации") || !strings.Contains(agenda, "Очаква гласа ви: 1 от 1") {
		t.Fatalf("the agenda reads %q", agenda)
	}
	s.axeClean(script)
	s.do("open the profile", clickCSS(`a[href="/me/account"]`), chromedp.WaitVisible(chromedp.CSS("#p-lang")))
	s.axeClean(script)
	s.do("choose English", setValueCSS("#p-lang", "en"), chromedp.Submit(chromedp.CSS("#p-name")))
	s.waitFor("the profile in English", `document.documentElement.lang === "en" && location.search.includes("notice=saved")`, 5*time.Second)
	if got := s.text("p.notice"); got != "Your profile is saved." {
		t.Fatalf("notice %q", got)
	}
	s.axeClean(script)
	s.open("/me")
	if agenda := s.text(".agenda"); !strings.Contains(agenda, "Awaiting your vote: 1 of 1") {
		t.Fatalf("the English agenda reads %q", agenda)
	}
	s.axeClean(script)
	elsewhere := newSession(t, browser, w.srv.URL)
	elsewhere.signIn(memberAccs[1])
	if got := eval[string](elsewhere, `document.documentElement.lang`); got != "en" {
		t.Fatalf("a new browser shows the member's pages in %q, not the language of their profile", got)
	}
}
