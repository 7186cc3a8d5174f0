package httpapi_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/model"
)

// postFrom posts a page's form as a browser without scripts does, from origin, with the session's
// CSRF token in the body when signed in (unless the test gives one). It does not follow
// redirects.
func (c *client) postFrom(t *testing.T, path string, vals url.Values, origin string) reply {
	t.Helper()
	if c.csrf != "" && vals.Get("csrf_token") == "" {
		vals.Set("csrf_token", c.csrf)
	}
	return c.form(t, path, vals, map[string]string{"Origin": origin})
}

// signInAgain opens new sessions for the signed-in actors, once the test's clock has moved
// past their sessions' end.
func (e *sigEnv) signInAgain(t *testing.T) {
	t.Helper()
	for _, c := range []**client{&e.outsider, &e.member, &e.mod, &e.admin, &e.officer} {
		*c = e.signIn(t, (*c).user)
	}
}

const site = "http://example.com" // app.Test's requests are to example.com

func (r reply) page(t testing.TB, status int, texts ...string) string {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, trim(r.Body))
	}
	for _, s := range texts {
		if !strings.Contains(string(r.Body), s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	return string(r.Body)
}

func TestSignalPages(t *testing.T) {
	sigDialects(t, func(t *testing.T, e *sigEnv) {
		t.Run("form and tracking", func(t *testing.T) { pagesSignalForm(t, e) })
		t.Run("desk", func(t *testing.T) { pagesDesk(t, e) })
		t.Run("public pages", func(t *testing.T) { pagesPublic(t, e) })
		t.Run("follow-up", func(t *testing.T) { pagesFollowUp(t, e) })
		t.Run("admin", func(t *testing.T) { pagesAdmin(t, e) })
	})
}

func pagesSignalForm(t *testing.T, e *sigEnv) {
	e.anon.get(t, "/signals/new").page(t, 200, `action="/signals/new"`, `type="radio"`, `name="kind"`, e.services[0].Name)
	vals := url.Values{"kind": {"complaint"}, "service": {e.services[0].Slug}, "title": {"Опашка"}, "body": {"Два часа"},
		"name": {"Мария"}, "email": {"maria@example.org"}}
	r := e.anon.postFrom(t, "/signals/new", vals, site)
	loc := r.Header.Get("Location")
	if r.Status != 303 || !strings.HasPrefix(loc, "/signals/track/") || !strings.HasSuffix(loc, "?sent=1") {
		t.Fatalf("form: %d %q", r.Status, loc)
	}
	code := strings.TrimSuffix(strings.TrimPrefix(loc, "/signals/track/"), "?sent=1")
	page := e.anon.get(t, loc).page(t, 200, code, "Сигналът е изпратен", "Опашка", "Два часа", "Получен")
	if strings.Contains(page, "maria@example.org") || strings.Contains(page, "Мария") {
		t.Error("the tracking page shows the sender")
	}
	e.anon.get(t, "/signals/track/"+strings.ToLower(code)+"?lang=en").page(t, 200, "Your tracking code", code)

	bad := url.Values{"service": {e.services[0].Slug}, "title": {"Запазено заглавие"}, "body": {"Текст"}, "email": {"не е имейл"}}
	page = e.anon.postFrom(t, "/signals/new", bad, site).page(t, 422, "Изберете вида.", "Въведете имейл адрес.", "Запазено заглавие", `aria-invalid="true"`)
	if strings.Contains(page, "must be") {
		t.Error("the page shows the API's English text")
	}
	e.anon.postFrom(t, "/signals/new", vals, "https://evil.example").page(t, 403)
	e.member.postFrom(t, "/signals/new", url.Values{"kind": {"praise"}, "service": {e.services[0].Slug}, "title": {"T"}, "body": {"B"}, "csrf_token": {"wrong"}}, site).page(t, 403)
	if r := e.member.postFrom(t, "/signals/new", url.Values{"kind": {"praise"}, "service": {e.services[0].Slug}, "title": {"T"}, "body": {"B"}}, site); r.Status != 303 {
		t.Fatalf("a member's form: %d", r.Status)
	}

	if r := e.anon.get(t, "/signals/track?code="+url.QueryEscape(strings.ToLower(strings.ReplaceAll(code, "-", " ")))); r.Status != 303 || r.Header.Get("Location") != "/signals/track/"+code {
		t.Errorf("the code form: %d %q", r.Status, r.Header.Get("Location"))
	}
	e.anon.get(t, "/signals/track").page(t, 200, `name="code"`)
	e.anon.get(t, "/signals/track?code=junk").page(t, 404, "Няма сигнал с такъв код")
	e.anon.get(t, "/signals/track/0000-0000-0000-0000").page(t, 404, "Няма сигнал с такъв код")
}

func pagesDesk(t *testing.T, e *sigEnv) {
	sg, _ := e.signal(t, model.KindSignal, "Сигнал за бюрото")
	if r := e.anon.get(t, "/desk"); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/signin?next=") {
		t.Fatalf("anonymous desk: %d %q", r.Status, r.Header.Get("Location"))
	}
	e.member.get(t, "/desk").page(t, 403)
	e.member.get(t, "/desk/signals/"+itoa(sg.ID)).page(t, 403)
	e.officer.get(t, "/desk?kind=signal").page(t, 200, "Сигнал за бюрото", "sender@example.org")
	e.officer.get(t, "/desk?status=lost").page(t, 400)
	d := "/desk/signals/" + itoa(sg.ID)
	e.officer.get(t, d).page(t, 200, "sender@example.org", `action="`+d+`/answer"`, `action="`+d+`/route"`, `action="`+d+`/publish"`)
	e.officer.postFrom(t, d+"/answer", url.Values{"body": {""}, "status": {"answered"}}, site).page(t, 422, "Попълнете полето.")
	if r := e.officer.postFrom(t, d+"/answer", url.Values{"body": {"Ще проверим"}, "status": {"in_review"}, "public": {"true"}}, site); r.Header.Get("Location") != d+"?done=answered" {
		t.Fatalf("answer form: %d %q", r.Status, r.Header.Get("Location"))
	}
	e.officer.get(t, d+"?done=answered").page(t, 200, "Отговорът е записан.", "Ще проверим")
	if r := e.officer.postFrom(t, d+"/route", url.Values{"council_id": {itoa(e.w.Other.ID)}}, site); r.Header.Get("Location") != d+"?done=waiting" {
		t.Fatalf("route form: %d %q", r.Status, r.Header.Get("Location"))
	}
	e.officer.postFrom(t, d+"/route", url.Values{"council_id": {itoa(e.w.Other.ID)}}, site).page(t, 409, "Сигналът вече е внесен в този съвет.")
	if r := e.officer.postFrom(t, d+"/publish", url.Values{}, site); r.Header.Get("Location") != d+"?done=published" {
		t.Fatalf("publish form: %d %q", r.Status, r.Header.Get("Location"))
	}
	e.officer.postFrom(t, d+"/publish", url.Values{"csrf_token": {"stale"}}, site).page(t, 403)
	if strings.Contains(e.officer.get(t, "/desk?kind=signal").page(t, 200), "просрочен") {
		t.Error("a signal within its time is marked overdue")
	}
	e.w.Clock.Advance(31 * 24 * time.Hour) // an acknowledgement (in_review) is no answer in substance
	e.signInAgain(t)                       // the sessions ended meanwhile
	e.officer.get(t, "/desk?kind=signal").page(t, 200, "просрочен")
	e.officer.get(t, d).page(t, 200, "Просрочен: няма отговор по същество в 30 дни")
	page := e.anon.get(t, "/signals/"+itoa(sg.ID)).page(t, 200, "Сигнал за бюрото", "Ще проверим", e.w.Other.Name)
	if strings.Contains(page, "sender@example.org") || strings.Contains(page, "Гражданин") {
		t.Error("the published signal shows its sender")
	}
}

