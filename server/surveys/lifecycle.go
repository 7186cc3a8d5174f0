package surveys

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Bounds of what a survey may hold.
const (
	MaxQuestions      = 50
	MaxQuestionText   = 1000
	MaxOptions        = 20
	MaxOptionText     = 200
	MaxAnswerText     = 2000
	MaxHorizon        = council.MaxHorizon
	minOptions        = 2
	questionFieldBase = "questions"
)

// Input is what a survey is created or changed with; nil fields stay as they are (on create:
// take their defaults).
type Input struct {
	Title       *string
	Description *string
	Audience    *string
	CouncilID   *int64
	Results     *string
	ClosesAt    *time.Time
	Questions   *[]QuestionInput
}

// QuestionInput is one question as written.
type QuestionInput struct {
	Kind     string
	Text     string
	Options  []string
	Required bool
}

// Create makes a draft survey: officers and admins for any audience, a council's moderators
// for that council's members.
func (s *Service) Create(ctx context.Context, actor *model.User, in Input) (*model.Survey, error) {
	if actor == nil {
		return nil, errUnauth
	}
	sv := &model.Survey{Audience: model.AudiencePublic, Results: model.ResultsAfterClose, Status: model.StatusDraft, CreatedBy: actor.ID}
	if err := s.apply(sv, in); err != nil {
		return nil, err
	}
	if err := s.mayAsk(ctx, actor, sv); err != nil {
		return nil, err
	}
	if err := s.st.CreateSurvey(ctx, sv, s.now()); err != nil {
		return nil, translate(err)
	}
	return sv, nil
}

// mayAsk checks that the actor may ask the survey's audience.
func (s *Service) mayAsk(ctx context.Context, actor *model.User, sv *model.Survey) error {
	if canRunSurveys(actor) {
		if sv.CouncilID != nil {
			if _, err := s.st.Council(ctx, fmt.Sprint(*sv.CouncilID)); err != nil {
				return council.FieldError(council.CodeValidation, "No such council.", "council_id", council.FieldInvalid, "no such council")
			}
		}
		return nil
	}
	if sv.Audience == model.AudienceCouncil {
		st, err := s.standing(ctx, actor, sv)
		if err != nil {
			return err
		}
		if st.moderator {
			return nil
		}
		return council.Errorf(council.CodeForbidden, "Only the council's moderators, officers and admins may ask its members.")
	}
	return council.Errorf(council.CodeForbidden, "Only officers and admins may ask surveys of the public.")
}

// Update changes a draft survey: its creator or an admin.
func (s *Service) Update(ctx context.Context, actor *model.User, id int64, in Input) (*model.Survey, error) {
	var out *model.Survey
	err := s.manage(ctx, actor, id, func(tx *store.SurveyTx, sv *model.Survey) error {
		if sv.Status != model.StatusDraft {
			return errNotDraft
		}
		if err := s.apply(sv, in); err != nil {
			return err
		}
		if err := s.mayAsk(ctx, actor, sv); err != nil {
			return err
		}
		out = sv
		return tx.UpdateSurvey(ctx, sv)
	})
	return s.reload(ctx, out, err)
}

// reload reads a survey again after a transaction changed it, with its count of responses.
func (s *Service) reload(ctx context.Context, sv *model.Survey, err error) (*model.Survey, error) {
	if err != nil {
		return nil, err
	}
	fresh, err := s.st.Survey(ctx, sv.ID)
	return fresh, translate(err)
}

// Open opens a draft survey for answers: its creator or an admin.
func (s *Service) Open(ctx context.Context, actor *model.User, id int64) (*model.Survey, error) {
	var out *model.Survey
	err := s.manage(ctx, actor, id, func(tx *store.SurveyTx, sv *model.Survey) error {
		if sv.Status != model.StatusDraft {
			return council.Errorf(council.CodeConflict, "Only a draft survey can be opened.")
		}
		v := council.Validation{}
		if len(sv.Questions) == 0 {
			v.Add(questionFieldBase, council.FieldRequired, "a survey needs at least one question")
		}
		now := s.now()
		future(v, "closes_at", sv.ClosesAt, now)
		if err := v.Err(); err != nil {
			return err
		}
		sv.Status, sv.OpenedAt = model.StatusOpen, &now
		out = sv
		return tx.OpenSurvey(ctx, sv)
	})
	return s.reload(ctx, out, err)
}

// Close closes an open survey: its creator or an admin.
func (s *Service) Close(ctx context.Context, actor *model.User, id int64) (*model.Survey, error) {
	if _, _, err := s.managed(ctx, actor, id); err != nil {
		return nil, err
	}
	sv, closed, err := s.closeSurvey(ctx, id)
	if err != nil {
		return nil, err
	}
	if !closed {
		return nil, council.Errorf(council.CodeConflict, "Only an open survey can be closed.")
	}
	return s.reload(ctx, sv, nil)
}

// closeSurvey closes the survey if it is open, erasing what kept a second response out, and
// reports whether this call closed it. Several processes may try at once: one closes it.
func (s *Service) closeSurvey(ctx context.Context, id int64) (*model.Survey, bool, error) {
	var out *model.Survey
	closed := false
	err := s.st.InSurvey(ctx, id, true, func(tx *store.SurveyTx) error {
		sv := tx.Survey()
		if sv.Status != model.StatusOpen {
			return nil
		}
		now := s.now()
		sv.Status, sv.ClosedAt = model.StatusClosed, &now
		var err error
		closed, err = tx.CloseSurvey(ctx, sv)
		out = sv
		return err
	})
	if err != nil {
		return nil, false, translate(err)
	}
	if closed {
		s.st.ScrubSoon(ctx, s.log, s.st.ScrubSurveys, "survey", id)
	}
	return out, closed, nil
}

