package httpapi_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// surveyBody is a survey of the audience with a question of each kind.
func surveyBody(audience string, councilID int64, results string) map[string]any {
	b := map[string]any{"title": "Обслужване", "audience": audience, "results": results, "questions": []map[string]any{
		{"kind": "single", "text": "Колко чакахте?", "options": []string{"малко", "много"}, "required": true},
		{"kind": "multiple", "text": "Какво ползвахте?", "options": []string{"гише", "онлайн"}, "required": false},
		{"kind": "scale", "text": "Оценка", "required": true},
		{"kind": "text", "text": "Какво да подобрим?", "required": false},
	}}
	if councilID > 0 {
		b["council_id"] = councilID
	}
	return b
}

// answersBody answers every question; n varies the text.
func answersBody(n int, extra map[string]any) map[string]any {
	b := map[string]any{"answers": []map[string]any{
		{"question": 1, "choice": n % 2}, {"question": 2, "choices": []int{0, 1}}, {"question": 3, "value": 1 + n%5},
		{"question": 4, "text": fmt.Sprintf("=SUM(A1) отговор %d", n)},
	}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// newSurvey creates and, unless draft, opens a survey as c.
func (e *env) newSurvey(t *testing.T, c *client, audience, results string, draft bool) int64 {
	t.Helper()
	var cid int64
	if audience == "council" {
		cid = e.w.Council.ID
	}
	id := int64(c.do(t, "POST", "/api/v1/surveys", surveyBody(audience, cid, results)).want(t, 201).obj(t)["id"].(float64))
	if !draft {
		c.do(t, "POST", fmt.Sprintf("/api/v1/surveys/%d/open", id), nil).want(t, 200)
	}
	return id
}

func TestAPISurveys(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		t.Run("create and change", func(t *testing.T) { apiSurveyLifecycle(t, e) })
		t.Run("public", func(t *testing.T) { apiSurveyPublic(t, e) })
		t.Run("codes", func(t *testing.T) { apiSurveyCodes(t, e) })
		t.Run("council", func(t *testing.T) { apiSurveyCouncil(t, e) })
		t.Run("authorisation", func(t *testing.T) { apiSurveyAuth(t, e) })
	})
}

func apiSurveyLifecycle(t *testing.T, e *env) {
	e.anon.do(t, "POST", "/api/v1/surveys", surveyBody("public", 0, "live")).want(t, 401)
	e.member.do(t, "POST", "/api/v1/surveys", surveyBody("public", 0, "live")).want(t, 403)
	e.mod.do(t, "POST", "/api/v1/surveys", surveyBody("public", 0, "live")).want(t, 403)
	e.mod.do(t, "POST", "/api/v1/surveys", surveyBody("council", e.w.Council.ID, "live")).want(t, 201)
	e.mod.do(t, "POST", "/api/v1/surveys", surveyBody("council", e.w.Other.ID, "live")).want(t, 403)
	e.admin.do(t, "POST", "/api/v1/surveys", surveyBody("council", 0, "live")).wantCode(t, 422, "council_id", "required")
	e.admin.do(t, "POST", "/api/v1/surveys", map[string]any{"title": " "}).wantCode(t, 422, "title", "required")
	bad := surveyBody("public", 0, "live")
	bad["questions"] = []map[string]any{{"kind": "ranking", "text": "?"}, {"kind": "single", "text": "?", "options": []string{"one"}}}
	r := e.admin.do(t, "POST", "/api/v1/surveys", bad)
	r.wantCode(t, 422, "questions.1.kind", "invalid")
	r.wantCode(t, 422, "questions.2.options", "invalid")
	e.admin.do(t, "POST", "/api/v1/surveys", `{"title":"T","colour":"red"}`).want(t, 400, "bad_request")

	id := e.newSurvey(t, e.admin, "public", "live", true)
	path := fmt.Sprintf("/api/v1/surveys/%d", id)
	e.anon.get(t, path).want(t, 404)
	e.mod.do(t, "PATCH", path, map[string]any{"title": "Другo"}).want(t, 404)
	got := e.admin.do(t, "PATCH", path, map[string]any{"title": "Ново заглавие"}).want(t, 200).obj(t)
	if got["title"] != "Ново заглавие" || len(got["questions"].([]any)) != 4 || got["status"] != "draft" {
		t.Fatalf("after PATCH: %v", got)
	}
	e.admin.do(t, "POST", path+"/open", nil).want(t, 200)
	e.admin.do(t, "PATCH", path, map[string]any{"title": "Късно"}).want(t, 409, "conflict")
	e.admin.do(t, "POST", path+"/open", nil).want(t, 409, "conflict")
	e.anon.get(t, path).want(t, 200)
	e.admin.do(t, "POST", path+"/close", nil).want(t, 200)
	e.admin.do(t, "POST", path+"/close", nil).want(t, 409, "conflict")
	e.anon.do(t, "POST", path+"/responses", answersBody(1, nil)).want(t, 409, "conflict")
}