func pagesPublic(t *testing.T, e *sigEnv) {
	e.anon.get(t, "/").page(t, 200, `href="/signals/new"`, `href="/decisions"`)
	e.anon.get(t, "/signals").page(t, 200, `name="q"`)
	hidden, _ := e.signal(t, model.KindSignal, "Скрит")
	e.anon.get(t, "/signals/"+itoa(hidden.ID)).page(t, 404)
	a := e.anon.get(t, "/signals/analysis").page(t, 200, `<svg class="chart" role="img" aria-labelledby="by-month-title by-month-desc"`,
		`<table class="figures">`, "/api/v1/signals/stats.xlsx?from=")
	if strings.Contains(a, "style=") {
		t.Error("the charts use inline style, which the pages' policy refuses")
	}
	e.anon.get(t, "/signals/analysis?lang=en").page(t, 200, "Periodic analysis of signals", "Signals received by month")
	e.anon.get(t, "/signals/analysis?from=never").page(t, 400)
	e.anon.get(t, "/decisions").page(t, 200, `name="status"`)
	e.anon.get(t, "/decisions?status=lost").page(t, 400)
}

func pagesFollowUp(t *testing.T, e *sigEnv) {
	round, _, yes, no := e.adopted(t)
	r := "/rounds/" + itoa(round)
	e.anon.get(t, r).page(t, 200, "Очаква отговор от общината")
	if strings.Contains(e.anon.get(t, r).page(t, 200), "/follow-up\"") {
		t.Error("the public sees the follow-up link")
	}
	f := "/proposals/" + itoa(yes) + "/follow-up"
	e.officer.get(t, r).page(t, 200, `href="`+f+`"`)
	e.member.get(t, f).page(t, 403)
	e.officer.get(t, "/proposals/"+itoa(no)+"/follow-up").page(t, 409)
	e.officer.get(t, f).page(t, 200, `action="`+f+`"`, `type="date"`)
	e.officer.postFrom(t, f, url.Values{"status": {"planned"}, "body": {""}}, site).page(t, 422, "Попълнете полето.")
	res := e.officer.postFrom(t, f, url.Values{"status": {"planned"}, "body": {"Започваме през май."}, "responsible_unit": {"Кметство"}, "due_date": {"2031-05-01"}}, site)
	if res.Status != 303 || res.Header.Get("Location") != r+"#proposal-"+itoa(yes) {
		t.Fatalf("follow-up form: %d %q", res.Status, res.Header.Get("Location"))
	}
	e.anon.get(t, r).page(t, 200, "Започваме през май.", "Кметство", "Планирано", "1 май 2031")
	e.anon.get(t, "/decisions?status=planned").page(t, 200, "Започваме през май.")
	e.anon.get(t, "/decisions?lang=en").page(t, 200, "What became of the decisions")
}

