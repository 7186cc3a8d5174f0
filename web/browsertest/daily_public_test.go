package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// outcomeTitles lists the titles the archive shows, in order.
const outcomeTitles = `[...document.querySelectorAll(".outcome-item h3")].map(h => h.textContent.trim()).join(" | ")`

// noQuorumRound closes a round of a second council, "kultura", whose only proposal had no votes:
// an outcome without quorum, in another council.
func (w *world) noQuorumRound(t *testing.T) {
	t.Helper()
	cid := w.otherCouncil(t, "kultura", "Съвет за култура")
	const title = "Празник на Перущица"
	var r struct{ ID int64 }
	w.admin.call("POST", fmt.Sprintf("/api/v1/councils/%d/rounds", cid), map[string]any{"title": title, "description": "Как да отбележим празника на града?", "ballot": "open", "quorum_percent": 50}, &r)
	w.members[0].call("POST", fmt.Sprintf("/api/v1/rounds/%d/proposals", r.ID), map[string]string{"title": "Концерт на площада", "body": "Концерт вечерта на празника."}, nil)
	w.admin.call("POST", fmt.Sprintf("/api/v1/rounds/%d/open", r.ID), map[string]any{}, nil)
	w.admin.call("POST", fmt.Sprintf("/api/v1/rounds/%d/close", r.ID), map[string]string{"outcome_summary": "Няма кворум; празникът ще се обсъди отново."}, nil)
}

// The public narrows the archive by council, outcome and dates; the form keeps what was chosen;
// a backwards date range is said beside the field (not a server error); the Atom feed is
// well-formed and carries the outcomes.
func TestDailyOutcomeFiltersAndFeed(t *testing.T) {
	w := seed(t)
	w.closedRound(t)
	w.noQuorumRound(t)
	const adopted, noQuorum = "Анкета за удовлетвореността от услугите", "Празник на Перущица"
	browser := newBrowser(t)
	v := newSession(t, browser, w.srv.URL)
	v.open("/outcomes")
	if got := eval[string](v, outcomeTitles); got != noQuorum+" | "+adopted {
		t.Fatalf("the whole archive: %q", got)
	}
	apply := func(what string, fields map[string]string) {
		t.Helper()
		if !eval[bool](v, `document.querySelector("details.filters").open`) {
			v.do("open the filters", clickCSS("details.filters > summary"))
		}
		for sel, val := range fields {
			v.do("set "+sel, setValueCSS(sel, val))
		}
		v.mark()
		v.do(what, clickCSS("details.filters button[type=submit]"))
		v.waitReload(what)
	}
	today := time.Now().In(sofia).Format("2006-01-02")
	tomorrow := time.Now().In(sofia).AddDate(0, 0, 1).Format("2006-01-02")
	yesterday := time.Now().In(sofia).AddDate(0, 0, -1).Format("2006-01-02")
	for _, c := range []struct {
		what   string
		fields map[string]string
		want   string
	}{
		{"by council", map[string]string{"#f-council": "kultura"}, noQuorum},
		{"by outcome", map[string]string{"#f-council": "", "#f-outcome": "adopted"}, adopted},
		{"without quorum", map[string]string{"#f-outcome": "no_quorum"}, noQuorum},
		{"closed today", map[string]string{"#f-outcome": "", "#f-from": today, "#f-to": today}, noQuorum + " | " + adopted},
		{"closed from tomorrow", map[string]string{"#f-from": tomorrow, "#f-to": ""}, ""},
		{"closed until yesterday", map[string]string{"#f-from": "", "#f-to": yesterday}, ""},
	} {
		apply(c.what, c.fields)
		if got := eval[string](v, outcomeTitles); got != c.want {
			t.Errorf("%s: the archive lists %q, want %q", c.what, got, c.want)
		}
		for sel, val := range c.fields {
			if got := eval[string](v, fmt.Sprintf(`document.querySelector(%q).value`, sel)); got != val {
				t.Errorf("%s: %s shows %q after filtering, want %q", c.what, sel, got, val)
			}
		}
		if !eval[bool](v, `document.querySelector("details.filters").open`) {
			t.Errorf("%s: the filters are folded away", c.what)
		}
	}

	// From after until: said beside the field, the values kept, and not a server error.
	apply("a backwards range", map[string]string{"#f-from": today, "#f-to": yesterday})
	if got := v.text("#to-error"); got != "Трябва да е същият ден като началната дата или по-късно." {
		t.Errorf("the backwards range's error: %q", got)
	}
	if eval[string](v, `document.querySelector("#f-to").getAttribute("aria-invalid")`) != "true" || !eval[bool](v, `document.querySelector("details.filters").open`) {
		t.Error("the field in error is not marked, or the filters are folded away")
	}
	if eval[string](v, `document.querySelector("#f-from").value`) != today || eval[string](v, `document.querySelector("#f-to").value`) != yesterday {
		t.Error("the dates typed are not kept")
	}
	if status := eval[int](v, `fetch(location.href).then(r => r.status)`); status >= 500 || status < 400 {
		t.Errorf("a backwards range answers %d", status)
	}
	v.open("/outcomes?from=2026-13-45")
	if got := v.text("#from-error"); got != "Въведете дата." {
		t.Errorf("a date that is none: %q", got)
	}
	// The open filters, in error too, fit a phone and a desktop.
	for _, width := range widths {
		v.viewport(width)
		for _, path := range []string{"/outcomes?council=kultura&outcome=no_quorum", "/outcomes?from=" + today + "&to=" + yesterday} {
			v.open(path)
			fits := `[...document.querySelectorAll("details.filters input, details.filters select, details.filters .field-error")].every(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= innerWidth; })`
			if !eval[bool](v, noSideScroll) || !eval[bool](v, fits) {
				t.Errorf("%d px: %s does not fit", width, path)
			}
		}
	}
	v.viewport(1280)

	// The Atom feed, as a reader fetches it from the link the pages carry.
	feed := eval[map[string]any](v, js(`(async () => {
		const link = document.querySelector('link[rel="alternate"][type="application/atom+xml"]');
		const res = await fetch(link.href);
		const doc = new DOMParser().parseFromString(await res.text(), "application/xml");
		const one = await fetch(link.href + "?council=kultura").then(r => r.text()).then(x => new DOMParser().parseFromString(x, "application/xml"));
		return {status: res.status, type: res.headers.get("content-type"), error: doc.querySelector("parsererror") !== null,
			ns: doc.documentElement.namespaceURI, root: doc.documentElement.localName,
			titles: [...doc.querySelectorAll("entry > title")].map(e => e.textContent).join(" | "),
			links: [...doc.querySelectorAll("entry > link")].every(l => /\/rounds\/\d+$/.test(l.getAttribute("href"))),
			updated: [...doc.querySelectorAll("entry > updated")].every(u => !isNaN(Date.parse(u.textContent))),
			one: one.querySelectorAll("entry").length};
	})()`))
	if feed["status"] != float64(200) || !strings.HasPrefix(fmt.Sprint(feed["type"]), "application/atom+xml") || feed["error"] != false ||
		feed["ns"] != "http://www.w3.org/2005/Atom" || feed["root"] != "feed" {
		t.Errorf("the feed is not well-formed Atom: %v", feed)
	}
	if feed["titles"] != noQuorum+" | "+adopted || feed["links"] != true || feed["updated"] != true || feed["one"] != float64(1) {
		t.Errorf("the feed's entries: %v", feed)
	}
}

