package testenv

import (
	"context"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/mail"
	"github.com/perushtitsa/council/server/store"
)

// NewMailWorld builds a World whose service writes its mails into an outbox that sends them to
// smtpURL ("": mail is off), all on the world's clock. The mails of the world's own making
// (the invitations of its members) are sent, or marked not sent, before it returns.
func NewMailWorld(t testing.TB, st *store.Store, smtpURL string) *World {
	t.Helper()
	clock := NewClock()
	out := NewOutbox(t, st, smtpURL, clock)
	w := NewWorldWith(t, st, council.Config{Clock: clock.Now, Mail: out})
	w.Clock, w.Outbox = clock, out
	if _, err := out.SendDue(context.Background()); err != nil {
		t.Fatalf("sending the world's invitations: %v", err)
	}
	return w
}

// NewOutbox returns an outbox over st sending to smtpURL on clock's time, as a server process
// would make it.
func NewOutbox(t testing.TB, st *store.Store, smtpURL string, clock *Clock) *mail.Outbox {
	t.Helper()
	out, err := mail.New(context.Background(), mail.Config{Store: st, SMTPURL: smtpURL, BaseURL: "http://council.test", Clock: clock.Now})
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	return out
}
