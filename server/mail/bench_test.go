package mail_test

import (
	"fmt"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// BenchmarkOpenRoundNotifies opens a round in a council of 200 members: the notifications
// are written inside the council's transaction, so ms/op with mail against without it is what
// they add to the time the council's lock is held (mail on, no SMTP server: the rows are the
// same, only their status differs).
func BenchmarkOpenRoundNotifies(b *testing.B) {
	for _, d := range testenv.Dialects {
		for _, withMail := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/mail=%v", d, withMail), func(b *testing.B) {
				st := testenv.Store(b, d)
				var w *testenv.World
				if withMail {
					w = testenv.NewMailWorld(b, st, "")
				} else {
					w = testenv.NewWorld(b, st)
				}
				for i := range 196 {
					w.Join(b, w.Council.ID, fmt.Sprintf("bench%d@example.org", i), "Член", model.RoleMember, model.GroupCitizen)
				}
				title, ballot, quorum := "Кръг", model.BallotOpen, 0
				rounds := make([]int64, b.N)
				for i := range rounds {
					r, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
					if err != nil {
						b.Fatal(err)
					}
					rounds[i] = r.ID
				}
				b.ResetTimer()
				for _, id := range rounds {
					if _, err := w.Svc.OpenRound(ctx, w.Moderator, id, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
