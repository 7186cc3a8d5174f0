package council_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

func strptr(s string) *string { return &s }

// A profile changes within its rules; the names of erased accounts are nobody else's.
func TestUpdateProfile(t *testing.T) {
	ctx := context.Background()
	w := testenv.NewWorld(t, testenv.Store(t, "sqlite"))
	m := w.Members[0]
	cases := []struct {
		in    council.ProfileInput
		field string
	}{
		{council.ProfileInput{Name: strptr(" ")}, "name"},
		{council.ProfileInput{Name: strptr("Бивш участник 7")}, "name"},
		{council.ProfileInput{Name: strptr("former participant")}, "name"},
		{council.ProfileInput{Language: strptr("de")}, "language"},
		{council.ProfileInput{Notify: map[string]bool{"password_reset": false}}, "notify"},
		{council.ProfileInput{Organisation: strptr(strings.Repeat("о", 201))}, "organisation"},
	}
	for _, c := range cases {
		_, err := w.Svc.UpdateProfile(ctx, m, c.in)
		if ce, ok := council.AsError(err); !ok || ce.FieldCodes[c.field] == "" {
			t.Errorf("%+v: %v", c.in, err)
		}
	}
	u, err := w.Svc.UpdateProfile(ctx, m, council.ProfileInput{Name: strptr("Нели"), Organisation: strptr("Читалище"),
		Language: strptr("en"), Notify: map[string]bool{model.MailReply: false}})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := w.Store.UserByID(ctx, m.ID)
	if stored.Name != "Нели" || stored.Organisation != "Читалище" || stored.Language != "en" || stored.Notify.Reply || !stored.Notify.RoundOpened || *u != *stored {
		t.Fatalf("stored %+v, answered %+v", stored, u)
	}
}

// A new address is confirmed from itself before it replaces the old one, once.
func TestEmailChangeConfirmedFromTheNewAddress(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		server.Clear()
		m := w.Members[0]
		sess, _ := w.Svc.StartSession(ctx, m)
		err := w.Svc.RequestEmailChange(ctx, sess, "new@example.org", "wrong", "")
		if ce, ok := council.AsError(err); !ok || ce.FieldCodes["password"] != council.FieldMismatch {
			t.Fatalf("wrong password: %v", err)
		}
		if err := w.Svc.RequestEmailChange(ctx, sess, "not an address", testenv.Password(m.Email), ""); code(err) != council.CodeValidation {
			t.Fatalf("not an address: %v", err)
		}
		if err := w.Svc.RequestEmailChange(ctx, sess, " New@Example.org ", testenv.Password(m.Email), ""); err != nil {
			t.Fatal(err)
		}
		token := mailedToken(t, w, server, "new@example.org", "/me/email/")
		if len(server.To(m.Email)) != 0 {
			t.Fatal("the confirmation went to the old address")
		}
		if email, err := w.Svc.PendingEmailChange(ctx, token); err != nil || email != "new@example.org" {
			t.Fatalf("pending: %q %v", email, err)
		}
		if u, _ := w.Store.UserByID(ctx, m.ID); u.Email != m.Email {
			t.Fatal("the address changed before it was confirmed")
		}
		u, err := w.Svc.ConfirmEmailChange(ctx, token)
		if err != nil || u.Email != "new@example.org" {
			t.Fatalf("confirm: %v %v", u, err)
		}
		if _, err := w.Svc.ConfirmEmailChange(ctx, token); code(err) != council.CodeNotFound {
			t.Fatalf("confirmed twice: %v", err)
		}
		// An address another account took meanwhile is not taken from it.
		other, _ := w.Svc.StartSession(ctx, w.Members[1])
		w.Svc.RequestEmailChange(ctx, other, w.Members[2].Email, testenv.Password(w.Members[1].Email), "")
		token = mailedToken(t, w, server, w.Members[2].Email, "/me/email/")
		if _, err := w.Svc.ConfirmEmailChange(ctx, token); code(err) != council.CodeConflict {
			t.Fatalf("an address in use: %v", err)
		}
	})
}

