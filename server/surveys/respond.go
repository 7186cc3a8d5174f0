package surveys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// ResponseInput is one set of answers and what lets it in: a code for a survey of codes, the
// browser's token and the client's address for a public survey, the receipt of a member who
// changes their answers.
type ResponseInput struct {
	Answers []AnswerInput
	Code    string
	Receipt string
	Browser string
	Address string
}

// AnswerInput is the answer to one question as sent; which field counts depends on the
// question's kind.
type AnswerInput struct {
	Question int
	Choice   *int
	Choices  []int
	Value    *int
	Text     *string
}

// Accepted is what an accepted response gives back: for a council's members, the receipt
// that lets them change it until the close (the platform keeps only a hash of it, made with
// the member's id, so that nothing it keeps leads from the member to the response).
type Accepted struct {
	Receipt  string
	Replaced bool
}

// Respond accepts a response, once per browser, member or code, and keeps it apart from
// whoever sent it: the mark that keeps a second response out and the response are written in
// one transaction, into tables that share nothing.
func (s *Service) Respond(ctx context.Context, viewer *model.User, id int64, in ResponseInput) (*Accepted, error) {
	sv, st, err := s.load(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if err := s.answerable(sv); err != nil {
		return nil, err
	}
	if sv.Audience == model.AudienceCouncil && !st.member {
		if viewer == nil {
			return nil, errUnauth
		}
		return nil, council.Errorf(council.CodeForbidden, "Only the council's members may answer this survey.")
	}
	answers, err := checkAnswers(sv, in.Answers)
	if err != nil {
		return nil, err
	}
	code := ""
	if sv.Audience == model.AudienceCodes {
		if code, err = checkCode(in.Code); err != nil {
			return nil, err
		}
	}
	if sv.Audience == model.AudiencePublic {
		if err := s.countAnswer(ctx, sv.ID, in.Address); err != nil {
			return nil, err
		}
	}
	acc := &Accepted{}
	err = s.st.InSurvey(ctx, id, false, func(tx *store.SurveyTx) error {
		if err := s.answerable(tx.Survey()); err != nil {
			return err
		}
		switch sv.Audience {
		case model.AudienceCodes:
			return respondWithCode(ctx, tx, code, answers)
		case model.AudienceCouncil:
			return respondAsMember(ctx, tx, viewer.ID, in.Receipt, answers, acc)
		}
		return respondFromBrowser(ctx, tx, in.Browser, answers)
	})
	if err != nil {
		return nil, translate(err)
	}
	return acc, nil
}

// answerable refuses answers to a survey that is not open, or whose closing time has passed
// before the scheduler closed it.
func (s *Service) answerable(sv *model.Survey) error {
	switch {
	case sv.Status == model.StatusDraft:
		return errNotOpen
	case sv.Status == model.StatusClosed, sv.ClosesAt != nil && !s.now().Before(*sv.ClosesAt):
		return errClosed
	}
	return nil
}

func respondWithCode(ctx context.Context, tx *store.SurveyTx, code string, answers []model.Answer) error {
	switch err := tx.UseCode(ctx, council.HashToken(code)); {
	case errors.Is(err, store.ErrCodeUsed):
		return council.FieldError(council.CodeConflict, "This answer code has already been used.", "code", FieldUsed, "has been used")
	case errors.Is(err, store.ErrCodeUnknown):
		return council.FieldError(council.CodeValidation, "No such answer code for this survey.", "code", council.FieldInvalid, "no such code for this survey")
	case err != nil:
		return err
	}
	_, err := tx.InsertResponse(ctx, answers, "")
	return err
}

func respondFromBrowser(ctx context.Context, tx *store.SurveyTx, browser string, answers []model.Answer) error {
	if browser == "" {
		return errors.New("surveys: a public response needs the browser's token")
	}
	first, err := tx.Mark(ctx, browserMark(tx.Survey().ID, browser))
	if err != nil {
		return err
	}
	if !first {
		return council.Errorf(council.CodeConflict, "This browser has already answered this survey.")
	}
	_, err = tx.InsertResponse(ctx, answers, "")
	return err
}

func respondAsMember(ctx context.Context, tx *store.SurveyTx, userID int64, receipt string, answers []model.Answer, acc *Accepted) error {
	surveyID := tx.Survey().ID
	first, err := tx.Mark(ctx, memberMark(userID))
	if err != nil {
		return err
	}
	if first {
		acc.Receipt = council.RandomToken()
		_, err := tx.InsertResponse(ctx, answers, receiptHash(surveyID, userID, acc.Receipt))
		return err
	}
	if receipt != "" {
		replaced, err := tx.ReplaceResponse(ctx, receiptHash(surveyID, userID, receipt), answers)
		if err != nil || replaced {
			acc.Receipt, acc.Replaced = receipt, replaced
			return err
		}
	}
	return council.Errorf(council.CodeConflict, "You have already answered. Change your answers from the browser you answered in, with its receipt.")
}

// FieldUsed is the field code of an answer code that has been used.
const FieldUsed = "used"

// memberMark and browserMark are what survey_marks keeps of who answered; a browser's token is
// hashed with the survey, so that its marks in two surveys cannot be matched.
func memberMark(userID int64) string { return "member:" + strconv.FormatInt(userID, 10) }

func browserMark(surveyID int64, token string) string {
	return "browser:" + council.HashToken(fmt.Sprintf("%d:%s", surveyID, token))
}

// receiptHash is what a response keeps of its member's receipt: made with the member's id, so
// that another member holding the receipt cannot change the response, and with the survey's.
func receiptHash(surveyID, userID int64, receipt string) string {
	return council.HashToken(fmt.Sprintf("receipt:%d:%d:%s", surveyID, userID, receipt))
}

// countAnswer throttles public answers per client address, counting each in a transaction of
// its own, before and apart from the response's.
func (s *Service) countAnswer(ctx context.Context, surveyID int64, address string) error {
	key := council.HashToken("survey-address:" + address)
	now := s.now()
	n, oldest, err := s.st.SurveyAttempts(ctx, surveyID, key, now.Add(-s.throttle.Window))
	if err != nil {
		return err
	}
	if n >= s.throttle.PerAddress && oldest != nil {
		wait := max(oldest.Add(s.throttle.Window).Sub(now), time.Second)
		return &council.RateLimited{RetryAfter: wait, Message: "Too many answers from your address to this survey; try again later."}
	}
	return s.st.RecordSurveyAttempt(ctx, surveyID, key, now)
}

// checkAnswers validates the answers against the survey's questions and returns them in the
// questions' order, unanswered optional questions left out.
func checkAnswers(sv *model.Survey, in []AnswerInput) ([]model.Answer, error) {
	v := council.Validation{}
	given := map[int]AnswerInput{}
	for i, a := range in {
		if a.Question < 1 || a.Question > len(sv.Questions) {
			v.Add(fmt.Sprintf("answers.%d", i), council.FieldInvalid, "names no question of this survey")
			continue
		}
		if _, dup := given[a.Question]; dup {
			v.Add(answerField(a.Question), council.FieldInvalid, "is answered twice")
		}
		given[a.Question] = a
	}
	var out []model.Answer
	for _, q := range sv.Questions {
		a, ok := given[q.ID]
		if ans, answered := checkAnswer(v, q, a, ok); answered {
			out = append(out, ans)
		}
	}
	return out, v.Err()
}

func answerField(q int) string { return "answers." + strconv.Itoa(q) }

// checkAnswer validates one question's answer; answered is false for an optional question
// left empty.
func checkAnswer(v council.Validation, q model.Question, a AnswerInput, given bool) (model.Answer, bool) {
	field := answerField(q.ID)
	out := model.Answer{Question: q.ID}
	if !given || blank(q, a) {
		if q.Required {
			v.Add(field, council.FieldRequired, "this question needs an answer")
		}
		return out, false
	}
	if !fitsKind(q, a) {
		v.Add(field, council.FieldInvalid, "is not an answer of a "+q.Kind+" question")
		return out, false
	}
	switch q.Kind {
	case model.QuestionSingle:
		if *a.Choice < 0 || *a.Choice >= len(q.Options) {
			v.Add(field, council.FieldInvalid, "names no option of this question")
		}
		out.Choice = a.Choice
	case model.QuestionMultiple:
		out.Choices = slices.Sorted(slices.Values(a.Choices))
		for i, c := range out.Choices {
			if c < 0 || c >= len(q.Options) || (i > 0 && out.Choices[i-1] == c) {
				v.Add(field, council.FieldInvalid, "names an option twice or one this question lacks")
			}
		}
	case model.QuestionScale:
		if *a.Value < model.ScaleMin || *a.Value > model.ScaleMax {
			v.Add(field, council.FieldInvalid, fmt.Sprintf("must be from %d to %d", model.ScaleMin, model.ScaleMax))
		}
		out.Value = a.Value
	case model.QuestionText:
		out.Text = strings.TrimSpace(*a.Text)
		checkText(v, field, out.Text, false, MaxAnswerText)
	}
	return out, true
}

// blank reports an answer that says nothing: no choice, no value, only spaces.
func blank(q model.Question, a AnswerInput) bool {
	switch q.Kind {
	case model.QuestionSingle:
		return a.Choice == nil && a.Choices == nil && a.Value == nil && a.Text == nil
	case model.QuestionMultiple:
		return len(a.Choices) == 0 && a.Choice == nil && a.Value == nil && a.Text == nil
	case model.QuestionScale:
		return a.Value == nil && a.Choice == nil && a.Choices == nil && a.Text == nil
	}
	return (a.Text == nil || strings.TrimSpace(*a.Text) == "") && a.Choice == nil && a.Choices == nil && a.Value == nil
}

// fitsKind reports whether the answer uses exactly the field its question's kind takes.
func fitsKind(q model.Question, a AnswerInput) bool {
	switch q.Kind {
	case model.QuestionSingle:
		return a.Choice != nil && a.Choices == nil && a.Value == nil && a.Text == nil
	case model.QuestionMultiple:
		return a.Choices != nil && a.Choice == nil && a.Value == nil && a.Text == nil
	case model.QuestionScale:
		return a.Value != nil && a.Choice == nil && a.Choices == nil && a.Text == nil
	}
	return a.Text != nil && a.Choice == nil && a.Choices == nil && a.Value == nil
}

// Answered reports whether the viewer (a member) or the browser has answered the survey, and
// for a member holding a valid receipt, their response as it stands.
func (s *Service) Answered(ctx context.Context, viewer *model.User, sv *model.Survey, browser, receipt string) (bool, *model.Response, error) {
	switch {
	case sv.Status != model.StatusOpen:
		return false, nil, nil
	case sv.Audience == model.AudienceCouncil && viewer != nil:
		done, err := s.st.HasMark(ctx, sv.ID, memberMark(viewer.ID))
		if err != nil || !done || receipt == "" {
			return done, nil, err
		}
		r, err := s.st.ResponseByReceipt(ctx, sv.ID, receiptHash(sv.ID, viewer.ID, receipt))
		if errors.Is(err, store.ErrNotFound) {
			return true, nil, nil
		}
		return true, r, err
	case sv.Audience == model.AudiencePublic && browser != "":
		done, err := s.st.HasMark(ctx, sv.ID, browserMark(sv.ID, browser))
		return done, nil, err
	}
	return false, nil, nil
}
