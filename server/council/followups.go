package council

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// FollowUpInput is what an officer posts about an adopted proposal.
type FollowUpInput struct {
	Status          string
	Body            string
	ResponsibleUnit string
	DueDate         string // YYYY-MM-DD, or empty
}

// MaxUnit bounds the name of a responsible unit.
const MaxUnit = 200

func (in FollowUpInput) check(now time.Time) error {
	v := Validation{}
	checkChoice(v, "status", in.Status, model.FollowUpStatuses...)
	checkText(v, "body", in.Body, true, MaxBody)
	checkText(v, "responsible_unit", in.ResponsibleUnit, false, MaxUnit)
	if in.DueDate != "" {
		d, err := time.Parse(time.DateOnly, in.DueDate)
		switch {
		case err != nil:
			v.Add("due_date", FieldInvalid, "must be a date, YYYY-MM-DD")
		case d.Year() < 2000:
			v.Add("due_date", FieldInvalid, "must be in this century")
		case d.After(now.Add(MaxHorizon)):
			v.Add("due_date", FieldTooFar, "must be within ten years")
		}
	}
	return v.Err()
}

// AddFollowUp records the municipality's follow-up of a proposal its council adopted, once the
// round has closed: an event followup.added in the council's record, after the round's close,
// so that the round's frozen record never changes.
func (s *Service) AddFollowUp(ctx context.Context, actor *model.User, proposalID int64, in FollowUpInput) (*model.FollowUp, error) {
	if actor == nil {
		return nil, errUnauth
	}
	p, err := s.st.Reader().Proposal(ctx, proposalID)
	if err != nil {
		return nil, translate(err)
	}
	r, _, err := s.visibleRound(ctx, actor, p.RoundID)
	if err != nil {
		return nil, err
	}
	if err := RequireStaff(actor); err != nil {
		return nil, err
	}
	if err := in.check(s.now()); err != nil {
		return nil, err
	}
	f := &model.FollowUp{ProposalID: p.ID, RoundID: r.ID, Status: in.Status, Body: in.Body,
		ResponsibleUnit: in.ResponsibleUnit, DueDate: in.DueDate, Author: *actor.Person()}
	err = s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, r.ID)
		if err != nil {
			return err
		}
		if cur.Status != model.StatusClosed || outcomeOf(cur, p.ID) != model.OutcomeAdopted {
			return Errorf(CodeConflict, "Only a proposal adopted in a closed round has follow-ups.")
		}
		f.Seq = tx.NextSeq()
		if err := tx.CreateFollowUp(ctx, f); err != nil {
			return err
		}
		// The council's members are mailed from its followup.added event, in this transaction.
		_, err = emit(ctx, tx, cur, actor.Person(), events.NewFollowUp(f))
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// outcomeOf is a proposal's outcome in a closed round ("" where it has none).
func outcomeOf(r *model.Round, proposalID int64) string {
	for _, res := range r.Results {
		if res.ProposalID == proposalID {
			return res.Outcome
		}
	}
	return ""
}

// FollowUps lists a proposal's follow-ups, oldest first, to anyone who may see its round.
func (s *Service) FollowUps(ctx context.Context, viewer *model.User, proposalID int64) ([]model.FollowUp, error) {
	p, err := s.st.Reader().Proposal(ctx, proposalID)
	if err != nil {
		return nil, translate(err)
	}
	if _, _, err := s.visibleRound(ctx, viewer, p.RoundID); err != nil {
		return nil, err
	}
	by, err := s.st.Reader().FollowUps(ctx, []int64{p.ID})
	return by[p.ID], err
}

// RoundFollowUps returns the follow-ups of a closed round's proposals, by proposal, for its
// outcome page (nothing for a round not closed: it has none).
func (s *Service) RoundFollowUps(ctx context.Context, r *model.Round, proposals []model.Proposal) (map[int64][]model.FollowUp, error) {
	if r.Status != model.StatusClosed {
		return map[int64][]model.FollowUp{}, nil
	}
	ids := make([]int64, len(proposals))
	for i, p := range proposals {
		ids[i] = p.ID
	}
	return s.st.Reader().FollowUps(ctx, ids)
}

// DecisionQuery selects adopted proposals for the decisions tracker.
type DecisionQuery struct {
	Status    string // a follow-up status or model.AwaitingAnswer; empty for all
	CouncilID int64  // 0 for every council
	Page      int    // from 1
}