func apiSurveyPublic(t *testing.T, e *env) {
	id := e.newSurvey(t, e.admin, "public", "after_close", false)
	path := fmt.Sprintf("/api/v1/surveys/%d", id)
	browser := &client{app: e.app}
	r := browser.do(t, "POST", path+"/responses", answersBody(1, nil)).want(t, 201)
	var token string
	for _, ck := range strings.Split(r.Header.Get("Set-Cookie"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(ck), "council_browser="); ok {
			token = v
		}
	}
	if token == "" {
		t.Fatalf("no browser cookie: %v", r.Header)
	}
	browser.header = map[string]string{"Cookie": "council_browser=" + token}
	browser.do(t, "POST", path+"/responses", answersBody(2, nil)).want(t, 409, "conflict")
	e.anon.do(t, "POST", path+"/responses", map[string]any{"answers": []map[string]any{{"question": 1, "choice": 0}}}).wantCode(t, 422, "answers.3", "required")
	e.anon.do(t, "POST", path+"/responses", answersBody(3, nil)).want(t, 201)
	e.anon.get(t, path+"/results").want(t, 403, "forbidden")
	e.admin.get(t, path+"/results").want(t, 403, "forbidden")
	if n := e.anon.get(t, path).want(t, 200).obj(t)["response_count"]; n != 2.0 {
		t.Fatalf("response_count %v, want 2", n)
	}
	if n := e.admin.do(t, "POST", path+"/close", nil).want(t, 200).obj(t)["response_count"]; n != 2.0 {
		t.Fatalf("closed survey's response_count %v, want 2", n)
	}
	res := e.anon.get(t, path+"/results").want(t, 200).obj(t)
	qs := res["questions"].([]any)
	if res["responses"] != 2.0 || len(qs) != 4 || qs[2].(map[string]any)["mean"] == nil || len(qs[3].(map[string]any)["texts"].([]any)) != 2 {
		t.Fatalf("results: %v", res)
	}
	csv := e.anon.get(t, path+"/results.csv").want(t, 200)
	if !bytes.HasPrefix(csv.Body, []byte("\ufeff")) || !bytes.Contains(csv.Body, []byte("'=SUM(A1)")) {
		t.Fatalf("results.csv: %s", csv.Body)
	}
	if x := e.anon.get(t, path+"/results.xlsx").want(t, 200); !bytes.HasPrefix(x.Body, []byte("PK")) {
		t.Fatalf("results.xlsx is not a workbook: %q", x.Body[:min(len(x.Body), 8)])
	}
	resp := e.anon.get(t, path+"/responses.csv?lang=en").want(t, 200)
	if lines := strings.Count(string(resp.Body), "\n"); lines != 3 || !strings.Contains(string(resp.Body), "Response no.") {
		t.Fatalf("responses.csv: %s", resp.Body)
	}
	// Hiding a free-text answer: its text leaves the results for others and every download.
	text := qs[3].(map[string]any)["texts"].([]any)[0].(map[string]any)
	hide := fmt.Sprintf("%s/texts/%s/hide", path, text["id"])
	e.member.do(t, "POST", hide, map[string]any{"reason": "R"}).want(t, 403)
	e.admin.do(t, "POST", hide, map[string]any{"reason": ""}).wantCode(t, 422, "reason", "required")
	e.admin.do(t, "POST", fmt.Sprintf("%s/texts/1-4/hide", path), map[string]any{"reason": "R"}).want(t, 404)
	e.admin.do(t, "POST", hide, map[string]any{"reason": "Лични данни"}).want(t, 200)
	if body := string(e.anon.get(t, path+"/results").Body); strings.Contains(body, text["text"].(string)) || !strings.Contains(body, "Лични данни") {
		t.Fatalf("hidden text still in the results: %s", body)
	}
	for _, dl := range []string{"/results.csv", "/responses.csv"} {
		if body := string(e.anon.get(t, path+dl).Body); strings.Contains(body, text["text"].(string)) {
			t.Fatalf("hidden text still in %s", dl)
		}
	}
}

