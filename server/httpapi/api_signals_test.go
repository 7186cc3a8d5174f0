package httpapi_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
)

func TestAPISignals(t *testing.T) {
	sigDialects(t, func(t *testing.T, e *sigEnv) {
		t.Run("submit", func(t *testing.T) { apiSubmitSignal(t, e) })
		t.Run("track", func(t *testing.T) { apiTrackSignal(t, e) })
		t.Run("desk", func(t *testing.T) { apiDesk(t, e) })
		t.Run("register", func(t *testing.T) { apiRegister(t, e) })
		t.Run("route", func(t *testing.T) { apiRouteSignal(t, e) })
		t.Run("services and roles", func(t *testing.T) { apiServicesAndRoles(t, e) })
	})
}

var codeShape = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)

func apiSubmitSignal(t *testing.T, e *sigEnv) {
	valid := func(k string, v any) map[string]any {
		m := map[string]any{"kind": "complaint", "service": e.services[0].Slug, "title": "Опашка", "body": "Текст", "name": "Иван", "email": "Ivan@Example.org "}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	r := e.anon.do(t, "POST", "/api/v1/signals", valid("", nil)).want(t, 201).obj(t)
	keys(t, r, "id", "tracking_code", "status", "tracking_url")
	code, _ := r["tracking_code"].(string)
	if !codeShape.MatchString(code) || r["status"] != "received" || r["tracking_url"] != "http://council.test/signals/track/"+code {
		t.Fatalf("answer = %v", r)
	}
	if other := e.anon.do(t, "POST", "/api/v1/signals", valid("", nil)).want(t, 201).obj(t); other["tracking_code"] == code {
		t.Fatal("two signals got one code")
	}
	sg, err := e.sig.Signal(context.Background(), e.w.Admin, num(r["id"]))
	if err != nil || sg.SenderEmail != "ivan@example.org" || sg.SenderName != "Иван" || sg.UserID != nil {
		t.Fatalf("stored %+v, %v", sg, err)
	}
	mine := e.member.do(t, "POST", "/api/v1/signals", valid("email", nil)).want(t, 201).obj(t)
	if sg, _ := e.sig.Signal(context.Background(), e.w.Admin, num(mine["id"])); sg.UserID == nil || *sg.UserID != e.w.Members[0].ID {
		t.Errorf("a signed-in sender's signal does not name the account: %+v", sg)
	}
	archived := true
	if _, err := e.sig.UpdateService(context.Background(), e.w.Admin, e.services[1].Slug, signals.ServiceInput{Archived: &archived}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		archived = false
		e.sig.UpdateService(context.Background(), e.w.Admin, e.services[1].Slug, signals.ServiceInput{Archived: &archived})
	}()
	for _, c := range []struct {
		field, code string
		body        any
	}{
		{"kind", "invalid", valid("kind", "rant")},
		{"kind", "invalid", valid("kind", nil)},
		{"service", "required", valid("service", nil)},
		{"service", "invalid", valid("service", "no-such-service")},
		{"service", "invalid", valid("service", "NOT A SLUG")},
		{"service", "invalid", valid("service", e.services[1].Slug)}, // archived
		{"title", "required", valid("title", "  ")},
		{"title", "too_long", valid("title", strings.Repeat("ж", 201))},
		{"body", "required", valid("body", nil)},
		{"body", "too_long", valid("body", strings.Repeat("ж", signals.MaxBody+1))},
		{"body", "invalid", valid("body", "a\x00b")},
		{"name", "too_long", valid("name", strings.Repeat("ж", 201))},
		{"email", "invalid", valid("email", "not-an-email")},
	} {
		e.anon.do(t, "POST", "/api/v1/signals", c.body).wantCode(t, 422, c.field, c.code)
	}
	e.anon.do(t, "POST", "/api/v1/signals", valid("extra", "x")).want(t, 400, "bad_request")
	e.anon.do(t, "POST", "/api/v1/signals", valid("title", 5)).wantField(t, "title")
	e.anon.do(t, "POST", "/api/v1/signals", `{"kind":"complaint","title":"`+strings.Repeat("x", 70<<10)+`"}`).want(t, 413, "too_large")
}

func apiTrackSignal(t *testing.T, e *sigEnv) {
	sg, code := e.signal(t, model.KindSignal, "Счупена лампа")
	for _, variant := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", ""), strings.ReplaceAll(code, "-", "%20")} {
		tr := e.anon.get(t, "/api/v1/signals/track/"+variant).want(t, 200).obj(t)
		if num(tr["id"]) != sg.ID {
			t.Fatalf("%s: %v", variant, tr)
		}
	}
	for _, bad := range []string{"nope", strings.Repeat("A", 16), code + "0", "00000000000000U0"} {
		e.anon.get(t, "/api/v1/signals/track/"+bad).want(t, 404, "not_found")
	}
	ctx := context.Background()
	if _, err := e.sig.Answer(ctx, e.w.Admin, sg.ID, signals.AnswerInput{Body: "Получихме го", Status: model.SignalInReview, Public: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sig.Answer(ctx, e.w.Admin, sg.ID, signals.AnswerInput{Body: "Вътрешна бележка с адрес", Status: model.SignalResolved}); err != nil {
		t.Fatal(err)
	}
	raw := e.anon.get(t, "/api/v1/signals/track/"+code).want(t, 200)
	tr := raw.obj(t)
	keys(t, tr, "id", "kind", "service", "title", "body", "status", "created_at", "published_at", "answers", "routes", "history")
	for _, secret := range []string{"sender@example.org", "Гражданин", "Вътрешна бележка", `"email"`, `"name":"Гражданин"`} {
		if strings.Contains(string(raw.Body), secret) {
			t.Errorf("the tracking answer shows %q: %s", secret, raw.Body)
		}
	}
	answers, history := list(tr["answers"]), list(tr["history"])
	if len(answers) != 1 || answers[0]["body"] != "Получихме го" || tr["status"] != "resolved" {
		t.Errorf("answers %v, status %v", answers, tr["status"])
	}
	if len(history) != 3 || history[0]["status"] != "received" || history[1]["status"] != "in_review" || history[2]["status"] != "resolved" {
		t.Errorf("history %v", history)
	}
	if h := raw.Header.Get("Cache-Control"); h != "no-store" {
		t.Errorf("Cache-Control %q: a tracking answer must not be kept by caches", h)
	}
}

func apiDesk(t *testing.T, e *sigEnv) {
	a, _ := e.signal(t, model.KindPraise, "Благодарност")
	b, _ := e.signal(t, model.KindProposal, "Идея")
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(a.ID)+"/answers", map[string]any{"body": "Благодарим", "status": "in_review", "public": false}).want(t, 201)
	got := e.officer.get(t, "/api/v1/signals/"+itoa(a.ID)).want(t, 200).obj(t)
	keys(t, got, "name", "email", "first_answer_at", "updated_at", "answers")
	if got["email"] != "sender@example.org" || got["first_answer_at"] != nil || got["status"] != "in_review" {
		t.Errorf("an acknowledgement is no first answer: %v", got)
	}
	e.w.Clock.Advance(2 * time.Hour)
	ans := e.officer.do(t, "POST", "/api/v1/signals/"+itoa(a.ID)+"/answers", map[string]any{"body": "Отговор", "status": "answered", "public": true}).want(t, 201).obj(t)
	keys(t, ans, "id", "body", "status", "public", "author", "created_at")
	got = e.officer.get(t, "/api/v1/signals/"+itoa(a.ID)).want(t, 200).obj(t)
	if got["first_answer_at"] == nil || len(list(got["answers"])) != 2 {
		t.Errorf("after an answer: %v", got)
	}
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(a.ID)+"/answers", map[string]any{"body": "", "status": "answered"}).wantCode(t, 422, "body", "required")
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(a.ID)+"/answers", map[string]any{"body": "x", "status": "received"}).wantCode(t, 422, "status", "invalid")
	e.officer.do(t, "POST", "/api/v1/signals/999999/answers", map[string]any{"body": "x", "status": "answered"}).want(t, 404)
	e.officer.do(t, "POST", "/api/v1/signals/abc/answers", map[string]any{"body": "x", "status": "answered"}).want(t, 404)

	page := e.officer.get(t, "/api/v1/signals?kind=proposal").want(t, 200).obj(t)
	found := false
	for _, s := range list(page["signals"]) {
		found = found || num(s["id"]) == b.ID
		if s["kind"] != "proposal" {
			t.Errorf("kind filter let %v through", s["kind"])
		}
	}
	if !found || num(page["page"]) != 1 {
		t.Errorf("the desk lacks the proposal: %v", page)
	}
	if n := len(list(e.officer.get(t, "/api/v1/signals?status=answered").want(t, 200).obj(t)["signals"])); n < 1 {
		t.Error("status filter finds nothing")
	}
	for _, bad := range []string{"status=lost", "kind=rant", "service=NO%20SLUG", "page=x"} {
		e.officer.get(t, "/api/v1/signals?"+bad).want(t, 400, "bad_request")
	}
	if n := len(list(e.officer.get(t, "/api/v1/signals?page=100001").want(t, 200).obj(t)["signals"])); n != 0 {
		t.Errorf("a page past the last lists %d", n)
	}
}

