package council_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// BenchmarkCastVote measures one vote end to end through the rules and one store
// transaction (lock, state check, upsert, recount, event), members voting in parallel.
func BenchmarkCastVote(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			w := testenv.NewWorld(b, testenv.Store(b, d))
			voters := make([]*model.User, 16)
			for i := range voters {
				voters[i] = w.Join(b, w.Council.ID, fmt.Sprintf("bench%d@example.org", i), "Bench", model.RoleMember, model.GroupCitizen)
			}
			r := w.Round(b, model.StatusOpen, model.BallotOpen, 0)
			p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
			if err != nil {
				b.Fatal(err)
			}
			choices := []string{model.ChoiceFor, model.ChoiceAgainst, model.ChoiceAbstain}
			// Exactly 16 voters whatever GOMAXPROCS is (RunParallel would start one goroutine
			// per CPU): they share b.N votes between them.
			var left atomic.Int64
			left.Store(int64(b.N))
			var wg sync.WaitGroup
			b.ResetTimer()
			for _, v := range voters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; left.Add(-1) >= 0; i++ {
						if _, err := w.Svc.CastVote(ctx, v, p.ID, choices[i%3], ""); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}

// BenchmarkCloseLargeRound closes a round holding the most text a round may (2 MiB of posts):
// lock-ms is how long the close held the council's lock (until its commit was published),
// ms/op the whole close with the record rendered and stored.
func BenchmarkCloseLargeRound(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			var committed time.Time
			w := testenv.NewWorldWith(b, testenv.Store(b, d), council.Config{Limits: testenv.NoWriteLimits})
			svc := council.NewService(council.Config{Store: w.Store, Limits: testenv.NoWriteLimits,
				Publisher: council.PublisherFunc(func([]model.Event) { committed = time.Now() })})
			var lock time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r := fullRound(b, w, svc)
				b.StartTimer()
				began := time.Now()
				closed, err := svc.CloseRound(ctx, w.Moderator, r.ID, "")
				if err != nil || closed.RecordSHA256 == nil {
					b.Fatal(err)
				}
				lock += committed.Sub(began)
			}
			b.ReportMetric(float64(lock.Milliseconds())/float64(b.N), "lock-ms")
		})
	}
}

// fullRound opens a round and fills it with 2 MiB of posts in Cyrillic.
func fullRound(b *testing.B, w *testenv.World, svc *council.Service) *model.Round {
	ctx := context.Background()
	r := w.Round(b, model.StatusOpen, model.BallotOpen, 0)
	tp, err := svc.CreateTopic(ctx, w.Members[0], r.ID, council.TopicInput{Title: "Тема", Body: "Начало"})
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("Общината да удължи приемното време. ", 540) // ≈ 20,000 characters, 37 KB
	for n := 0; int64((n+1)*len(body)) < council.DefaultLimits.RoundText; n++ {
		if _, err := svc.CreatePost(ctx, w.Members[n%3], tp.ID, council.PostInput{Body: body}); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

// BenchmarkEventsForReplay measures reading 200 events back from the record as a resuming
// client or a process repairing a gap does: votes and posts, a tenth of the posts hidden since,
// whose text the replay leaves out.
func BenchmarkEventsForReplay(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			w := testenv.NewWorldWith(b, testenv.Store(b, d), council.Config{Limits: testenv.NoWriteLimits})
			r := w.Round(b, model.StatusOpen, model.BallotOpen, 0)
			p, _ := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
			tp, err := w.Svc.CreateTopic(ctx, w.Members[0], r.ID, council.TopicInput{Title: "T", Body: "B"})
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 400; i++ {
				if i%2 == 0 {
					if _, err := w.Svc.CastVote(ctx, w.Members[i%3], p.ID, model.ChoiceFor, ""); err != nil {
						b.Fatal(err)
					}
					continue
				}
				post, err := w.Svc.CreatePost(ctx, w.Members[i%3], tp.ID, council.PostInput{Body: strings.Repeat("Текст на изказването. ", 20)})
				if err != nil {
					b.Fatal(err)
				}
				if i%20 == 1 {
					if _, err := w.Svc.HidePost(ctx, w.Moderator, post.ID, "Лични данни"); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				evs, err := w.Svc.EventsForReplay(ctx, w.Council.ID, 100, 200)
				if err != nil || len(evs) != 200 {
					b.Fatal(len(evs), err)
				}
			}
		})
	}
}
