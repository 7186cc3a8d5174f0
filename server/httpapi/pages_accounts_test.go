package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/httpapi"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// page fetches a page as the client, in a language ("" for the default).
func (c *client) page(t *testing.T, path, lang string) reply {
	t.Helper()
	saved := c.header
	if lang != "" {
		c.header = map[string]string{"Cookie": "lang=" + lang}
		if c.cookie != "" {
			c.header["Cookie"] += "; " + httpapi.SessionCookie + "=" + c.cookie
		}
	}
	defer func() { c.header = saved }()
	return c.get(t, path)
}

// post sends a page's form as a browser would, from this site, with the session's CSRF token.
func (c *client) post(t *testing.T, path string, form url.Values) reply {
	t.Helper()
	if c.csrf != "" {
		form.Set("csrf_token", c.csrf)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://council.test")
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: c.cookie})
	}
	resp, err := c.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := reply{Status: resp.StatusCode, Header: resp.Header}
	if r.Body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == httpapi.SessionCookie {
			r.cookie = ck
		}
	}
	return r
}

// is fails the test unless a page answered with status.
func (r reply) is(t *testing.T, status int) reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d:\n%s", r.Status, status, trim(r.Body))
	}
	return r
}

func (r reply) has(t *testing.T, texts ...string) reply {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(string(r.Body), s) {
			t.Fatalf("the page (%d) lacks %q:\n%s", r.Status, s, trim(r.Body))
		}
	}
	return r
}

