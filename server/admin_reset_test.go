package main

import (
	"strings"
	"testing"
)

// The demo fills the outbox and says where to read it; the operator sets a forgotten password
// from the command line, and the account signs in with it, not with the old one.
func TestDemoMailAndResetPasswordCommand(t *testing.T) {
	dir := t.TempDir()
	out, err := command(t, dir, "", "demo")
	if err != nil || !strings.Contains(out, "mails into the outbox") || !strings.Contains(out, "/admin/outbox") ||
		!strings.Contains(out, "kept there as not sent") {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if out, err := command(t, dir, "short\n", "admin", "reset-password", "--email", "ivan@perushtitsa.example"); err == nil || !strings.Contains(out, "at least 10") {
		t.Fatalf("a short password: %v\n%s", err, out)
	}
	if out, err := command(t, dir, "a fresh pass phrase\n", "admin", "reset-password", "--email", "nobody@perushtitsa.example"); err == nil || !strings.Contains(out, "No account") {
		t.Fatalf("an unknown email: %v\n%s", err, out)
	}
	if out, err := command(t, dir, "", "admin", "reset-password"); err == nil || !strings.Contains(out, "--email is required") {
		t.Fatalf("no email: %v\n%s", err, out)
	}
	out, err = command(t, dir, "a fresh pass phrase\n", "admin", "reset-password", "--email", "Ivan@Perushtitsa.example")
	if err != nil || !strings.Contains(out, "set a new password for Иван Георгиев") {
		t.Fatalf("reset-password: %v\n%s", err, out)
	}
	p := startServer(t, dir)
	c := newClient(t)
	if status, _ := c.call("POST", p.base+"/api/v1/session", map[string]string{"email": "ivan@perushtitsa.example", "password": "perushtitsa-2026"}, nil); status != 401 {
		t.Fatalf("the old password: %d", status)
	}
	c.signIn(p.base, "ivan@perushtitsa.example", "a fresh pass phrase")
	var outbox struct {
		Mails []struct{ Status string } `json:"mails"`
	}
	admin := newClient(t)
	admin.signIn(p.base, "admin@perushtitsa.example", "perushtitsa-2026")
	admin.must("GET", p.base+"/api/v1/admin/outbox", nil, &outbox)
	if len(outbox.Mails) < 20 || outbox.Mails[0].Status != "not_sent" {
		t.Fatalf("the demo's outbox: %+v", outbox.Mails)
	}
}
