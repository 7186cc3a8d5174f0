package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/httpapi"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// env is a testenv.World served by the API under test, with a signed-in client per actor.
type env struct {
	w                                  *testenv.World
	app                                *fiber.App
	anon, outsider, member, mod, admin *client
	seq                                atomic.Int64
}

// testMetricsToken opens /metrics in the tests.
const testMetricsToken = "metrics-token-for-tests"

func newApp(w *testenv.World, proxyHeader string) *fiber.App {
	// app.Test's requests come from 0.0.0.0; listen's from loopback. Both stand for the proxy.
	return mustApp(httpapi.Config{Service: w.Svc, BaseURL: "http://council.test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), ProxyHeader: proxyHeader,
		TrustedProxies: []string{"0.0.0.0", "127.0.0.1"}, MetricsToken: testMetricsToken})
}

// mustApp builds the app; the embedded pages always load (web's tests check them).
func mustApp(cfg httpapi.Config) *fiber.App {
	app, err := httpapi.New(cfg)
	if err != nil {
		panic(err)
	}
	return app
}

func newEnv(t *testing.T, dialect string) *env {
	t.Helper()
	return envFor(t, testenv.NewWorldWith(t, testenv.Store(t, dialect), council.Config{Limits: testenv.NoWriteLimits}))
}

// envFor serves a world and signs its actors in.
func envFor(t *testing.T, w *testenv.World) *env {
	t.Helper()
	e := &env{w: w, app: newApp(w, "")}
	e.anon = &client{app: e.app}
	e.outsider = e.signIn(t, w.Outsider)
	e.member = e.signIn(t, w.Members[0])
	e.mod = e.signIn(t, w.Moderator)
	e.admin = e.signIn(t, w.Admin)
	return e
}

// dialects runs f once per database, each on a fresh env. The test is parallel; its two
// subtests run concurrently without taking further -parallel slots, since most of their
// time is spent waiting for the databases.
func dialects(t *testing.T, f func(t *testing.T, e *env)) {
	t.Parallel()
	var wg sync.WaitGroup
	for _, d := range testenv.Dialects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(d, func(t *testing.T) { f(t, newEnv(t, d)) })
		}()
	}
	wg.Wait()
}

func password(u *model.User) string {
	if u.IsAdmin() {
		return "admin-password"
	}
	return testenv.Password(u.Email)
}

// signIn opens a new session for u through the API.
func (e *env) signIn(t *testing.T, u *model.User) *client {
	t.Helper()
	c := &client{app: e.app}
	c.login(t, u.Email, password(u))
	c.user = u
	return c
}

// uniq returns a number never returned before in this env.
func (e *env) uniq() int64 { return e.seq.Add(1) }

// client speaks to the app as one browser: its session cookie and CSRF token.
type client struct {
	app          *fiber.App
	user         *model.User
	cookie, csrf string
	header       map[string]string // extra headers
	base         string            // when set, requests go over the network to this URL
}

// listen serves app on a local port, for what app.Test cannot show (a body over the limit
// ends app.Test with an error instead of the answer).
func listen(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// reply is an answer, read in full.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
	cookie *http.Cookie
}

// do sends a request; body is nil, raw []byte or string, or a value to marshal as JSON.
func (c *client) do(t testing.TB, method, path string, body any) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: c.cookie})
		if method != http.MethodGet && c.csrf != "" {
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	var resp *http.Response
	var err error
	if c.base != "" {
		req.RequestURI = ""
		req.URL, _ = url.Parse(c.base + path)
		resp, err = http.DefaultClient.Do(req)
	} else {
		resp, err = c.app.Test(req, -1)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
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

func (c *client) get(t testing.TB, path string) reply { t.Helper(); return c.do(t, "GET", path, nil) }

// login signs in and keeps the session.
func (c *client) login(t testing.TB, email, pw string) reply {
	t.Helper()
	r := c.do(t, "POST", "/api/v1/session", map[string]string{"email": email, "password": pw})
	if r.Status == 200 {
		c.adopt(t, r)
	}
	return r
}

// adopt takes the session a sign-in or an accepted invitation answered.
func (c *client) adopt(t testing.TB, r reply) {
	t.Helper()
	if r.cookie == nil {
		t.Fatalf("no %s cookie in %d %s", httpapi.SessionCookie, r.Status, r.Body)
	}
	c.cookie, c.csrf = r.cookie.Value, r.obj(t)["csrf_token"].(string)
}

// want fails the test unless the status is the one expected; for errors it also checks the
// contract's error body and, when code is given, its code.
func (r reply) want(t testing.TB, status int, code ...string) reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, trim(r.Body))
	}
	if status >= 400 {
		m := r.obj(t)
		if _, ok := m["message"].(string); !ok {
			t.Fatalf("error body without message: %s", trim(r.Body))
		}
		if len(code) > 0 && m["error"] != code[0] {
			t.Fatalf("error %v, want %s: %s", m["error"], code[0], trim(r.Body))
		}
	}
	return r
}

