package mail_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

func ptr[T any](v T) *T { return &v }

// A round opened and its results reach each member who wants them, in their language; the
// results carry the record's SHA-256, and the unsubscribe link switches that kind off.
func TestRoundOpenedAndResultsNotifyMembers(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		english, quiet := w.Members[0], w.Members[1]
		if _, err := w.Svc.UpdateProfile(ctx, english, council.ProfileInput{Language: ptr("en")}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.UpdateProfile(ctx, quiet, council.ProfileInput{Notify: map[string]bool{model.MailRoundOpened: false}}); err != nil {
			t.Fatal(err)
		}
		server.Clear()
		r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
		send(t, w)
		opened := server.Mails()
		if len(opened) != 3 { // the moderator and three members, less the one who switched it off
			t.Fatalf("%d mails of a round opened, want 3", len(opened))
		}
		if len(server.To(quiet.Email)) != 0 {
			t.Fatal("a member who switched round_opened off was mailed")
		}
		en := server.To(english.Email)
		if len(en) != 1 || !strings.HasPrefix(en[0].Subject, "Round opened: ") || en[0].Link("/rounds/") == "" {
			t.Fatalf("the English member's mail: %+v", en)
		}
		bg := server.To(w.Members[2].Email)
		if len(bg) != 1 || !strings.HasPrefix(bg[0].Subject, "Открита консултация: ") || bg[0].Header.Get("Content-Language") != "bg" {
			t.Fatalf("the Bulgarian member's mail: %+v", bg)
		}
		unsubscribe := bg[0].Header.Get("List-Unsubscribe")
		if bg[0].Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(unsubscribe, "<http://council.test/unsubscribe/") {
			t.Fatalf("no one-click unsubscribe: %v", bg[0].Header)
		}

		server.Clear()
		p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "Онлайн плащане", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.CastVote(ctx, w.Members[2], p.ID, model.ChoiceFor, ""); err != nil {
			t.Fatal(err)
		}
		closed, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, "Прието.")
		if err != nil {
			t.Fatal(err)
		}
		send(t, w)
		results := server.To(w.Members[2].Email)
		if len(results) != 1 || !strings.Contains(results[0].Body, *closed.RecordSHA256) || !strings.Contains(results[0].Body, "Онлайн плащане: Прието") {
			t.Fatalf("results mail (record %s): %+v", *closed.RecordSHA256, results)
		}

		token := strings.TrimPrefix(strings.Trim(unsubscribe, "<>"), "http://council.test/unsubscribe/")
		if kind, err := w.Svc.Unsubscribe(ctx, token); err != nil || kind != model.MailRoundOpened {
			t.Fatalf("unsubscribe: %q %v", kind, err)
		}
		if _, err := w.Svc.Unsubscribe(ctx, token[:len(token)-2]+"xx"); !isCode(err, council.CodeNotFound) {
			t.Fatalf("a forged unsubscribe link: %v", err)
		}
		u, _ := st.UserByID(ctx, w.Members[2].ID)
		if u.Notify.RoundOpened || !u.Notify.RoundClosed {
			t.Fatalf("after unsubscribing from round_opened: %+v", u.Notify)
		}
	})
}

func isCode(err error, code string) bool {
	ce, ok := council.AsError(err)
	return ok && ce.Code == code
}

