package council_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// joinMany seats n more members in the world's council.
func joinMany(t *testing.T, w *testenv.World, n int) []*model.User {
	t.Helper()
	out := make([]*model.User, n)
	for i := range out {
		g := model.Groups[i%len(model.Groups)]
		out[i] = w.Join(t, w.Council.ID, fmt.Sprintf("voter%d@example.org", i), fmt.Sprintf("Voter %d", i), model.RoleMember, g)
	}
	return out
}

// TestVoteBurstWhileClosing: 50 members vote in a burst while the moderator closes the round;
// every vote is counted in the results or refused with round_closed, nothing in between.
func TestVoteBurstWhileClosing(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			w := testenv.NewWorld(t, testenv.Store(t, d))
			voters := joinMany(t, w, 50)
			r := w.Round(t, model.StatusOpen, model.BallotSecret, 0)
			p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "Proposal", Body: "Body"})
			if err != nil {
				t.Fatal(err)
			}
			choices := []string{model.ChoiceFor, model.ChoiceAgainst, model.ChoiceAbstain}
			var mu sync.Mutex
			accepted := map[string]int{}
			someIn := make(chan struct{}) // closed once ten votes are in: then the close races the rest
			var once sync.Once
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, v := range voters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					choice := choices[i%3]
					_, err := w.Svc.CastVote(ctx, v, p.ID, choice, "")
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						accepted[choice]++
						if accepted["for"]+accepted["against"]+accepted["abstain"] >= 10 {
							once.Do(func() { close(someIn) })
						}
						return
					}
					if ce, ok := council.AsError(err); !ok || ce.Code != council.CodeRoundClosed {
						t.Errorf("vote refused with %v, want round_closed", err)
					}
				}()
			}
			var closed *model.Round
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case <-someIn:
				case <-time.After(20 * time.Second):
					t.Error("ten votes never got in")
				}
				var err error
				if closed, err = w.Svc.CloseRound(ctx, w.Moderator, r.ID, "done"); err != nil {
					t.Errorf("close: %v", err)
				}
			}()
			close(start)
			wg.Wait()
			if closed == nil {
				t.FailNow()
			}
			res := closed.Results[0]
			total := accepted["for"] + accepted["against"] + accepted["abstain"]
			if res.For != accepted["for"] || res.Against != accepted["against"] || res.Abstain != accepted["abstain"] || res.Voters != total {
				t.Fatalf("results %+v, accepted votes %v", res.Counts, accepted)
			}
			if res.Eligible != 54 {
				t.Fatalf("eligible = %d, want 54", res.Eligible)
			}
			if total == 50 {
				t.Logf("%s: the close came after every vote; the race was not exercised this run", d)
			}
			t.Logf("%s: %d votes counted, %d refused", d, total, 50-total)
		})
	}
}

// TestSeqGapless: 20 writers in one council produce events numbered 1..N, no gap, no duplicate.
func TestSeqGapless(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			w := testenv.NewWorld(t, testenv.Store(t, d))
			writers := joinMany(t, w, 20)
			r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
			topic, err := w.Svc.CreateTopic(ctx, w.Moderator, r.ID, council.TopicInput{Title: "T", Body: "B"})
			if err != nil {
				t.Fatal(err)
			}
			const each = 10
			var wg sync.WaitGroup
			for i, u := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := 0; j < each; j++ {
						if _, err := w.Svc.CreatePost(ctx, u, topic.ID, council.PostInput{Body: fmt.Sprintf("post %d.%d", i, j)}); err != nil {
							t.Errorf("post: %v", err)
							return
						}
					}
				}()
			}
			wg.Wait()
			events, err := w.Store.EventsAfter(ctx, w.Council.ID, 0, 100000, false)
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range events {
				if e.Seq != int64(i+1) {
					t.Fatalf("event %d has seq %d", i, e.Seq)
				}
			}
			last, _ := w.Store.LastSeq(ctx, w.Council.ID)
			if last != int64(len(events)) {
				t.Fatalf("last_seq %d, %d events", last, len(events))
			}
			posts := 0
			for _, e := range events {
				if e.Type == "post.created" {
					posts++
				}
			}
			if posts != 20*each {
				t.Fatalf("%d post.created events, want %d", posts, 20*each)
			}
			// Every committed event is published exactly once (publication runs after commit on each
			// writer's goroutine, so the order across writers may interleave; the hub reorders).
			pub := w.Events.Drain()
			seen := map[int64]bool{}
			for _, e := range pub {
				if e.CouncilID != w.Council.ID {
					continue
				}
				if seen[e.Seq] {
					t.Fatalf("seq %d published twice", e.Seq)
				}
				seen[e.Seq] = true
			}
			if len(seen) != len(events) {
				t.Fatalf("%d events published, %d recorded", len(seen), len(events))
			}
		})
	}
}

// TestSchedulersRace: three schedulers (separate connections, as separate processes would
// have) racing on one expired round close it exactly once.
func TestSchedulersRace(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			url := testenv.DatabaseURL(t, d)
			w := testenv.NewWorld(t, testenv.OpenURL(t, url))
			r := w.Round(t, model.StatusDraft, model.BallotOpen, 0)
			soon := w.Clock.Now().Add(time.Hour)
			if _, err := w.Svc.OpenRound(ctx, w.Moderator, r.ID, &soon); err != nil {
				t.Fatal(err)
			}
			w.Clock.Advance(time.Hour + time.Second)
			var svcs []*council.Service
			for i := 0; i < 3; i++ {
				svcs = append(svcs, council.NewService(council.Config{Store: testenv.OpenURL(t, url), Clock: w.Clock.Now}))
			}
			var wg sync.WaitGroup
			closed := make([]int, 3)
			for i, svc := range svcs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := svc.CloseDue(ctx)
					if err != nil {
						t.Errorf("scheduler %d: %v", i, err)
					}
					closed[i] = n
				}()
			}
			wg.Wait()
			if closed[0]+closed[1]+closed[2] != 1 {
				t.Fatalf("rounds closed per scheduler: %v, want exactly one in all", closed)
			}
			events, err := w.Store.EventsAfter(ctx, w.Council.ID, 0, 1000, false)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range events {
				if e.Type == "round.closed" {
					n++
					if e.Actor != nil {
						t.Fatalf("scheduled close has actor %+v, want none", e.Actor)
					}
				}
			}
			if n != 1 {
				t.Fatalf("%d round.closed events, want 1", n)
			}
			got, err := w.Svc.Round(ctx, nil, r.ID)
			if err != nil || got.Status != model.StatusClosed || got.OutcomeSummary != "" || got.RecordSHA256 == nil {
				t.Fatalf("round after scheduled close: %+v, %v", got, err)
			}
		})
	}
}