func pagesAdmin(t *testing.T, e *sigEnv) {
	e.officer.get(t, "/admin/services").page(t, 403)
	e.admin.get(t, "/admin/services").page(t, 200, e.services[0].Name)
	if r := e.admin.postFrom(t, "/admin/services", url.Values{"slug": {"sotsialni"}, "name": {"Социални услуги"}}, site); r.Status != 303 {
		t.Fatalf("create service: %d %s", r.Status, trim(r.Body))
	}
	e.admin.postFrom(t, "/admin/services", url.Values{"slug": {"sotsialni"}, "name": {"Пак"}}, site).page(t, 422)
	if r := e.admin.postFrom(t, "/admin/services/sotsialni", url.Values{"archived": {"true"}}, site); r.Status != 303 {
		t.Fatalf("archive: %d", r.Status)
	}
	e.admin.get(t, "/admin/services").page(t, 200, "архивирана")
	e.admin.get(t, "/admin/users").page(t, 200, "Служител на общината")
	m := e.w.Members[1]
	if r := e.admin.postFrom(t, "/admin/users/"+itoa(m.ID)+"/role", url.Values{"role": {"officer"}}, site); r.Status != 303 {
		t.Fatalf("role form: %d", r.Status)
	}
	if u, _ := e.w.Store.UserByID(context.Background(), m.ID); u.Role != model.SiteOfficer {
		t.Fatalf("role: %s", u.Role)
	}
	e.admin.postFrom(t, "/admin/users/"+itoa(e.w.Admin.ID)+"/role", url.Values{"role": {"user"}}, site).page(t, 409, "поне един администратор")
	e.officer.get(t, "/").page(t, 200, `href="/desk"`)
}