// wantField checks a 422 validation error naming field.
func (r reply) wantField(t testing.TB, field string) {
	t.Helper()
	r.want(t, 422, "validation")
	fields, _ := r.obj(t)["fields"].(map[string]any)
	codes, _ := r.obj(t)["field_codes"].(map[string]any)
	if _, ok := fields[field]; !ok || codes[field] == nil {
		t.Fatalf("validation error does not name %q with a code: %s", field, trim(r.Body))
	}
}

// wantCode fails unless the answer has status and names field with the field code.
func (r reply) wantCode(t testing.TB, status int, field, code string) {
	t.Helper()
	r.want(t, status)
	codes, _ := r.obj(t)["field_codes"].(map[string]any)
	if codes[field] != code {
		t.Fatalf("field_codes.%s = %v, want %q: %s", field, codes[field], code, trim(r.Body))
	}
}

func (r reply) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object (%v): %s", err, trim(r.Body))
	}
	return m
}

func trim(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// keys fails unless m has every key (null values count: the field is present).
func keys(t testing.TB, m map[string]any, names ...string) {
	t.Helper()
	for _, k := range names {
		if _, ok := m[k]; !ok {
			t.Errorf("missing field %q in %v", k, m)
		}
	}
}

// num reads a JSON number as int64.
func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func list(v any) []map[string]any {
	arr, _ := v.([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, x := range arr {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// scene is a round in a given state with one of everything: a proposal tabled by Members[0];
// once open, a topic and a post by Members[0] and votes by Members[0] and the moderator.
type scene struct {
	round, proposal, topic, post int64
}

func (e *env) scene(t testing.TB, status, ballot string) scene {
	t.Helper()
	ctx, w := context.Background(), e.w
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	title, quorum := fmt.Sprintf("Scene %d", e.uniq()), 0
	r, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
	must(err)
	s := scene{round: r.ID}
	p, err := w.Svc.CreateProposal(ctx, w.Members[0], r.ID, council.ProposalInput{Title: "Proposal", Body: "Text"})
	must(err)
	s.proposal = p.ID
	if status == model.StatusDraft {
		return s
	}
	_, err = w.Svc.OpenRound(ctx, w.Moderator, r.ID, nil)
	must(err)
	tp, err := w.Svc.CreateTopic(ctx, w.Members[0], r.ID, council.TopicInput{Title: "Topic", Body: "Opening"})
	must(err)
	s.topic = tp.ID
	po, err := w.Svc.CreatePost(ctx, w.Members[0], tp.ID, council.PostInput{Body: "First post"})
	must(err)
	s.post = po.ID
	_, err = w.Svc.CastVote(ctx, w.Members[0], p.ID, model.ChoiceFor, "")
	must(err)
	_, err = w.Svc.CastVote(ctx, w.Moderator, p.ID, model.ChoiceAgainst, "")
	must(err)
	if status == model.StatusClosed {
		_, err = w.Svc.CloseRound(ctx, w.Moderator, r.ID, "Closed scene")
		must(err)
	}
	return s
}

// path fills {round}, {proposal}, {topic}, {post} and {council} in a path template.
func (s scene) path(e *env, tmpl string) string {
	return strings.NewReplacer("{round}", itoa(s.round), "{proposal}", itoa(s.proposal), "{topic}", itoa(s.topic),
		"{post}", itoa(s.post), "{council}", itoa(e.w.Council.ID)).Replace(tmpl)
}
