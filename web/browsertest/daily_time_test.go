package browsertest

import (
	"fmt"
	"testing"
	"time"
)

var sofia = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Sofia")
	if err != nil {
		panic(err)
	}
	return loc
}()

// localValue is what a datetime-local field shows for t in Sofia.
func localValue(t time.Time) string { return t.In(sofia).Format("2006-01-02T15:04") }

// A moderator whose browser is in New York or Tokyo sees and types deadlines in Sofia time: the
// draft's pre-filled deadline reads as in Sofia with a note saying so, saving the form unchanged
// keeps the deadline to the second, and a time typed is read as Sofia's (winter and summer).
// Opening the draft with the pre-filled deadline keeps it too.
func TestDailyDeadlineInSofiaTime(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	year := time.Now().Year() + 1
	closes := time.Date(year, 1, 15, 18, 22, 0, 0, time.UTC) // 20:22 in Sofia (UTC+2 in winter)
	setDeadline := func() {
		w.admin.call("PATCH", fmt.Sprintf("/api/v1/rounds/%d", w.draftID), map[string]any{"closes_at": closes}, nil)
	}
	draft := w.path("rounds", w.draftID)
	var last *session
	for _, tz := range []string{"America/New_York", "Asia/Tokyo"} {
		setDeadline()
		s := newSession(t, browser, w.srv.URL)
		s.timezone(tz)
		s.signIn(adminAcc)
		s.open(draft)
		if got := eval[string](s, `Intl.DateTimeFormat().resolvedOptions().timeZone`); got != tz {
			t.Fatalf("the browser's zone is %q, want %q", got, tz)
		}
		want := fmt.Sprintf("%d-01-15T20:22", year)
		s.do("open the edit form", clickCSS(`details.edit-round > summary`))
		if got := eval[string](s, `document.querySelector("#rf-closes").value`); got != want {
			t.Errorf("%s: the draft's deadline field shows %q, want %q (Sofia time)", tz, got, want)
		}
		if !eval[bool](s, visibleJS("#rf-closes-zone")) || !eval[bool](s, `document.querySelector("#rf-closes").getAttribute("aria-describedby").split(" ").includes("rf-closes-zone")`) {
			t.Errorf("%s: no Sofia time note beside the deadline field", tz)
		}
		if got := s.text("#rf-closes-zone"); got != "Часът е по българско време (София)." {
			t.Errorf("%s: the note says %q", tz, got)
		}
		// The open form's field is pre-filled as well, and says so too.
		if got := eval[string](s, `document.querySelector("#open-closes").value`); got != want {
			t.Errorf("%s: the open form's deadline field shows %q, want %q", tz, got, want)
		}
		if !eval[bool](s, `(() => { const ids = (document.querySelector("#open-closes").getAttribute("aria-describedby") || "").split(" ");
			return ids.some(id => document.getElementById(id)?.textContent.includes("София")); })()`) {
			t.Errorf("%s: the open form's deadline field has no Sofia time note", tz)
		}

		s.mark()
		s.do("save unchanged", clickCSS(`details.edit-round form button[type="submit"]`))
		s.waitReload("the page after saving")
		if got := w.round(t, w.draftID).ClosesAt; got == nil || !got.Equal(closes) {
			t.Errorf("%s: saved unchanged, the deadline became %v, want %v", tz, got, closes)
		}

		// 21:15 typed in winter is 19:15Z; in summer (UTC+3) 18:15Z.
		for _, c := range []struct {
			typed string
			want  time.Time
		}{
			{fmt.Sprintf("%d-01-15T21:15", year), time.Date(year, 1, 15, 19, 15, 0, 0, time.UTC)},
			{fmt.Sprintf("%d-07-15T21:15", year), time.Date(year, 7, 15, 18, 15, 0, 0, time.UTC)},
		} {
			s.do("type a deadline", clickCSS(`details.edit-round > summary`), setValueCSS("#rf-closes", c.typed))
			s.mark()
			s.do("save", clickCSS(`details.edit-round form button[type="submit"]`))
			s.waitReload("the page after saving")
			if got := w.round(t, w.draftID).ClosesAt; got == nil || !got.Equal(c.want) {
				t.Errorf("%s: typed %s, saved %v, want %v", tz, c.typed, got, c.want)
			}
			if got := eval[string](s, `document.querySelector("#rf-closes").value`); got != c.typed {
				t.Errorf("%s: after saving %s the field shows %q", tz, c.typed, got)
			}
		}
		last = s
	}

	// Opening the draft with the deadline the open form shows keeps it.
	setDeadline()
	last.open(draft)
	last.mark()
	last.do("open the round", clickCSS(`#open-round button[type="submit"]`))
	last.waitReload("the open round")
	if r := w.round(t, w.draftID); r.Status != "open" || r.ClosesAt == nil || !r.ClosesAt.Equal(closes) {
		t.Errorf("opened with the pre-filled deadline: %s, closes %v, want %v", r.Status, r.ClosesAt, closes)
	}
}