func apiRegister(t *testing.T, e *sigEnv) {
	sg, _ := e.signal(t, model.KindComplaint, "Неработещ асансьор в сградата")
	hidden, _ := e.signal(t, model.KindComplaint, "Непубликуван асансьор")
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(sg.ID)+"/answers", map[string]any{"body": "Публичен отговор", "status": "resolved", "public": true}).want(t, 201)
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(sg.ID)+"/answers", map[string]any{"body": "Лична бележка", "status": "resolved", "public": false}).want(t, 201)
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(sg.ID)+"/publish", nil).want(t, 200)
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(sg.ID)+"/publish", nil).want(t, 200) // again: nothing changes
	raw := e.anon.get(t, "/api/v1/signals/public?q=АСАНСЬОР").want(t, 200)
	got := list(raw.obj(t)["signals"])
	if len(got) != 1 || num(got[0]["id"]) != sg.ID || len(list(got[0]["answers"])) != 1 {
		t.Fatalf("register search: %s", raw.Body)
	}
	one := e.anon.get(t, "/api/v1/signals/public/"+itoa(sg.ID)).want(t, 200)
	for _, r := range []reply{raw, one} {
		for _, secret := range []string{"sender@example.org", "Гражданин", "Лична бележка", `"email"`} {
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("the register shows %q", secret)
			}
		}
	}
	e.anon.get(t, "/api/v1/signals/public/"+itoa(hidden.ID)).want(t, 404)
	if n := len(list(e.anon.get(t, "/api/v1/signals/public?kind=praise&q=асансьор").want(t, 200).obj(t)["signals"])); n != 0 {
		t.Errorf("kind filter: %d", n)
	}
	e.anon.get(t, "/api/v1/signals/public?q="+strings.Repeat("x", 501)).want(t, 400, "bad_request")
}