// The agenda lists the open rounds of my councils, the soonest closing first, with what
// still waits for my vote.
func TestAgenda(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		open := func(title string, closes *time.Time) *model.Round {
			ballot, quorum := model.BallotSecret, 0
			r, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
			if err != nil {
				t.Fatal(err)
			}
			if r, err = w.Svc.OpenRound(ctx, w.Moderator, r.ID, closes); err != nil {
				t.Fatal(err)
			}
			return r
		}
		late := w.Clock.Now().Add(72 * time.Hour)
		soon := w.Clock.Now().Add(5 * time.Hour)
		rLate, rNone, rSoon := open("късна", &late), open("безсрочна", nil), open("скорошна", &soon)
		w.Round(t, model.StatusDraft, model.BallotOpen, 0)
		p1, _ := w.Svc.CreateProposal(ctx, w.Moderator, rSoon.ID, council.ProposalInput{Title: "1", Body: "b"})
		p2, _ := w.Svc.CreateProposal(ctx, w.Moderator, rSoon.ID, council.ProposalInput{Title: "2", Body: "b"})
		if _, err := w.Svc.CastVote(ctx, w.Members[0], p1.ID, model.ChoiceFor, ""); err != nil {
			t.Fatal(err)
		}
		items, err := w.Svc.Agenda(ctx, w.Members[0])
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, it := range items {
			got = append(got, it.Round.ID)
		}
		if len(got) != 3 || got[0] != rSoon.ID || got[1] != rLate.ID || got[2] != rNone.ID {
			t.Fatalf("agenda order %v, want %v", got, []int64{rSoon.ID, rLate.ID, rNone.ID})
		}
		if a := items[0].AwaitingMyVote; len(a) != 1 || a[0] != p2.ID || items[0].Proposals != 2 || items[0].Council.ID != w.Council.ID {
			t.Fatalf("awaiting %v of %d", a, items[0].Proposals)
		}
		if other, _ := w.Svc.Agenda(ctx, w.Outsider); len(other) != 0 {
			t.Fatalf("another council's member sees %d rounds", len(other))
		}
	})
}

// The export holds what the person wrote and their open-ballot votes, never a secret vote.
func TestExport(t *testing.T) {
	ctx := context.Background()
	w := testenv.NewMailWorld(t, testenv.Store(t, "postgres"), "")
	m := w.Members[0]
	open := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
	secret := w.Round(t, model.StatusOpen, model.BallotSecret, 0)
	topic, _ := w.Svc.CreateTopic(ctx, m, open.ID, council.TopicInput{Title: "Моя тема", Body: "b"})
	w.Svc.CreatePost(ctx, m, topic.ID, council.PostInput{Body: "моето мнение"})
	po, _ := w.Svc.CreateProposal(ctx, m, open.ID, council.ProposalInput{Title: "явно", Body: "b"})
	ps, _ := w.Svc.CreateProposal(ctx, m, secret.ID, council.ProposalInput{Title: "тайно", Body: "b"})
	w.Svc.CastVote(ctx, m, po.ID, model.ChoiceAgainst, "")
	w.Svc.CastVote(ctx, m, ps.ID, model.ChoiceFor, "")
	d, err := w.Svc.Export(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Topics) != 1 || len(d.Posts) != 1 || len(d.Proposals) != 2 || len(d.Memberships) != 1 || d.User.Email != m.Email {
		t.Fatalf("export: %+v", d)
	}
	if len(d.Votes) != 1 || d.Votes[0].ProposalID != po.ID || d.Votes[0].Choice != model.ChoiceAgainst {
		t.Fatalf("votes exported: %+v", d.Votes)
	}
	if len(d.Mails) == 0 || d.Mails[0].Status != model.MailNotSent {
		t.Fatalf("mails to the member (mail is off): %+v", d.Mails)
	}
}

