package council

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// MaxVoteBatch bounds how many votes one council transaction commits together.
const MaxVoteBatch = 128

// The votes cast in one council are committed by one writer at a time, which takes every vote
// that arrived while the previous transaction was committing and commits them together: one
// council lock, one commit and one WAL flush for all of them, instead of one each, while each
// vote is still checked on its own under the lock, appends its own event (in the order the
// votes were taken) and gets its own answer. A vote the rules refuse (the round closed, the
// voter's seat taken away, the proposal withdrawn) is refused alone, before it writes
// anything; should a write fail for another reason, nothing of that transaction is kept and
// its votes are committed again one by one, so that no vote fails for another's sake.

// voteQueue holds the votes waiting for their council's writer.
type voteQueue struct {
	mu      sync.Mutex
	pending map[int64][]*voteReq // by council
	writing map[int64]bool       // the council has a writer running
}

// voteReq is one vote waiting to be committed, checked already outside the lock.
type voteReq struct {
	ctx            context.Context
	actor          *model.User
	proposal       *model.Proposal
	round          *model.Round
	choice, reason string
	done           chan voteResult // buffered: the writer never waits for the voter
}

type voteResult struct {
	tally  model.Counts
	hidden bool
	err    error
}

// commitVote queues a vote for its council's writer, starting one if none runs, and waits for
// the vote's own result.
func (s *Service) commitVote(req *voteReq) voteResult {
	req.done = make(chan voteResult, 1)
	if s.st.Dialect() != "postgres" {
		// SQLite's commits do not wait for the disk (WAL, synchronous NORMAL): there is no
		// flush for votes to share, and each is committed in its caller's goroutine.
		s.commitVotes(req.round.CouncilID, []*voteReq{req}, false)
		return <-req.done
	}
	q := &s.votes
	councilID := req.round.CouncilID
	q.mu.Lock()
	if q.pending == nil {
		q.pending, q.writing = map[int64][]*voteReq{}, map[int64]bool{}
	}
	q.pending[councilID] = append(q.pending[councilID], req)
	if !q.writing[councilID] {
		q.writing[councilID] = true
		go s.writeVotes(councilID)
	}
	q.mu.Unlock()
	return <-req.done
}

// writeVotes commits the council's queued votes, batch after batch, until none is left.
func (s *Service) writeVotes(councilID int64) {
	for {
		batch := s.votes.take(councilID, MaxVoteBatch, true)
		if len(batch) == 0 {
			return
		}
		s.commitVotes(councilID, batch, true)
	}
}

// take removes up to max of the council's queued votes from the queue; when there are none
// and last is true, the council's writer ends (under the same mutex that starts one).
func (q *voteQueue) take(councilID int64, max int, last bool) []*voteReq {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.pending[councilID]
	switch {
	case len(batch) == 0:
		if last {
			delete(q.pending, councilID)
			delete(q.writing, councilID)
		}
		return nil
	case len(batch) > max:
		q.pending[councilID] = batch[max:]
		return batch[:max:max]
	}
	delete(q.pending, councilID)
	return batch
}

// live answers the votes whose requests have ended already, which are not cast, and returns
// the others.
func live(batch []*voteReq) []*voteReq {
	out := batch[:0]
	for _, v := range batch {
		if err := v.ctx.Err(); err != nil {
			v.done <- voteResult{err: err}
			continue
		}
		out = append(out, v)
	}
	return out
}

// commitVotes commits a batch of votes in one council transaction and answers each of them.
// With more, the votes queued while the transaction waited for the council's lock join it.
func (s *Service) commitVotes(councilID int64, batch []*voteReq, more bool) {
	votes := live(batch)
	if len(votes) == 0 {
		return
	}
	ctx, cancel := batchContext(votes)
	defer cancel()
	var results []voteResult
	writeFailed := false
	err := s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if more && len(votes) < MaxVoteBatch {
			votes = append(votes, live(s.votes.take(councilID, MaxVoteBatch-len(votes), false))...)
		}
		results = make([]voteResult, len(votes))
		seats, withdrawn, rounds, err := voteState(ctx, tx, votes)
		if err != nil {
			writeFailed = true
			return err
		}
		for i, v := range votes {
			cur, err := s.checkVote(ctx, tx, v, seats, rounds, withdrawn)
			if err != nil {
				if _, rule := AsError(translate(err)); rule {
					results[i].err = err
					continue
				}
				writeFailed = true
				return err
			}
			tally, err := tx.CastVote(ctx, v.proposal.ID, v.actor.ID, seats[v.actor.ID].Group, v.choice, v.reason)
			if err != nil {
				writeFailed = true
				return err
			}
			ev, who := events.NewVote(events.VoteCast, cur, v.proposal.ID, tally, v.actor, v.choice, v.reason)
			if _, err := emit(ctx, tx, cur, who, ev); err != nil {
				writeFailed = true
				return err
			}
			results[i] = voteResult{tally: tally, hidden: cur.TalliesHidden()}
		}
		return nil
	})
	if err != nil && writeFailed && len(votes) > 1 {
		// Nothing of the batch was kept: each vote is cast again on its own.
		for _, v := range votes {
			s.commitVotes(councilID, []*voteReq{v}, false)
		}
		return
	}
	for i, v := range votes {
		res := voteResult{err: err}
		if err == nil {
			res = results[i]
			res.err = translate(res.err)
		}
		v.done <- res
	}
}

