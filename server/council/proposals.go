package council

import (
	"context"

	"council/server/store"
)

// ProposalInput is what a member tables.
type ProposalInput struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	TopicID *int64 `json:"topic_id"`
}

// CreateProposal tables a proposal in a draft or open round.
func (s *Service) CreateProposal(ctx context.Context, actor *User, roundID int64, in ProposalInput) (*Proposal, error) {
	r, err := s.writableRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	checkText(v, "title", in.Title, true, MaxTitle)
	checkText(v, "body", in.Body, true, MaxBody)
	if in.TopicID != nil {
		if t, err := s.st.Reader().Topic(ctx, *in.TopicID); err != nil || t.RoundID != roundID {
			v.Add("topic_id", "must be a topic of this round")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p := &Proposal{RoundID: roundID, TopicID: in.TopicID, Title: in.Title, Body: in.Body, AuthorID: actor.ID, Author: *actorOf(actor)}
	err = s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		if _, err := tx.Membership(ctx, actor.ID); err != nil {
			return Errorf(CodeForbidden, "Only members of this council may do this.")
		}
		cur, err := tx.LockRound(ctx, roundID)
		if err != nil {
			return err
		}
		if cur.Status == StatusClosed {
			return errRoundNotOpen
		}
		if err := s.checkWrite(ctx, tx, actor.ID, cur, "proposals", len(p.Title)+len(p.Body)); err != nil {
			return err
		}
		if err := tx.CreateProposal(ctx, p); err != nil {
			return err
		}
		if !talliesHidden(cur) {
			p.Tally = &Counts{}
		}
		p.BodyHTML = RenderMarkdown(p.Body)
		_, err = tx.Append(ctx, "proposal.created", &roundID, actorOf(actor), p)
		return err
	})
	return p, err
}

// fillProposals renders bodies, sets the viewer's own choices, and hides the tallies of a
// round that shows them only after its close.
func (s *Service) fillProposals(ctx context.Context, viewer *User, r *Round, ps []Proposal) error {
	var mine map[int64]string
	if viewer != nil {
		var err error
		if mine, err = s.st.Reader().MyVotes(ctx, r.ID, viewer.ID); err != nil {
			return err
		}
	}
	for i := range ps {
		ps[i].BodyHTML = RenderMarkdown(ps[i].Body)
		if c, ok := mine[ps[i].ID]; ok {
			ps[i].MyVote = &c
		}
		if talliesHidden(r) {
			ps[i].Tally = nil
		}
	}
	return nil
}

// talliesHidden reports whether nobody may see the round's tallies yet.
func talliesHidden(r *Round) bool {
	return r.ResultsVisibility == ResultsAfterClose && r.Status != StatusClosed
}

// voteData is what a vote event carries. A tally or a choice goes in only where the round
// shows tallies live and its ballot is open: in a secret ballot, a tally that moves with each
// vote tells the choice of whoever just voted, so its events carry the number of voters alone.
type voteData struct {
	ProposalID int64   `json:"proposal_id"`
	Voters     int     `json:"voters"`
	Tally      *Counts `json:"tally,omitempty"`
	Voter      *Person `json:"voter,omitempty"`
	Choice     string  `json:"choice,omitempty"`
}

// voteEvent builds a vote event's data and actor for the round's ballot and visibility.
func voteEvent(r *Round, proposalID int64, tally Counts, voter *User, choice string) (voteData, *Person) {
	d := voteData{ProposalID: proposalID, Voters: tally.Voters}
	if r.Ballot == BallotSecret {
		return d, nil // a secret ballot names nobody, not even as the actor
	}
	actor := actorOf(voter)
	if r.ResultsVisibility == ResultsLive {
		d.Tally, d.Voter, d.Choice = &tally, actor, choice
	}
	return d, actor
}

// proposalRound finds a proposal and its round, as the viewer may see them.
func (s *Service) proposalRound(ctx context.Context, viewer *User, proposalID int64) (*Proposal, *Round, access, error) {
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
func (s *Service) Proposal(ctx context.Context, viewer *User, proposalID int64) (*Proposal, error) {
	p, r, _, err := s.proposalRound(ctx, viewer, proposalID)
	if err != nil {
		return nil, err
	}
	ps := []Proposal{*p}
	if err := s.fillProposals(ctx, viewer, r, ps); err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// voteNotOpen answers a vote on a round that is not open: closed rounds refuse with round_closed.
func voteNotOpen(status string) error {
	if status == StatusClosed {
		return errRoundClosed
	}
	return errRoundNotOpen
}

// CastVote records a member's vote, or changes it, and returns the proposal's tally (nil
// while the round hides its tallies). The round's state is checked under the council lock, so
// a vote either commits before the close (and is counted) or is refused.
func (s *Service) CastVote(ctx context.Context, actor *User, proposalID int64, choice string) (*Counts, error) {
	if actor == nil {
		return nil, errUnauth
	}
	p, r, a, err := s.proposalRound(ctx, actor, proposalID)
	if err != nil {
		return nil, err
	}
	if err := a.requireMember(); err != nil {
		return nil, err
	}
	if choice != ChoiceFor && choice != ChoiceAgainst && choice != ChoiceAbstain {
		return nil, &Error{Code: CodeValidation, Message: "Choose for, against or abstain.", Fields: map[string]string{"choice": "must be for, against or abstain"}}
	}
	var tally Counts
	var hidden bool
	err = s.inOpenRound(ctx, actor, r, voteNotOpen, func(tx *store.Tx, cur *Round, m *Member) error {
		var err error
		if tally, err = tx.CastVote(ctx, p.ID, actor.ID, m.Group, choice); err != nil {
			return err
		}
		hidden = talliesHidden(cur)
		data, who := voteEvent(cur, p.ID, tally, actor, choice)
		_, err = tx.Append(ctx, "vote.cast", &cur.ID, who, data)
		return err
	})
	if err != nil || hidden {
		return nil, err
	}
	return &tally, nil
}

// WithdrawVote removes the actor's vote while the round is open.
func (s *Service) WithdrawVote(ctx context.Context, actor *User, proposalID int64) error {
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
	return s.inOpenRound(ctx, actor, r, voteNotOpen, func(tx *store.Tx, cur *Round, m *Member) error {
		had, tally, err := tx.WithdrawVote(ctx, p.ID, actor.ID)
		if err != nil {
			return err
		}
		if !had {
			return Errorf(CodeNotFound, "You have no vote on this proposal.")
		}
		data, who := voteEvent(cur, p.ID, tally, actor, "")
		_, err = tx.Append(ctx, "vote.withdrawn", &cur.ID, who, data)
		return err
	})
}

// Votes lists who voted how on an open-ballot proposal; a secret ballot's votes are nobody's to read.
func (s *Service) Votes(ctx context.Context, viewer *User, proposalID int64) ([]Vote, error) {
	p, r, _, err := s.proposalRound(ctx, viewer, proposalID)
	if err != nil {
		return nil, err
	}
	if r.Ballot == BallotSecret {
		return nil, Errorf(CodeForbidden, "This is a secret ballot: nobody can read who voted how.")
	}
	if talliesHidden(r) {
		return nil, Errorf(CodeForbidden, "The votes are shown when the round closes.")
	}
	votes, err := s.st.Reader().Votes(ctx, p.ID)
	if votes == nil && err == nil {
		votes = []Vote{}
	}
	return votes, err
}
