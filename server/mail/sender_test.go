package mail_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

var ctx = context.Background()

// invite invites a new address into the world's council and returns the invitation's token.
func invite(t *testing.T, w *testenv.World, email, lang string) string {
	t.Helper()
	_, token, err := w.Svc.Invite(ctx, w.Moderator, w.Council.ID, council.InviteInput{Email: email, Name: "Нова Членка",
		Role: model.RoleMember, Group: model.GroupNGO, Language: lang})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func send(t *testing.T, w *testenv.World) int {
	t.Helper()
	n, err := w.Outbox.SendDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func outbox(t *testing.T, w *testenv.World) []model.Mail {
	t.Helper()
	ms, err := w.Store.Outbox(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// An invitation arrives by mail, in the language asked for, and its link lets the invitee in.
func TestInvitationArrivesAndItsLinkWorks(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		server.Clear()
		invite(t, w, "new@example.org", "en")
		if n := send(t, w); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		m := server.WaitFor(t, 1, 5*time.Second)[0]
		if m.To[0] != "new@example.org" || !strings.Contains(m.Subject, "Invitation to") || !strings.Contains(m.Body, "Граждански съвет") {
			t.Fatalf("mail: to %v, subject %q\n%s", m.To, m.Subject, m.Body)
		}
		if m.Header.Get("List-Unsubscribe") != "" {
			t.Fatal("an invitation to someone without an account carries an unsubscribe link: there is no account to switch off")
		}
		link := m.Link("/invitations/")
		token := link[strings.LastIndex(link, "/")+1:]
		u, err := w.Svc.AcceptInvitation(ctx, token, "Нова Членка", "a-long-enough-pass", "")
		if err != nil || u.Email != "new@example.org" || u.Language != "en" {
			t.Fatalf("accept with the mailed link (an account starts in its invitation's language): %+v %v", u, err)
		}
		for _, mm := range outbox(t, w) {
			if mm.Secret != "" {
				t.Fatalf("mail %d (%s, %s) still keeps its secret link after it was sent", mm.ID, mm.Kind, mm.Status)
			}
		}
	})
}

// While the SMTP server refuses for a while, mail waits and is tried again, later each time;
// once the server accepts again, every mail arrives, once.
func TestRefusalDelaysMailAndLosesNone(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		server.Clear()
		server.Refuse(451)
		for i := range 3 {
			invite(t, w, fmt.Sprintf("later%d@example.org", i), "bg")
		}
		if n := send(t, w); n != 0 || server.Refused() != 3 {
			t.Fatalf("sent %d while refused (%d refusals)", n, server.Refused())
		}
		for _, m := range outbox(t, w)[:3] {
			if m.Status != model.MailQueued || m.Attempts != 1 || !strings.Contains(m.LastError, "451") {
				t.Fatalf("after a refusal: %+v", m)
			}
		}
		w.Clock.Advance(10 * time.Second)
		if send(t, w); server.Refused() != 3 {
			t.Fatalf("tried again before the wait was over (%d refusals)", server.Refused())
		}
		w.Clock.Advance(25 * time.Second)
		if send(t, w); server.Refused() != 6 {
			t.Fatalf("not tried again after 30 s (%d refusals)", server.Refused())
		}
		w.Clock.Advance(40 * time.Second) // the second wait is a minute
		if send(t, w); server.Refused() != 6 {
			t.Fatalf("the wait did not grow (%d refusals)", server.Refused())
		}
		server.Refuse(0)
		w.Clock.Advance(30 * time.Second)
		if n := send(t, w); n != 3 {
			t.Fatalf("sent %d once accepted, want 3", n)
		}
		w.Clock.Advance(time.Hour)
		send(t, w)
		if got := server.Mails(); len(got) != 3 {
			t.Fatalf("%d mails arrived, want each of 3 once", len(got))
		}
		for _, m := range outbox(t, w)[:3] {
			if m.Status != model.MailSent || m.SentAt == nil || m.Attempts != 3 {
				t.Fatalf("after delivery: %+v", m)
			}
		}
	})
}

// A mail refused for good fails at once; one refused for now is given up after a day.
func TestRefusalsThatEnd(t *testing.T) {
	st := testenv.Store(t, "sqlite")
	server := testenv.NewSMTP(t)
	w := testenv.NewMailWorld(t, st, server.URL())
	server.Refuse(550)
	invite(t, w, "nobody@example.org", "bg")
	send(t, w)
	if m := outbox(t, w)[0]; m.Status != model.MailFailed || !strings.Contains(m.LastError, "550") {
		t.Fatalf("refused for good: %+v", m)
	}
	server.Refuse(451)
	invite(t, w, "someday@example.org", "bg")
	for range 40 {
		send(t, w)
		w.Clock.Advance(time.Hour)
	}
	if m := outbox(t, w)[0]; m.Status != model.MailFailed || !strings.Contains(m.LastError, "given up after 24h") {
		t.Fatalf("refused for a day: %+v", m)
	}
}

// Two processes sending at once send each mail once: each claims its mails before sending.
func TestTwoProcessesSendEachMailOnce(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		server.Clear()
		const n = 60
		for i := range n {
			invite(t, w, fmt.Sprintf("many%02d@example.org", i), "bg")
		}
		other := testenv.NewOutbox(t, st, server.URL(), w.Clock)
		var wg sync.WaitGroup
		sent := make([]int, 2)
		for i, o := range []interface {
			SendDue(context.Context) (int, error)
		}{w.Outbox, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k, err := o.SendDue(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if k == 0 {
						return
					}
					sent[i] += k
				}
			}()
		}
		wg.Wait()
		got := server.Mails()
		seen := map[string]int{}
		for _, m := range got {
			seen[m.To[0]]++
		}
		if len(got) != n || len(seen) != n || sent[0]+sent[1] != n {
			t.Fatalf("%d mails to %d addresses arrived (processes sent %v), want each of %d once", len(got), len(seen), sent, n)
		}
		t.Logf("the two processes sent %d and %d", sent[0], sent[1])
	})
}

// Mail written while an SMTP server was configured, and still waiting when a process runs
// without one, is marked not sent rather than left waiting for ever.
func TestWaitingMailIsNotSentWithoutSMTP(t *testing.T) {
	st := testenv.Store(t, "sqlite")
	server := testenv.NewSMTP(t)
	w := testenv.NewMailWorld(t, st, server.URL())
	server.Refuse(451)
	invite(t, w, "waiting@example.org", "bg")
	send(t, w)
	w.Clock.Advance(time.Hour)
	if n, err := testenv.NewOutbox(t, st, "", w.Clock).SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("without SMTP: %d sent, %v", n, err)
	}
	if m := outbox(t, w)[0]; m.Status != model.MailNotSent || m.Secret != "" || !strings.Contains(m.LastError, "SMTP_URL") {
		t.Fatalf("a waiting mail without SMTP: %+v", m)
	}
}
