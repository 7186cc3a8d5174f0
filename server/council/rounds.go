package council

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"council/server/store"
)

// RoundInput is what a moderator gives to create a round; in a PATCH, nil fields stay as they are.
type RoundInput struct {
	Title         *string    `json:"title"`
	Description   *string    `json:"description"`
	Ballot        *string    `json:"ballot"`
	QuorumPercent *int       `json:"quorum_percent"`
	ClosesAt      *time.Time `json:"closes_at"`
	// ResultsVisibility is "live" or "after_close"; left out, it follows the ballot: live for
	// an open ballot, after the close for a secret one.
	ResultsVisibility *string `json:"results_visibility"`
}

func (in RoundInput) apply(r *Round) {
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

func checkRound(r *Round, in RoundInput) error {
	v := Validation{}
	checkText(v, "title", r.Title, true, MaxTitle)
	checkText(v, "description", r.Description, false, MaxBody)
	if r.Ballot != BallotOpen && r.Ballot != BallotSecret {
		v.Add("ballot", "must be open or secret")
	}
	if r.QuorumPercent < 0 || r.QuorumPercent > 100 {
		v.Add("quorum_percent", "must be between 0 and 100")
	}
	if r.ResultsVisibility != ResultsLive && r.ResultsVisibility != ResultsAfterClose {
		v.Add("results_visibility", "must be live or after_close")
	}
	future(v, "closes_at", in.ClosesAt)
	return v.Err()
}

// Rounds lists a council's rounds; the public sees closed rounds only.
func (s *Service) Rounds(ctx context.Context, viewer *User, councilID int64) ([]Round, error) {
	a, err := s.accessTo(ctx, viewer, councilID)
	if err != nil {
		return nil, err
	}
	return s.st.Reader().Rounds(ctx, councilID, !a.canSee())
}

// CreateRound creates a draft round.
func (s *Service) CreateRound(ctx context.Context, actor *User, councilID int64, in RoundInput) (*Round, error) {
	a, err := s.accessTo(ctx, actor, councilID)
	if err != nil {
		return nil, err
	}
	if err := a.requireModerator(); err != nil {
		return nil, err
	}
	r := &Round{Ballot: BallotOpen, ResultsVisibility: defaultVisibility(BallotOpen)}
	in.apply(r)
	if in.Title == nil {
		r.Title = ""
	}
	if err := checkRound(r, in); err != nil {
		return nil, err
	}
	err = s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if err := tx.CreateRound(ctx, r); err != nil {
			return err
		}
		_, err := tx.Append(ctx, "round.created", &r.ID, actorOf(actor), r)
		return err
	})
	return r, err
}

// visibleRound finds a round the viewer may see: closed rounds are public, the others are
// for the council's members and admins, and do not exist for anybody else.
func (s *Service) visibleRound(ctx context.Context, viewer *User, roundID int64) (*Round, access, error) {
	r, err := s.st.Reader().Round(ctx, roundID)
	if err != nil {
		return nil, access{}, translate(err)
	}
	a, err := s.accessTo(ctx, viewer, r.CouncilID)
	if err != nil {
		return nil, a, err
	}
	if r.Status != StatusClosed && !a.canSee() {
		return nil, a, errNotFound
	}
	return r, a, nil
}

// moderateRound finds a round for a moderator's action.
func (s *Service) moderateRound(ctx context.Context, actor *User, roundID int64) (*Round, error) {
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

// UpdateRound edits a draft round.
func (s *Service) UpdateRound(ctx context.Context, actor *User, roundID int64, in RoundInput) (*Round, error) {
	r, err := s.moderateRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	err = s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, roundID)
		if err != nil {
			return err
		}
		if cur.Status != StatusDraft {
			return Errorf(CodeConflict, "Only a draft round can be edited.")
		}
		in.apply(cur)
		if err := checkRound(cur, in); err != nil {
			return err
		}
		if err := tx.UpdateDraft(ctx, cur); err != nil {
			return err
		}
		r = cur
		_, err = tx.Append(ctx, "round.updated", &r.ID, actorOf(actor), r)
		return err
	})
	return r, err
}

// OpenRound opens a draft round for debate and voting.
func (s *Service) OpenRound(ctx context.Context, actor *User, roundID int64, closesAt *time.Time) (*Round, error) {
	r, err := s.moderateRound(ctx, actor, roundID)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	future(v, "closes_at", closesAt)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.inCouncil(ctx, r.CouncilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, roundID)
		if err != nil {
			return err
		}
		if cur.Status != StatusDraft {
			return Errorf(CodeConflict, "Only a draft round can be opened; this one is %s.", cur.Status)
		}
		RoundInput{ClosesAt: closesAt}.apply(cur)
		if cur.ClosesAt != nil && !cur.ClosesAt.After(tx.Now()) {
			return &Error{Code: CodeValidation, Message: "The closing time has passed.", Fields: map[string]string{"closes_at": "must be in the future"}}
		}
		if err := tx.OpenRound(ctx, cur); err != nil {
			return err
		}
		r = cur
		_, err = tx.Append(ctx, "round.opened", &r.ID, actorOf(actor), r)
		return err
	})
	return r, err
}