func apiSurveyCodes(t *testing.T, e *env) {
	id := e.newSurvey(t, e.admin, "codes", "live", false)
	path := fmt.Sprintf("/api/v1/surveys/%d", id)
	e.admin.do(t, "POST", path+"/codes", map[string]any{"count": 5001}).wantCode(t, 422, "count", "invalid")
	e.admin.do(t, "POST", path+"/codes", map[string]any{"count": 0}).wantCode(t, 422, "count", "invalid")
	e.mod.do(t, "POST", path+"/codes", map[string]any{"count": 1}).want(t, 403)
	codes := e.admin.do(t, "POST", path+"/codes", map[string]any{"count": 5000}).want(t, 201).obj(t)["codes"].([]any)
	seen := map[string]bool{}
	for _, c := range codes {
		seen[c.(string)] = true
	}
	if len(codes) != 5000 || len(seen) != 5000 {
		t.Fatalf("%d codes, %d distinct", len(codes), len(seen))
	}
	code := codes[0].(string)
	e.anon.do(t, "POST", path+"/responses", answersBody(1, nil)).wantCode(t, 422, "code", "required")
	e.anon.do(t, "POST", path+"/responses", answersBody(1, map[string]any{"code": "ZZZZ-ZZZZ-ZZZZ"})).wantCode(t, 422, "code", "invalid")
	e.anon.do(t, "POST", path+"/responses", answersBody(1, map[string]any{"code": strings.ToLower(code)})).want(t, 201)
	e.anon.do(t, "POST", path+"/responses", answersBody(2, map[string]any{"code": code})).wantCode(t, 409, "code", "used")
	public := e.newSurvey(t, e.admin, "public", "live", false)
	e.admin.do(t, "POST", fmt.Sprintf("/api/v1/surveys/%d/codes", public), map[string]any{"count": 1}).want(t, 409, "conflict")
	if n := e.anon.get(t, path+"/results").want(t, 200).obj(t)["responses"]; n != 1.0 {
		t.Fatalf("responses %v, want 1", n)
	}
}

func apiSurveyCouncil(t *testing.T, e *env) {
	id := e.newSurvey(t, e.mod, "council", "live", false)
	path := fmt.Sprintf("/api/v1/surveys/%d", id)
	e.anon.get(t, path).want(t, 401)
	e.outsider.get(t, path).want(t, 404)
	e.member.get(t, path).want(t, 200)
	e.outsider.do(t, "POST", path+"/responses", answersBody(1, nil)).want(t, 404)
	e.admin.do(t, "POST", path+"/responses", answersBody(1, nil)).want(t, 403)
	m := e.signIn(t, e.w.Members[1])
	first := m.do(t, "POST", path+"/responses", answersBody(0, nil)).want(t, 201).obj(t)
	receipt, _ := first["receipt"].(string)
	if receipt == "" {
		t.Fatalf("no receipt: %v", first)
	}
	// Another browser of the same member, without the receipt: refused.
	other := e.signIn(t, e.w.Members[1])
	other.do(t, "POST", path+"/responses", answersBody(1, nil)).want(t, 409, "conflict")
	other.do(t, "POST", path+"/responses", answersBody(1, map[string]any{"receipt": receipt})).want(t, 200)
	res := e.member.get(t, path+"/results").want(t, 200).obj(t)
	opts := res["questions"].([]any)[0].(map[string]any)["options"].([]any)
	if res["responses"] != 1.0 || opts[1].(map[string]any)["count"] != 1.0 {
		t.Fatalf("results after the change: %v", res)
	}
	e.outsider.get(t, path+"/results").want(t, 404)
	e.mod.do(t, "POST", path+"/close", nil).want(t, 200)
	e.anon.get(t, path+"/results").want(t, 200)
}

