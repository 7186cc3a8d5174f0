package browsertest

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// query reads one parameter of the page's address.
func query(s *session, name string) string {
	s.t.Helper()
	return eval[string](s, fmt.Sprintf(`new URLSearchParams(location.search).get(%q) || ""`, name))
}

// The language switch keeps what the page shows: a search of the archive, a reply being written.
func TestDailyLanguageSwitchKeepsQuery(t *testing.T) {
	w := seed(t)
	w.closedRound(t)
	browser := newBrowser(t)
	v := newSession(t, browser, w.srv.URL)
	v.open("/outcomes?q=" + url.QueryEscape("анкета"))
	for _, lang := range []string{"en", "bg"} {
		v.mark()
		v.do("switch to "+lang, clickCSS(".lang-switch"))
		v.waitReload("the page in " + lang)
		if got := eval[string](v, `document.documentElement.lang`); got != lang {
			t.Fatalf("the page is in %q, want %q", got, lang)
		}
		if q := query(v, "q"); q != "анкета" || eval[string](v, `document.querySelector("#q").value`) != "анкета" {
			t.Errorf("%s: the search is lost: q=%q", lang, q)
		}
		if n := eval[int](v, `document.querySelectorAll(".outcome-item").length`); n != 1 {
			t.Errorf("%s: the search finds %d outcomes, want 1", lang, n)
		}
	}

	m := newSession(t, browser, w.srv.URL)
	m.signIn(memberAccs[1])
	var first struct {
		Posts []struct{ ID int64 } `json:"posts"`
	}
	w.members[1].call("GET", fmt.Sprintf("/api/v1/topics/%d", w.topicID), nil, &first)
	reply := fmt.Sprint(first.Posts[0].ID)
	m.open(fmt.Sprintf("/topics/%d?reply_to=%s", w.topicID, reply))
	m.mark()
	m.do("switch to English", clickCSS(".lang-switch"))
	m.waitReload("the topic in English")
	if eval[string](m, `document.documentElement.lang`) != "en" || query(m, "reply_to") != reply {
		t.Fatalf("the reply is lost: %s", eval[string](m, `location.href`))
	}
	if !eval[bool](m, visibleJS("[data-reply-note]")) || m.text("[data-reply-id]") != "1" ||
		eval[string](m, `document.querySelector("form[data-new-post] [name=reply_to]").value`) != reply {
		t.Errorf("the English page does not reply to #1: %q", squash(m.text("[data-reply-note]")))
	}
}

// People's text carries its own language where it differs from the page's: a Bulgarian post,
// proposal or title on an English page is marked lang="bg", an English one on a Bulgarian page
// lang="en" — also what arrives live.
func TestDailyLangOfPeoplesText(t *testing.T) {
	w := seed(t)
	const enPost = "Wednesday evenings suit working people best."
	const enTitle = "Open on Saturday mornings"
	w.members[1].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.topicID), map[string]string{"body": enPost}, nil)
	w.members[1].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", w.roundID), map[string]string{"title": enTitle, "body": "The town hall opens on Saturdays from 9 to 12."}, nil)
	browser := newBrowser(t)
	bg := newSession(t, browser, w.srv.URL)
	en := newSession(t, browser, w.srv.URL)
	bg.signIn(memberAccs[0])
	en.signIn(memberAccs[0])
	en.open("/?lang=en")
	langOf := func(s *session, expr string) string {
		t.Helper()
		return eval[string](s, `(() => { const e = `+expr+`; return e ? (e.getAttribute("lang") || "none") : "missing"; })()`)
	}
	post := func(text string) string {
		return postWith(text) + `?.querySelector("[data-body]")`
	}
	title := func(text string) string {
		return proposalWith(text) + `?.querySelector("[data-field=title]")`
	}
	check := func(s *session, what, expr, want string) {
		t.Helper()
		if got := langOf(s, expr); got != want {
			t.Errorf("%s page: %s has lang %s, want %s", eval[string](s, `document.documentElement.lang`), what, got, want)
		}
	}

	topic := w.path("topics", w.topicID)
	for _, s := range []*session{bg, en} {
		s.open(topic)
		s.waitFor("connected", connected, 5*time.Second)
	}
	check(bg, "an English post", post(enPost), "en")
	check(bg, "a Bulgarian post", post("Сряда е добре"), "none")
	check(en, "a Bulgarian post", post("Сряда е добре"), "bg")
	check(en, "an English post", post(enPost), "none")
	check(en, "a Bulgarian topic title", `document.querySelector("h1")`, "bg")
	// Live.
	w.members[1].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.topicID), map[string]string{"body": "Четвъртък следобед е по-удобно."}, nil)
	w.members[1].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.topicID), map[string]string{"body": "Thursday afternoons work too."}, nil)
	for _, s := range []*session{bg, en} {
		s.waitFor("the live posts", postWith("Thursday afternoons")+` !== undefined && `+postWith("Четвъртък следобед")+` !== undefined`, 2*time.Second)
	}
	check(en, "a Bulgarian post added live", post("Четвъртък следобед"), "bg")
	check(bg, "an English post added live", post("Thursday afternoons"), "en")
	check(bg, "a Bulgarian post added live", post("Четвъртък следобед"), "none")

	round := w.path("rounds", w.roundID)
	for _, s := range []*session{bg, en} {
		s.open(round)
		s.waitFor("connected", connected, 5*time.Second)
	}
	check(en, "a Bulgarian proposal title", title("Приемно време всяка сряда до 19 ч."), "bg")
	check(en, "a Bulgarian proposal", proposalWith("Приемно време всяка сряда до 19 ч.")+`.querySelector("[data-field=body]")`, "bg")
	check(en, "the round's title", `document.querySelector("h1")`, "bg")
	check(bg, "an English proposal title", title(enTitle), "en")
	w.members[1].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", w.roundID), map[string]string{"title": "Online booking of appointments", "body": "Book a time at the desk online."}, nil)
	w.members[1].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", w.roundID), map[string]string{"title": "Записване за час по телефона", "body": "Записване за час по телефона."}, nil)
	for _, s := range []*session{bg, en} {
		s.waitFor("the live proposals", proposalWith("Online booking of appointments")+` !== undefined && `+proposalWith("Записване за час по телефона")+` !== undefined`, 2*time.Second)
	}
	check(bg, "an English proposal added live", title("Online booking of appointments"), "en")
	check(en, "a Bulgarian proposal added live", title("Записване за час по телефона"), "bg")
	check(en, "an English proposal added live", title("Online booking of appointments"), "none")
}
