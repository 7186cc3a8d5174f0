package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/httpapi"
	"github.com/perushtitsa/council/server/testenv"
)

// form posts an urlencoded form to a page route, as a browser without scripts would.
func (c *client) form(t *testing.T, path string, values url.Values, header map[string]string) reply {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: c.cookie})
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := reply{Status: resp.StatusCode, Header: resp.Header}
	r.Body, _ = io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.Name == httpapi.SessionCookie {
			r.cookie = ck
		}
	}
	return r
}

func TestSecurityOfSessionsAndForms(t *testing.T) {
	w := testenv.NewWorldWith(t, testenv.Store(t, "sqlite"), council.Config{Limits: testenv.NoWriteLimits})
	e := &env{w: w, app: newApp(w, "")}
	m := w.Members[0]
	creds := url.Values{"email": {m.Email}, "password": {testenv.Password(m.Email)}}

	t.Run("login CSRF", func(t *testing.T) {
		// A form on another site, or in a sandboxed frame, must not sign a visitor in to the
		// attacker's account: the same origin rule as the API's.
		anon := &client{app: e.app}
		for name, h := range map[string]map[string]string{
			"Origin: null":       {"Origin": "null"},
			"a foreign Origin":   {"Origin": "https://evil.example"},
			"cross-site fetch":   {"Sec-Fetch-Site": "cross-site"},
			"a foreign Referer":  {"Referer": "https://evil.example/page"},
			"an invitation form": {"Origin": "null"},
		} {
			path := "/signin"
			if name == "an invitation form" {
				path = "/invitations/" + e.invite(t)
			}
			if r := anon.form(t, path, creds, h); r.Status != http.StatusForbidden || r.cookie != nil {
				t.Errorf("%s: %d, cookie %v", name, r.Status, r.cookie)
			}
		}
		ours := anon.form(t, "/signin", creds, map[string]string{"Origin": "http://council.test", "Sec-Fetch-Site": "same-origin"})
		if ours.Status != http.StatusSeeOther || ours.cookie == nil {
			t.Fatalf("our own form: %d %s", ours.Status, trim(ours.Body))
		}
		// The API's sign-in is held to the same rule.
		anon.header = map[string]string{"Origin": "null"}
		anon.do(t, "POST", "/api/v1/session", map[string]string{"email": m.Email, "password": testenv.Password(m.Email)}).want(t, 403, "forbidden")
	})

	t.Run("CSRF token in the header, or a form's body, never the query", func(t *testing.T) {
		c := e.signIn(t, m)
		q := "?csrf_token=" + url.QueryEscape(c.csrf)
		noHeader := &client{app: e.app, cookie: c.cookie}
		noHeader.do(t, "POST", "/api/v1/councils/citizens/invitations"+q, map[string]string{"email": "x@example.org", "name": "X", "role": "member", "group": "ngo"}).want(t, 403, "forbidden")
		if r := noHeader.form(t, "/signout"+q, url.Values{}, nil); r.Status != http.StatusForbidden {
			t.Errorf("a page form with the token in the query: %d", r.Status)
		}
		if r := noHeader.form(t, "/signout", url.Values{"csrf_token": {c.csrf}}, nil); r.Status != http.StatusSeeOther {
			t.Errorf("a page form with the token in its body: %d %s", r.Status, trim(r.Body))
		}
	})

	t.Run("sign-out clears the cookie for the whole site", func(t *testing.T) {
		c := e.signIn(t, m)
		r := c.do(t, "DELETE", "/api/v1/session", nil).want(t, 204)
		if r.cookie == nil || r.cookie.Path != "/" || r.cookie.Value != "" || !r.cookie.Expires.Before(time.Now()) || !r.cookie.HttpOnly {
			t.Fatalf("clearing cookie %+v", r.cookie)
		}
		c.get(t, "/api/v1/me").want(t, 401, "unauthenticated")
	})

	t.Run("signing in again ends the session held before", func(t *testing.T) {
		c := e.signIn(t, m)
		old := c.cookie
		c.login(t, w.Members[1].Email, testenv.Password(w.Members[1].Email))
		(&client{app: e.app, cookie: old}).get(t, "/api/v1/me").want(t, 401, "unauthenticated")
		if got := c.get(t, "/api/v1/me").want(t, 200).obj(t)["user"].(map[string]any)["email"]; got != w.Members[1].Email {
			t.Fatalf("signed in as %v", got)
		}
	})

	t.Run("API answers", func(t *testing.T) {
		c := e.signIn(t, m)
		r := c.get(t, "/api/v1/me").want(t, 200)
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("signed in: nosniff %q, Cache-Control %q", r.Header.Get("X-Content-Type-Options"), r.Header.Get("Cache-Control"))
		}
		r = e.stranger().get(t, "/api/v1/councils").want(t, 200)
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("anonymous: nosniff %q", r.Header.Get("X-Content-Type-Options"))
		}
		e.stranger().get(t, "/api/v1/nothing-here").want(t, 404)
	})

	t.Run("forwarding headers from an untrusted address", func(t *testing.T) {
		// Only the proxies named are believed: a client's own X-Forwarded-For does not move
		// its throttling elsewhere, nor X-Forwarded-Host the site its Origin is checked against.
		app := mustApp(httpapi.Config{Service: w.Svc, BaseURL: "http://council.test", ProxyHeader: "X-Forwarded-For",
			TrustedProxies: []string{"192.0.2.1"}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		c := &client{app: app, header: map[string]string{"Origin": "https://evil.example", "X-Forwarded-Host": "evil.example"}}
		c.do(t, "POST", "/api/v1/session", map[string]string{"email": m.Email, "password": testenv.Password(m.Email)}).want(t, 403, "forbidden")
	})

	t.Run("weak passwords", func(t *testing.T) {
		anon := e.stranger()
		for _, pw := range []string{"          ", "aaaaaaaaaa", "1234567890", "qwertyuiop", "password123"} {
			token := e.invite(t)
			anon.do(t, "POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "Нова", "password": pw}).wantField(t, "password")
		}
	})

	t.Run("search bounds", func(t *testing.T) {
		words := strings.TrimSpace(strings.Repeat("дума ", 99))
		e.stranger().get(t, "/api/v1/outcomes?q="+url.QueryEscape(words)).want(t, 200)
		e.stranger().get(t, "/api/v1/outcomes?q="+url.QueryEscape(strings.Repeat("a ", 999))).want(t, 400, "bad_request")
		distinct := make([]string, 300)
		for i := range distinct {
			distinct[i] = string(rune('a'+i%26)) + string(rune('a'+i/26))
		}
		e.stranger().get(t, "/api/v1/outcomes?q="+url.QueryEscape(strings.Join(distinct[:160], " "))).want(t, 200)
	})
}

// stranger is a fresh anonymous client.
func (e *env) stranger() *client { return &client{app: e.app} }