// A council makes its open rounds public: a visitor who is not signed in reads an open round
// and a topic live, without forms to vote or write; when the council stops it, the visitor's
// pages reload and no longer show the round.
func TestDailyPublicOpenRounds(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	v := newSession(t, browser, w.srv.URL)
	round := w.path("rounds", w.roundID)
	v.open(round)
	if strings.Contains(v.text("main"), "Приемно време") {
		t.Fatal("an open round shows to the public before the council makes it public")
	}
	setPublic := func(on bool) {
		w.admin.call("PATCH", "/api/v1/councils/"+w.slug, map[string]bool{"open_rounds_public": on}, nil)
	}
	setPublic(true)
	v.open(round)
	v.waitFor("connected", connected, 5*time.Second)
	if v.text("h1") != "Приемно време за граждани и организации" || !v.exists("[data-public-view]") {
		t.Fatalf("the visitor does not read the open round: %q", v.text("h1"))
	}
	if v.exists("form[data-vote]") || v.exists(`form[data-api$="/proposals"]`) || v.exists(`form[data-api$="/topics"]`) || v.exists("#close-round") {
		t.Error("the visitor has forms to vote or write")
	}
	topic := v.newTab()
	topic.open(w.path("topics", w.topicID))
	topic.waitFor("connected", connected, 5*time.Second)
	if topic.exists("#post-body") || topic.exists("[data-reply]") || !topic.exists("[data-public-view]") {
		t.Error("the visitor may write in the topic, or is not told it is a public view")
	}
	v.mark()
	topic.mark()

	vote(w.members[0], w.proposalID, "for", "Сряда е удобна.")
	v.waitFor("the visitor sees the vote", fmt.Sprintf(`document.querySelector(%q).textContent.trim() === "1"`, count(w.proposalID, "for")), liveWithin)
	w.members[1].call("POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.topicID), map[string]string{"body": "Четвъртък също става."}, nil)
	topic.waitFor("the visitor sees the post", postWith("Четвъртък също става.")+` !== undefined`, liveWithin)
	if !v.stillSame() || !topic.stillSame() {
		t.Fatal("a visitor's page was reloaded by the live updates")
	}

	setPublic(false)
	for _, s := range []*session{v, topic} {
		s.waitReload("the visitor's page reloads")
		if strings.Contains(s.text("main"), "Приемно време") || strings.Contains(s.text("main"), "Четвъртък също става") || s.exists("[data-public-view]") {
			t.Errorf("after the council stopped it, the visitor still reads %s", s.text("h1"))
		}
	}
	if got := v.text("h1"); got != "Страницата не е намерена" {
		t.Errorf("the visitor's round page reads %q", got)
	}
}
