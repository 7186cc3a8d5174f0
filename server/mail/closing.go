package mail

import (
	"context"
	"strconv"
	"time"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// ClosingSoonWithin is how long before a round's closing time its reminder goes out.
const ClosingSoonWithin = 24 * time.Hour

// RemindClosingSoon writes a reminder to each member of an open round closing within a day
// who has not voted on every one of its proposals. Each member is reminded once per round:
// the reminder is noted in a row unique to the round and the member, written in the same
// transaction as the mail, so that processes doing this at once, or again after a restart,
// never write it twice. It returns how many reminders it wrote.
func (o *Outbox) RemindClosingSoon(ctx context.Context) (int, error) {
	if o == nil {
		return 0, nil
	}
	now := o.now()
	rounds, err := o.st.ClosingSoon(ctx, now, now.Add(ClosingSoonWithin))
	if err != nil {
		return 0, err
	}
	written := 0
	for i := range rounds {
		r := &rounds[i]
		n := 0
		err := o.st.InTx(ctx, o.now, func(tx *store.WriteTx) error {
			members, err := tx.RemindClosingSoon(ctx, r)
			if err != nil || len(members) == 0 {
				return err
			}
			c, err := tx.Reader().CouncilByID(ctx, r.CouncilID)
			if err != nil {
				return err
			}
			proposals, err := tx.Reader().Proposals(ctx, r.ID)
			if err != nil {
				return err
			}
			letters := make([]Letter, 0, len(members))
			for j := range members {
				u := &members[j]
				awaiting, err := tx.Reader().AwaitingVotes(ctx, r.ID, u.ID)
				if err != nil {
					return err
				}
				letters = append(letters, Letter{Kind: model.MailClosingSoon, User: u, Link: o.URL("/rounds/" + itoa(r.ID)),
					Data: map[string]string{"council": c.Name, "round": r.Title, "closes": o.When(u.Language, *r.ClosesAt),
						"awaiting": strconv.Itoa(len(awaiting)), "proposals": strconv.Itoa(len(proposals))}})
			}
			n = len(letters)
			return o.queueAll(ctx, tx, letters)
		})
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}
