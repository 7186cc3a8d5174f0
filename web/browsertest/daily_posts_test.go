package browsertest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// postWith finds the post of the post whose body contains text, as a JavaScript expression.
func postWith(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(".post")].find(p => p.textContent.includes(%q))`, text)
}

// A member writes a post and at once has its edit and delete buttons; editing works and shows
// live to another member; a reply cites the post's number in its topic; deleting keeps the
// post's place with a note, live for others. Markdown previews as it will be published.
func TestDailyPostsWriteEditReplyDelete(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	a := newSession(t, browser, w.srv.URL)
	b := newSession(t, browser, w.srv.URL)
	a.signIn(memberAccs[0])
	b.signIn(memberAccs[1])
	topic := w.path("topics", w.topicID)
	for _, s := range []*session{a, b} {
		s.open(topic)
		s.waitFor("connected", connected, 5*time.Second)
		s.mark()
	}
	if got := a.text(".post [data-field=number]"); got != "#1" {
		t.Errorf("the topic's first post is numbered %q, want #1", got)
	}

	// Preview: the Markdown as it will read, rendered by the server.
	a.do("write Markdown", sendKeysCSS("#post-body", "Сряда е **удобна** за мнозина."), clickCSS(`[data-preview="post-body"]`))
	a.waitFor("the preview", `document.querySelector("#preview-post-body strong")?.textContent === "удобна"`, 5*time.Second)
	if !eval[bool](a, visibleJS("#preview-post-body")) || eval[string](a, `document.activeElement.id`) != "preview-post-body" {
		t.Error("the preview is not shown, or the keyboard is not on it")
	}
	a.do("send", clickCSS(`form[data-new-post] button[type="submit"]`))
	mine := postWith("за мнозина")
	a.waitFor("the post appears", mine+` !== undefined`, 5*time.Second)
	if !eval[bool](a, mine+`.querySelector("[data-edit] > summary") !== null && `+mine+`.querySelector("[data-delete-post] button") !== null`) {
		t.Fatal("the post just written has no edit and delete buttons")
	}
	if got := eval[string](a, mine+`.dataset.number`); got != "2" {
		t.Errorf("the new post is numbered %q, want 2", got)
	}
	if got := eval[string](a, mine+`.querySelector("[data-body] strong")?.textContent || ""`); got != "удобна" {
		t.Errorf("the new post's Markdown is not rendered: %q", got)
	}
	b.waitFor("b sees the post", postWith("за мнозина")+` !== undefined`, liveWithin)

	// Edit it straight away, without a reload first.
	if !a.stillSame() {
		t.Fatal("writing the post reloaded the page")
	}
	id := eval[string](a, mine+`.dataset.postId`)
	a.do("open the edit form", clickCSS("#post-"+id+" [data-edit] > summary"))
	if got := eval[string](a, `document.querySelector("#edit-`+id+`").value`); got != "Сряда е **удобна** за мнозина." {
		t.Errorf("the edit form holds %q, not the post's Markdown", got)
	}
	a.typeInto("#edit-"+id, "Сряда или четвъртък са удобни за мнозина.")
	a.do("save", clickCSS("#post-"+id+" [data-edit] button[type=submit]"))
	a.waitReload("the page after the edit")
	if got := a.text("#post-" + id + " [data-body]"); got != "Сряда или четвъртък са удобни за мнозина." {
		t.Errorf("the edited post reads %q", got)
	}
	b.waitFor("b sees the edit", `document.querySelector("#post-`+id+` [data-body]").textContent.includes("четвъртък") && !document.querySelector("#post-`+id+` [data-field=edited]").hidden`, liveWithin)

	// b replies to #2, picked on the page.
	b.do("reply", clickCSS(`#post-`+id+` [data-reply]`))
	if got := squash(b.text("[data-reply-note]")); !strings.HasPrefix(got, "В отговор на #2 ") {
		t.Errorf("the reply note: %q", got)
	}
	b.do("write the reply", sendKeysCSS("#post-body", "Четвъртък ми звучи добре."), clickCSS(`form[data-new-post] button[type="submit"]`))
	reply := postWith("Четвъртък ми звучи")
	for _, s := range []*session{a, b} {
		s.waitFor("the reply", reply+` !== undefined`, 5*time.Second)
		if got := eval[string](s, reply+`.querySelector("[data-field=reply]").textContent.trim()`); got != "в отговор на #2" {
			t.Errorf("the reply says %q, want 'в отговор на #2'", got)
		}
		if got := eval[string](s, reply+`.querySelector("[data-field=number]").textContent.trim()`); got != "#3" {
			t.Errorf("the reply is numbered %q, want #3", got)
		}
	}

	// Delete: the place stays, with a note, on both pages.
	d := a.answerDialogs(true)
	a.do("delete", clickCSS("#post-"+id+" [data-delete-post] button"))
	d.waitDialog(t, 1)
	for _, s := range []*session{a, b} {
		s.waitText("the deleted post's note", "#post-"+id+" [data-note]", "Мнението е изтрито от автора си.")
		if s.exists("#post-"+id+" [data-body]") || s.exists("#post-"+id+" .post-actions") {
			t.Error("the deleted post keeps its text or actions")
		}
		if got := eval[string](s, `document.querySelector("#post-`+id+` [data-field=number]").textContent`); got != "#2" {
			t.Errorf("the deleted post's number: %q", got)
		}
	}
	if !b.stillSame() {
		t.Error("b's page was reloaded")
	}
	a.open(topic)
	if got := a.text("#post-" + id + " [data-note]"); got != "Мнението е изтрито от автора си." {
		t.Errorf("after a reload the deleted post reads %q", got)
	}

	// A second topic numbers its posts from 1 again.
	var tp struct{ ID int64 }
	w.members[1].call("POST", fmt.Sprintf("/api/v1/rounds/%d/topics", w.roundID), map[string]string{"title": "Онлайн записване", "body": "Да може ли да се записваме онлайн?"}, &tp)
	var first struct{ ID int64 }
	w.members[1].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]string{"body": "Да, и с напомняне по SMS."}, &first)
	w.members[0].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": "Съгласен.", "reply_to": first.ID}, nil)
	a.open(w.path("topics", tp.ID))
	if got := eval[string](a, `[...document.querySelectorAll(".post [data-field=number]")].map(e => e.textContent.trim()).join(" ")`); got != "#1 #2" {
		t.Errorf("the second topic's posts are numbered %q, want #1 #2", got)
	}
	if got := a.text(".post:nth-child(2) [data-field=reply]"); got != "в отговор на #1" {
		t.Errorf("a reply in the second topic says %q", got)
	}
}

