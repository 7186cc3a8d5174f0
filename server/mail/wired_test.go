package mail_test

import (
	"strings"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/server/testenv"
)

// A follow-up of an adopted proposal reaches the council's members who want results, through
// the followup.added event; a member who switched results off gets none, and its one-click
// unsubscribe switches results off.
func TestFollowUpMailsMembers(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		quiet := w.Members[1]
		if _, err := w.Svc.UpdateProfile(ctx, quiet, council.ProfileInput{Notify: map[string]bool{model.MailRoundClosed: false}}); err != nil {
			t.Fatal(err)
		}
		r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
		p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "Приемно време в събота", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.CastVote(ctx, w.Members[0], p.ID, model.ChoiceFor, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, ""); err != nil {
			t.Fatal(err)
		}
		send(t, w)
		server.Clear()
		in := council.FollowUpInput{Status: model.FollowUpInProgress, Body: "Гишето работи в събота от 1 март.", ResponsibleUnit: "Дирекция АО"}
		if _, err := w.Svc.AddFollowUp(ctx, w.Admin, p.ID, in); err != nil {
			t.Fatal(err)
		}
		send(t, w)
		got := server.To(w.Members[2].Email)
		if len(got) != 1 || !strings.Contains(got[0].Subject, "Приемно време в събота") ||
			!strings.Contains(got[0].Body, "Гишето работи в събота") || !strings.Contains(got[0].Body, "Дирекция АО") ||
			got[0].Link("/rounds/") == "" {
			t.Fatalf("the follow-up mail: %+v", got)
		}
		if len(server.To(quiet.Email)) != 0 {
			t.Fatal("a member who switched results off was mailed a follow-up")
		}
		unsubscribe := strings.Trim(got[0].Header.Get("List-Unsubscribe"), "<>")
		token := strings.TrimPrefix(unsubscribe, "http://council.test/unsubscribe/")
		if kind, err := w.Svc.Unsubscribe(ctx, token); err != nil || kind != model.MailRoundClosed {
			t.Fatalf("unsubscribing from a follow-up: %q %v", kind, err)
		}
	})
}

// A signal's sender who left an address gets the tracking code, in the language they wrote
// the form in, and each answer; without an address nothing is mailed.
func TestSignalSenderMailed(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		sig := signals.New(signals.Config{Store: st, Councils: w.Svc, Clock: w.Clock.Now, Notifier: w.Outbox})
		name := "Местни данъци"
		if _, err := sig.CreateService(ctx, w.Admin, signals.ServiceInput{Slug: "taxes", Name: &name}); err != nil {
			t.Fatal(err)
		}
		send(t, w) // the members' invitations
		server.Clear()
		in := signals.Input{Kind: model.KindComplaint, Service: "taxes", Title: "Opening hours", Body: "Too short.", Email: "resident@example.org", Lang: "en"}
		sg, code, err := sig.Submit(ctx, nil, in, "")
		if err != nil {
			t.Fatal(err)
		}
		in.Email = ""
		if _, _, err := sig.Submit(ctx, nil, in, ""); err != nil {
			t.Fatal(err)
		}
		send(t, w)
		got := server.To("resident@example.org")
		if len(got) != 1 || !strings.Contains(got[0].Subject, "We received your signal") || !strings.Contains(got[0].Body, code) ||
			!strings.Contains(got[0].Link("/signals/track/"), code) {
			t.Fatalf("the tracking-code mail: %+v", got)
		}
		if n := len(server.Mails()); n != 1 {
			t.Fatalf("%d mails, want the one to the sender who left an address", n)
		}
		if _, err := sig.Answer(ctx, w.Admin, sg.ID, signals.AnswerInput{Body: "We open on Saturdays from March.", Status: model.SignalAnswered}); err != nil {
			t.Fatal(err)
		}
		send(t, w)
		got = server.To("resident@example.org")
		if len(got) != 2 || !strings.Contains(got[1].Body, "We open on Saturdays from March.") {
			t.Fatalf("the answer mail: %+v", got)
		}
		// The tracking link is kept only until its mail is sent: the outbox holds it no more.
		for _, m := range outbox(t, w) {
			if m.Kind == model.MailSignalReceived && m.Secret != "" {
				t.Fatalf("the outbox still keeps the tracking link: %+v", m)
			}
		}
	})
}