// managed loads a survey that the actor manages.
func (s *Service) managed(ctx context.Context, actor *model.User, id int64) (*model.Survey, standing, error) {
	if actor == nil {
		return nil, standing{}, errUnauth
	}
	sv, st, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, st, err
	}
	if !st.manages(sv) {
		return nil, st, errForbidden
	}
	return sv, st, nil
}

// manage runs fn on a survey the actor manages, under the survey's exclusive lock.
func (s *Service) manage(ctx context.Context, actor *model.User, id int64, fn func(*store.SurveyTx, *model.Survey) error) error {
	if _, _, err := s.managed(ctx, actor, id); err != nil {
		return err
	}
	return translate(s.st.InSurvey(ctx, id, true, func(tx *store.SurveyTx) error { return fn(tx, tx.Survey()) }))
}

// apply validates the input and writes it into sv.
func (s *Service) apply(sv *model.Survey, in Input) error {
	v := council.Validation{}
	if in.Title != nil || sv.ID == 0 {
		sv.Title = strings.TrimSpace(deref(in.Title))
		checkText(v, "title", sv.Title, true, council.MaxTitle)
	}
	if in.Description != nil {
		sv.Description = *in.Description
		checkText(v, "description", sv.Description, false, council.MaxBody)
	}
	if in.Audience != nil {
		sv.Audience = *in.Audience
		checkChoice(v, "audience", sv.Audience, model.Audiences...)
	}
	if in.CouncilID != nil {
		sv.CouncilID = in.CouncilID
	}
	if sv.Audience != model.AudienceCouncil && in.CouncilID != nil {
		v.Add("council_id", council.FieldInvalid, "only a survey of a council's members names a council")
	}
	if sv.Audience != model.AudienceCouncil {
		sv.CouncilID = nil
	} else if sv.CouncilID == nil {
		v.Add("council_id", council.FieldRequired, "name the council whose members are asked")
	}
	if in.Results != nil {
		sv.Results = *in.Results
		checkChoice(v, "results", sv.Results, model.ResultsLive, model.ResultsAfterClose)
	}
	if in.ClosesAt != nil {
		sv.ClosesAt = in.ClosesAt
		future(v, "closes_at", sv.ClosesAt, s.now())
	}
	if in.Questions != nil {
		sv.Questions = questions(v, *in.Questions)
	}
	return v.Err()
}

// questions validates the questions as written and numbers them.
func questions(v council.Validation, in []QuestionInput) []model.Question {
	if len(in) > MaxQuestions {
		v.Add(questionFieldBase, council.FieldTooLong, fmt.Sprintf("at most %d questions", MaxQuestions))
		return nil
	}
	out := make([]model.Question, 0, len(in))
	for i, qi := range in {
		field := fmt.Sprintf("%s.%d", questionFieldBase, i+1)
		q := model.Question{ID: i + 1, Kind: qi.Kind, Text: strings.TrimSpace(qi.Text), Required: qi.Required}
		checkChoice(v, field+".kind", q.Kind, model.QuestionKinds...)
		checkText(v, field+".text", q.Text, true, MaxQuestionText)
		if q.HasOptions() {
			q.Options = options(v, field+".options", qi.Options)
		} else if len(qi.Options) > 0 {
			v.Add(field+".options", council.FieldInvalid, "only single and multiple choice questions have options")
		}
		out = append(out, q)
	}
	return out
}

func options(v council.Validation, field string, in []string) []string {
	if len(in) < minOptions || len(in) > MaxOptions {
		v.Add(field, council.FieldInvalid, fmt.Sprintf("from %d to %d options", minOptions, MaxOptions))
		return nil
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for _, o := range in {
		o = strings.TrimSpace(o)
		checkText(v, field, o, true, MaxOptionText)
		if seen[o] {
			v.Add(field, council.FieldInvalid, "each option once")
		}
		seen[o] = true
		out = append(out, o)
	}
	return out
}

// checkText validates one text field: valid UTF-8, no NUL, not blank when required, not too long.
func checkText(v council.Validation, field, value string, required bool, max int) {
	switch {
	case !utf8.ValidString(value):
		v.Add(field, council.FieldInvalid, "must be valid UTF-8")
	case strings.ContainsRune(value, 0):
		v.Add(field, council.FieldInvalid, "must not contain NUL characters")
	case required && strings.TrimSpace(value) == "":
		v.Add(field, council.FieldRequired, "must not be empty")
	case utf8.RuneCountInString(value) > max:
		v.Add(field, council.FieldTooLong, fmt.Sprintf("must be at most %d characters", max))
	}
}

func checkChoice(v council.Validation, field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.Add(field, council.FieldInvalid, "must be one of "+strings.Join(allowed, ", "))
}

// future validates a time that must lie ahead of now, within MaxHorizon.
func future(v council.Validation, field string, t *time.Time, now time.Time) {
	switch {
	case t == nil:
	case !t.After(now):
		v.Add(field, council.FieldInPast, "must be in the future")
	case t.After(now.Add(MaxHorizon)):
		v.Add(field, council.FieldTooFar, "must be within ten years")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