// The results of a round wait for its record: a mail written at the close goes only once the
// record is stored, whichever process stores it, and then carries its digest.
func TestResultsWaitForTheRecord(t *testing.T) {
	st := testenv.Store(t, "postgres")
	server := testenv.NewSMTP(t)
	w := testenv.NewMailWorld(t, st, server.URL())
	r := w.Round(t, model.StatusOpen, model.BallotSecret, 0)
	send(t, w)
	server.Clear()
	if _, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, ""); err != nil {
		t.Fatal(err)
	}
	// As if the closing process stopped before it stored the record.
	if _, err := st.DB().Exec(`DELETE FROM round_records WHERE round_id = $1`, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE rounds SET record_sha256 = NULL WHERE id = $1`, r.ID); err != nil {
		t.Fatal(err)
	}
	if n := send(t, w); n != 0 {
		t.Fatalf("%d results mails went before the record was stored", n)
	}
	if err := w.AnotherProcess().RecordPending(ctx); err != nil {
		t.Fatal(err)
	}
	send(t, w)
	got := server.Mails()
	stored, _ := w.Svc.Round(ctx, w.Admin, r.ID)
	if len(got) != 4 || stored.RecordSHA256 == nil || !strings.Contains(got[0].Body, *stored.RecordSHA256) {
		t.Fatalf("%d results mails after the record was stored: %+v", len(got), got)
	}
}

// A reply reaches the author of the post it answers, unless they answer themselves.
func TestReplyNotifiesTheAuthor(t *testing.T) {
	st := testenv.Store(t, "sqlite")
	server := testenv.NewSMTP(t)
	w := testenv.NewMailWorld(t, st, server.URL())
	r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
	topic, err := w.Svc.CreateTopic(ctx, w.Members[0], r.ID, council.TopicInput{Title: "Чакалня", Body: "B"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := w.Svc.CreatePost(ctx, w.Members[0], topic.ID, council.PostInput{Body: "Първо мнение"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Svc.CreatePost(ctx, w.Members[0], topic.ID, council.PostInput{Body: "Допълвам се", ReplyTo: &first.ID}); err != nil {
		t.Fatal(err)
	}
	send(t, w)
	server.Clear()
	reply, err := w.Svc.CreatePost(ctx, w.Members[1], topic.ID, council.PostInput{Body: "Съгласна съм **напълно**.", ReplyTo: &first.ID})
	if err != nil {
		t.Fatal(err)
	}
	send(t, w)
	got := server.Mails()
	if len(got) != 1 || got[0].To[0] != w.Members[0].Email || !strings.Contains(got[0].Body, "Съгласна съм") ||
		!strings.Contains(got[0].Link("/topics/"), "#post-") || !strings.Contains(got[0].Subject, w.Members[1].Name) {
		t.Fatalf("reply mails (reply %d): %+v", reply.ID, got)
	}
}

// Each member who has not voted on every proposal of a round closing within a day is reminded
// once: by two processes at once, and again after a restart, still once.
func TestClosingSoonOncePerMemberAcrossProcessesAndRestart(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		title, ballot, quorum := "Скоро", model.BallotOpen, 0
		r, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.OpenRound(ctx, w.Moderator, r.ID, ptr(w.Clock.Now().Add(30*time.Hour))); err != nil {
			t.Fatal(err)
		}
		var proposals []int64
		for _, title := range []string{"А", "Б"} {
			p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: title, Body: "B"})
			if err != nil {
				t.Fatal(err)
			}
			proposals = append(proposals, p.ID)
		}
		for _, p := range proposals { // Members[0] voted on everything, Members[1] on one proposal
			w.Svc.CastVote(ctx, w.Members[0], p, model.ChoiceFor, "")
		}
		w.Svc.CastVote(ctx, w.Members[1], proposals[0], model.ChoiceAgainst, "")
		send(t, w)
		server.Clear()
		if n, _ := w.Outbox.RemindClosingSoon(ctx); n != 0 {
			t.Fatalf("%d reminders 30 h before the close", n)
		}
		w.Clock.Advance(7 * time.Hour)
		// Two processes at once: this one's outbox and another's.
		outboxes := []interface {
			RemindClosingSoon(context.Context) (int, error)
		}{w.Outbox, testenv.NewOutbox(t, st, server.URL(), w.Clock)}
		var wg sync.WaitGroup
		total := make([]int, len(outboxes))
		for i, o := range outboxes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := o.RemindClosingSoon(ctx)
				if err != nil {
					t.Error(err)
				}
				total[i] = n
			}()
		}
		wg.Wait()
		restarted := testenv.NewOutbox(t, st, server.URL(), w.Clock)
		w.Clock.Advance(time.Hour)
		again, err := restarted.RemindClosingSoon(ctx)
		if err != nil || again != 0 {
			t.Fatalf("after a restart: %d more reminders, %v", again, err)
		}
		if _, err := restarted.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		got := server.Mails()
		want := map[string]bool{w.Moderator.Email: true, w.Members[1].Email: true, w.Members[2].Email: true}
		if len(got) != 3 || total[0]+total[1] != 3 {
			t.Fatalf("%d reminders arrived (processes wrote %v), want one to each of %v", len(got), total, want)
		}
		for _, m := range got {
			if !want[m.To[0]] {
				t.Fatalf("reminded %s, who voted on every proposal or was reminded twice", m.To[0])
			}
			delete(want, m.To[0])
		}
		if m := server.To(w.Members[1].Email)[0]; !strings.Contains(m.Body, "1 от 2") {
			t.Fatalf("the reminder does not say what still waits for the vote:\n%s", m.Body)
		}
	})
}
