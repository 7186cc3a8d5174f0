package httpapi_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/perushtitsa/council/server/testenv"
)

// TestAPIAccountsMail runs the accounts' endpoints against a world that mails through a real
// SMTP server run in the test.
func TestAPIAccountsMail(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for _, d := range testenv.Dialects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(d, func(t *testing.T) {
				server := testenv.NewSMTP(t)
				e := envFor(t, testenv.NewMailWorld(t, testenv.Store(t, d), server.URL()))
				server.Clear()
				t.Run("reset", func(t *testing.T) { apiReset(t, e, server) })
				t.Run("profile", func(t *testing.T) { apiProfile(t, e) })
				t.Run("sessions", func(t *testing.T) { apiMySessions(t, e) })
				t.Run("agenda and export", func(t *testing.T) { apiAgendaAndExport(t, e) })
				t.Run("invitations", func(t *testing.T) { apiPendingInvitations(t, e, server) })
				t.Run("erasure", func(t *testing.T) { apiErasure(t, e) })
			})
		}()
	}
	wg.Wait()
}

// tokenFrom sends what is due and returns the token ending the link with part in the latest
// mail to addr.
func tokenFrom(t *testing.T, e *env, server *testenv.SMTP, addr, part string) string {
	t.Helper()
	if _, err := e.w.Outbox.SendDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	ms := server.To(addr)
	if len(ms) == 0 {
		t.Fatalf("no mail to %s", addr)
	}
	link := ms[len(ms)-1].Link(part)
	return link[strings.LastIndex(link, "/")+1:]
}

func apiReset(t *testing.T, e *env, server *testenv.SMTP) {
	m := e.w.Members[2]
	other := e.signIn(t, m)
	e.anon.do(t, "POST", "/api/v1/password-reset", map[string]string{"email": "nobody@example.org"}).want(t, 202)
	e.anon.do(t, "POST", "/api/v1/password-reset", map[string]any{"email": 7}).wantCode(t, 422, "email", "invalid")
	r := e.anon.do(t, "POST", "/api/v1/password-reset", map[string]string{"email": m.Email}).want(t, 202)
	if !strings.Contains(string(r.Body), "message") {
		t.Fatalf("202 body: %s", r.Body)
	}
	token := tokenFrom(t, e, server, m.Email, "/reset/")
	fresh := &client{app: e.app}
	fresh.do(t, "POST", "/api/v1/password-reset/"+token, map[string]string{"password": "short"}).wantCode(t, 422, "password", "too_short")
	r = fresh.do(t, "POST", "/api/v1/password-reset/"+token, map[string]string{"password": "a fresh pass phrase"}).want(t, 200)
	fresh.adopt(t, r)
	if u := r.obj(t)["user"].(map[string]any); u["email"] != m.Email {
		t.Fatalf("reset answers %v", u)
	}
	fresh.get(t, "/api/v1/me").want(t, 200)
	other.get(t, "/api/v1/me").want(t, 401)
	fresh.do(t, "POST", "/api/v1/password-reset/"+token, map[string]string{"password": "another pass phrase"}).want(t, 404, "not_found")
	if !strings.Contains(server.To(m.Email)[0].Subject, "Нова парола") {
		t.Fatalf("the reset mail's subject: %q", server.To(m.Email)[0].Subject)
	}
}