// A moderator shows a hidden post again: it reads as before, on the moderator's page and live
// on a member's.
func TestDailyUnhidePost(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	var post struct{ ID int64 }
	w.members[1].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.topicID), map[string]string{"body": "Четвъртък е по-добре от сряда."}, &post)
	w.admin.call("POST", fmt.Sprintf("/api/v1/posts/%d/hide", post.ID), map[string]string{"reason": "Проверка"}, nil)
	sel := "#post-" + strconv.FormatInt(post.ID, 10)

	member := newSession(t, browser, w.srv.URL)
	member.signIn(memberAccs[0])
	member.open(w.path("topics", w.topicID))
	member.waitFor("connected", connected, 5*time.Second)
	member.mark()
	if member.exists(sel+" [data-body]") || !contains(member.text(sel+" [data-note]"), "скрито", "Проверка") {
		t.Fatalf("the hidden post shows to a member: %q", member.text(sel))
	}
	mod := newSession(t, browser, w.srv.URL)
	mod.signIn(adminAcc)
	mod.open(w.path("topics", w.topicID))
	mod.mark()
	mod.do("show again", clickCSS(sel+` form[data-api$="/unhide"] button`))
	mod.waitReload("the page after unhiding")
	if mod.exists(sel+".post-hidden") || mod.text(sel+" [data-body]") != "Четвъртък е по-добре от сряда." {
		t.Errorf("the moderator's page still shows the post hidden: %q", mod.text(sel))
	}
	if !mod.exists(sel + ` form[data-api$="/hide"]`) {
		t.Error("the post shown again cannot be hidden again")
	}
	member.waitFor("the member sees the post again", fmt.Sprintf(`document.querySelector(%q)?.textContent.trim() === "Четвъртък е по-добре от сряда."`, sel+" [data-body]"), liveWithin)
	if member.exists(sel+".post-hidden") || member.exists(sel+" [data-note]") {
		t.Error("the member's page keeps the hidden note")
	}
	member.do("reply to the post shown again", clickCSS(sel+" [data-reply]"))
	member.waitText("the reply note", "[data-reply-note]", "#2")
	if !member.stillSame() {
		t.Error("the member's page was reloaded")
	}
}