// A moderator abroad changes an open round's deadline: unchanged it stays to the second, and it
// can be extended and shortened, the page then showing the new end in Sofia time.
func TestDailyDeadlineChangeWhileOpen(t *testing.T) {
	w := seed(t)
	browser := newBrowser(t)
	year := time.Now().Year() + 1
	closes := time.Date(year, 1, 15, 18, 22, 0, 0, time.UTC)
	w.admin.call("PATCH", fmt.Sprintf("/api/v1/rounds/%d", w.roundID), map[string]any{"closes_at": closes}, nil)

	s := newSession(t, browser, w.srv.URL)
	s.timezone("America/New_York")
	s.signIn(adminAcc)
	s.open(w.path("rounds", w.roundID))
	if got := s.text(".time-left"); !contains(got, "15 януари", "20:22") {
		t.Errorf("the deadline shown: %q, want 15 January 20:22 (Sofia)", got)
	}
	open := func() {
		if !eval[bool](s, `document.querySelector("details.edit-round").open`) {
			s.do("open the deadline form", clickCSS(`details.edit-round > summary`))
		}
	}
	open()
	if got := eval[string](s, `document.querySelector("#deadline").value`); got != localValue(closes) {
		t.Errorf("the deadline field shows %q, want %q", got, localValue(closes))
	}
	if !eval[bool](s, visibleJS("#deadline-zone")) {
		t.Error("no Sofia time note beside the deadline field")
	}
	save := func(what string) {
		s.mark()
		s.do(what, clickCSS(`#deadline-form button[type="submit"]`))
		s.waitReload(what)
	}
	save("save the deadline unchanged")
	if got := w.round(t, w.roundID).ClosesAt; got == nil || !got.Equal(closes) {
		t.Errorf("saved unchanged, the deadline became %v, want %v", got, closes)
	}
	for _, c := range []struct {
		typed string
		want  time.Time
		shown []string
	}{
		{fmt.Sprintf("%d-01-17T21:15", year), time.Date(year, 1, 17, 19, 15, 0, 0, time.UTC), []string{"17 януари", "21:15"}}, // extended
		{fmt.Sprintf("%d-01-10T09:05", year), time.Date(year, 1, 10, 7, 5, 0, 0, time.UTC), []string{"10 януари", "09:05"}},   // shortened
	} {
		open()
		s.do("type the deadline", setValueCSS("#deadline", c.typed))
		save("save the deadline " + c.typed)
		if got := w.round(t, w.roundID).ClosesAt; got == nil || !got.Equal(c.want) {
			t.Errorf("typed %s, saved %v, want %v", c.typed, got, c.want)
		}
		if got := s.text(".time-left"); !contains(got, c.shown...) {
			t.Errorf("after saving %s the page shows %q", c.typed, got)
		}
	}
	// A deadline in the past is refused beside the field, and nothing changes.
	open()
	s.do("type a past deadline", setValueCSS("#deadline", fmt.Sprintf("%d-01-10T09:05", year-2)))
	s.do("save", clickCSS(`#deadline-form button[type="submit"]`))
	s.waitText("the field error", `#deadline-form [data-error-for="closes_at"]`, "Краят трябва да е в бъдещето.")
	if got := w.round(t, w.roundID).ClosesAt; got == nil || !got.Equal(time.Date(year, 1, 10, 7, 5, 0, 0, time.UTC)) {
		t.Errorf("a refused deadline changed it to %v", got)
	}
}
