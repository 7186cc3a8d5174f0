package council_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

type voter struct {
	user  *model.User
	group string
}

// seats adds members to the world's council until each group has n of them (the moderator is
// a citizen), and returns every member who may vote, moderator included, with their group.
func seats(t *testing.T, w *testenv.World, n int) []voter {
	t.Helper()
	voters := []voter{{w.Moderator, model.GroupCitizen}}
	for i, m := range w.Members {
		voters = append(voters, voter{m, model.Groups[i]})
	}
	have := map[string]int{model.GroupCitizen: 2, model.GroupNGO: 1, model.GroupBusiness: 1}
	for _, g := range model.Groups {
		for i := have[g]; i < n; i++ {
			email := fmt.Sprintf("%s%d@example.org", g, i)
			voters = append(voters, voter{w.Join(t, w.Council.ID, email, "Член "+email, model.RoleMember, g), g})
		}
	}
	return voters
}

// In a secret ballot the split by group is published only when every group with voters has at
// least three: with one NGO voter and one business voter, it would name both their choices.
func TestSecretBallotWithholdsSmallGroups(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		voters := seats(t, w, 3)
		r := w.Round(t, model.StatusOpen, model.BallotSecret, 0)
		small, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "Few", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		large, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "Many", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		// On "Few" the citizens vote, and one NGO and one business member; on "Many" everyone.
		cast := map[string]int{}
		for _, v := range voters {
			if _, err := w.Svc.CastVote(ctx, v.user, large.ID, model.ChoiceFor, ""); err != nil {
				t.Fatal(err)
			}
			if v.group == model.GroupCitizen || cast[v.group] == 0 {
				if _, err := w.Svc.CastVote(ctx, v.user, small.ID, model.ChoiceAgainst, ""); err != nil {
					t.Fatal(err)
				}
			}
			cast[v.group]++
		}
		closed, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range closed.Results {
			switch res.ProposalID {
			case small.ID:
				if res.ByGroup != nil || res.ByGroupWithheld != model.WithheldSmallGroups {
					t.Errorf("groups of one voter published: %+v (withheld %q)", res.ByGroup, res.ByGroupWithheld)
				}
				if res.Voters != 5 || res.Against != 5 {
					t.Errorf("the totals stay published: %+v", res.Counts)
				}
			case large.ID:
				if res.ByGroup == nil || res.ByGroupWithheld != "" || res.ByGroup[model.GroupNGO].Voters != 3 {
					t.Errorf("groups of three withheld: %+v (withheld %q)", res.ByGroup, res.ByGroupWithheld)
				}
			}
		}
		// The frozen record says the same.
		f, err := w.Svc.Record(ctx, nil, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(f.Body, []byte(`"by_group_withheld": "small_groups"`)) || !bytes.Contains(f.Body, []byte(`"by_group": null`)) {
			t.Errorf("the record publishes the small groups' split")
		}
	})
}

