package council

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// CloseRound closes an open round with the moderator's summary.
func (s *Service) CloseRound(ctx context.Context, actor *model.User, roundID int64, summary string) (*model.Round, error) {
	r, err := s.moderateRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	checkText(v, "outcome_summary", summary, false, MaxBody)
	if err := v.Err(); err != nil {
		return nil, err
	}
	closed, err := s.closeRound(ctx, actor, r.CouncilID, roundID, summary)
	if errors.Is(err, errAlreadyClosed) {
		return nil, Conflict(ReasonRoundNotOpen, "Only an open round can be closed.")
	}
	return closed, err
}

var errAlreadyClosed = errors.New("council: round is not open")

// closeRound closes the round inside the council's transaction — the results, the
// round.closed event and, for a secret ballot, the erasure of who chose what — and then, with
// the lock released, renders the frozen record and publishes its digest: the lock is held for
// the same few statements whatever the size of the debate.
func (s *Service) closeRound(ctx context.Context, actor *model.User, councilID, roundID int64, summary string) (*model.Round, error) {
	var r *model.Round
	err := s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, roundID)
		if err != nil {
			return err
		}
		if cur.Status != model.StatusOpen {
			return errAlreadyClosed
		}
		proposals, err := tx.Reader().Proposals(ctx, cur.ID)
		if err != nil {
			return err
		}
		cur.OutcomeSummary = summary
		if cur.Results, err = s.results(ctx, tx, cur, proposals); err != nil {
			return err
		}
		cur.Status, cur.ClosedAt = model.StatusClosed, ptr(tx.Now())
		ev, err := emit(ctx, tx, cur, actor.Person(), events.NewRound(events.RoundClosed, cur))
		if err != nil {
			return err
		}
		cur.ClosedSeq = &ev.Seq
		if err := tx.CloseRound(ctx, cur, searchText(cur, proposals)); err != nil {
			return err
		}
		if cur.Ballot == model.BallotSecret {
			if err := tx.EraseVotes(ctx, cur.ID); err != nil {
				return err
			}
		}
		r = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	if r.Ballot == model.BallotSecret {
		s.st.ScrubSoon(ctx, s.log, s.st.ScrubErased, "round", r.ID)
	}
	f, err := s.saveRecord(ctx, r)
	if err != nil {
		// The round is closed all the same; the scheduler renders its record on its next pass.
		s.log.Error("unable to render a closed round's record; it will be retried", "round", r.ID, "err", err)
		return r, nil
	}
	r.RecordSHA256 = &f.SHA256
	return r, nil
}

// results computes each proposal's outcome from the votes as they stand.
func (s *Service) results(ctx context.Context, tx *store.Tx, r *model.Round, proposals []model.Proposal) ([]model.Result, error) {
	counts, err := tx.VoteCounts(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	total := map[int64]model.Counts{}
	byGroup := map[int64]map[string]model.Counts{}
	for _, c := range counts {
		t := total[c.ProposalID]
		t.Add(c.Choice, c.N)
		total[c.ProposalID] = t
		if c.Group == "" {
			continue
		}
		if byGroup[c.ProposalID] == nil {
			byGroup[c.ProposalID] = map[string]model.Counts{}
		}
		g := byGroup[c.ProposalID][c.Group]
		g.Add(c.Choice, c.N)
		byGroup[c.ProposalID][c.Group] = g
	}
	eligibleBy, eligible, err := tx.CountMembers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]model.Result, 0, len(proposals))
	for _, p := range proposals {
		if p.WithdrawnAt != nil {
			continue // withdrawn by its author: not put to the vote
		}
		res := model.Result{ProposalID: p.ID, Counts: total[p.ID], Eligible: eligible, ByGroup: map[string]model.GroupResult{}}
		res.Outcome = outcome(res.Counts, eligible, r.QuorumPercent)
		for _, g := range model.Groups {
			if eligibleBy[g] > 0 || byGroup[p.ID][g].Voters > 0 {
				res.ByGroup[g] = model.GroupResult{Counts: byGroup[p.ID][g], Eligible: eligibleBy[g]}
			}
		}
		if r.Ballot == model.BallotSecret && smallGroups(res.ByGroup) {
			res.ByGroup, res.ByGroupWithheld = nil, model.WithheldSmallGroups
		}
		out = append(out, res)
	}
	return out, nil
}

// MinGroupVoters is the fewest voters a group may have for a secret ballot's split by group
// to be published: with one or two, the split would tell how they voted.
const MinGroupVoters = 3

// smallGroups reports whether some group with voters has fewer than MinGroupVoters.
func smallGroups(by map[string]model.GroupResult) bool {
	for _, g := range by {
		if g.Voters > 0 && g.Voters < MinGroupVoters {
			return true
		}
	}
	return false
}

// outcome applies the contract's rule: no quorum when voters*100 < quorum*eligible, else
// adopted when more voted for than against, else rejected.
func outcome(c model.Counts, eligible, quorum int) string {
	switch {
	case c.Voters*100 < quorum*eligible:
		return model.OutcomeNoQuorum
	case c.For > c.Against:
		return model.OutcomeAdopted
	default:
		return model.OutcomeRejected
	}
}

// searchText is what the archive search indexes of a closed round.
func searchText(r *model.Round, proposals []model.Proposal) string {
	parts := []string{r.Title, r.Description, r.OutcomeSummary}
	for _, p := range proposals {
		parts = append(parts, p.Title, p.Body)
	}
	return truncateUTF8(strings.Join(parts, "\n"), MaxSearchText)
}

// MaxSearchText bounds what of a round the outcome search indexes: PostgreSQL refuses a
// tsvector over 1 MiB, and a round with many long proposals must still close.
const MaxSearchText = 256 << 10

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
