package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// pagesFixture is a server on a fresh SQLite file with one council, its moderator (an admin),
// a member, and an open round with a proposal and a topic.
type pagesFixture struct {
	app      *fiber.App
	svc      *council.Service
	admin    *model.User
	member   *model.User
	council  *model.Council
	round    *model.Round
	proposal *model.Proposal
	topic    *model.Topic
}

func newPagesFixture(t *testing.T) *pagesFixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "pages.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := council.NewService(council.Config{Store: st, Log: log, BaseURL: "http://example.test"})
	app, err := New(Config{Service: svc, Log: log, BaseURL: "http://example.test"})
	if err != nil {
		t.Fatal(err)
	}
	f := &pagesFixture{app: app, svc: svc}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.admin, err = svc.CreateAdmin(ctx, "admin@perushtitsa.bg", "Елена Димова", "admin-password-1")
	must(err)
	f.council, err = svc.CreateCouncil(ctx, f.admin, council.CouncilInput{Slug: "uslugi", Name: "Съвет за услугите", Description: "Граждани и НПО", Constituency: "mixed"})
	must(err)
	_, token, err := svc.Invite(ctx, f.admin, f.council.ID, council.InviteInput{Email: "ivan@example.bg", Name: "Иван Колев", Role: "member", Group: "citizen"})
	must(err)
	f.member, err = svc.AcceptInvitation(ctx, token, "Иван Колев", "member-password-1", "")
	must(err)
	title, desc := "Приемно време в събота", "Да има ли приемно време в събота?"
	f.round, err = svc.CreateRound(ctx, f.admin, f.council.ID, council.RoundInput{Title: &title, Description: &desc})
	must(err)
	f.proposal, err = svc.CreateProposal(ctx, f.member, f.round.ID, council.ProposalInput{Title: "Събота 9–12 ч.", Body: "Веднъж месечно."})
	must(err)
	f.round, err = svc.OpenRound(ctx, f.admin, f.round.ID, nil)
	must(err)
	f.topic, err = svc.CreateTopic(ctx, f.member, f.round.ID, council.TopicInput{Title: "Работно време", Body: "Какво мислите?"})
	must(err)
	return f
}

// get requests a page, signed in as u when u is not nil.
func (f *pagesFixture) get(t *testing.T, path string, u *model.User, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if u != nil {
		sess, err := f.svc.StartSession(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sess.Token})
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestPagesCarrySecurityHeaders(t *testing.T) {
	f := newPagesFixture(t)
	res, body := f.get(t, "/", nil)
	if res.StatusCode != 200 {
		t.Fatalf("home: %d", res.StatusCode)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("Referrer-Policy") == "" {
		t.Errorf("missing security headers: %v", res.Header)
	}
	if !strings.Contains(body, `<html lang="bg">`) || !strings.Contains(body, "Съвет за услугите") {
		t.Error("home is not in Bulgarian or lacks the council")
	}
	res, _ = f.get(t, "/static/css/app.css", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("static css: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, _ = f.get(t, "/static/js/live.js", nil)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") {
		t.Errorf("static js: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestLanguageSwitchIsRemembered(t *testing.T) {
	f := newPagesFixture(t)
	res, body := f.get(t, "/outcomes?lang=en", nil)
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Outcomes") {
		t.Fatal("?lang=en did not switch to English")
	}
	var lang *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == LangCookie {
			lang = c
		}
	}
	if lang == nil || lang.Value != "en" {
		t.Fatal("the language is not remembered in a cookie")
	}
	_, body = f.get(t, "/", nil, lang)
	if !strings.Contains(body, `<html lang="en">`) {
		t.Error("the cookie does not keep English")
	}
	_, body = f.get(t, "/", nil, &http.Cookie{Name: LangCookie, Value: "xx"})
	if !strings.Contains(body, `<html lang="bg">`) {
		t.Error("an unknown language does not fall back to Bulgarian")
	}
}

func TestOpenRoundIsForMembersOnly(t *testing.T) {
	f := newPagesFixture(t)
	path := "/rounds/" + id(f.round.ID)
	res, body := f.get(t, path, nil)
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, `href="/signin?next=`) {
		t.Fatalf("anonymous on an open round: %d, want 404 with a way to sign in", res.StatusCode)
	}
	res, body = f.get(t, path, f.member)
	if res.StatusCode != 200 {
		t.Fatalf("member: %d", res.StatusCode)
	}
	for _, want := range []string{"Събота 9–12 ч.", `data-council-id="` + id(f.council.ID) + `"`, `data-last-seq="`, `/static/js/round.js`, `action="/proposals/` + id(f.proposal.ID) + `/vote"`, "Работно време"} {
		if !strings.Contains(body, want) {
			t.Errorf("member's round page lacks %q", want)
		}
	}
	if strings.Contains(body, "close-round") {
		t.Error("a plain member sees the moderator's close form")
	}
	_, body = f.get(t, path, f.admin)
	if !strings.Contains(body, `id="close-round"`) {
		t.Error("the moderator does not see the close form")
	}
}

func TestVoteWithoutScript(t *testing.T) {
	f := newPagesFixture(t)
	sess, _ := f.svc.StartSession(context.Background(), f.member)
	form := url.Values{"choice": {"for"}, "csrf_token": {sess.CSRF}}
	req := httptest.NewRequest(http.MethodPost, "/proposals/"+id(f.proposal.ID)+"/vote", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sess.Token})
	res, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("vote form: %d", res.StatusCode)
	}
	p, _ := f.svc.Proposal(context.Background(), f.member, f.proposal.ID)
	if p.Tally.For != 1 {
		t.Errorf("tally %+v, want one for", p.Tally)
	}
	// Without the CSRF token the same form is refused.
	form.Del("csrf_token")
	req = httptest.NewRequest(http.MethodPost, "/proposals/"+id(f.proposal.ID)+"/vote", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sess.Token})
	res, _ = f.app.Test(req, -1)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("vote without CSRF token: %d, want 403", res.StatusCode)
	}
}

