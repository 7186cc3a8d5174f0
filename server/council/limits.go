package council

import (
	"context"
	"fmt"
	"time"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Limits bound what one member may write. The zero value takes DefaultLimits.
type Limits struct {
	// RoundText bounds the bytes of text written into one round — topics, posts with every
	// earlier version of an edited post, proposals — so that its record, rendered once at the
	// close and downloaded by anyone, stays of a size a phone can fetch.
	RoundText int64
	// Writes are the per-member write rates; a write past one answers 429 with Retry-After.
	Writes []WriteLimit
}

// DefaultLimits are the limits in force unless a Config says otherwise.
var DefaultLimits = Limits{
	RoundText: 2 << 20,
	Writes: []WriteLimit{
		{Kind: store.WritePosts, Max: 10, Window: time.Minute},
		{Kind: store.WritePosts, Max: 120, Window: time.Hour},
		{Kind: store.WriteTopics, Max: 10, Window: time.Hour},
		{Kind: store.WriteProposals, Max: 10, Window: time.Hour},
	},
}

// WriteLimit is how many writes of a kind one member may make within a window, across every
// council: enough for a lively debate, not for flooding one.
type WriteLimit struct {
	Kind   string // store.WriteTopics, WritePosts or WriteProposals
	Max    int
	Window time.Duration
}

// checkWrite enforces, under the council lock, the author's write rate for kind ("" for an
// edit, which has none) and the round's text bound, then counts the n bytes about to be
// written into the round.
func (s *Service) checkWrite(ctx context.Context, tx *store.Tx, author int64, r *model.Round, kind string, n int) error {
	for _, l := range s.limits.Writes {
		if l.Kind != kind {
			continue
		}
		times, err := tx.RecentWrites(ctx, kind, author, tx.Now().Add(-l.Window), l.Max)
		if err != nil {
			return err
		}
		if len(times) >= l.Max {
			wait := max(times[len(times)-1].Add(l.Window).Sub(tx.Now()), time.Second)
			return &RateLimited{RetryAfter: wait, Message: fmt.Sprintf("You have written %d %s within %s; wait a little before the next.", l.Max, kind, l.Window)}
		}
	}
	if r.TextBytes+int64(n) > s.limits.RoundText {
		return FieldError(CodeValidation, fmt.Sprintf("This round's debate has reached its limit of %s of text.", byteSize(s.limits.RoundText)),
			"body", FieldRoundFull, "the round has no room for more text")
	}
	return tx.AddRoundText(ctx, r.ID, n)
}

// byteSize writes n bytes for people: "2 MiB", "512 KiB", "300 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
