package council_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

func code(err error) string {
	if ce, ok := council.AsError(err); ok {
		return ce.Code
	}
	if _, ok := err.(*council.RateLimited); ok {
		return council.CodeRateLimited
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// A member removed after voting still counts in their group, so the groups add up to the
// whole and the difference never singles out the departed voter.
func TestRemovedVoterStaysInTheirGroup(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
		p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range w.Members {
			choice := []string{model.ChoiceFor, model.ChoiceFor, model.ChoiceAgainst}[i]
			if _, err := w.Svc.CastVote(ctx, m, p.ID, choice, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Svc.RemoveMember(ctx, w.Moderator, w.Council.ID, w.Members[2].ID); err != nil {
			t.Fatal(err)
		}
		closed, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		res := closed.Results[0]
		var sum model.Counts
		for _, g := range res.ByGroup {
			sum.For, sum.Against, sum.Abstain, sum.Voters = sum.For+g.For, sum.Against+g.Against, sum.Abstain+g.Abstain, sum.Voters+g.Voters
		}
		if sum != res.Counts {
			t.Fatalf("groups add up to %+v, the whole is %+v", sum, res.Counts)
		}
		if res.ByGroup[model.GroupBusiness].Against != 1 {
			t.Fatalf("the departed business member's vote is not in their group: %+v", res.ByGroup)
		}
	})
}

// Sign-in throttling: failures from one address, or for one email from one address, are
// refused past their limits, also when the attempts come all at once; failures for one email
// from many addresses only slow the answers, so strangers cannot keep the owner out; and an
// invitation naming an existing account is throttled like a sign-in.
func TestSignInThrottle(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		throttle := council.DefaultThrottle
		throttle.EmailDelay, throttle.EmailMaxDelay = 20*time.Millisecond, 200*time.Millisecond
		w := testenv.NewWorldWith(t, st, council.Config{Throttle: throttle})
		victim := w.Members[0]
		parallel := func(n int, address func(i int) string) map[string]int {
			var mu sync.Mutex
			codes := map[string]int{}
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := w.Svc.Authenticate(ctx, victim.Email, "wrong-password", address(i))
					mu.Lock()
					codes[code(err)]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			return codes
		}
		// From one address, all at once: only the pair's limit is tried.
		codes := parallel(30, func(int) string { return "198.51.100.1" })
		if codes[council.CodeUnauthenticated] > throttle.PerEmailAddress || codes[council.CodeUnauthenticated]+codes[council.CodeRateLimited] != 30 {
			t.Fatalf("30 parallel wrong passwords from one address answered %v: at most %d may be tried", codes, throttle.PerEmailAddress)
		}
		// Attempts refused in the burst are not counted (they tried nothing): fail up to the
		// limit, then even the right password from that address waits.
		for i := 0; i <= throttle.PerEmailAddress; i++ {
			if _, err := w.Svc.Authenticate(ctx, victim.Email, "wrong-password", "198.51.100.1"); code(err) == council.CodeRateLimited {
				break
			}
		}
		if _, err := w.Svc.Authenticate(ctx, victim.Email, testenv.Password(victim.Email), "198.51.100.1"); code(err) != council.CodeRateLimited {
			t.Fatalf("the right password from the throttled address: %v", err)
		}
		// From many addresses: slowed, never refused, and the owner gets in from their own.
		codes = parallel(30, func(i int) string { return fmt.Sprintf("203.0.113.%d", i+1) })
		if codes[council.CodeUnauthenticated] != 30 {
			t.Fatalf("30 strangers from 30 addresses answered %v", codes)
		}
		began := time.Now()
		if _, err := w.Svc.Authenticate(ctx, victim.Email, testenv.Password(victim.Email), "192.0.2.50"); err != nil {
			t.Fatalf("the owner is kept out by strangers: %v", err)
		}
		if took := time.Since(began); took < throttle.EmailDelay {
			t.Errorf("an email failing from everywhere is not slowed down (%v)", took)
		}
		// From one address, across emails: refused past the address's limit.
		for i := 0; i < throttle.PerAddress; i++ {
			_, _ = w.Svc.Authenticate(ctx, fmt.Sprintf("nobody%d@example.org", i), "wrong-password", "192.0.2.99")
		}
		if _, err := w.Svc.Authenticate(ctx, w.Members[1].Email, testenv.Password(w.Members[1].Email), "192.0.2.99"); code(err) != council.CodeRateLimited {
			t.Fatalf("an address past its limit: %v", err)
		}

		// A moderator invites the admin's email and guesses at the admin's password.
		_, token, err := w.Svc.Invite(ctx, w.Moderator, w.Council.ID, council.InviteInput{Email: w.Admin.Email, Name: "x", Role: "member", Group: "citizen"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < throttle.PerEmailAddress; i++ {
			if _, err := w.Svc.AcceptInvitation(ctx, token, "x", fmt.Sprintf("guess-number-%d", i), "192.0.2.7"); code(err) != council.CodeUnauthenticated {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, err := w.Svc.AcceptInvitation(ctx, token, "x", "admin-password", "192.0.2.7"); code(err) != council.CodeRateLimited {
			t.Fatalf("after %d wrong guesses the right password got %v, want rate_limited", throttle.PerEmailAddress, err)
		}
		// A very long email is simply wrong, on PostgreSQL too.
		if _, err := w.Svc.Authenticate(ctx, strings.Repeat("a", 6000)+"@example.org", "whatever-password", "203.0.113.200"); code(err) != council.CodeUnauthenticated {
			t.Fatalf("long email: %v", err)
		}
	})
}

// Past its closing time a round takes no more votes, even before the scheduler closes it.
func TestNoVoteAfterTheDeadline(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		r := w.Round(t, model.StatusDraft, model.BallotOpen, 0)
		soon := w.Clock.Now().Add(time.Hour)
		if _, err := w.Svc.OpenRound(ctx, w.Moderator, r.ID, &soon); err != nil {
			t.Fatal(err)
		}
		p, err := w.Svc.CreateProposal(ctx, w.Moderator, r.ID, council.ProposalInput{Title: "P", Body: "B"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.CastVote(ctx, w.Members[0], p.ID, model.ChoiceFor, ""); err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(time.Hour) // the deadline, to the microsecond: nothing more goes in
		if _, err := w.Svc.CastVote(ctx, w.Members[1], p.ID, model.ChoiceFor, ""); code(err) != council.CodeRoundClosed {
			t.Fatalf("vote after the deadline: %v, want round_closed", err)
		}
		closed, err := w.Svc.CloseDue(ctx)
		if err != nil || closed != 1 {
			t.Fatalf("CloseDue: %d, %v", closed, err)
		}
		rd, _ := w.Svc.Round(ctx, nil, r.ID)
		if rd.Results[0].Voters != 1 {
			t.Fatalf("results %+v, want the one vote cast in time", rd.Results[0])
		}
		// A closing time beyond any sensible horizon is a validation error, not a 500.
		far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("", -23*3600-59*60))
		title := "Far"
		if _, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, ClosesAt: &far}); code(err) != council.CodeValidation {
			t.Fatalf("closes_at in year 10000: %v", err)
		}
	})
}

// A round whose proposals hold more text than PostgreSQL can index still closes, and is found.
func TestRoundWithHugeProposalsCloses(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
		rng := rand.New(rand.NewSource(1))
		authors := append([]*model.User{w.Moderator}, w.Members...)
		for i := 0; i < 40; i++ { // 1.5 MB: more than PostgreSQL indexes, within the round's bound
			var b strings.Builder
			for b.Len() < 40000 { // bytes: Cyrillic takes two a letter
				fmt.Fprintf(&b, "дума%x ", rng.Int63())
			}
			body := []rune(b.String())[:19000]
			if _, err := w.Svc.CreateProposal(ctx, authors[i%len(authors)], r.ID, council.ProposalInput{Title: fmt.Sprintf("Предложение %d", i), Body: string(body)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, "уникалнаобобщаващадума"); err != nil {
			t.Fatalf("close: %v", err)
		}
		rounds, total, err := w.Svc.Outcomes(ctx, council.OutcomeFilter{Q: "уникалнаобобщаващадума"})
		if err != nil || total != 1 || len(rounds) != 1 {
			t.Fatalf("search: %d %v", total, err)
		}
		if _, total, err := w.Svc.Outcomes(ctx, council.OutcomeFilter{Page: 500000000000000000}); err != nil || total != 1 {
			t.Fatalf("a page far beyond the last: %d %v", total, err)
		}
	})
}
