package council_test

import (
	"context"
	"fmt"
	"testing"

	"council/server/council"
	"council/server/testenv"
)

// BenchmarkCastVote measures one vote end to end through the rules and one store
// transaction (lock, state check, upsert, recount, event), members voting in parallel.
func BenchmarkCastVote(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			w := testenv.NewWorld(b, testenv.Store(b, d))
			voters := make([]*council.User, 16)
			for i := range voters {
				voters[i] = w.Join(b, w.Council.ID, fmt.Sprintf("bench%d@example.org", i), "Bench", council.RoleMember, council.GroupCitizen)
			}
			r := w.Round(b, council.StatusOpen, council.BallotOpen, 0)
			p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
			if err != nil {
				b.Fatal(err)
			}
			choices := []string{council.ChoiceFor, council.ChoiceAgainst, council.ChoiceAbstain}
			next := make(chan *council.User, len(voters))
			for _, v := range voters {
				next <- v
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				v := <-next
				i := 0
				for pb.Next() {
					if _, err := w.Svc.CastVote(ctx, v, p.ID, choices[i%3]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}

// BenchmarkEventsAfter measures reading 200 events back from the record, as a resuming
// client or a process repairing a gap does.
func BenchmarkEventsAfter(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			w := testenv.NewWorld(b, testenv.Store(b, d))
			r := w.Round(b, council.StatusOpen, council.BallotOpen, 0)
			p, _ := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
			for i := 0; i < 400; i++ {
				if _, err := w.Svc.CastVote(ctx, w.Members[i%3], p.ID, council.ChoiceFor); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				evs, err := w.Store.EventsAfter(ctx, w.Council.ID, 100, 200)
				if err != nil || len(evs) != 200 {
					b.Fatal(len(evs), err)
				}
			}
		})
	}
}