func TestSignInFormWithoutScript(t *testing.T) {
	f := newPagesFixture(t)
	post := func(form url.Values, origin string) *http.Response {
		req := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		res, err := f.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := post(url.Values{"email": {"ivan@example.bg"}, "password": {"wrong-password"}}, "")
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401 with the form again", res.StatusCode)
	}
	res = post(url.Values{"email": {"ivan@example.bg"}, "password": {"member-password-1"}, "next": {"//evil.example/"}}, "http://example.com")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/me?notice=signed_in" {
		t.Errorf("sign-in: %d %q, want a redirect to /me (never to another site)", res.StatusCode, res.Header.Get("Location"))
	}
	var got bool
	for _, c := range res.Cookies() {
		got = got || (c.Name == SessionCookie && c.Value != "" && c.HttpOnly)
	}
	if !got {
		t.Error("no HttpOnly session cookie after signing in")
	}
	res = post(url.Values{"email": {"ivan@example.bg"}, "password": {"member-password-1"}}, "http://evil.example")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in from another site: %d, want 403", res.StatusCode)
	}
}

func TestOutcomePageIsPublic(t *testing.T) {
	f := newPagesFixture(t)
	ctx := context.Background()
	if _, err := f.svc.CastVote(ctx, f.member, f.proposal.ID, model.ChoiceFor, ""); err != nil {
		t.Fatal(err)
	}
	post, err := f.svc.CreatePost(ctx, f.member, f.topic.ID, council.PostInput{Body: "Обидно <script>x()</script>"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.HidePost(ctx, f.admin, post.ID, "обидни думи"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CloseRound(ctx, f.admin, f.round.ID, "Приема се събота 9–12 ч."); err != nil {
		t.Fatal(err)
	}
	res, body := f.get(t, "/rounds/"+id(f.round.ID), nil)
	if res.StatusCode != 200 {
		t.Fatalf("outcome page: %d", res.StatusCode)
	}
	for _, want := range []string{"Приема се събота 9–12 ч.", "Прието", "/api/v1/rounds/" + id(f.round.ID) + "/record", "record.csv", "sha256sum", "обидни думи", "Граждани"} {
		if !strings.Contains(body, want) {
			t.Errorf("outcome page lacks %q", want)
		}
	}
	if strings.Contains(body, "Обидно") || strings.Contains(body, "<script>x()") {
		t.Error("the hidden post's body is shown to the public")
	}
	_, body = f.get(t, "/outcomes?q=събота", nil)
	if !strings.Contains(body, "Приемно време в събота") {
		t.Error("the archive search does not find the round")
	}
}

func TestUnknownPageIs404InTheVisitorsLanguage(t *testing.T) {
	f := newPagesFixture(t)
	res, body := f.get(t, "/no/such/page?lang=en", nil)
	if res.StatusCode != 404 || !strings.Contains(body, "Page not found") {
		t.Errorf("404 page: %d", res.StatusCode)
	}
	res, body = f.get(t, "/councils/no-such", nil)
	if res.StatusCode != 404 || !strings.Contains(body, "Страницата не е намерена") {
		t.Errorf("unknown council: %d", res.StatusCode)
	}
}

func TestMembersAndModeratorPages(t *testing.T) {
	f := newPagesFixture(t)
	_, body := f.get(t, "/councils/uslugi", f.admin)
	for _, want := range []string{"/api/v1/councils/" + id(f.council.ID) + "/invitations", "Иван Колев", "/api/v1/councils/" + id(f.council.ID) + "/rounds"} {
		if !strings.Contains(body, want) {
			t.Errorf("moderator's council page lacks %q", want)
		}
	}
	_, body = f.get(t, "/me", f.member)
	if !strings.Contains(body, "Съвет за услугите") {
		t.Error("my councils does not list the member's council")
	}
	res, _ := f.get(t, "/admin", f.member)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("admin page for a member: %d", res.StatusCode)
	}
	res, body = f.get(t, "/topics/"+id(f.topic.ID), f.member)
	if res.StatusCode != 200 || !strings.Contains(body, "/api/v1/topics/"+id(f.topic.ID)+"/posts") {
		t.Errorf("topic page: %d", res.StatusCode)
	}
}
