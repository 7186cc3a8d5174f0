package council

import (
	"context"
	"time"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// RoundInput is what a moderator gives to create a round; in a PATCH, nil fields stay as they are.
type RoundInput struct {
	Title         *string
	Description   *string
	Ballot        *string
	QuorumPercent *int
	ClosesAt      *time.Time
	// ResultsVisibility is ResultsLive or ResultsAfterClose; left out, it follows the ballot:
	// live for an open ballot, after the close for a secret one.
	ResultsVisibility *string
}

func (in RoundInput) apply(r *model.Round) {
	if in.Title != nil {
		r.Title = *in.Title
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.Ballot != nil {
		r.Ballot = *in.Ballot
		r.ResultsVisibility = defaultVisibility(r.Ballot)
	}
	if in.ResultsVisibility != nil {
		r.ResultsVisibility = *in.ResultsVisibility
	}
	if in.QuorumPercent != nil {
		r.QuorumPercent = *in.QuorumPercent
	}
	if in.ClosesAt != nil {
		t := in.ClosesAt.UTC().Truncate(time.Microsecond)
		r.ClosesAt = &t
	}
}

// defaultVisibility is when a ballot's tallies show unless the moderator says otherwise: a
// secret ballot hides them until the close, since a tally that moves with each vote tells
// whoever knows when someone voted how they voted.
func defaultVisibility(ballot string) string {
	if ballot == model.BallotSecret {
		return model.ResultsAfterClose
	}
	return model.ResultsLive
}

func checkRound(r *model.Round, in RoundInput, now time.Time) error {
	v := Validation{}
	checkText(v, "title", r.Title, true, MaxTitle)
	checkText(v, "description", r.Description, false, MaxBody)
	checkChoice(v, "ballot", r.Ballot, model.BallotOpen, model.BallotSecret)
	if r.QuorumPercent < 0 || r.QuorumPercent > 100 {
		v.Add("quorum_percent", FieldInvalid, "must be between 0 and 100")
	}
	checkChoice(v, "results_visibility", r.ResultsVisibility, model.ResultsLive, model.ResultsAfterClose)
	future(v, "closes_at", in.ClosesAt, now)
	return v.Err()
}

// Rounds lists a council's rounds with how many members could vote in the open ones; the
// public sees closed rounds, and the open ones of a council that made them public.
func (s *Service) Rounds(ctx context.Context, viewer *model.User, councilID int64) ([]model.Round, error) {
	c, states, err := s.roundStates(ctx, viewer, councilID)
	if err != nil {
		return nil, err
	}
	rounds, err := s.st.Reader().Rounds(ctx, councilID, states...)
	withEligible(rounds, c)
	return rounds, err
}

// RoundsPage lists one page (from 1, PageSize rounds) of the council's rounds the viewer may
// see, newest first, with how many the viewer may see in all.
func (s *Service) RoundsPage(ctx context.Context, viewer *model.User, councilID int64, page int) ([]model.Round, int, error) {
	c, states, err := s.roundStates(ctx, viewer, councilID)
	if err != nil {
		return nil, 0, err
	}
	limit, offset := pageBounds(page)
	rounds, total, err := s.st.Reader().RoundsPage(ctx, councilID, limit, offset, states...)
	withEligible(rounds, c)
	return rounds, total, err
}

// roundStates reads the council and the states of its rounds the viewer may see.
func (s *Service) roundStates(ctx context.Context, viewer *model.User, councilID int64) (*model.Council, []string, error) {
	a, err := s.accessTo(ctx, viewer, councilID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.st.Council(ctx, itoa(councilID))
	if err != nil {
		return nil, nil, translate(err)
	}
	states := []string{model.StatusClosed}
	switch {
	case a.canSee():
		states = append(states, model.StatusOpen, model.StatusDraft)
	case c.OpenRoundsPublic:
		states = append(states, model.StatusOpen)
	}
	return c, states, nil
}

// withEligible sets on each round not closed the number of members who may vote in it now.
func withEligible(rounds []model.Round, c *model.Council) {
	for i := range rounds {
		if rounds[i].Status != model.StatusClosed {
			rounds[i].Eligible = c.MemberCount
		}
	}
}

// CreateRound creates a draft round.
func (s *Service) CreateRound(ctx context.Context, actor *model.User, councilID int64, in RoundInput) (*model.Round, error) {
	a, err := s.accessTo(ctx, actor, councilID)
	if err != nil {
		return nil, err
	}
	if err := a.requireModerator(); err != nil {
		return nil, err
	}
	r := &model.Round{Status: model.StatusDraft, Ballot: model.BallotOpen, ResultsVisibility: defaultVisibility(model.BallotOpen)}
	in.apply(r)
	if err := checkRound(r, in, s.now()); err != nil {
		return nil, err
	}
	err = s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if err := notArchived(tx); err != nil {
			return err
		}
		if err := tx.CreateRound(ctx, r); err != nil {
			return err
		}
		if _, err := emit(ctx, tx, r, actor.Person(), events.NewRound(events.RoundCreated, r)); err != nil {
			return err
		}
		if err := countEligible(ctx, tx, r); err != nil {
			return err
		}
		return s.placeRouted(ctx, tx, r)
	})
	return r, err
}

// visibleRound finds a round the viewer may see: closed rounds are public, and so are the open
// rounds of a council that made them public (read-only); the others are for the council's
// members and admins, and do not exist for anybody else.
func (s *Service) visibleRound(ctx context.Context, viewer *model.User, roundID int64) (*model.Round, access, error) {
	r, err := s.st.Reader().Round(ctx, roundID)
	if err != nil {
		return nil, access{}, translate(err)
	}
	a, err := s.accessTo(ctx, viewer, r.CouncilID)
	if err != nil {
		return nil, a, err
	}
	if r.Status == model.StatusClosed || a.canSee() {
		return r, a, nil
	}
	if r.Status == model.StatusOpen {
		c, err := s.st.Council(ctx, itoa(r.CouncilID))
		if err != nil {
			return nil, a, translate(err)
		}
		if c.OpenRoundsPublic {
			a.publicOpen = true
			return r, a, nil
		}
	}
	return nil, a, errNotFound
}

// moderateRound finds a round for a moderator's action.
func (s *Service) moderateRound(ctx context.Context, actor *model.User, roundID int64) (*model.Round, error) {
	if actor == nil {
		return nil, errUnauth
	}
	r, a, err := s.visibleRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	if err := a.requireModerator(); err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateRound edits a draft round; of an open round only the closing time may change —
// extended or shortened, still in the future (a round without one gets one).
func (s *Service) UpdateRound(ctx context.Context, actor *model.User, roundID int64, in RoundInput) (*model.Round, error) {
	r, err := s.moderateRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	err = s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, roundID)
		if err != nil {
			return err
		}
		switch cur.Status {
		case model.StatusDraft:
			in.apply(cur)
			if err := checkRound(cur, in, tx.Now()); err != nil {
				return err
			}
		case model.StatusOpen:
			if err := rescheduleOpen(cur, in, tx.Now()); err != nil {
				return err
			}
		default:
			return Conflict(ReasonRoundClosed, "A closed round no longer changes.")
		}
		if err := tx.UpdateRound(ctx, cur); err != nil {
			return err
		}
		r = cur
		if _, err = emit(ctx, tx, r, actor.Person(), events.NewRound(events.RoundUpdated, r)); err != nil {
			return err
		}
		return countEligible(ctx, tx, r)
	})
	return r, err
}

