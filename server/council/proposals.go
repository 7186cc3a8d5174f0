package council

import (
	"context"
	"strings"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// ProposalInput is what a member tables.
type ProposalInput struct {
	Title   string
	Body    string
	TopicID *int64
}

// CreateProposal tables a proposal in a draft or open round.
func (s *Service) CreateProposal(ctx context.Context, actor *model.User, roundID int64, in ProposalInput) (*model.Proposal, error) {
	r, err := s.writableRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	checkText(v, "title", in.Title, true, MaxTitle)
	checkText(v, "body", in.Body, true, MaxBody)
	if in.TopicID != nil {
		if t, err := s.st.Reader().Topic(ctx, *in.TopicID); err != nil || t.RoundID != roundID {
			v.Add("topic_id", FieldInvalid, "must be a topic of this round")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p := &model.Proposal{RoundID: roundID, TopicID: in.TopicID, Title: in.Title, Body: in.Body, BodyHTML: s.md.Render(in.Body), Author: *actor.Person()}
	err = s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		if _, err := tx.Membership(ctx, actor.ID); err != nil {
			return Errorf(CodeForbidden, "Only members of this council may do this.")
		}
		cur, err := tx.LockRound(ctx, roundID)
		if err != nil {
			return err
		}
		if cur.Status == model.StatusClosed {
			return errRoundNotOpen
		}
		if err := s.checkWrite(ctx, tx, actor.ID, cur, store.WriteProposals, len(p.Title)+len(p.Body)); err != nil {
			return err
		}
		if err := tx.CreateProposal(ctx, p); err != nil {
			return err
		}
		if !cur.TalliesHidden() {
			p.Tally = &model.Counts{}
		}
		_, err = emit(ctx, tx, cur, actor.Person(), events.NewProposal(events.ProposalCreated, p))
		return err
	})
	return p, err
}

// authorsProposal runs fn under the council's lock on a proposal its author may still change:
// the actor wrote it, it is not withdrawn, nobody has voted on it, and its round is a draft or
// open.
func (s *Service) authorsProposal(ctx context.Context, actor *model.User, proposalID int64, fn func(*store.Tx, *model.Round, *model.Proposal) error) error {
	if actor == nil {
		return errUnauth
	}
	p, r, a, err := s.proposalRound(ctx, actor, proposalID)
	if err != nil {
		return err
	}
	if err := a.requireMember(); err != nil {
		return err
	}
	if p.Author.ID != actor.ID {
		return Errorf(CodeForbidden, "Only its author may change a proposal.")
	}
	return s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, r.ID)
		if err != nil {
			return err
		}
		if cur.Status == model.StatusClosed {
			return errRoundNotOpen
		}
		p, err := tx.Reader().Proposal(ctx, proposalID)
		if err != nil {
			return err
		}
		switch {
		case p.WithdrawnAt != nil:
			return Conflict(ReasonProposalWithdrawn, "The proposal has been withdrawn.")
		case p.Voters > 0:
			return Conflict(ReasonProposalVoted, "Somebody has voted on the proposal: it can no longer change.")
		}
		return fn(tx, cur, p)
	})
}

// EditProposal lets its author change a proposal's title and text before anyone has voted.
func (s *Service) EditProposal(ctx context.Context, actor *model.User, proposalID int64, title, body string) (*model.Proposal, error) {
	v := Validation{}
	checkText(v, "title", title, true, MaxTitle)
	checkText(v, "body", body, true, MaxBody)
	if err := v.Err(); err != nil {
		return nil, err
	}
	html := s.md.Render(body)
	var out *model.Proposal
	err := s.authorsProposal(ctx, actor, proposalID, func(tx *store.Tx, r *model.Round, p *model.Proposal) error {
		if err := s.checkWrite(ctx, tx, actor.ID, r, "", len(title)+len(body)); err != nil {
			return err
		}
		p.Title, p.Body, p.BodyHTML = title, body, html
		if err := tx.EditProposal(ctx, p); err != nil {
			return err
		}
		if r.TalliesHidden() {
			p.Tally = nil
		}
		out = p
		_, err := emit(ctx, tx, r, actor.Person(), events.NewProposal(events.ProposalEdited, p))
		return err
	})
	return out, err
}

// WithdrawProposal lets its author take a proposal back before anyone has voted: it stays in
// the record, marked withdrawn, and is not put to the vote.
func (s *Service) WithdrawProposal(ctx context.Context, actor *model.User, proposalID int64) error {
	return s.authorsProposal(ctx, actor, proposalID, func(tx *store.Tx, r *model.Round, p *model.Proposal) error {
		if err := tx.WithdrawProposal(ctx, p); err != nil {
			return err
		}
		_, err := emit(ctx, tx, r, actor.Person(), events.Withdrawn{ProposalID: p.ID})
		return err
	})
}