// decodeVote reads a vote event's data as a generic object, so that a key that should not be
// there at all is seen.
func decodeVote(t *testing.T, ev model.Event) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// A secret ballot's vote events carry the proposal and the number of voters only: a tally that
// moves with each vote tells anyone who knows when someone voted how they voted. A round that
// hides its results until the close does the same, open ballot or not.
func TestVoteEventsCarryNoTallyWhereSecret(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		for _, tc := range []struct {
			ballot, visibility string
			wantKeys           []string
			wantActor          bool
		}{
			{model.BallotSecret, "", []string{"proposal_id", "voters"}, false},
			{model.BallotSecret, model.ResultsLive, []string{"proposal_id", "voters"}, false},
			{model.BallotOpen, model.ResultsAfterClose, []string{"proposal_id", "voters"}, true},
			{model.BallotOpen, "", []string{"choice", "proposal_id", "tally", "voter", "voters"}, true},
		} {
			title := tc.ballot + " " + tc.visibility
			in := council.RoundInput{Title: &title, Ballot: &tc.ballot}
			if tc.visibility != "" {
				in.ResultsVisibility = &tc.visibility
			}
			r, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Svc.OpenRound(ctx, w.Moderator, r.ID, nil); err != nil {
				t.Fatal(err)
			}
			p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
			if err != nil {
				t.Fatal(err)
			}
			w.Events.Drain()
			if _, err := w.Svc.CastVote(ctx, w.Members[1], p.ID, model.ChoiceAgainst, ""); err != nil {
				t.Fatal(err)
			}
			if err := w.Svc.WithdrawVote(ctx, w.Members[1], p.ID); err != nil {
				t.Fatal(err)
			}
			for _, ev := range w.Events.Drain() {
				d := decodeVote(t, ev)
				var keys []string
				for k := range d {
					keys = append(keys, k)
				}
				want := tc.wantKeys
				if ev.Type == "vote.withdrawn" && len(want) > 2 {
					want = []string{"proposal_id", "tally", "voter", "voters"}
				}
				if fmt.Sprint(sorted(keys)) != fmt.Sprint(want) {
					t.Errorf("%s, %s: %s carries %v, want %v", tc.ballot, tc.visibility, ev.Type, sorted(keys), want)
				}
				if (ev.Actor != nil) != tc.wantActor {
					t.Errorf("%s, %s: %s actor %+v", tc.ballot, tc.visibility, ev.Type, ev.Actor)
				}
			}
		}
	})
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// A round that shows its results after the close shows no tally to anybody, admins included,
// and no named votes, until it closes; then everything is there.
func TestTalliesHiddenUntilTheClose(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		r := w.Round(t, model.StatusOpen, model.BallotSecret, 0)
		if r.ResultsVisibility != model.ResultsAfterClose {
			t.Fatalf("a secret ballot shows results %q by default", r.ResultsVisibility)
		}
		p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		tally, err := w.Svc.CastVote(ctx, w.Members[0], p.ID, model.ChoiceFor, "")
		if err != nil || tally != nil {
			t.Fatalf("the voter is answered a tally %+v (%v)", tally, err)
		}
		for _, viewer := range []*model.User{w.Admin, w.Moderator, w.Members[0]} {
			got, err := w.Svc.Proposal(ctx, viewer, p.ID)
			if err != nil || got.Tally != nil {
				t.Fatalf("%s sees a tally: %+v (%v)", viewer.Name, got.Tally, err)
			}
			if viewer == w.Members[0] && (got.MyVote == nil || *got.MyVote != model.ChoiceFor) {
				t.Fatalf("the voter no longer sees their own vote")
			}
		}
		d, err := w.Svc.RoundView(ctx, w.Admin, r.ID, false)
		if err != nil || d.Proposals[0].Tally != nil {
			t.Fatalf("the round shows a tally: %+v", d.Proposals[0].Tally)
		}
		rec, err := w.Svc.Record(ctx, w.Admin, r.ID)
		if err != nil || bytes.Contains(rec.Body, []byte(`"for": 1`)) {
			t.Fatalf("the record in progress shows a tally (%v)", err)
		}
		if _, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, ""); err != nil {
			t.Fatal(err)
		}
		got, err := w.Svc.Proposal(ctx, nil, p.ID)
		if err != nil || got.Tally == nil || got.Tally.For != 1 {
			t.Fatalf("after the close: %+v (%v)", got.Tally, err)
		}

		// An open ballot hiding its results keeps its roll call until the close too.
		vis := model.ResultsAfterClose
		title, ballot := "Open, results after the close", model.BallotOpen
		r2, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, ResultsVisibility: &vis})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.OpenRound(ctx, w.Moderator, r2.ID, nil); err != nil {
			t.Fatal(err)
		}
		p2, err := w.Svc.CreateProposal(ctx, w.Moderator, r2.ID, council.ProposalInput{Title: "P", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.CastVote(ctx, w.Members[0], p2.ID, model.ChoiceFor, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.Votes(ctx, w.Admin, p2.ID); code(err) != council.CodeForbidden {
			t.Fatalf("named votes before the close: %v", err)
		}
		bad := "sometimes"
		if _, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, ResultsVisibility: &bad}); code(err) != council.CodeValidation {
			t.Fatalf("results_visibility %q: %v", bad, err)
		}
	})
}

