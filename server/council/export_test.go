package council

import (
	"context"

	"github.com/perushtitsa/council/server/model"
)

// BatchVote is a vote handed to its council's writer as it stands, without the checks made
// before a vote is queued, so that a test can put in one batch votes the lock must refuse.
type BatchVote struct {
	Actor    *model.User
	Proposal *model.Proposal
	Round    *model.Round
	Choice   string
}

// CommitBatch commits the votes in one batch, as the writer does with those that arrive
// together, and returns each vote's tally and error.
func (s *Service) CommitBatch(ctx context.Context, votes []BatchVote) ([]model.Counts, []error) {
	reqs := make([]*voteReq, len(votes))
	for i, v := range votes {
		reqs[i] = &voteReq{ctx: ctx, actor: v.Actor, proposal: v.Proposal, round: v.Round, choice: v.Choice, done: make(chan voteResult, 1)}
	}
	s.commitVotes(votes[0].Round.CouncilID, reqs, false)
	tallies, errs := make([]model.Counts, len(votes)), make([]error, len(votes))
	for i, r := range reqs {
		res := <-r.done
		tallies[i], errs[i] = res.tally, res.err
	}
	return tallies, errs
}
