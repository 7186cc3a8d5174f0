// Package surveys holds the rules of surveys: who may ask and who may answer, the lifecycle
// draft → open → closed, answer codes for a counter, and results. A response, once accepted,
// is kept apart from whoever sent it: what prevents a second response is another table, erased
// at the close. It speaks to the database only through the store, knows nothing of HTTP, and
// answers with the council package's errors, so that the API has one error path.
package surveys

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Service applies the rules of surveys on top of the store.
type Service struct {
	st       *store.Store
	log      *slog.Logger
	now      func() time.Time
	throttle Throttle
}

// Throttle bounds the public answers from one client address to one survey: enough for a
// household or an office behind one address, not for filling a survey from one machine.
type Throttle struct {
	PerAddress int
	Window     time.Duration
}

// DefaultThrottle is the throttle in force unless a Config says otherwise.
var DefaultThrottle = Throttle{PerAddress: 30, Window: time.Hour}

// Config wires a Service.
type Config struct {
	Store    *store.Store
	Log      *slog.Logger
	Clock    func() time.Time // the rules' time; nil: time.Now
	Throttle Throttle         // zero: DefaultThrottle; PerAddress alone: DefaultThrottle's window
}

// NewService builds a Service.
func NewService(cfg Config) *Service {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Throttle.PerAddress <= 0 {
		cfg.Throttle.PerAddress = DefaultThrottle.PerAddress
	}
	if cfg.Throttle.Window <= 0 {
		cfg.Throttle.Window = DefaultThrottle.Window
	}
	return &Service{st: cfg.Store, log: cfg.Log, now: cfg.Clock, throttle: cfg.Throttle}
}

// canRunSurveys reports whether a user may ask surveys of anyone: officers and admins.
func canRunSurveys(u *model.User) bool { return u.IsStaff() }

// CanRunSurveys reports whether a user may ask surveys of the public and of answer codes.
func CanRunSurveys(u *model.User) bool { return canRunSurveys(u) }

// standing is where a viewer stands towards one survey.
type standing struct {
	user      *model.User
	member    bool // holds a seat in the survey's council
	moderator bool // moderates the survey's council
}

func (s *Service) standing(ctx context.Context, u *model.User, sv *model.Survey) (standing, error) {
	st := standing{user: u}
	if u == nil || sv.CouncilID == nil {
		return st, nil
	}
	m, err := s.st.Membership(ctx, *sv.CouncilID, u.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return st, nil
	case err != nil:
		return st, err
	}
	st.member, st.moderator = true, m.Role == model.RoleModerator
	return st, nil
}

// manages: the survey's creator and admins change, open and close it and hand out its codes.
func (st standing) manages(sv *model.Survey) bool {
	return st.user != nil && (st.user.IsAdmin() || st.user.ID == sv.CreatedBy)
}

// moderates: those who manage it and, for a council's survey, the council's moderators, hide
// free-text answers.
func (st standing) moderates(sv *model.Survey) bool {
	return st.manages(sv) || st.moderator
}

// sees: a draft only those who moderate it; a council's open survey its members and those who
// moderate it; everything else anyone.
func (st standing) sees(sv *model.Survey) bool {
	switch {
	case sv.Status == model.StatusDraft:
		return st.moderates(sv)
	case sv.Audience == model.AudienceCouncil && sv.Status == model.StatusOpen:
		return st.member || st.moderates(sv)
	}
	return true
}

// see answers 401 to the anonymous who might see it once signed in, 404 to everyone else
// who may not see the survey: a draft or a council's survey does not exist for them.
func (st standing) see(sv *model.Survey) error {
	switch {
	case st.sees(sv):
		return nil
	case st.user == nil && sv.Audience == model.AudienceCouncil:
		return errUnauth
	}
	return errNotFound
}

var (
	errNotFound  = council.Errorf(council.CodeNotFound, "No such survey.")
	errUnauth    = council.Errorf(council.CodeUnauthenticated, "Sign in first.")
	errForbidden = council.Errorf(council.CodeForbidden, "Only the survey's creator or an admin may do this.")
	errNotOpen   = council.Errorf(council.CodeConflict, "The survey is not open.")
	errClosed    = council.Errorf(council.CodeConflict, "The survey has closed; the answers were not recorded.")
	errNotDraft  = council.Errorf(council.CodeConflict, "Only a draft survey can be changed.")
)

// translate turns store sentinels into the API's errors; anything else stays internal.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return errNotFound
	case errors.Is(err, store.ErrConflict):
		return council.Errorf(council.CodeConflict, "That already exists.")
	}
	return err
}

// Now is the time the rules go by.
func (s *Service) Now() time.Time { return s.now() }

// load reads a survey and where the viewer stands towards it, answering as see does when the
// viewer may not see it.
func (s *Service) load(ctx context.Context, viewer *model.User, id int64) (*model.Survey, standing, error) {
	sv, err := s.st.Survey(ctx, id)
	if err != nil {
		return nil, standing{}, translate(err)
	}
	st, err := s.standing(ctx, viewer, sv)
	if err != nil {
		return nil, st, err
	}
	return sv, st, st.see(sv)
}

// Survey returns a survey the viewer may see.
func (s *Service) Survey(ctx context.Context, viewer *model.User, id int64) (*model.Survey, error) {
	sv, _, err := s.load(ctx, viewer, id)
	return sv, err
}

// Access says what a viewer may do with a survey, for the pages.
type Access struct {
	Manage   bool // change, open, close, hand out codes
	Moderate bool // hide free-text answers
	Member   bool // sits on the survey's council
	Results  bool // may read the results now
}

// AccessTo says what the viewer may do with a survey they may see.
func (s *Service) AccessTo(ctx context.Context, viewer *model.User, sv *model.Survey) (Access, error) {
	st, err := s.standing(ctx, viewer, sv)
	if err != nil {
		return Access{}, err
	}
	return Access{Manage: st.manages(sv), Moderate: st.moderates(sv), Member: st.member,
		Results: st.sees(sv) && !sv.ResultsHidden()}, nil
}

// MaxListed is how many surveys a list shows.
const MaxListed = 200

// Surveys lists the surveys the viewer may see, newest first.
func (s *Service) Surveys(ctx context.Context, viewer *model.User) ([]model.Survey, error) {
	all, err := s.st.Surveys(ctx, store.SurveyQuery{Limit: MaxListed})
	if err != nil {
		return nil, err
	}
	out := make([]model.Survey, 0, len(all))
	for i := range all {
		st, err := s.standing(ctx, viewer, &all[i])
		if err != nil {
			return nil, err
		}
		if st.sees(&all[i]) {
			out = append(out, all[i])
		}
	}
	return out, nil
}