func apiRouteSignal(t *testing.T, e *sigEnv) {
	ctx := context.Background()
	open := e.scene(t, model.StatusOpen, model.BallotOpen)
	sg, code := e.signal(t, model.KindSignal, "Дупка на *пътя* [тук](javascript:alert(1))")
	tp := e.officer.do(t, "POST", "/api/v1/signals/"+itoa(sg.ID)+"/route", map[string]any{"council_id": e.w.Council.ID}).want(t, 201).obj(t)
	if num(tp["round_id"]) != open.round {
		t.Fatalf("routed into %v, want the open round %d", tp["round_id"], open.round)
	}
	body, _ := tp["body"].(string)
	html, _ := tp["body_html"].(string)
	if strings.Contains(body, "sender@example.org") || strings.Contains(body, "Гражданин") || !strings.Contains(html, "Текст на сигнала") ||
		strings.Contains(html, `href="javascript`) || strings.Contains(html, "<em>") || !strings.Contains(html, "*пътя*") {
		t.Errorf("the topic quotes the signal wrongly: %q → %q", body, html)
	}
	evs := e.member.get(t, "/api/v1/councils/"+itoa(e.w.Council.ID)+"/events?after=0&limit=1000").want(t, 200).obj(t)
	last := list(evs["events"])[len(list(evs["events"]))-1]
	if last["type"] != "topic.created" || num(last["round_id"]) != open.round {
		t.Errorf("the route's event: %v", last)
	}
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(sg.ID)+"/route", map[string]any{"council_id": e.w.Council.ID}).wantCode(t, 409, "council_id", "taken")
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(sg.ID)+"/route", map[string]any{"council_id": 0}).wantCode(t, 422, "council_id", "invalid")
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(sg.ID)+"/route", map[string]any{"council_id": 99999}).wantCode(t, 422, "council_id", "invalid")
	closed := e.scene(t, model.StatusClosed, model.BallotOpen)
	other, _ := e.signal(t, model.KindSignal, "Друг")
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(other.ID)+"/route", map[string]any{"council_id": e.w.Council.ID, "round_id": closed.round}).want(t, 409, "round_not_open")
	e.officer.do(t, "POST", "/api/v1/signals/"+itoa(other.ID)+"/route", map[string]any{"council_id": e.w.Other.ID, "round_id": open.round}).wantCode(t, 422, "round_id", "invalid")

	// The other council has no round: the topic waits, and its next round takes it.
	w := e.officer.do(t, "POST", "/api/v1/signals/"+itoa(sg.ID)+"/route", map[string]any{"council_id": e.w.Other.ID}).want(t, 202).obj(t)
	if w["state"] != "waiting" {
		t.Fatalf("waiting route: %v", w)
	}
	routes := list(e.anon.get(t, "/api/v1/signals/track/"+code).want(t, 200).obj(t)["routes"])
	if len(routes) != 2 || routes[0]["state"] != "in_debate" || routes[0]["round_id"] != nil || routes[1]["state"] != "waiting" {
		t.Fatalf("routes as the sender sees them: %v", routes)
	}
	title, ballot, quorum := "Next", model.BallotOpen, 0
	outsider := e.signIn(t, e.w.Outsider)
	r := outsider.do(t, "GET", "/api/v1/councils/"+itoa(e.w.Other.ID)+"/rounds", nil).want(t, 200)
	_ = r
	mod := e.w.Join(t, e.w.Other.ID, "othermod@example.org", "Other mod", model.RoleModerator, model.GroupNGO)
	rd, err := e.w.Svc.CreateRound(ctx, mod, e.w.Other.ID, councilRound(&title, &ballot, &quorum))
	if err != nil {
		t.Fatal(err)
	}
	got := outsider.get(t, "/api/v1/rounds/"+itoa(rd.ID)).want(t, 200).obj(t)
	topics := list(got["topics"])
	if len(topics) != 1 || topics[0]["title"] != sg.Title {
		t.Fatalf("the new round did not take the waiting topic: %v", topics)
	}
	if routes = list(e.admin.get(t, "/api/v1/signals/"+itoa(sg.ID)).want(t, 200).obj(t)["routes"]); routes[1]["state"] != "in_debate" || num(routes[1]["topic_id"]) != num(topics[0]["id"]) {
		t.Errorf("the placed route, as an admin sees it: %v", routes[1])
	}
	// An officer holds no seat: a round in progress is not theirs to see.
	if routes = list(e.officer.get(t, "/api/v1/signals/"+itoa(sg.ID)).want(t, 200).obj(t)["routes"]); routes[1]["state"] != "in_debate" || routes[1]["topic_id"] != nil {
		t.Errorf("the placed route, as an officer sees it: %v", routes[1])
	}
}