// fillProposals sets the viewer's own choices, and hides the tallies of a round that shows
// them only after its close.
func (s *Service) fillProposals(ctx context.Context, viewer *model.User, r *model.Round, ps []model.Proposal) error {
	var mine map[int64]string
	if viewer != nil {
		var err error
		if mine, err = s.st.Reader().MyVotes(ctx, r.ID, viewer.ID); err != nil {
			return err
		}
	}
	for i := range ps {
		if c, ok := mine[ps[i].ID]; ok {
			ps[i].MyVote = &c
		}
		if r.TalliesHidden() {
			ps[i].Tally = nil
		}
	}
	return nil
}

// proposalRound finds a proposal and its round, as the viewer may see them.
func (s *Service) proposalRound(ctx context.Context, viewer *model.User, proposalID int64) (*model.Proposal, *model.Round, access, error) {
	p, err := s.st.Reader().Proposal(ctx, proposalID)
	if err != nil {
		return nil, nil, access{}, translate(err)
	}
	r, a, err := s.visibleRound(ctx, viewer, p.RoundID)
	if err != nil {
		return nil, nil, a, err
	}
	return p, r, a, nil
}

// Proposal reads one proposal with its tally and the viewer's vote.
func (s *Service) Proposal(ctx context.Context, viewer *model.User, proposalID int64) (*model.Proposal, error) {
	p, r, _, err := s.proposalRound(ctx, viewer, proposalID)
	if err != nil {
		return nil, err
	}
	ps := []model.Proposal{*p}
	if err := s.fillProposals(ctx, viewer, r, ps); err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// voteNotOpen answers a vote on a round that is not open: closed rounds refuse with round_closed.
func voteNotOpen(status string) error {
	if status == model.StatusClosed {
		return errRoundClosed
	}
	return errRoundNotOpen
}

// MaxReason bounds the reason a voter gives beside an open vote.
const MaxReason = 500

// CastVote records a member's vote, or changes it, with the reason they give (open ballots
// only), and returns the proposal's tally (nil while the round hides its tallies). The round's
// state is checked under the council lock, so a vote either commits before the close (and is
// counted) or is refused. Votes arriving together in one council are committed together
// (commitVote), each with its own checks, event and answer.
func (s *Service) CastVote(ctx context.Context, actor *model.User, proposalID int64, choice, reason string) (*model.Counts, error) {
	if actor == nil {
		return nil, errUnauth
	}
	// The proposal, its round and the voter's seat in one query; a seat makes the round
	// visible, so only a voter without one goes the longer way, to be told 404 or 403.
	p, r, m, err := s.st.VoteTarget(ctx, proposalID, actor.ID)
	if err != nil {
		return nil, translate(err)
	}
	if m == nil {
		_, _, a, err := s.proposalRound(ctx, actor, proposalID)
		if err != nil {
			return nil, err
		}
		if err := a.requireMember(); err != nil {
			return nil, err
		}
	}
	v := Validation{}
	checkChoice(v, "choice", choice, model.Choices...)
	reason = strings.TrimSpace(reason)
	checkText(v, "reason", reason, false, MaxReason)
	if reason != "" && r.Ballot == model.BallotSecret {
		v.Add("reason", FieldInvalid, "a secret ballot takes no reason: it would name the voter beside their choice")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	res := s.commitVote(&voteReq{ctx: ctx, actor: actor, proposal: p, round: r, choice: choice, reason: reason})
	if res.err != nil || res.hidden {
		return nil, res.err
	}
	return &res.tally, nil
}

// WithdrawVote removes the actor's vote while the round is open.
func (s *Service) WithdrawVote(ctx context.Context, actor *model.User, proposalID int64) error {
	if actor == nil {
		return errUnauth
	}
	p, r, a, err := s.proposalRound(ctx, actor, proposalID)
	if err != nil {
		return err
	}
	if err := a.requireMember(); err != nil {
		return err
	}
	return s.inOpenRound(ctx, actor, r, voteNotOpen, func(tx *store.Tx, cur *model.Round, m *model.Member) error {
		had, tally, err := tx.WithdrawVote(ctx, p.ID, actor.ID)
		if err != nil {
			return err
		}
		if !had {
			return Errorf(CodeNotFound, "You have no vote on this proposal.")
		}
		ev, who := events.NewVote(events.VoteWithdrawn, cur, p.ID, tally, actor, "", "")
		_, err = emit(ctx, tx, cur, who, ev)
		return err
	})
}

// Votes lists who voted how on an open-ballot proposal; a secret ballot's votes are nobody's to read.
func (s *Service) Votes(ctx context.Context, viewer *model.User, proposalID int64) ([]model.Vote, error) {
	p, r, _, err := s.proposalRound(ctx, viewer, proposalID)
	if err != nil {
		return nil, err
	}
	if r.Ballot == model.BallotSecret {
		return nil, Errorf(CodeForbidden, "This is a secret ballot: nobody can read who voted how.")
	}
	if r.TalliesHidden() {
		return nil, Errorf(CodeForbidden, "The votes are shown when the round closes.")
	}
	votes, err := s.st.Reader().Votes(ctx, p.ID)
	if votes == nil && err == nil {
		votes = []model.Vote{}
	}
	return votes, err
}
