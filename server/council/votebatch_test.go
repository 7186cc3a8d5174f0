package council_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// TestVoteBatchRefusesAlone: votes committed together in one transaction are each checked
// under the lock on their own. A voter whose seat was taken away and a vote on a withdrawn
// proposal are refused, the others in the same batch commit, each with its own event, in
// order; a vote whose write fails (a choice the database refuses) takes none of the others
// down with it, which are committed again one by one.
func TestVoteBatchRefusesAlone(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			w := testenv.NewWorld(t, testenv.Store(t, d))
			voters := joinMany(t, w, 4)
			r, p, gone := twoProposals(t, w, voters[1])
			if err := w.Svc.WithdrawProposal(ctx, voters[1], gone.ID); err != nil {
				t.Fatal(err)
			}
			if err := w.Svc.RemoveMember(ctx, w.Moderator, w.Council.ID, voters[3].ID); err != nil {
				t.Fatal(err)
			}
			before, err := w.Store.LastSeq(ctx, w.Council.ID)
			if err != nil {
				t.Fatal(err)
			}
			w.Events.Drain()

			tallies, errs := w.Svc.CommitBatch(ctx, []council.BatchVote{
				{Actor: voters[0], Proposal: p, Round: r, Choice: model.ChoiceFor},
				{Actor: voters[3], Proposal: p, Round: r, Choice: model.ChoiceFor},        // no seat any more
				{Actor: voters[1], Proposal: gone, Round: r, Choice: model.ChoiceAgainst}, // withdrawn
				{Actor: voters[2], Proposal: p, Round: r, Choice: model.ChoiceAgainst},
			})
			if errs[0] != nil || errs[3] != nil {
				t.Fatalf("the sound votes of the batch failed: %v, %v", errs[0], errs[3])
			}
			if e, ok := council.AsError(errs[1]); !ok || e.Code != council.CodeForbidden {
				t.Fatalf("a voter without a seat: %v, want forbidden", errs[1])
			}
			if e, ok := council.AsError(errs[2]); !ok || e.Reason != council.ReasonProposalWithdrawn {
				t.Fatalf("a vote on a withdrawn proposal: %v, want proposal_withdrawn", errs[2])
			}
			if want := (model.Counts{For: 1, Voters: 1}); tallies[0] != want {
				t.Fatalf("first vote's tally %+v, want %+v", tallies[0], want)
			}
			if want := (model.Counts{For: 1, Against: 1, Voters: 2}); tallies[3] != want {
				t.Fatalf("last vote's tally %+v, want %+v", tallies[3], want)
			}
			checkVoteEvents(t, w, before, []*model.User{voters[0], voters[2]})

			// A write the database refuses, between two sound votes.
			before += 2
			tallies, errs = w.Svc.CommitBatch(ctx, []council.BatchVote{
				{Actor: voters[0], Proposal: p, Round: r, Choice: model.ChoiceAbstain},
				{Actor: voters[1], Proposal: p, Round: r, Choice: "maybe"},
				{Actor: voters[2], Proposal: p, Round: r, Choice: model.ChoiceFor},
			})
			if errs[0] != nil || errs[2] != nil || errs[1] == nil {
				t.Fatalf("errors %v, want only the second vote's", errs)
			}
			if want := (model.Counts{For: 1, Abstain: 1, Voters: 2}); tallies[2] != want {
				t.Fatalf("tally %+v, want %+v", tallies[2], want)
			}
			checkVoteEvents(t, w, before, []*model.User{voters[0], voters[2]})
			got, err := w.Svc.Proposal(ctx, w.Moderator, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := (model.Counts{For: 1, Abstain: 1, Voters: 2}); got.Tally == nil || *got.Tally != want {
				t.Fatalf("stored tally %+v, want %+v", got.Tally, want)
			}
		})
	}
}

// twoProposals opens a round with a proposal by the moderator, to be kept, and one by author,
// to be withdrawn.
func twoProposals(t *testing.T, w *testenv.World, author *model.User) (r *model.Round, kept, gone *model.Proposal) {
	t.Helper()
	ctx := context.Background()
	r = w.Round(t, model.StatusOpen, model.BallotOpen, 0)
	kept, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "Kept", Body: "Body"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err = w.Svc.CreateProposal(ctx, author, r.ID, council.ProposalInput{Title: "Withdrawn", Body: "Body"})
	if err != nil {
		t.Fatal(err)
	}
	return r, kept, gone
}