func apiProfile(t *testing.T, e *env) {
	c := e.signIn(t, e.w.Members[1])
	r := c.do(t, "PATCH", "/api/v1/me", map[string]any{"language": "en", "notify": map[string]bool{"closing_soon": false}, "organisation": "НПО"}).want(t, 200)
	u := r.obj(t)
	if u["language"] != "en" || u["organisation"] != "НПО" || u["notify"].(map[string]any)["closing_soon"] != false || u["notify"].(map[string]any)["reply"] != true {
		t.Fatalf("profile: %v", u)
	}
	c.do(t, "PATCH", "/api/v1/me", map[string]any{"language": "fr"}).wantCode(t, 422, "language", "invalid")
	c.do(t, "PATCH", "/api/v1/me", map[string]any{"notify": map[string]bool{"everything": false}}).wantCode(t, 422, "notify", "invalid")
	c.do(t, "PATCH", "/api/v1/me", map[string]any{"nickname": "x"}).want(t, 400, "bad_request")
	c.do(t, "PATCH", "/api/v1/me", map[string]any{"name": "Бивш участник 3"}).wantCode(t, 422, "name", "invalid")
	me := c.get(t, "/api/v1/me").want(t, 200).obj(t)["user"].(map[string]any)
	keys(t, me, "id", "email", "name", "role", "organisation", "language", "notify")
	c.do(t, "PUT", "/api/v1/me/password", map[string]string{"current_password": "nope", "new_password": "a fresh pass phrase"}).
		wantCode(t, 422, "current_password", "mismatch")
	c.do(t, "POST", "/api/v1/me/email", map[string]string{"email": "not-an-address", "password": password(e.w.Members[1])}).
		wantCode(t, 422, "email", "invalid")
	c.do(t, "POST", "/api/v1/me/email", map[string]string{"email": "elsewhere@example.org", "password": password(e.w.Members[1])}).want(t, 202)
}

func apiMySessions(t *testing.T, e *env) {
	m := e.w.Members[1]
	a, b := e.signIn(t, m), e.signIn(t, m)
	a.header = map[string]string{"User-Agent": "Тест/1.0"}
	list := list(a.get(t, "/api/v1/me/sessions").want(t, 200).obj(t)["sessions"])
	var current int64
	for _, s := range list {
		keys(t, s, "id", "created_at", "last_seen_at", "user_agent", "current")
		if s["current"] == true {
			current = num(s["id"])
		}
	}
	if current == 0 || len(list) < 2 {
		t.Fatalf("sessions: %v", list)
	}
	b.get(t, "/api/v1/me").want(t, 200)
	e.outsider.do(t, "DELETE", "/api/v1/me/sessions/"+itoa(current), nil).want(t, 404)
	a.do(t, "DELETE", "/api/v1/me/sessions/abc", nil).want(t, 404)
	for _, s := range list {
		if id := num(s["id"]); id != current {
			a.do(t, "DELETE", "/api/v1/me/sessions/"+itoa(id), nil).want(t, 204)
		}
	}
	b.get(t, "/api/v1/me").want(t, 401)
	a.get(t, "/api/v1/me").want(t, 200)
}

func apiAgendaAndExport(t *testing.T, e *env) {
	s := e.scene(t, "open", "open")
	rounds := list(e.member.get(t, "/api/v1/me/agenda").want(t, 200).obj(t)["rounds"])
	found := false
	for _, r := range rounds {
		keys(t, r, "id", "title", "status", "closes_at", "awaiting_my_vote", "council", "proposal_count")
		if num(r["id"]) == s.round {
			found = true
			if len(r["awaiting_my_vote"].([]any)) != 0 { // Members[0] voted on the scene's proposal
				t.Fatalf("awaiting after voting: %v", r["awaiting_my_vote"])
			}
		}
	}
	if !found {
		t.Fatalf("the open round is not on the agenda: %v", rounds)
	}
	for _, r := range list(e.mod.get(t, "/api/v1/me/agenda").obj(t)["rounds"]) {
		if num(r["id"]) == s.round && len(r["awaiting_my_vote"].([]any)) != 0 {
			t.Fatalf("the moderator voted too: %v", r)
		}
	}
	r := e.member.get(t, "/api/v1/me/export?download=1").want(t, 200)
	if !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export headers: %v", r.Header)
	}
	d := r.obj(t)
	keys(t, d, "format", "account", "memberships", "topics", "posts", "proposals", "votes", "sessions", "mails")
	if len(d["posts"].([]any)) == 0 || len(d["votes"].([]any)) == 0 || d["account"].(map[string]any)["email"] != e.w.Members[0].Email {
		t.Fatalf("export: %s", trim(r.Body))
	}
}

