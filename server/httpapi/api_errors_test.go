package httpapi_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/perushtitsa/council/server/httpapi"
)

func apiErrors(t *testing.T, e *env) {
	s := e.scene(t, "open", "open")
	t.Run("too large", func(t *testing.T) {
		big := `{"body":"` + strings.Repeat("a", 64<<10) + `"}`
		base := listen(t, newApp(e.w, ""))
		member := &client{base: base, cookie: e.member.cookie, csrf: e.member.csrf}
		admin := &client{base: base, cookie: e.admin.cookie, csrf: e.admin.csrf}
		for _, c := range []*client{member, {base: base}} {
			r := c.do(t, "POST", "/api/v1/topics/"+itoa(s.topic)+"/posts", big).want(t, 413, "too_large")
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("413 Content-Type %q", ct)
			}
		}
		admin.do(t, "POST", "/api/v1/councils", big).want(t, 413, "too_large")
		// Just under the limit is read (and refused for what it says, not for its size).
		member.do(t, "POST", "/api/v1/topics/"+itoa(s.topic)+"/posts", `{"body":"`+strings.Repeat("a", 64<<10-20)+`"}`).wantField(t, "body")
	})
	t.Run("csrf", func(t *testing.T) {
		noToken := &client{app: e.app, cookie: e.mod.cookie}
		badToken := &client{app: e.app, cookie: e.mod.cookie, csrf: e.member.csrf}
		for _, c := range []*client{noToken, badToken} {
			c.do(t, "POST", "/api/v1/councils/citizens/rounds", map[string]any{"title": "x"}).want(t, 403, "forbidden")
			c.do(t, "PUT", "/api/v1/proposals/"+itoa(s.proposal)+"/vote", map[string]string{"choice": "for"}).want(t, 403, "forbidden")
			c.do(t, "PATCH", "/api/v1/rounds/"+itoa(s.round), map[string]any{"title": "x"}).want(t, 403, "forbidden")
			c.do(t, "DELETE", "/api/v1/proposals/"+itoa(s.proposal)+"/vote", nil).want(t, 403, "forbidden")
			c.get(t, "/api/v1/me").want(t, 200) // safe methods need no token
		}
		if g := e.mod.get(t, "/api/v1/proposals/"+itoa(s.proposal)).obj(t); g["my_vote"] != "against" {
			t.Errorf("a refused request changed the vote: %v", g)
		}
	})
	t.Run("cross-site", func(t *testing.T) {
		// A form on another site cannot sign a visitor in to somebody else's account.
		evil := &client{app: e.app, header: map[string]string{"Origin": "https://evil.example"}}
		evil.do(t, "POST", "/api/v1/session", map[string]string{"email": e.w.Members[0].Email, "password": password(e.w.Members[0])}).want(t, 403, "forbidden")
		ours := &client{app: e.app, header: map[string]string{"Origin": "http://council.test"}}
		ours.do(t, "POST", "/api/v1/session", map[string]string{"email": e.w.Members[0].Email, "password": password(e.w.Members[0])}).want(t, 200)
	})
	t.Run("body that is not an object", func(t *testing.T) {
		for _, body := range []string{"null", "[]", `"x"`, "42"} {
			e.anon.do(t, "POST", "/api/v1/session", body).want(t, 400, "bad_request")
		}
	})
	t.Run("unknown endpoints", func(t *testing.T) {
		e.anon.get(t, "/api/v1/nothing-here").want(t, 404, "not_found")
		e.member.do(t, "POST", "/api/v1/rounds/"+itoa(s.round)+"/reopen", nil).want(t, 404, "not_found")
		e.member.get(t, "/api/v1/rounds/"+itoa(s.round)+"/topics/x").want(t, 404, "not_found")
	})
	t.Run("text the database refuses", func(t *testing.T) {
		// PostgreSQL refuses NUL in text: such input must be answered, never reach SQL as a 500.
		e.anon.do(t, "POST", "/api/v1/session", `{"email":"`+e.w.Members[1].Email+`\u0000","password":"long-enough-1"}`).want(t, 401, "unauthenticated")
		e.anon.get(t, "/api/v1/outcomes?q=a%00b").want(t, 200)
		e.anon.get(t, "/api/v1/outcomes?q=%ff%fe%27%3A*%26!").want(t, 200)
		e.anon.get(t, "/api/v1/outcomes?council=a%00b").want(t, 404, "not_found")
		e.anon.get(t, "/api/v1/outcomes?council=%ff").want(t, 404, "not_found")
		e.anon.get(t, "/api/v1/councils/a%00b").want(t, 404, "not_found")
		e.mod.do(t, "POST", "/api/v1/councils/citizens/invitations", `{"email":"x@example.org","name":"a\u0000b","role":"member","group":"ngo"}`).wantField(t, "name")
		e.member.do(t, "POST", "/api/v1/topics/"+itoa(s.topic)+"/posts", `{"body":"a\u0000b"}`).wantField(t, "body")
		e.anon.do(t, "POST", "/api/v1/invitations/a%00b/accept", `{"name":"n","password":"long-enough-1"}`).want(t, 404, "not_found")
	})
	t.Run("service endpoints", func(t *testing.T) {
		e.anon.get(t, "/healthz").want(t, 200)
		e.anon.get(t, "/readyz").want(t, 200)
		// Requests of every method first: the metrics must keep their labels apart.
		for i := 0; i < 5; i++ {
			e.member.do(t, "PUT", "/api/v1/proposals/"+itoa(s.proposal)+"/vote", map[string]string{"choice": "for"}).want(t, 200)
			e.member.do(t, "PATCH", "/api/v1/posts/"+itoa(s.post), map[string]string{"body": "again"}).want(t, 200)
			e.member.do(t, "DELETE", "/api/v1/proposals/"+itoa(s.proposal)+"/vote", nil).want(t, 204)
			e.anon.get(t, "/api/v1/councils").want(t, 200)
			e.anon.do(t, "POST", "/api/v1/session", map[string]string{"email": e.w.Members[2].Email, "password": "wrong-password"})
		}
		// The metrics show activity of members-only rounds: the token's holder alone reads them.
		e.anon.get(t, "/metrics").want(t, 401, "unauthenticated")
		(&client{app: e.app, header: map[string]string{"Authorization": "Bearer wrong"}}).get(t, "/metrics").want(t, 401, "unauthenticated")
		scraper := &client{app: e.app, header: map[string]string{"Authorization": "Bearer " + testMetricsToken}}
		m := scraper.get(t, "/metrics").want(t, 200)
		if !strings.Contains(string(m.Body), "# TYPE") {
			t.Errorf("metrics: %s", trim(m.Body))
		}
		// Without a token configured, /metrics is not there at all.
		off := &client{app: mustApp(httpapi.Config{Service: e.w.Svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})}
		off.get(t, "/metrics").want(t, 404, "not_found")
	})
	t.Run("database gone", func(t *testing.T) {
		// Runs last: it closes the database under the app. Requests that need it answer 503
		// unavailable with Retry-After and a plain message; static files never ask it.
		e.w.Store.Close()
		e.anon.get(t, "/readyz").want(t, 503, "unavailable")
		for _, r := range []reply{
			e.anon.get(t, "/api/v1/councils"),
			e.member.get(t, "/api/v1/councils"),
			e.member.do(t, "PUT", "/api/v1/proposals/"+itoa(s.proposal)+"/vote", map[string]string{"choice": "for"}),
		} {
			b := r.want(t, 503, "unavailable").obj(t)
			if b["message"] != "The database does not answer; try again shortly." {
				t.Errorf("503 message %v", b["message"])
			}
			if r.Header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			for _, leak := range []string{"sql", "store", ".go", "goroutine", "postgres", "sqlite", "closed"} {
				if strings.Contains(strings.ToLower(string(r.Body)), leak) {
					t.Errorf("5xx body reveals %q: %s", leak, r.Body)
				}
			}
			if id := r.Header.Get("X-Request-Id"); id == "" || b["request_id"] != id {
				t.Errorf("request id header %q body %v", id, b["request_id"])
			}
		}
		page := e.member.get(t, "/")
		if page.Status != 503 || page.Header.Get("Retry-After") == "" || !strings.Contains(string(page.Body), "<html") {
			t.Errorf("page with the database closed: %d %q %s", page.Status, page.Header.Get("Retry-After"), trim(page.Body))
		}
		for _, c := range []*client{e.anon, e.member} {
			st := c.get(t, "/static/js/app.js").want(t, 200)
			if !strings.Contains(st.Header.Get("Content-Type"), "javascript") || st.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("static file headers %v", st.Header)
			}
		}
		if r := e.member.get(t, "/static/js/no-such-file.js"); r.Status != 404 {
			t.Errorf("missing static file: %d", r.Status)
		}
		e.anon.get(t, "/healthz").want(t, 200)
	})
}
