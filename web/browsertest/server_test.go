package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serverBin is the server program built once for all the tests.
var serverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "browsertest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverBin = filepath.Join(dir, "server")
	build := exec.Command("go", "build", "-o", serverBin, "github.com/perushtitsa/council/server")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "browsertest: unable to build the server:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one run of the server program; restart keeps its port and database.
type server struct {
	t    *testing.T
	port int
	db   string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	URL  string
	more []string // settings beyond the defaults (SMTP_URL=…)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServer runs the program on a fresh database, with more settings (SMTP_URL=…); it is
// stopped when the test ends.
func startServer(t *testing.T, more ...string) *server {
	t.Helper()
	s := &server{t: t, port: freePort(t), db: filepath.Join(t.TempDir(), "council.db"), more: more}
	s.URL = "http://127.0.0.1:" + strconv.Itoa(s.port)
	s.start()
	t.Cleanup(func() {
		s.stop(syscall.SIGTERM)
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	return s
}

func (s *server) env() []string {
	return append(append(os.Environ(), "PORT="+strconv.Itoa(s.port), "DATABASE_URL=sqlite:"+s.db, "BASE_URL="+s.URL, "LOG_LEVEL=warn", "REDIS_URL="), s.more...)
}

func (s *server) start() {
	s.t.Helper()
	if s.log == nil {
		s.log = &bytes.Buffer{}
	}
	s.cmd = exec.Command(serverBin)
	s.cmd.Env = s.env()
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(s.URL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("the server did not start:\n%s", s.log.String())
}

// stop ends the program: SIGKILL cuts every connection at once, SIGTERM shuts down gracefully.
func (s *server) stop(sig syscall.Signal) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(25 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// createAdmin uses the program's own subcommand, as an operator would.
func (s *server) createAdmin(email, name, password string) {
	s.t.Helper()
	cmd := exec.Command(serverBin, "admin", "create", "--email", email, "--name", name)
	cmd.Env = s.env()
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("admin create: %v\n%s", err, out)
	}
}

// client speaks the JSON API as one signed-in user.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 15 * time.Second}}
}

// call sends a request and decodes the answer into out; it fails the test on a non-2xx.
func (c *client) call(method, path string, body, out any) {
	c.t.Helper()
	if status, raw := c.try(method, path, body, out); status/100 != 2 {
		c.t.Fatalf("%s %s: %d %s", method, path, status, raw)
	}
}

func (c *client) try(method, path string, body, out any) (int, string) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode/100 == 2 && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return res.StatusCode, string(raw)
}

func (c *client) signIn(email, password string) {
	c.t.Helper()
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	c.call("POST", "/api/v1/session", map[string]string{"email": email, "password": password}, &out)
	c.csrf = out.CSRF
}

// world is a seeded server: a council with a moderator (the admin) and two members, an open
// round with one proposal and one topic, and a draft round.
type world struct {
	srv        *server
	admin      *client
	members    [2]*client
	councilID  int64
	slug       string
	roundID    int64
	draftID    int64
	proposalID int64
	topicID    int64
	inviteTok  string
}

type account struct{ email, name, password string }

var (
	adminAcc   = account{"admin@perushtitsa.example", "Мария Петрова", "admin-password-2026"}
	memberAccs = [2]account{
		{"ivan@perushtitsa.example", "Иван Георгиев", "ivan-password-2026"},
		{"ngo@perushtitsa.example", "Стоян Иванов", "stoyan-password-2026"},
	}
)

func seed(t *testing.T, more ...string) *world {
	t.Helper()
	w := &world{srv: startServer(t, more...), slug: "obsluzhvane"}
	w.srv.createAdmin(adminAcc.email, adminAcc.name, adminAcc.password)
	w.admin = newClient(t, w.srv.URL)
	w.admin.signIn(adminAcc.email, adminAcc.password)
	var cn struct{ ID int64 }
	w.admin.call("POST", "/api/v1/councils", map[string]string{"slug": w.slug, "name": "Съвет за административно обслужване",
		"description": "Граждани, НПО и бизнес обсъждат как общината да обслужва по-добре.", "constituency": "mixed"}, &cn)
	w.councilID = cn.ID
	cid := strconv.FormatInt(cn.ID, 10)
	var inv struct{ Token string }
	groups := []string{"citizen", "ngo"}
	for i, acc := range memberAccs {
		w.admin.call("POST", "/api/v1/councils/"+cid+"/invitations", map[string]string{"email": acc.email, "name": acc.name, "role": "member", "group": groups[i]}, &inv)
		w.members[i] = newClient(t, w.srv.URL)
		var acc2 struct {
			CSRF string `json:"csrf_token"`
		}
		w.members[i].call("POST", "/api/v1/invitations/"+inv.Token+"/accept", map[string]string{"name": acc.name, "password": acc.password}, &acc2)
		w.members[i].csrf = acc2.CSRF
	}
	// One invitation stays open for the invitation page.
	w.admin.call("POST", "/api/v1/councils/"+cid+"/invitations", map[string]string{"email": "elena@perushtitsa.example", "name": "Елена Димитрова", "role": "member", "group": "business"}, &inv)
	w.inviteTok = inv.Token

	var r struct{ ID int64 }
	w.admin.call("POST", "/api/v1/councils/"+cid+"/rounds", map[string]any{"title": "Приемно време за граждани и организации",
		"description": "Кога общината да приема граждани и организации извън обичайното работно време?", "ballot": "open", "quorum_percent": 30}, &r)
	w.roundID = r.ID
	rid := strconv.FormatInt(r.ID, 10)
	var p struct{ ID int64 }
	w.members[0].call("POST", "/api/v1/rounds/"+rid+"/proposals", map[string]string{"title": "Приемно време всяка сряда до 19 ч.",
		"body": "Веднъж седмично **в сряда** общината да работи до 19 ч., за да могат работещите да идват след работа."}, &p)
	w.proposalID = p.ID
	w.admin.call("POST", "/api/v1/rounds/"+rid+"/open", map[string]any{}, nil)
	var tp struct{ ID int64 }
	w.members[1].call("POST", "/api/v1/rounds/"+rid+"/topics", map[string]string{"title": "Кой ден е най-удобен?",
		"body": "Нека обсъдим кой ден от седмицата е най-удобен за повечето хора."}, &tp)
	w.topicID = tp.ID
	w.members[0].call("POST", "/api/v1/topics/"+strconv.FormatInt(tp.ID, 10)+"/posts", map[string]string{"body": "Сряда е добре — по средата на седмицата."}, nil)

	w.admin.call("POST", "/api/v1/councils/"+cid+"/rounds", map[string]any{"title": "Електронни услуги и онлайн записване",
		"description": "Кои услуги да могат да се заявяват онлайн най-напред?", "ballot": "secret", "quorum_percent": 50}, &r)
	w.draftID = r.ID
	return w
}

func (w *world) path(kind string, id int64) string {
	return "/" + kind + "/" + strconv.FormatInt(id, 10)
}

func js(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// closedRound runs a whole round through the API: proposals, a debate with a reply and a
// hidden post, votes from both members, and the close with a summary. It returns its id.
func (w *world) closedRound(t *testing.T) int64 {
	t.Helper()
	cid := strconv.FormatInt(w.councilID, 10)
	var r, p1, p2, tp, post struct{ ID int64 }
	w.admin.call("POST", "/api/v1/councils/"+cid+"/rounds", map[string]any{"title": "Анкета за удовлетвореността от услугите",
		"description": "Как общината да проучва мнението на потребителите на административни услуги?", "ballot": "open", "quorum_percent": 50}, &r)
	rid := strconv.FormatInt(r.ID, 10)
	w.members[0].call("POST", "/api/v1/rounds/"+rid+"/proposals", map[string]string{"title": "Кратка анкета на гишето", "body": "Анкета с **три въпроса** след всяка услуга."}, &p1)
	w.members[1].call("POST", "/api/v1/rounds/"+rid+"/proposals", map[string]string{"title": "Годишно онлайн проучване", "body": "Проучване веднъж годишно на сайта на общината."}, &p2)
	w.admin.call("POST", "/api/v1/rounds/"+rid+"/open", map[string]any{}, nil)
	w.members[0].call("POST", "/api/v1/rounds/"+rid+"/topics", map[string]string{"title": "Хартия или онлайн?", "body": "Възрастните хора предпочитат хартия."}, &tp)
	tid := strconv.FormatInt(tp.ID, 10)
	w.members[1].call("POST", "/api/v1/topics/"+tid+"/posts", map[string]string{"body": "И двете — хартия на гишето и линк в SMS."}, &post)
	reply := post.ID
	w.members[0].call("POST", "/api/v1/topics/"+tid+"/posts", map[string]any{"body": "Съгласен, стига да е кратко.", "reply_to": reply}, nil)
	w.members[1].call("POST", "/api/v1/topics/"+tid+"/posts", map[string]string{"body": "Неуместен коментар."}, &post)
	w.admin.call("POST", "/api/v1/posts/"+strconv.FormatInt(post.ID, 10)+"/hide", map[string]string{"reason": "Лични нападки"}, nil)
	// Open ballot: the reasons stand beside the names in the outcome's roll call.
	reasons := []string{"Три въпроса отнемат минута.", "Кратко и на място, докато услугата е прясна."}
	for i, choice := range []string{"for", "for"} {
		w.members[i].call("PUT", "/api/v1/proposals/"+strconv.FormatInt(p1.ID, 10)+"/vote", map[string]string{"choice": choice, "reason": reasons[i]}, nil)
	}
	w.members[0].call("PUT", "/api/v1/proposals/"+strconv.FormatInt(p2.ID, 10)+"/vote", map[string]string{"choice": "against"}, nil)
	w.members[1].call("PUT", "/api/v1/proposals/"+strconv.FormatInt(p2.ID, 10)+"/vote", map[string]string{"choice": "abstain"}, nil)
	w.admin.call("POST", "/api/v1/rounds/"+rid+"/close", map[string]string{"outcome_summary": "Приема се кратка анкета на гишето; годишното проучване се отлага."}, nil)
	return r.ID
}

// addMember invites acc into the world's council with role and group, accepts the invitation
// through the API and returns the new member's signed-in client.
func (w *world) addMember(t *testing.T, acc account, role, group string) *client {
	t.Helper()
	var inv struct{ Token string }
	w.admin.call("POST", fmt.Sprintf("/api/v1/councils/%d/invitations", w.councilID), map[string]string{"email": acc.email, "name": acc.name, "role": role, "group": group}, &inv)
	c := newClient(t, w.srv.URL)
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	c.call("POST", "/api/v1/invitations/"+inv.Token+"/accept", map[string]string{"name": acc.name, "password": acc.password}, &out)
	c.csrf = out.CSRF
	return c
}