// countEligible sets how many may vote in a round not yet closed: the council's members now.
func countEligible(ctx context.Context, tx *store.Tx, r *model.Round) error {
	_, n, err := tx.CountMembers(ctx)
	r.Eligible = n
	return err
}

// rescheduleOpen moves an open round's closing time: the only change an open round takes.
func rescheduleOpen(r *model.Round, in RoundInput, now time.Time) error {
	if in.Title != nil || in.Description != nil || in.Ballot != nil || in.QuorumPercent != nil || in.ResultsVisibility != nil {
		return Conflict(ReasonRoundOpen, "Once a round is open only its closing time may change.")
	}
	v := Validation{}
	if in.ClosesAt == nil {
		v.Add("closes_at", FieldRequired, "give the new closing time")
	}
	future(v, "closes_at", in.ClosesAt, now)
	if err := v.Err(); err != nil {
		return err
	}
	in.apply(r)
	return nil
}

// OpenRound opens a draft round for debate and voting.
func (s *Service) OpenRound(ctx context.Context, actor *model.User, roundID int64, closesAt *time.Time) (*model.Round, error) {
	r, err := s.moderateRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	future(v, "closes_at", closesAt, s.now())
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, roundID)
		if err != nil {
			return err
		}
		if cur.Status != model.StatusDraft {
			return Conflict(ReasonRoundNotDraft, "Only a draft round can be opened; this one is %s.", cur.Status)
		}
		if err := notArchived(tx); err != nil {
			return err
		}
		RoundInput{ClosesAt: closesAt}.apply(cur)
		if cur.ClosesAt != nil && !cur.ClosesAt.After(tx.Now()) {
			return FieldError(CodeValidation, "The closing time has passed.", "closes_at", FieldInPast, "must be in the future")
		}
		cur.Status, cur.OpenedAt = model.StatusOpen, ptr(tx.Now())
		if err := tx.OpenRound(ctx, cur); err != nil {
			return err
		}
		r = cur
		if _, err = emit(ctx, tx, r, actor.Person(), events.NewRound(events.RoundOpened, r)); err != nil {
			return err
		}
		return countEligible(ctx, tx, r)
	})
	return r, err
}

// Round reads one round the viewer may see.
func (s *Service) Round(ctx context.Context, viewer *model.User, roundID int64) (*model.Round, error) {
	r, _, err := s.visibleRound(ctx, viewer, roundID)
	return r, err
}