// One member cannot flood a debate: posts, topics and proposals each have a rate, and a write
// past it is refused with the time to wait; other members write on.
func TestWriteRatesPerMember(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
		tp, err := w.Svc.CreateTopic(ctx, w.Members[0], r.ID, council.TopicInput{Title: "T", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 10; i++ {
			if _, err := w.Svc.CreatePost(ctx, w.Members[0], tp.ID, council.PostInput{Body: fmt.Sprintf("post %d", i)}); err != nil {
				t.Fatalf("post %d: %v", i, err)
			}
		}
		_, err = w.Svc.CreatePost(ctx, w.Members[0], tp.ID, council.PostInput{Body: "one too many"})
		rl, ok := err.(*council.RateLimited)
		if !ok || rl.RetryAfter <= 0 || rl.RetryAfter > time.Minute {
			t.Fatalf("the 11th post within a minute: %v", err)
		}
		if _, err := w.Svc.CreatePost(ctx, w.Members[1], tp.ID, council.PostInput{Body: "another member"}); err != nil {
			t.Fatalf("another member is throttled too: %v", err)
		}
		for i := 0; i < 10; i++ {
			if _, err := w.Svc.CreateProposal(ctx, w.Members[2], r.ID, council.ProposalInput{Title: "P", Body: "B"}); err != nil {
				t.Fatalf("proposal %d: %v", i, err)
			}
		}
		if _, err := w.Svc.CreateProposal(ctx, w.Members[2], r.ID, council.ProposalInput{Title: "P", Body: "B"}); code(err) != council.CodeRateLimited {
			t.Fatalf("the 11th proposal within an hour: %v", err)
		}
	})
}

// A round's text is bounded: past the bound a write is refused with a clear 422 and nothing
// of it is written.
func TestRoundTextIsBounded(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorldWith(t, st, council.Config{Limits: council.Limits{RoundText: 10 << 10}})
		r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
		tp, err := w.Svc.CreateTopic(ctx, w.Members[0], r.ID, council.TopicInput{Title: "T", Body: strings.Repeat("д", 2000)}) // 4,001 bytes
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.CreatePost(ctx, w.Members[1], tp.ID, council.PostInput{Body: strings.Repeat("x", 4000)}); err != nil {
			t.Fatal(err)
		}
		w.Events.Drain()
		_, err = w.Svc.CreatePost(ctx, w.Members[2], tp.ID, council.PostInput{Body: strings.Repeat("y", 3000)})
		ce, ok := council.AsError(err)
		if !ok || ce.Code != council.CodeValidation || ce.Fields["body"] == "" || !strings.Contains(ce.Message, "10 KiB") {
			t.Fatalf("a post past the round's bound: %v", err)
		}
		if evs := w.Events.Drain(); len(evs) != 0 {
			t.Fatalf("a refused post left %d events", len(evs))
		}
		view, err := w.Svc.TopicView(ctx, w.Admin, tp.ID)
		if err != nil || len(view.Topic.Posts) != 1 {
			t.Fatalf("a refused post was written: %d posts (%v)", len(view.Topic.Posts), err)
		}
		// Edits count too: the earlier text stays in the record.
		if _, err := w.Svc.EditPost(ctx, w.Members[1], view.Topic.Posts[0].ID, strings.Repeat("z", 2100)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.EditPost(ctx, w.Members[1], view.Topic.Posts[0].ID, strings.Repeat("z", 200)); code(err) != council.CodeValidation {
			t.Fatalf("an edit past the bound: %v", err)
		}
	})
}

// The record is rendered after the close committed, once, and kept with a compressed copy;
// a process that stopped before rendering it leaves it to the next, which renders the same
// bytes.
func TestRecordRenderedAfterTheClose(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
		p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "Текст"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.CastVote(ctx, w.Members[0], p.ID, model.ChoiceFor, ""); err != nil {
			t.Fatal(err)
		}
		closed, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, "обобщение")
		if err != nil || closed.RecordSHA256 == nil {
			t.Fatalf("close: %+v %v", closed, err)
		}
		f, err := w.Svc.Record(ctx, nil, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(f.Body)
		if hex.EncodeToString(sum[:]) != *closed.RecordSHA256 || f.SHA256 != *closed.RecordSHA256 {
			t.Fatalf("the record's digest does not match the round's")
		}
		zr, err := gzip.NewReader(bytes.NewReader(f.Gzip))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(unzipped, f.Body) {
			t.Fatalf("the compressed copy differs from the record (%v)", err)
		}

		// As if the process had stopped between the close and the rendering.
		if _, err := st.DB().Exec(st.DB().Rebind(`DELETE FROM round_records WHERE round_id = ?`), r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB().Exec(st.DB().Rebind(`UPDATE rounds SET record_sha256 = NULL WHERE id = ?`), r.ID); err != nil {
			t.Fatal(err)
		}
		fresh := w.AnotherProcess()
		if err := fresh.RecordPending(ctx); err != nil {
			t.Fatal(err)
		}
		again, err := fresh.Round(ctx, nil, r.ID)
		if err != nil || again.RecordSHA256 == nil || *again.RecordSHA256 != *closed.RecordSHA256 {
			t.Fatalf("rendered again, the record differs: %v %v", again.RecordSHA256, err)
		}
	})
}