// checkVoteEvents checks that the council's record goes on after seq from with one vote.cast
// event per voter, in order, and that those events were published.
func checkVoteEvents(t *testing.T, w *testenv.World, from int64, voters []*model.User) {
	t.Helper()
	evs, err := w.Store.EventsAfter(context.Background(), w.Council.ID, from, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(voters) {
		t.Fatalf("%d events after seq %d, want %d", len(evs), from, len(voters))
	}
	for i, ev := range evs {
		var v struct {
			Voter struct{ ID int64 } `json:"voter"`
		}
		if err := json.Unmarshal(ev.Data, &v); err != nil {
			t.Fatal(err)
		}
		if ev.Seq != from+int64(i)+1 || ev.Type != events.VoteCast || v.Voter.ID != voters[i].ID {
			t.Fatalf("event %d: seq %d %s by %d, want seq %d vote.cast by %d", i, ev.Seq, ev.Type, v.Voter.ID, from+int64(i)+1, voters[i].ID)
		}
	}
	if pub := w.Events.Drain(); len(pub) != len(voters) {
		t.Fatalf("%d events published, want %d", len(pub), len(voters))
	}
}

// TestSingleVoteCheckedUnderTheLock: a vote committed alone is checked against what it reads
// under the council's lock (one query for its seat, proposal and round), not against what its
// request read before: the seat taken away, the proposal withdrawn and the round closed since
// are each refused as in a batch, and nothing is appended.
func TestSingleVoteCheckedUnderTheLock(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			w := testenv.NewWorld(t, testenv.Store(t, d))
			voters := joinMany(t, w, 3)
			r, p, gone := twoProposals(t, w, voters[1])
			one := func(v council.BatchVote) (model.Counts, error) {
				tallies, errs := w.Svc.CommitBatch(ctx, []council.BatchVote{v})
				return tallies[0], errs[0]
			}
			if tally, err := one(council.BatchVote{Actor: voters[0], Proposal: p, Round: r, Choice: model.ChoiceFor}); err != nil || tally != (model.Counts{For: 1, Voters: 1}) {
				t.Fatalf("a sound vote: %+v, %v", tally, err)
			}
			if err := w.Svc.WithdrawProposal(ctx, voters[1], gone.ID); err != nil {
				t.Fatal(err)
			}
			if err := w.Svc.RemoveMember(ctx, w.Moderator, w.Council.ID, voters[2].ID); err != nil {
				t.Fatal(err)
			}
			before, err := w.Store.LastSeq(ctx, w.Council.ID)
			if err != nil {
				t.Fatal(err)
			}
			// p and gone are as their requests read them, before the changes.
			if _, err := one(council.BatchVote{Actor: voters[2], Proposal: p, Round: r, Choice: model.ChoiceFor}); !isCode(err, council.CodeForbidden) {
				t.Fatalf("a voter whose seat was taken away: %v, want forbidden", err)
			}
			if _, err := one(council.BatchVote{Actor: voters[0], Proposal: gone, Round: r, Choice: model.ChoiceFor}); !isReason(err, council.ReasonProposalWithdrawn) {
				t.Fatalf("a vote on a proposal withdrawn since: %v, want proposal_withdrawn", err)
			}
			if _, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, ""); err != nil {
				t.Fatal(err)
			}
			closedSeq, err := w.Store.LastSeq(ctx, w.Council.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := one(council.BatchVote{Actor: voters[1], Proposal: p, Round: r, Choice: model.ChoiceAgainst}); !isCode(err, council.CodeRoundClosed) {
				t.Fatalf("a vote in a round closed since: %v, want round_closed", err)
			}
			after, err := w.Store.LastSeq(ctx, w.Council.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after != closedSeq || closedSeq <= before {
				t.Fatalf("seq %d → %d (closed at %d): a refused vote appended an event", before, after, closedSeq)
			}
		})
	}
}

func isCode(err error, code string) bool {
	e, ok := council.AsError(err)
	return ok && e.Code == code
}

func isReason(err error, reason string) bool {
	e, ok := council.AsError(err)
	return ok && e.Reason == reason
}