// The account pages work without scripts: a reset from the mailed link, the profile, the
// unsubscribe link, the privacy page, the admins' outbox, a council's pending invitations.
func TestAccountPages(t *testing.T) {
	t.Parallel()
	server := testenv.NewSMTP(t)
	e := envFor(t, testenv.NewMailWorld(t, testenv.Store(t, "sqlite"), server.URL()))
	server.Clear()
	m := e.w.Members[2]

	e.anon.page(t, "/signin", "").has(t, `href="/reset"`, "Забравена парола?")
	e.anon.page(t, "/reset", "en").has(t, "A new password", `action="/reset"`)
	e.anon.post(t, "/reset", url.Values{"email": {"nobody@example.org"}}).is(t, 200).has(t, "Ако адресът принадлежи на профил")
	e.anon.post(t, "/reset", url.Values{"email": {m.Email}}).is(t, 200).has(t, "Ако адресът принадлежи на профил")
	token := tokenFrom(t, e, server, m.Email, "/reset/")
	e.anon.page(t, "/reset/not-a-token", "").is(t, 404).has(t, "Връзката не е валидна")
	e.anon.page(t, "/reset/"+token, "").is(t, 200).has(t, `action="/reset/`+token+`"`, `autocomplete="new-password"`)
	e.anon.post(t, "/reset/"+token, url.Values{"password": {"qwertyuiop"}}).is(t, 422).has(t, "aria-invalid")
	r := e.anon.post(t, "/reset/"+token, url.Values{"password": {"a fresh pass phrase"}}).is(t, 303)
	if r.Header.Get("Location") != "/me?notice=password_reset" || r.cookie == nil || r.cookie.Value == "" {
		t.Fatalf("after the reset: %v %v", r.Header, r.cookie)
	}
	owner := &client{app: e.app, cookie: r.cookie.Value}
	owner.page(t, "/me?notice=password_reset", "").has(t, "Паролата е сменена", "Какво ви очаква")

	// The profile, in the language chosen there.
	owner.page(t, "/me/account", "").has(t, "Профил и настройки", `name="notify_round_opened"`, "Влизания в профила")
	owner.csrf = csrfOf(t, owner.page(t, "/me/account", ""))
	r = owner.post(t, "/me/profile", url.Values{"name": {"Ана Петрова"}, "organisation": {""}, "language": {"en"}, "notify_reply": {"1"}}).is(t, 303)
	if !strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), ";"), "lang=en") {
		t.Fatalf("the language chosen is not remembered: %v", r.Header)
	}
	owner.page(t, "/me/account", "en").has(t, "Profile and settings", "Ана Петрова")
	u, _ := e.w.Store.UserByID(t.Context(), m.ID)
	if u.Language != "en" || u.Notify.RoundOpened || !u.Notify.Reply {
		t.Fatalf("the profile form stored %+v", u)
	}
	owner.post(t, "/me/profile", url.Values{"name": {""}, "language": {"en"}}).is(t, 422).has(t, "aria-invalid")
	owner.post(t, "/me/password", url.Values{"current_password": {"wrong"}, "new_password": {"another pass phrase"}}).is(t, 422)

	// The unsubscribe link of a notification: a page for the browser, one click for the provider.
	w := e.w
	w.Svc.UpdateProfile(t.Context(), w.Members[0], council.ProfileInput{Notify: map[string]bool{model.MailRoundClosed: true}})
	tok := w.Outbox.UnsubscribeToken(w.Members[0].ID, model.MailRoundClosed)
	e.anon.page(t, "/unsubscribe/"+tok, "").is(t, 200).has(t, "Решенията на закрита консултация", `method="post"`)
	req := httptest.NewRequest("POST", "/unsubscribe/"+tok, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := e.app.Test(req, -1); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the one-click unsubscribe: %v %v", resp, err)
	}
	if u, _ := w.Store.UserByID(t.Context(), w.Members[0].ID); u.Notify.RoundClosed {
		t.Fatal("the one click did not unsubscribe")
	}
	e.anon.page(t, "/unsubscribe/1.reply.forged", "").is(t, 404)

	e.anon.page(t, "/privacy", "").has(t, "Поверителност", "Какво пазим")
	e.anon.page(t, "/privacy", "en").has(t, "Privacy", "What we keep")
	e.anon.page(t, "/", "").has(t, `href="/privacy"`)
	e.anon.page(t, "/invitations/"+e.invite(t), "").has(t, `href="/privacy"`)

	e.admin.page(t, "/admin/outbox", "").is(t, 200).has(t, "Изходяща поща", m.Email, "Нова парола")
	if strings.Contains(string(e.admin.page(t, "/admin/outbox?status=sent", "").Body), token) {
		t.Fatal("the outbox page shows a reset link")
	}
	e.member.page(t, "/admin/outbox", "").is(t, 403)
	e.admin.page(t, "/admin/users", "en").is(t, 200).has(t, "Accounts and roles", m.Email)

	slug := e.w.Council.Slug
	e.mod.page(t, "/councils/"+slug+"/invitations", "").is(t, 200).has(t, "Чакащи покани")
	e.member.page(t, "/councils/"+slug+"/invitations", "").is(t, 403)
	id := e.invitationID(t)
	e.mod.csrf = csrfOf(t, e.mod.page(t, "/councils/"+slug+"/invitations", ""))
	e.mod.post(t, "/invitations/"+itoa(id)+"/resend", url.Values{}).is(t, 200).has(t, "Новата връзка", "http://council.test/invitations/")
	e.mod.post(t, "/invitations/"+itoa(id)+"/revoke", url.Values{}).is(t, 303)
}

// csrfOf reads the CSRF token a page carries for its forms.
func csrfOf(t *testing.T, r reply) string {
	t.Helper()
	const marker = `<meta name="csrf-token" content="`
	body := string(r.Body)
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("no CSRF token on the page:\n%s", trim(r.Body))
	}
	rest := body[i+len(marker):]
	return rest[:strings.Index(rest, `"`)]
}

// An erased member's name reads "Бивш участник N" on Bulgarian pages and "Former participant
// N" on English ones, wherever it shows.
func TestErasedNameOnPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite")
	s := e.scene(t, "open", "open")
	m := e.w.Members[0]
	c := e.signIn(t, m)
	c.do(t, "DELETE", "/api/v1/me", map[string]string{"password": password(m)}).want(t, 204)
	bg := e.mod.page(t, "/topics/"+itoa(s.topic), "").is(t, 200)
	bg.has(t, model.ErasedName(m.ID))
	en := e.mod.page(t, "/topics/"+itoa(s.topic), "en").is(t, 200)
	en.has(t, model.ErasedNameEnglish(m.ID))
	if strings.Contains(string(en.Body), model.ErasedPrefix) || strings.Contains(string(bg.Body), m.Name) {
		t.Fatal("a page shows the erased name in the other language, or the old name")
	}
}