// Decisions lists the proposals adopted in closed rounds, newest round first, each with its
// follow-ups, filtered by their latest status; and how many the filter selects in all.
func (s *Service) Decisions(ctx context.Context, q DecisionQuery) ([]model.Decision, int, error) {
	statuses := append([]string{model.AwaitingAnswer}, model.FollowUpStatuses...)
	if q.Status != "" && !slices.Contains(statuses, q.Status) {
		return nil, 0, Errorf(CodeBadRequest, "status must be %s.", orList(statuses))
	}
	all, err := s.decisions(ctx, q.CouncilID, func(res model.Result, _ model.Proposal) bool { return res.Outcome == model.OutcomeAdopted })
	if err != nil {
		return nil, 0, err
	}
	var kept []model.Decision
	for _, d := range all {
		if q.Status == "" || d.Status() == q.Status {
			kept = append(kept, d)
		}
	}
	page := min(max(q.Page, 1), MaxPage)
	from := min((page-1)*PageSize, len(kept))
	return kept[from:min(from+PageSize, len(kept))], len(kept), nil
}

// TopicDecisions lists what a closed round decided on the proposals tabled in one of its
// topics, with their follow-ups: how a routed signal's debate ended.
func (s *Service) TopicDecisions(ctx context.Context, r *model.Round, topicID int64) ([]model.Decision, error) {
	if r.Status != model.StatusClosed {
		return nil, nil
	}
	return s.decisionsOf(ctx, []model.Round{*r}, func(_ model.Result, p model.Proposal) bool {
		return p.TopicID != nil && *p.TopicID == topicID
	})
}

// decisions reads the decided proposals of every closed round (of one council) that keep says.
func (s *Service) decisions(ctx context.Context, councilID int64, keep func(model.Result, model.Proposal) bool) ([]model.Decision, error) {
	rounds, err := s.st.Reader().DecidedRounds(ctx, councilID)
	if err != nil {
		return nil, err
	}
	return s.decisionsOf(ctx, rounds, keep)
}

func (s *Service) decisionsOf(ctx context.Context, rounds []model.Round, keep func(model.Result, model.Proposal) bool) ([]model.Decision, error) {
	rd := s.st.Reader()
	ids := make([]int64, len(rounds))
	for i, r := range rounds {
		ids[i] = r.ID
	}
	proposals, err := rd.ProposalsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	byRound := map[int64][]model.Proposal{}
	for _, p := range proposals {
		byRound[p.RoundID] = append(byRound[p.RoundID], p)
	}
	councils, err := s.councilsByID(ctx)
	if err != nil {
		return nil, err
	}
	var out []model.Decision
	var kept []int64
	for _, r := range rounds {
		for _, p := range byRound[r.ID] {
			for _, res := range r.Results {
				if res.ProposalID == p.ID && keep(res, p) {
					out = append(out, model.Decision{Proposal: p, Result: res, Round: r, Council: councils[r.CouncilID]})
					kept = append(kept, p.ID)
				}
			}
		}
	}
	fus, err := rd.FollowUps(ctx, kept)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].FollowUps = fus[out[i].Proposal.ID]
	}
	return out, nil
}

func (s *Service) councilsByID(ctx context.Context) (map[int64]model.Council, error) {
	cs, err := s.st.Councils(ctx)
	if err != nil {
		return nil, fmt.Errorf("council: unable to list councils: %w", err)
	}
	out := make(map[int64]model.Council, len(cs))
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}

// ProposalDecision reads an adopted proposal of a closed round with its follow-ups, for the
// page where an officer posts the next one; 409 for a proposal not (or not yet) adopted.
func (s *Service) ProposalDecision(ctx context.Context, viewer *model.User, proposalID int64) (*model.Decision, error) {
	p, err := s.st.Reader().Proposal(ctx, proposalID)
	if err != nil {
		return nil, translate(err)
	}
	r, _, err := s.visibleRound(ctx, viewer, p.RoundID)
	if err != nil {
		return nil, err
	}
	ds, err := s.decisionsOf(ctx, []model.Round{*r}, func(res model.Result, q model.Proposal) bool {
		return q.ID == p.ID && res.Outcome == model.OutcomeAdopted
	})
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, Errorf(CodeConflict, "Only a proposal adopted in a closed round has follow-ups.")
	}
	return &ds[0], nil
}
