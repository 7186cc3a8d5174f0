package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/perushtitsa/council/server/testenv"
)

// mailCluster is server processes sharing one PostgreSQL database, one Redis and one SMTP
// server run in the test.
type mailCluster struct {
	env  []string
	smtp *testenv.SMTP
}

func newMailCluster(t *testing.T) *mailCluster {
	t.Helper()
	mc := &mailCluster{smtp: testenv.NewSMTP(t)}
	dbURL := testenv.DatabaseURL(t, "postgres")
	mc.env = []string{"DATABASE_URL=" + dbURL, "REDIS_URL=" + testenv.RedisURL(), "REDIS_PREFIX=test-" + randomHex(4) + ":",
		"SMTP_URL=" + mc.smtp.URL(), "MAIL_FROM=Съвети <council@example.org>"}
	cmd := exec.Command(binary, "admin", "create", "--email", "admin@example.org", "--name", "Admin")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	cmd.Stdin = strings.NewReader("admin-password\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v %s", err, out)
	}
	return mc
}

func (mc *mailCluster) start(t *testing.T) *process {
	t.Helper()
	return startServer(t, t.TempDir(), mc.env...)
}

// stop ends a process with SIGTERM and waits for it.
func (p *process) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit after SIGTERM:\n%s", p.Log())
	}
}

// tokenIn returns the token ending the link with part in a mail.
func tokenIn(t *testing.T, m testenv.Mail, part string) string {
	t.Helper()
	link := m.Link(part)
	if link == "" {
		t.Fatalf("no %s link in the mail:\n%s", part, m.Body)
	}
	return link[strings.LastIndex(link, "/")+1:]
}

