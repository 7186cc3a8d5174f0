package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/model"
)

func apiSessions(t *testing.T, e *env) {
	m := e.w.Members[1]
	t.Run("sign in", func(t *testing.T) {
		c := &client{app: e.app}
		r := c.login(t, strings.ToUpper(m.Email), password(m)).want(t, 200)
		body := r.obj(t)
		keys(t, body, "user", "csrf_token")
		u := body["user"].(map[string]any)
		keys(t, u, "id", "email", "name", "role", "organisation")
		if num(u["id"]) != m.ID || u["email"] != m.Email || u["name"] != m.Name || u["role"] != "user" {
			t.Errorf("user = %v", u)
		}
		if tok, _ := body["csrf_token"].(string); len(tok) < 20 {
			t.Errorf("csrf_token %q", tok)
		}
		if !r.cookie.HttpOnly || r.cookie.SameSite != http.SameSiteLaxMode || r.cookie.Path != "/" || r.cookie.Value == "" {
			t.Errorf("session cookie %+v", r.cookie)
		}
		me := c.get(t, "/api/v1/me").want(t, 200).obj(t)
		if num(me["user"].(map[string]any)["id"]) != m.ID {
			t.Errorf("me = %v", me)
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		wrong := e.anon.do(t, "POST", "/api/v1/session", map[string]string{"email": e.w.Members[2].Email, "password": "not-the-password"}).want(t, 401, "unauthenticated")
		unknown := e.anon.do(t, "POST", "/api/v1/session", map[string]string{"email": "nobody@example.org", "password": "not-the-password"}).want(t, 401, "unauthenticated")
		if wrong.obj(t)["message"] != unknown.obj(t)["message"] {
			t.Errorf("unknown email and wrong password answer differently: %s / %s", wrong.Body, unknown.Body)
		}
		if wrong.cookie != nil {
			t.Error("a failed sign-in set a cookie")
		}
	})
	t.Run("bad bodies", func(t *testing.T) {
		for _, b := range []string{"", "{", `{"email":"a@b.c","password":"x"} {}`, `{"email":"a@b.c","password":"x","remember":true}`, `[1]`, `"x"`} {
			e.anon.do(t, "POST", "/api/v1/session", b).want(t, 400, "bad_request")
		}
		e.anon.do(t, "POST", "/api/v1/session", `{"email":5,"password":"x"}`).wantField(t, "email")
	})
	t.Run("me", func(t *testing.T) {
		me := e.mod.get(t, "/api/v1/me").want(t, 200).obj(t)
		keys(t, me, "user", "councils")
		cs := list(me["councils"])
		if len(cs) != 1 || num(cs[0]["council_id"]) != e.w.Council.ID || cs[0]["role"] != "moderator" {
			t.Errorf("councils = %v", me["councils"])
		}
		if u := me["user"].(map[string]any); u["email"] != e.w.Moderator.Email {
			t.Errorf("user = %v", u)
		}
		admin := e.admin.get(t, "/api/v1/me").want(t, 200).obj(t)
		if cs, ok := admin["councils"].([]any); !ok || len(cs) != 0 || admin["user"].(map[string]any)["role"] != "admin" {
			t.Errorf("admin me = %v", admin)
		}
		e.anon.get(t, "/api/v1/me").want(t, 401, "unauthenticated")
		// An unknown cookie is nobody.
		(&client{app: e.app, cookie: "forged", csrf: "x"}).get(t, "/api/v1/me").want(t, 401, "unauthenticated")
	})
	t.Run("sign out", func(t *testing.T) {
		c := e.signIn(t, m)
		(&client{app: e.app, cookie: c.cookie}).do(t, "DELETE", "/api/v1/session", nil).want(t, 403, "forbidden")
		(&client{app: e.app, cookie: c.cookie, csrf: "wrong"}).do(t, "DELETE", "/api/v1/session", nil).want(t, 403, "forbidden")
		c.do(t, "DELETE", "/api/v1/session", nil).want(t, 204)
		c.get(t, "/api/v1/me").want(t, 401, "unauthenticated")
		c.do(t, "DELETE", "/api/v1/session", nil).want(t, 401, "unauthenticated")
		e.anon.do(t, "DELETE", "/api/v1/session", nil).want(t, 401, "unauthenticated")
	})
}

func apiSignInThrottle(t *testing.T, e *env) {
	t.Run("per email", func(t *testing.T) {
		m := e.w.Members[0]
		for i := 0; i < 5; i++ {
			e.anon.do(t, "POST", "/api/v1/session", map[string]string{"email": m.Email, "password": "wrong-password"}).want(t, 401, "unauthenticated")
		}
		r := e.anon.do(t, "POST", "/api/v1/session", map[string]string{"email": m.Email, "password": "wrong-password"}).want(t, 429, "rate_limited")
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 15*60 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		// Even the right password waits now from that address; from another the owner gets in
		// (strangers guessing elsewhere cannot keep them out), and other emails are not held back.
		e.anon.do(t, "POST", "/api/v1/session", map[string]string{"email": m.Email, "password": password(m)}).want(t, 429, "rate_limited")
		other := &client{app: newApp(e.w, "X-Forwarded-For"), header: map[string]string{"X-Forwarded-For": "198.51.100.7"}}
		other.do(t, "POST", "/api/v1/session", map[string]string{"email": m.Email, "password": password(m)}).want(t, 200)
		e.anon.do(t, "POST", "/api/v1/session", map[string]string{"email": e.w.Members[1].Email, "password": password(e.w.Members[1])}).want(t, 200)
	})
	t.Run("per address", func(t *testing.T) {
		app := newApp(e.w, "X-Forwarded-For")
		a := &client{app: app, header: map[string]string{"X-Forwarded-For": "203.0.113.9"}}
		b := &client{app: app, header: map[string]string{"X-Forwarded-For": "203.0.113.10"}}
		// 20 failures from one address, spread so that no email reaches its own limit.
		users := []*model.User{e.w.Admin, e.w.Moderator, e.w.Members[1], e.w.Members[2], e.w.Outsider}
		for i := 0; i < 20; i++ {
			a.do(t, "POST", "/api/v1/session", map[string]string{"email": users[i%5].Email, "password": "wrong-password"}).want(t, 401)
		}
		u := e.w.Members[1]
		r := a.do(t, "POST", "/api/v1/session", map[string]string{"email": u.Email, "password": password(u)}).want(t, 429, "rate_limited")
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		b.do(t, "POST", "/api/v1/session", map[string]string{"email": u.Email, "password": password(u)}).want(t, 200)
	})
}

func apiInvitations(t *testing.T, e *env) {
	cid := itoa(e.w.Council.ID)
	invite := func(t *testing.T, email string) (token string) {
		t.Helper()
		r := e.mod.do(t, "POST", "/api/v1/councils/"+cid+"/invitations", map[string]string{
			"email": email, "name": "Нова Членка", "role": "member", "group": "ngo", "organisation": "Сдружение"}).want(t, 201)
		b := r.obj(t)
		keys(t, b, "invitation_id", "token", "invite_url", "expires_at")
		token, _ = b["token"].(string)
		if num(b["invitation_id"]) <= 0 || token == "" || b["invite_url"] != "http://council.test/invitations/"+token {
			t.Errorf("invitation = %v", b)
		}
		exp, err := time.Parse(time.RFC3339, b["expires_at"].(string))
		if err != nil || exp.Before(time.Now().Add(24*time.Hour)) {
			t.Errorf("expires_at %v (%v)", b["expires_at"], err)
		}
		return token
	}
	t.Run("create, read, accept once", func(t *testing.T) {
		token := invite(t, "new1@example.org")
		got := e.anon.get(t, "/api/v1/invitations/"+token).want(t, 200).obj(t)
		keys(t, got, "council", "email", "name", "role", "expires_at")
		if got["email"] != "new1@example.org" || got["name"] != "Нова Членка" || got["role"] != "member" ||
			num(got["council"].(map[string]any)["id"]) != e.w.Council.ID || got["council"].(map[string]any)["slug"] != "citizens" {
			t.Errorf("invitation = %v", got)
		}
		c := &client{app: e.app}
		r := c.do(t, "POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "Нова", "password": "long-enough-1"}).want(t, 201)
		b := r.obj(t)
		keys(t, b, "user", "csrf_token")
		u := b["user"].(map[string]any)
		if u["email"] != "new1@example.org" || u["name"] != "Нова" || u["role"] != "user" || u["organisation"] != "Сдружение" {
			t.Errorf("user = %v", u)
		}
		c.adopt(t, r)
		me := c.get(t, "/api/v1/me").want(t, 200).obj(t)
		if cs := list(me["councils"]); len(cs) != 1 || num(cs[0]["council_id"]) != e.w.Council.ID || cs[0]["role"] != "member" {
			t.Errorf("me = %v", me)
		}
		// Single use.
		e.anon.do(t, "POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "Again", "password": "long-enough-1"}).want(t, 404, "not_found")
		e.anon.get(t, "/api/v1/invitations/"+token).want(t, 404, "not_found")
		// The new member signs in with the chosen password.
		(&client{app: e.app}).login(t, "new1@example.org", "long-enough-1").want(t, 200)
	})
	t.Run("expired", func(t *testing.T) {
		token := invite(t, "late@example.org")
		if _, err := e.w.Store.DB().Exec(e.w.Store.DB().Rebind(`UPDATE invitations SET expires_at = ? WHERE email = ?`), time.Now().Add(-time.Hour).UTC(), "late@example.org"); err != nil {
			t.Fatal(err)
		}
		e.anon.get(t, "/api/v1/invitations/"+token).want(t, 404, "not_found")
		e.anon.do(t, "POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "Late", "password": "long-enough-1"}).want(t, 404, "not_found")
	})
	t.Run("existing account", func(t *testing.T) {
		o := e.w.Outsider
		token := invite(t, o.Email)
		e.anon.do(t, "POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "Someone Else", "password": "wrong-password-1"}).want(t, 401, "unauthenticated")
		r := e.anon.do(t, "POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "Someone Else", "password": password(o)}).want(t, 201)
		u := r.obj(t)["user"].(map[string]any)
		if num(u["id"]) != o.ID || u["name"] != o.Name {
			t.Errorf("the existing account should keep its id and name: %v", u)
		}
		me := e.outsider.get(t, "/api/v1/me").want(t, 200).obj(t)
		if len(list(me["councils"])) != 2 {
			t.Errorf("outsider councils = %v", me["councils"])
		}
		// Inviting a sitting member is a conflict.
		e.mod.do(t, "POST", "/api/v1/councils/"+cid+"/invitations", map[string]string{"email": o.Email, "name": "x", "role": "member", "group": "ngo"}).want(t, 409, "conflict")
	})
	t.Run("errors", func(t *testing.T) {
		ok := map[string]any{"email": "v@example.org", "name": "V", "role": "member", "group": "citizen"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for kk, vv := range ok {
				m[kk] = vv
			}
			m[k] = v
			return m
		}
		path := "/api/v1/councils/" + cid + "/invitations"
		for field, body := range map[string]any{
			"email": with("email", "not-an-email"), "role": with("role", "admin"), "group": with("group", "farmers"),
			"name": with("name", ""), "organisation": with("organisation", strings.Repeat("я", 201)),
		} {
			e.mod.do(t, "POST", path, body).wantField(t, field)
		}
		e.mod.do(t, "POST", path, with("name", strings.Repeat("я", 201))).wantField(t, "name")
		e.mod.do(t, "POST", path, with("role", 1)).wantField(t, "role")
		e.mod.do(t, "POST", path, with("extra", 1)).want(t, 400, "bad_request")
		e.mod.do(t, "POST", path, `{"email":"v@example.org"`).want(t, 400, "bad_request")
		e.mod.do(t, "POST", "/api/v1/councils/999999/invitations", ok).want(t, 404, "not_found")
		e.mod.do(t, "POST", "/api/v1/councils/other/invitations", ok).want(t, 403, "forbidden")
		e.member.do(t, "POST", path, ok).want(t, 403, "forbidden")
		e.anon.do(t, "POST", path, ok).want(t, 401, "unauthenticated")
		e.admin.do(t, "POST", "/api/v1/councils/other/invitations", ok).want(t, 201)
		e.anon.get(t, "/api/v1/invitations/no-such-token").want(t, 404, "not_found")
		token := invite(t, "short@example.org")
		accept := "/api/v1/invitations/" + token + "/accept"
		e.anon.do(t, "POST", accept, map[string]string{"name": "Short", "password": "123456789"}).wantField(t, "password")
		e.anon.do(t, "POST", accept, map[string]string{"name": "  ", "password": "long-enough-1"}).wantField(t, "name")
		e.anon.do(t, "POST", accept, map[string]any{"name": "N", "password": "long-enough-1", "role": "moderator"}).want(t, 400, "bad_request")
		e.anon.do(t, "POST", "/api/v1/invitations/nope/accept", map[string]string{"name": "N", "password": "long-enough-1"}).want(t, 404, "not_found")
		// The failed attempts did not use it up.
		e.anon.do(t, "POST", accept, map[string]string{"name": "Short", "password": "long-enough-1"}).want(t, 201)
	})
}