// CloseRound closes an open round with the moderator's summary.
func (s *Service) CloseRound(ctx context.Context, actor *User, roundID int64, summary string) (*Round, error) {
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
		return nil, Errorf(CodeConflict, "Only an open round can be closed.")
	}
	return closed, err
}

var errAlreadyClosed = errors.New("council: round is not open")

// closeRound closes the round inside the council's transaction — the results, the
// round.closed event and, for a secret ballot, the erasure of who chose what — and then, with
// the lock released, renders the frozen record and publishes its digest: the lock is held for
// the same few statements whatever the size of the debate.
func (s *Service) closeRound(ctx context.Context, actor *User, councilID, roundID int64, summary string) (*Round, error) {
	var r *Round
	err := s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		cur, err := tx.LockRound(ctx, roundID)
		if err != nil {
			return err
		}
		if cur.Status != StatusOpen {
			return errAlreadyClosed
		}
		cur.OutcomeSummary = summary
		if cur.Results, err = s.results(ctx, tx, cur); err != nil {
			return err
		}
		search, err := s.searchText(ctx, tx, cur)
		if err != nil {
			return err
		}
		cur.Status, cur.ClosedAt = StatusClosed, ptr(tx.Now())
		ev, err := tx.Append(ctx, "round.closed", &cur.ID, actorOf(actor), cur)
		if err != nil {
			return err
		}
		if err := tx.CloseRound(ctx, cur, ev.Seq, search); err != nil {
			return err
		}
		if cur.Ballot == BallotSecret {
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
	if r.Ballot == BallotSecret {
		if err := s.st.ScrubErased(ctx); err != nil {
			s.log.Error("unable to scrub erased secret votes from the database files", "round", r.ID, "err", err)
		}
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
func (s *Service) results(ctx context.Context, tx *store.Tx, r *Round) ([]Result, error) {
	proposals, err := tx.Reader().Proposals(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	total, byGroup, err := tx.Tally(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	eligibleBy, eligible, err := tx.CountMembers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Result, 0, len(proposals))
	for _, p := range proposals {
		res := Result{ProposalID: p.ID, Counts: total[p.ID], Eligible: eligible, ByGroup: map[string]GroupResult{}}
		res.Outcome = outcome(res.Counts, eligible, r.QuorumPercent)
		for _, g := range Groups {
			if eligibleBy[g] > 0 || byGroup[p.ID][g].Voters > 0 {
				res.ByGroup[g] = GroupResult{Counts: byGroup[p.ID][g], Eligible: eligibleBy[g]}
			}
		}
		if r.Ballot == BallotSecret && smallGroups(res.ByGroup) {
			res.ByGroup, res.ByGroupWithheld = nil, WithheldSmallGroups
		}
		out = append(out, res)
	}
	return out, nil
}

// MinGroupVoters is the fewest voters a group may have for a secret ballot's split by group
// to be published: with one or two, the split would tell how they voted.
const MinGroupVoters = 3

// smallGroups reports whether some group with voters has fewer than MinGroupVoters.
func smallGroups(by map[string]GroupResult) bool {
	for _, g := range by {
		if g.Voters > 0 && g.Voters < MinGroupVoters {
			return true
		}
	}
	return false
}

// outcome applies the contract's rule: no quorum when voters*100 < quorum*eligible, else
// adopted when more voted for than against, else rejected.
func outcome(c Counts, eligible, quorum int) string {
	switch {
	case c.Voters*100 < quorum*eligible:
		return OutcomeNoQuorum
	case c.For > c.Against:
		return OutcomeAdopted
	default:
		return OutcomeRejected
	}
}

func (s *Service) searchText(ctx context.Context, tx *store.Tx, r *Round) (string, error) {
	proposals, err := tx.Reader().Proposals(ctx, r.ID)
	if err != nil {
		return "", err
	}
	parts := []string{r.Title, r.Description, r.OutcomeSummary}
	for _, p := range proposals {
		parts = append(parts, p.Title, p.Body)
	}
	return truncateUTF8(strings.Join(parts, "\n"), MaxSearchText), nil
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

// RoundDetail is a round with its topics and proposals, as a member or the public sees it.
type RoundDetail struct {
	Round
	Topics    []Topic    `json:"topics"`
	Proposals []Proposal `json:"proposals"`
}

// RoundDetail reads a round for the viewer: tallies, the viewer's own votes, and results once closed.
func (s *Service) RoundDetail(ctx context.Context, viewer *User, roundID int64) (*RoundDetail, error) {
	r, _, err := s.visibleRound(ctx, viewer, roundID)
	if err != nil {
		return nil, err
	}
	rd := s.st.Reader()
	d := &RoundDetail{Round: *r}
	if d.Topics, err = rd.Topics(ctx, r.ID); err != nil {
		return nil, err
	}
	if d.Proposals, err = rd.Proposals(ctx, r.ID); err != nil {
		return nil, err
	}
	for i := range d.Topics {
		d.Topics[i].BodyHTML = RenderMarkdown(d.Topics[i].Body)
	}
	if err := s.fillProposals(ctx, viewer, r, d.Proposals); err != nil {
		return nil, err
	}
	return d, nil
}

// Round reads one round the viewer may see.
func (s *Service) Round(ctx context.Context, viewer *User, roundID int64) (*Round, error) {
	r, _, err := s.visibleRound(ctx, viewer, roundID)
	return r, err
}