// voteState reads under the council's lock what a batch's votes are checked against: the
// voters' seats, whether the proposals are withdrawn, and the rounds (the rest of the rounds
// are read by checkVote as it needs them). What the lock protects does not change while it is
// held, so each is read once for the batch: a single vote's in one query, the same as before
// the lock, a batch's in one query for the seats and one for the proposals.
func voteState(ctx context.Context, tx *store.Tx, votes []*voteReq) (seats map[int64]*model.Member, withdrawn map[int64]bool, rounds map[int64]*model.Round, err error) {
	rounds = map[int64]*model.Round{}
	if len(votes) == 1 {
		v := votes[0]
		p, r, m, err := tx.VoteTarget(ctx, v.proposal.ID, v.actor.ID)
		switch {
		case err == nil && r.CouncilID == tx.CouncilID():
			seats, withdrawn = map[int64]*model.Member{}, map[int64]bool{p.ID: p.WithdrawnAt != nil}
			if m != nil {
				seats[m.UserID] = m
			}
			rounds[r.ID] = r
			return seats, withdrawn, rounds, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, nil, nil, err
		}
		// The proposal is gone: the batch's reads below tell the voter why, as for any batch.
	}
	var users, proposals []int64
	for _, v := range votes {
		users, proposals = append(users, v.actor.ID), append(proposals, v.proposal.ID)
	}
	if seats, err = tx.Seats(ctx, users); err != nil {
		return nil, nil, nil, err
	}
	if withdrawn, err = tx.ProposalsWithdrawn(ctx, proposals); err != nil {
		return nil, nil, nil, err
	}
	return seats, withdrawn, rounds, nil
}

// checkVote applies, under the council's lock, the rules a vote must meet at the moment it is
// cast: the voter holds a seat, the round is open and before its closing time, the proposal is
// not withdrawn. It writes nothing and returns the round as it stands.
func (s *Service) checkVote(ctx context.Context, tx *store.Tx, v *voteReq, seats map[int64]*model.Member, rounds map[int64]*model.Round, withdrawn map[int64]bool) (*model.Round, error) {
	if seats[v.actor.ID] == nil {
		return nil, Errorf(CodeForbidden, "Only members of this council may do this.")
	}
	cur, ok := rounds[v.round.ID]
	if !ok {
		var err error
		if cur, err = tx.LockRound(ctx, v.round.ID); err != nil {
			return nil, err
		}
		rounds[v.round.ID] = cur
	}
	if cur.Status != model.StatusOpen {
		return nil, voteNotOpen(cur.Status)
	}
	if cur.ClosesAt != nil && !tx.Now().Before(*cur.ClosesAt) {
		return nil, voteNotOpen(model.StatusClosed)
	}
	gone, ok := withdrawn[v.proposal.ID]
	if !ok {
		return nil, errNotFound
	}
	if gone {
		return nil, Conflict(ReasonProposalWithdrawn, "The proposal has been withdrawn by its author.")
	}
	return cur, nil
}

// batchContext is the context of a batch's transaction: it ends when the last of the votes'
// requests would (their deadlines), not when the first voter goes away, whose vote is then
// committed all the same, as it would be had its request ended during the commit.
func batchContext(batch []*voteReq) (context.Context, context.CancelFunc) {
	var last time.Time
	for _, v := range batch {
		d, ok := v.ctx.Deadline()
		if !ok {
			return context.WithCancel(context.WithoutCancel(batch[0].ctx))
		}
		if d.After(last) {
			last = d
		}
	}
	return context.WithDeadline(context.WithoutCancel(batch[0].ctx), last)
}