// surveyAuthRow is one survey endpoint: per audience and state, what each actor (anonymous,
// outsider, member, moderator, admin) is answered. A public survey is the admin's, a
// council's survey its moderator's. Writes get a fresh survey each.
type surveyAuthRow struct {
	method, path string
	body         map[string]any
	want         map[string][5]int // "audience/state" → statuses
}

func apiSurveyAuth(t *testing.T, e *env) {
	rows := []surveyAuthRow{
		{"GET", "", nil, map[string][5]int{
			"public/draft": {404, 404, 404, 404, 200}, "public/open": {200, 200, 200, 200, 200}, "public/closed": {200, 200, 200, 200, 200},
			"council/draft": {401, 404, 404, 200, 200}, "council/open": {401, 404, 200, 200, 200}, "council/closed": {200, 200, 200, 200, 200}}},
		{"PATCH", "", map[string]any{"title": "T"}, map[string][5]int{
			"public/draft": {401, 404, 404, 404, 200}, "public/open": {401, 403, 403, 403, 409},
			"council/draft": {401, 404, 404, 200, 200}, "council/open": {401, 404, 403, 409, 409}}},
		{"POST", "/open", nil, map[string][5]int{
			"public/draft": {401, 404, 404, 404, 200}, "council/draft": {401, 404, 404, 200, 200}, "council/closed": {401, 403, 403, 409, 409}}},
		{"POST", "/close", nil, map[string][5]int{
			"public/open": {401, 403, 403, 403, 200}, "council/open": {401, 404, 403, 200, 200}, "public/draft": {401, 404, 404, 404, 409}}},
		{"POST", "/codes", map[string]any{"count": 2}, map[string][5]int{
			"codes/open": {401, 403, 403, 403, 201}, "codes/draft": {401, 404, 404, 404, 201}, "codes/closed": {401, 403, 403, 403, 409}}},
		{"POST", "/responses", answersBody(1, nil), map[string][5]int{
			"public/open": {201, 201, 201, 201, 201}, "public/draft": {404, 404, 404, 404, 409}, "public/closed": {409, 409, 409, 409, 409},
			"council/open": {401, 404, 201, 201, 403}, "council/closed": {409, 409, 409, 409, 409}}},
		{"GET", "/results", nil, map[string][5]int{
			"public/open": {200, 200, 200, 200, 200}, "council/open": {401, 404, 200, 200, 200}, "council/closed": {200, 200, 200, 200, 200},
			"after/open": {403, 403, 403, 403, 403}, "after/closed": {200, 200, 200, 200, 200}}},
		{"GET", "/results.xlsx", nil, map[string][5]int{"council/open": {401, 404, 200, 200, 200}, "after/open": {403, 403, 403, 403, 403}}},
		{"GET", "/responses.csv", nil, map[string][5]int{"public/closed": {200, 200, 200, 200, 200}, "after/open": {403, 403, 403, 403, 403}}},
	}
	clients := []*client{e.anon, e.outsider, e.member, e.mod, e.admin}
	shared := map[string]int64{}
	for _, row := range rows {
		for key, want := range row.want {
			for i, c := range clients {
				t.Run(fmt.Sprintf("%s %s %s %s", row.method, row.path, key, actors[i]), func(t *testing.T) {
					id, ok := shared[key]
					if !ok || row.method != "GET" {
						id = e.surveyIn(t, key)
						if row.method == "GET" {
							shared[key] = id
						}
					}
					if got := c.do(t, row.method, fmt.Sprintf("/api/v1/surveys/%d%s", id, row.path), row.body); got.Status != want[i] {
						t.Fatalf("%d, want %d: %s", got.Status, want[i], trim(got.Body))
					}
				})
			}
		}
	}
}

// surveyIn makes a survey for an authorisation case: "audience/state", where the audience
// "after" is a public survey whose results wait for the close.
func (e *env) surveyIn(t *testing.T, key string) int64 {
	t.Helper()
	audience, state, _ := strings.Cut(key, "/")
	owner, results := e.admin, "live"
	switch audience {
	case "council":
		owner = e.mod
	case "after":
		audience, results = "public", "after_close"
	}
	id := e.newSurvey(t, owner, audience, results, state == "draft")
	if state == "closed" {
		owner.do(t, "POST", fmt.Sprintf("/api/v1/surveys/%d/close", id), nil).want(t, 200)
	}
	return id
}