func apiServicesAndRoles(t *testing.T, e *sigEnv) {
	svs := list(e.anon.get(t, "/api/v1/services").want(t, 200).obj(t)["services"])
	if len(svs) < 2 {
		t.Fatalf("services: %v", svs)
	}
	keys(t, svs[0], "slug", "name", "archived")
	e.admin.do(t, "POST", "/api/v1/services", map[string]any{"slug": e.services[0].Slug, "name": "Again"}).wantCode(t, 409, "slug", "taken")
	e.admin.do(t, "POST", "/api/v1/services", map[string]any{"slug": "Bad Slug", "name": "X"}).wantCode(t, 422, "slug", "invalid")
	e.admin.do(t, "POST", "/api/v1/services", map[string]any{"slug": "ok-slug"}).wantCode(t, 422, "name", "required")
	e.admin.do(t, "PATCH", "/api/v1/services/no-such", map[string]any{"name": "X"}).want(t, 404)
	e.admin.do(t, "PATCH", "/api/v1/services/"+e.services[0].Slug, map[string]any{"slug": "renamed"}).want(t, 400, "bad_request")
	p := e.admin.do(t, "PATCH", "/api/v1/services/"+e.services[0].Slug, map[string]any{"archived": true}).want(t, 200).obj(t)
	if p["archived"] != true {
		t.Fatalf("archive: %v", p)
	}
	for _, s := range list(e.anon.get(t, "/api/v1/services").want(t, 200).obj(t)["services"]) {
		if s["slug"] == e.services[0].Slug {
			t.Error("an archived service is still offered")
		}
	}
	e.admin.do(t, "PATCH", "/api/v1/services/"+e.services[0].Slug, map[string]any{"archived": false}).want(t, 200)

	users := list(e.admin.get(t, "/api/v1/admin/users").want(t, 200).obj(t)["users"])
	if users[0]["role"] != "admin" || users[1]["role"] != "officer" {
		t.Errorf("staff first: %v", users[:2])
	}
	m := e.w.Members[2]
	e.admin.do(t, "PATCH", "/api/v1/admin/users/"+itoa(m.ID), map[string]any{"role": "ruler"}).wantCode(t, 422, "role", "invalid")
	e.admin.do(t, "PATCH", "/api/v1/admin/users/999999", map[string]any{"role": "officer"}).want(t, 404)
	e.admin.do(t, "PATCH", "/api/v1/admin/users/"+itoa(e.w.Admin.ID), map[string]any{"role": "user"}).want(t, 409, "conflict")
	got := e.admin.do(t, "PATCH", "/api/v1/admin/users/"+itoa(m.ID), map[string]any{"role": "officer"}).want(t, 200).obj(t)
	if got["role"] != "officer" {
		t.Fatalf("role: %v", got)
	}
	e.signIn(t, m).get(t, "/api/v1/signals").want(t, 200)
	e.admin.do(t, "PATCH", "/api/v1/admin/users/"+itoa(m.ID), map[string]any{"role": "user"}).want(t, 200)
}