func apiPendingInvitations(t *testing.T, e *env, server *testenv.SMTP) {
	r := e.mod.do(t, "POST", "/api/v1/councils/"+itoa(e.w.Council.ID)+"/invitations",
		map[string]string{"email": "guest@example.org", "name": "Guest", "role": "member", "group": "citizen", "language": "en"}).want(t, 201)
	if r.obj(t)["mail_status"] != "queued" || r.obj(t)["invite_url"] == nil {
		t.Fatalf("invite answer: %s", r.Body)
	}
	e.mod.do(t, "POST", "/api/v1/councils/"+itoa(e.w.Council.ID)+"/invitations",
		map[string]string{"email": "x@example.org", "name": "X", "role": "member", "group": "citizen", "language": "de"}).wantCode(t, 422, "language", "invalid")
	id := num(r.obj(t)["invitation_id"])
	var entry map[string]any
	for _, inv := range list(e.mod.get(t, "/api/v1/councils/"+itoa(e.w.Council.ID)+"/invitations").want(t, 200).obj(t)["invitations"]) {
		if num(inv["id"]) == id {
			entry = inv
		}
	}
	if entry == nil || entry["mail_status"] != "queued" {
		t.Fatalf("pending invitation: %v", entry)
	}
	keys(t, entry, "id", "email", "name", "role", "group", "expires_at", "mail_status")
	again := e.mod.do(t, "POST", "/api/v1/invitations/"+itoa(id)+"/resend", nil).want(t, 202).obj(t)
	newToken := again["token"].(string)
	if newToken == r.obj(t)["token"] {
		t.Fatal("resending kept the link")
	}
	e.anon.get(t, "/api/v1/invitations/"+r.obj(t)["token"].(string)).want(t, 404)
	e.anon.get(t, "/api/v1/invitations/"+newToken).want(t, 200)
	if got := tokenFrom(t, e, server, "guest@example.org", "/invitations/"); got != newToken {
		t.Fatal("the latest mail does not carry the new link")
	}
	if m := server.To("guest@example.org"); len(m) != 1 || !strings.HasPrefix(m[0].Subject, "Invitation to") {
		t.Fatalf("an invitation asked for in English, sent again: %+v", m)
	}
	mails := e.admin.get(t, "/api/v1/admin/outbox?status=sent").want(t, 200)
	if strings.Contains(string(mails.Body), newToken) || !strings.Contains(string(mails.Body), "guest@example.org") {
		t.Fatalf("the outbox: %s", trim(mails.Body))
	}
	e.admin.get(t, "/api/v1/admin/outbox?status=lost").want(t, 400)
	e.mod.do(t, "DELETE", "/api/v1/invitations/"+itoa(id), nil).want(t, 204)
	e.anon.get(t, "/api/v1/invitations/"+newToken).want(t, 404)
	e.mod.do(t, "DELETE", "/api/v1/invitations/"+itoa(id), nil).want(t, 404)
}

func apiErasure(t *testing.T, e *env) {
	u := e.w.Outsider
	c := e.signIn(t, u)
	c.do(t, "DELETE", "/api/v1/me", map[string]string{"password": "wrong"}).wantCode(t, 422, "password", "mismatch")
	r := c.do(t, "DELETE", "/api/v1/me", map[string]string{"password": password(u)}).want(t, 204)
	if r.cookie == nil || r.cookie.Value != "" {
		t.Fatalf("the cookie is not cleared: %v", r.cookie)
	}
	c.get(t, "/api/v1/me").want(t, 401)
	(&client{app: e.app}).login(t, u.Email, password(u)).want(t, 401)
	users := e.admin.get(t, "/api/v1/admin/users").want(t, 200).obj(t)["users"]
	for _, x := range list(users) {
		if num(x["id"]) == u.ID && (x["erased"] != true || x["name"] != "Бивш участник "+itoa(u.ID) || strings.Contains(x["email"].(string), "@")) {
			t.Fatalf("the erased account as admins see it: %v", x)
		}
	}
}
