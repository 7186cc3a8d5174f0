package browsertest

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// A council with more rounds than a page holds and a topic with more posts: their pages show one
// page at a time with links that work without scripts, and pass the accessibility check; the
// topic opens on its last page, where a post arriving live is shown, and an earlier page does not
// take it in.
func TestPagedListsWithoutScripts(t *testing.T) {
	script := axeScript(t)
	w := seed(t) // one round (the oldest), one topic with one post
	cid := strconv.FormatInt(w.councilID, 10)
	for i := range 21 {
		w.admin.call("POST", "/api/v1/councils/"+cid+"/rounds", map[string]any{"title": fmt.Sprintf("Консултация %d", i+1),
			"ballot": "open", "quorum_percent": 0}, nil)
	}
	third := w.addMember(t, moderatorAcc, "member", "business")
	authors := []*client{w.members[0], w.members[1], third}
	post := func(c *client, body string) int64 {
		var p struct{ ID int64 }
		c.call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.topicID), map[string]string{"body": body}, &p)
		return p.ID
	}
	for i := range 22 { // 23 posts in all: page 2 holds #21 to #23
		post(authors[i%3], fmt.Sprintf("Мнение номер %d.", i+2))
	}
	browser := newBrowser(t)
	// axe runs where scripts do: it checks each page the session without scripts reaches.
	checker := newSession(t, browser, w.srv.URL)
	checker.signIn(memberAccs[1])
	axe := func(s *session) {
		t.Helper()
		checker.open(eval[string](s, `location.pathname + location.search`))
		checker.axeClean(script)
	}

	s := newSession(t, browser, w.srv.URL)
	s.signIn(memberAccs[0])
	s.noScripts()
	s.open(w.path("topics", w.topicID))
	if got := s.text(".post [data-field=number]"); got != "#21" {
		t.Errorf("the topic opens on a page starting with %q, want #21 (the last page)", got)
	}
	if n := eval[int](s, `document.querySelectorAll(".post").length`); n != 3 {
		t.Errorf("the last page shows %d posts, want 3", n)
	}
	axe(s)
	s.do("to the earlier page", clickCSS(`nav.pager a[rel="prev"]`))
	s.waitFor("page 1", `location.search === "?page=1"`, 5*time.Second)
	if got := s.text(".post [data-field=number]"); got != "#1" {
		t.Errorf("page 1 starts with %q", got)
	}
	if n := eval[int](s, `document.querySelectorAll(".post").length`); n != 20 {
		t.Errorf("page 1 shows %d posts, want 20", n)
	}
	axe(s)

	s.open("/councils/" + w.slug)
	if n := eval[int](s, `document.querySelectorAll("#rounds-h ~ ul .card").length`); n != 20 {
		t.Errorf("the council's page lists %d rounds, want 20", n)
	}
	if s.exists(fmt.Sprintf(`a[href="/rounds/%d"]`, w.roundID)) {
		t.Error("the oldest round is on the first page")
	}
	axe(s)
	s.do("to the older rounds", clickCSS(`nav.pager a[rel="next"]`))
	s.waitFor("page 2", `location.search.includes("page=2")`, 5*time.Second)
	if !s.exists(fmt.Sprintf(`a[href="/rounds/%d"]`, w.roundID)) {
		t.Error("the oldest round is not on the second page")
	}
	axe(s)

	// With scripts: a post arriving live shows on the last page only.
	last := newSession(t, browser, w.srv.URL)
	last.signIn(memberAccs[1])
	last.open(w.path("topics", w.topicID))
	first := newSession(t, browser, w.srv.URL)
	first.signIn(memberAccs[0])
	first.open(w.path("topics", w.topicID) + "?page=1")
	for _, x := range []*session{last, first} {
		x.waitFor("connected", connected, 5*time.Second)
	}
	id := post(third, "Ново мнение, дошло на живо.")
	sel := "#post-" + strconv.FormatInt(id, 10)
	last.waitFor("the live post on the last page", fmt.Sprintf(`document.querySelector(%q) !== null`, sel), liveWithin)
	time.Sleep(500 * time.Millisecond)
	if first.exists(sel) {
		t.Error("the live post was added to the first page")
	}
}