// Erasure ends the sessions, deletes the email, password and organisation, gives the seats
// up, and renames the person wherever the platform renders them from now on — the record of a
// round still open included — while a closed round's record keeps its bytes.
func TestErasure(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewMailWorld(t, st, "")
		m := w.Members[0]
		oldName := m.Name
		closed := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
		topic, _ := w.Svc.CreateTopic(ctx, m, closed.ID, council.TopicInput{Title: "T", Body: "b"})
		w.Svc.CreatePost(ctx, m, topic.ID, council.PostInput{Body: "мнение"})
		p, _ := w.Svc.CreateProposal(ctx, m, closed.ID, council.ProposalInput{Title: "P", Body: "b"})
		w.Svc.CastVote(ctx, m, p.ID, model.ChoiceFor, "")
		closedRound, err := w.Svc.CloseRound(ctx, w.Moderator, closed.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		frozen, _ := w.Svc.Record(ctx, nil, closed.ID)
		open := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
		openTopic, _ := w.Svc.CreateTopic(ctx, m, open.ID, council.TopicInput{Title: "T2", Body: "b"})
		w.Svc.UpdateProfile(ctx, m, council.ProfileInput{Organisation: strptr("Фирма ООД")})
		sess, _ := w.Svc.StartSession(ctx, m)
		if err := w.Svc.Erase(ctx, sess, "wrong", ""); code(err) != council.CodeValidation {
			t.Fatalf("erase with a wrong password: %v", err)
		}
		if err := w.Svc.Erase(ctx, sess, testenv.Password(m.Email), ""); err != nil {
			t.Fatal(err)
		}
		name := model.ErasedName(m.ID)
		u, _ := w.Store.UserByID(ctx, m.ID)
		if u.Name != name || strings.Contains(u.Email, "@") || u.PasswordHash != "" || u.Organisation != "" || !u.Erased() {
			t.Fatalf("after erasure: %+v", u)
		}
		if s, _ := w.Svc.SessionByToken(ctx, sess.Token); s != nil {
			t.Fatal("a session survived the erasure")
		}
		if _, err := w.Svc.Authenticate(ctx, m.Email, testenv.Password(m.Email), ""); code(err) != council.CodeUnauthenticated {
			t.Fatalf("signing in after erasure: %v", err)
		}
		if ms, _ := w.Svc.MyCouncils(ctx, u); len(ms) != 0 {
			t.Fatalf("still seated in %v", ms)
		}
		after, _ := w.Svc.Record(ctx, nil, closed.ID)
		if !bytes.Equal(after.Body, frozen.Body) || after.SHA256 != *closedRound.RecordSHA256 || !bytes.Contains(after.Body, []byte(oldName)) {
			t.Fatal("the closed round's record changed")
		}
		current, err := w.Svc.Record(ctx, w.Admin, open.ID)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(current.Body, []byte(oldName)) || !bytes.Contains(current.Body, []byte(name)) {
			t.Fatalf("the open round's record still names %q:\n%s", oldName, current.Body)
		}
		tv, err := w.Svc.TopicView(ctx, w.Admin, openTopic.ID)
		if err != nil || tv.Topic.Author.Name != name {
			t.Fatalf("the topic's author: %+v %v", tv, err)
		}
		evs, _, err := w.Svc.Events(ctx, w.Admin, w.Council.ID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		left := false
		for _, ev := range evs {
			if bytes.Contains(ev.Data, []byte(oldName)) || (ev.Actor != nil && ev.Actor.Name == oldName) {
				t.Fatalf("event %d (%s) still names %q: %s", ev.Seq, ev.Type, oldName, ev.Data)
			}
			left = left || (ev.Type == "member.left" && ev.Actor != nil && ev.Actor.ID == m.ID)
		}
		if !left {
			t.Fatal("no member.left for the erased member's seat")
		}
		mails, _ := w.Store.MailsTo(ctx, m.ID)
		for _, ml := range mails {
			if ml.To != "" || len(ml.Data) != 0 {
				t.Fatalf("a mail still holds the erased address or contents: %+v", ml)
			}
		}
	})
}

// The last admin cannot erase their account: the platform would have nobody to run it.
func TestLastAdminIsNotErased(t *testing.T) {
	ctx := context.Background()
	w := testenv.NewWorld(t, testenv.Store(t, "sqlite"))
	sess, _ := w.Svc.StartSession(ctx, w.Admin)
	if err := w.Svc.Erase(ctx, sess, "admin-password", ""); code(err) != council.CodeConflict {
		t.Fatalf("erasing the last admin: %v", err)
	}
	if _, err := w.Svc.CreateAdmin(ctx, "second@example.org", "Втора", "second-admin-password"); err != nil {
		t.Fatal(err)
	}
	if err := w.Svc.Erase(ctx, sess, "admin-password", ""); err != nil {
		t.Fatalf("erasing one of two admins: %v", err)
	}
	if u, _ := w.Store.UserByID(ctx, w.Admin.ID); u.IsAdmin() {
		t.Fatal("an erased account is still an admin")
	}
}

// A signed-in account asks for a handful of confirmation mails an hour, no more: each goes to
// an address the account names.
func TestEmailChangeRequestsAreBounded(t *testing.T) {
	ctx := context.Background()
	w := testenv.NewWorld(t, testenv.Store(t, "sqlite"))
	m := w.Members[0]
	sess, _ := w.Svc.StartSession(ctx, m)
	var err error
	for i := 0; i <= council.EmailChangeLimits.PerAccount && err == nil; i++ {
		err = w.Svc.RequestEmailChange(ctx, sess, "other@example.org", testenv.Password(m.Email), "")
	}
	if code(err) != council.CodeRateLimited {
		t.Fatalf("asking again and again: %v", err)
	}
}