// Two processes with one SMTP server: an invitation arrives by mail and its link works; a
// reset arrives, works once, ends the account's other sessions and closes their live
// connections on the other process; and every mail goes once, though both processes send.
func TestMailAcrossProcesses(t *testing.T) {
	mc := newMailCluster(t)
	a, b := mc.start(t), mc.start(t)
	admin := newClient(t)
	admin.signIn(a.base, "admin@example.org", "admin-password")
	var cn struct{ ID int64 }
	admin.must("POST", a.base+"/api/v1/councils", map[string]string{"slug": "mail", "name": "Съвет по пощата", "constituency": "mixed"}, &cn)
	var inv struct {
		MailStatus string `json:"mail_status"`
	}
	admin.must("POST", fmt.Sprintf("%s/api/v1/councils/%d/invitations", a.base, cn.ID),
		map[string]string{"email": "member@example.org", "name": "Мира", "role": "member", "group": "ngo"}, &inv)
	if inv.MailStatus != "queued" {
		t.Fatalf("mail_status %q", inv.MailStatus)
	}
	invitation := mc.smtp.WaitFor(t, 1, 10*time.Second)[0]
	if invitation.To[0] != "member@example.org" || !strings.Contains(invitation.Body, "Съвет по пощата") {
		t.Fatalf("invitation mail: %+v", invitation)
	}
	m1 := newClient(t)
	var acc struct {
		CSRF string `json:"csrf_token"`
	}
	m1.must("POST", b.base+"/api/v1/invitations/"+tokenIn(t, invitation, "/invitations/")+"/accept",
		map[string]string{"name": "Мира", "password": "member-password"}, &acc)
	m1.csrf = acc.CSRF
	m2 := newClient(t)
	m2.signIn(a.base, "member@example.org", "member-password")
	w := &watcher{t: t, c: m1}
	if err := w.connect(b.base, cn.ID, false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the connection has attached on b

	anon := newClient(t)
	anon.must("POST", a.base+"/api/v1/password-reset", map[string]string{"email": "member@example.org"}, nil)
	reset := mc.smtp.WaitFor(t, 2, 10*time.Second)[1]
	token := tokenIn(t, reset, "/reset/")
	owner := newClient(t)
	owner.must("POST", b.base+"/api/v1/password-reset/"+token, map[string]string{"password": "a fresh pass phrase"}, &acc)
	owner.must("GET", a.base+"/api/v1/me", nil, nil)
	for _, c := range []struct {
		who  *client
		base string
	}{{m1, b.base}, {m2, a.base}} {
		if status, _ := c.who.call("GET", c.base+"/api/v1/me", nil, nil); status != 401 {
			t.Fatalf("a session from before the reset answers %d", status)
		}
	}
	select {
	case err := <-w.ended:
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4003 {
			t.Fatalf("the live connection ended with %v, want close 4003", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the live connection of an ended session stayed open")
	}
	if status, _ := anon.call("POST", a.base+"/api/v1/password-reset/"+token, map[string]string{"password": "another pass phrase"}, nil); status != 404 {
		t.Fatalf("the reset link worked twice: %d", status)
	}

	// Many mails at once, both processes sending: each arrives once.
	const n = 30
	for i := range n {
		admin.must("POST", fmt.Sprintf("%s/api/v1/councils/%d/invitations", a.base, cn.ID),
			map[string]string{"email": fmt.Sprintf("guest%02d@example.org", i), "name": "Гост", "role": "member", "group": "citizen"}, nil)
	}
	mc.smtp.WaitFor(t, n+2, 20*time.Second)
	time.Sleep(2 * time.Second) // a mail sent twice would arrive by now
	seen := map[string]int{}
	for _, m := range mc.smtp.Mails() {
		seen[m.To[0]+" "+m.Subject]++
	}
	if got := len(mc.smtp.Mails()); got != n+2 || len(seen) != n+2 {
		t.Fatalf("%d mails arrived (%d different), want each of %d once", got, len(seen), n+2)
	}
}

// The reminder before a round closes goes once to each member who has not voted on every
// proposal, whichever of two processes writes it, and not again after a restart.
func TestClosingSoonAcrossProcessesAndRestart(t *testing.T) {
	mc := newMailCluster(t)
	setup := mc.start(t)
	base := setup.base
	admin := newClient(t)
	admin.signIn(base, "admin@example.org", "admin-password")
	var cn struct{ ID int64 }
	admin.must("POST", base+"/api/v1/councils", map[string]string{"slug": "soon", "name": "Съвет", "constituency": "mixed"}, &cn)
	var members []*client
	for i := range 3 {
		var inv struct{ Token string }
		role := map[bool]string{true: "moderator", false: "member"}[i == 0]
		admin.must("POST", fmt.Sprintf("%s/api/v1/councils/%d/invitations", base, cn.ID),
			map[string]string{"email": fmt.Sprintf("m%d@example.org", i), "name": fmt.Sprintf("Член %d", i), "role": role, "group": "citizen"}, &inv)
		m := newClient(t)
		var acc struct {
			CSRF string `json:"csrf_token"`
		}
		m.must("POST", base+"/api/v1/invitations/"+inv.Token+"/accept", map[string]string{"name": fmt.Sprintf("Член %d", i), "password": "member-password"}, &acc)
		m.csrf = acc.CSRF
		members = append(members, m)
	}
	var r struct{ ID int64 }
	members[0].must("POST", fmt.Sprintf("%s/api/v1/councils/%d/rounds", base, cn.ID), map[string]any{"title": "Скоро", "ballot": "open", "quorum_percent": 0}, &r)
	// The round closes in three days while m1 votes, then the deadline is brought to three hours
	// away: whichever process reminds first, m1 has voted on everything by then.
	members[0].must("POST", fmt.Sprintf("%s/api/v1/rounds/%d/open", base, r.ID), map[string]any{"closes_at": time.Now().Add(72 * time.Hour).UTC()}, nil)
	for i := range 2 {
		var p struct{ ID int64 }
		members[0].must("POST", fmt.Sprintf("%s/api/v1/rounds/%d/proposals", base, r.ID), map[string]string{"title": fmt.Sprintf("П%d", i), "body": "…"}, &p)
		members[1].must("PUT", fmt.Sprintf("%s/api/v1/proposals/%d/vote", base, p.ID), map[string]string{"choice": "for"}, nil)
	}
	members[0].must("PATCH", fmt.Sprintf("%s/api/v1/rounds/%d", base, r.ID), map[string]any{"closes_at": time.Now().Add(3 * time.Hour).UTC()}, nil)
	setup.stop(t)

	reminders := func() map[string]int {
		got := map[string]int{}
		for _, m := range mc.smtp.Mails() {
			if strings.HasPrefix(m.Subject, "Остава по-малко от ден") {
				got[m.To[0]]++
			}
		}
		return got
	}
	p1 := mc.start(t)
	mc.start(t) // a second process, writing reminders at the same time
	waitFor(t, 15*time.Second, "the reminders", func() bool { return len(reminders()) >= 2 })
	p1.stop(t)
	mc.start(t)                 // p1 again, after a restart
	time.Sleep(4 * time.Second) // its first pass of reminders runs within a second or two
	got := reminders()
	if len(got) != 2 || got["m0@example.org"] != 1 || got["m2@example.org"] != 1 {
		t.Fatalf("reminders %v, want one each to m0 and m2 (m1 voted on everything)", got)
	}
}
