package browsertest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// counterSurvey is an open survey answered with codes, as the admin makes it through the API.
func counterSurvey(t *testing.T, w *world) int64 {
	t.Helper()
	var sv struct{ ID int64 }
	w.admin.call("POST", "/api/v1/surveys", map[string]any{"title": "Как ви обслужихме?", "audience": "codes", "results": "live",
		"description": "Кратка анкета на гишето.",
		"questions": []map[string]any{
			{"kind": "single", "text": "Колко време чакахте?", "options": []string{"до 5 минути", "от 5 до 15 минути", "повече"}, "required": true},
			{"kind": "multiple", "text": "Какво бихте искали да правите онлайн?", "options": []string{"да плащам данъци", "да заявявам удостоверения"}},
			{"kind": "scale", "text": "Как оценявате обслужването?", "required": true},
			{"kind": "text", "text": "Какво да подобрим?"},
		}}, &sv)
	w.admin.call("POST", fmt.Sprintf("/api/v1/surveys/%d/open", sv.ID), nil, nil)
	return sv.ID
}

// A resident at the counter gets a printed slip, opens its link on a phone without JavaScript,
// finds the code filled in, answers and is thanked; the same slip a second time is refused.
func TestSurveyAnsweredFromASlipWithoutScripts(t *testing.T) {
	w := seed(t)
	id := counterSurvey(t, w)
	browser := newBrowser(t)
	clerk := newSession(t, browser, w.srv.URL)
	clerk.signIn(adminAcc)
	clerk.open(fmt.Sprintf("/surveys/%d/slips", id))
	clerk.do("make three slips", chromedp.SetValue(chromedp.CSS("#count"), "3"), clickCSS(`form[action$="/slips"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(".slip")))
	if n := eval[int](clerk, `document.querySelectorAll(".slip svg.qr path").length`); n != 3 {
		t.Fatalf("%d slips with a QR code, want 3", n)
	}
	link := clerk.text(".slip .slip-url")
	code := clerk.text(".slip .slip-code")
	if !strings.HasPrefix(link, w.srv.URL+"/surveys/"+strconv.FormatInt(id, 10)+"?code=") || !strings.HasSuffix(link, code) {
		t.Fatalf("the slip's link %q does not carry its code %q", link, code)
	}

	resident := newSession(t, browser, w.srv.URL)
	resident.viewport(360)
	resident.noScripts()
	answer := func(then string) {
		resident.do("open the slip's link", chromedp.Navigate(link), chromedp.WaitReady(chromedp.CSS("form.survey-form")))
		if got := eval[string](resident, `document.querySelector("#code").value`); got != code {
			t.Fatalf("code field holds %q, want %q from the slip", got, code)
		}
		if eval[bool](resident, `document.documentElement.scrollWidth > 360`) {
			t.Fatalf("the form is wider than the phone: %d px", eval[int](resident, `document.documentElement.scrollWidth`))
		}
		resident.do("answer", clickCSS(`input[name=q1][value="1"]`), clickCSS(`input[name=q2][value="0"]`), clickCSS(`input[name=q3][value="4"]`),
			sendKeysCSS(`textarea[name=q4]`, "Повече места за сядане."),
			clickCSS(`form.survey-form button[type=submit]`), chromedp.WaitVisible(chromedp.CSS(then)))
	}
	answer("main .notice[role=status]")
	if got := resident.text("main .notice[role=status]"); !strings.Contains(got, "Благодарим") {
		t.Fatalf("after answering the page says %q, want thanks", got)
	}
	if eval[bool](resident, `document.documentElement.classList.contains("js")`) {
		t.Fatal("the page's scripts ran; the test must answer without them")
	}
	answer("#code-error")
	if got := resident.text("#code-error"); !strings.Contains(got, "използван") {
		t.Fatalf("the same slip again: %q, want that the code has been used", got)
	}

	// The results: a chart per question with options, each an image named for screen readers
	// with its figures in a table beside it.
	results := newSession(t, browser, w.srv.URL)
	results.open(fmt.Sprintf("/surveys/%d/results", id))
	if n := eval[int](results, `document.querySelectorAll("svg.chart[role=img] title").length`); n != 3 {
		t.Fatalf("%d charts, want 3 (single, multiple, scale)", n)
	}
	if n := eval[int](results, `document.querySelectorAll("table.figures").length`); n != 3 {
		t.Fatalf("%d tables of figures, want 3", n)
	}
	if got := results.text("#r1-h ~ .chart-and-table table tbody tr:nth-child(2) td"); got != "1" {
		t.Fatalf("the chosen option counts %q, want 1", got)
	}
	if got := results.text(".text-answers li p"); got != "Повече места за сядане." {
		t.Fatalf("the free-text answer reads %q", got)
	}
}

// The survey pages, in both languages, as the public and as the admin who runs them, pass axe.
func TestSurveyAccessibility(t *testing.T) {
	script := axeScript(t)
	w := seed(t)
	id := counterSurvey(t, w)
	var codes struct{ Codes []string }
	w.admin.call("POST", fmt.Sprintf("/api/v1/surveys/%d/codes", id), map[string]int{"count": 1}, &codes)
	w.admin.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", id), map[string]any{"code": codes.Codes[0], "answers": []map[string]any{
		{"question": 1, "choice": 0}, {"question": 3, "value": 5}, {"question": 4, "text": "Благодаря."}}}, nil)
	browser := newBrowser(t)
	sid := strconv.FormatInt(id, 10)
	visits := []struct{ who, path string }{
		{"public", "/surveys"},
		{"public", "/surveys/" + sid + "?code=" + codes.Codes[0]},
		{"public", "/surveys/" + sid + "/results"},
		{"admin", "/surveys"},
		{"admin", "/surveys/" + sid},
		{"admin", "/surveys/" + sid + "/results"},
		{"admin", "/surveys/" + sid + "/slips"},
		{"admin", "/surveys/new"},
	}
	for _, lang := range []string{"bg", "en"} {
		sessions := map[string]*session{"public": newSession(t, browser, w.srv.URL), "admin": newSession(t, browser, w.srv.URL)}
		sessions["admin"].signIn(adminAcc)
		for _, s := range sessions {
			s.open("/?lang=" + lang)
		}
		for _, v := range visits {
			t.Run(lang+" "+v.who+" "+v.path, func(t *testing.T) {
				s := sessions[v.who]
				s.t = t
				s.open(v.path)
				if got := eval[string](s, `document.documentElement.lang`); got != lang {
					t.Fatalf("page language %q, want %q", got, lang)
				}
				for _, vi := range s.axeCheck(script) {
					var where []string
					for _, n := range vi.Nodes {
						where = append(where, fmt.Sprint(n.Target)+" "+truncate(n.HTML, 120))
					}
					t.Errorf("%s (%s): %s\n\t%s", vi.ID, vi.Impact, vi.Help, strings.Join(where, "\n\t"))
				}
			})
		}
	}
}
