package httpapi

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/surveys"
	"github.com/perushtitsa/council/web"
)

// surveyPageRoutes lists the survey pages, one per line. Answering works without scripts.
func (s *Server) surveyPageRoutes(r fiber.Router) {
	r.Get("/surveys", s.surveysPage)
	r.Get("/surveys/new", s.newSurveyPage)
	r.Post("/surveys/new", s.sameOriginForm, s.createSurveyForm)
	r.Get("/surveys/:survey_id", s.surveyPage)
	r.Post("/surveys/:survey_id", s.sameOriginForm, s.answerSurveyForm)
	r.Get("/surveys/:survey_id/edit", s.editSurveyPage)
	r.Post("/surveys/:survey_id/edit", s.sameOriginForm, s.updateSurveyForm)
	r.Post("/surveys/:survey_id/open", s.sameOriginForm, s.openSurveyForm)
	r.Post("/surveys/:survey_id/close", s.sameOriginForm, s.closeSurveyForm)
	r.Get("/surveys/:survey_id/results", s.surveyResultsPage)
	r.Post("/surveys/:survey_id/texts/:text_id/hide", s.sameOriginForm, s.hideSurveyTextForm)
	r.Get("/surveys/:survey_id/slips", s.slipsPage)
	r.Post("/surveys/:survey_id/slips", s.sameOriginForm, s.slipsForm)
}

func (s *Server) surveysPage(c *fiber.Ctx) error {
	ctx, viewer := c.UserContext(), s.viewer(c)
	all, err := s.surveys.Surveys(ctx, viewer)
	if err != nil {
		return err
	}
	data := web.SurveysData{}
	for _, sv := range all {
		switch sv.Status {
		case model.StatusOpen:
			data.Open = append(data.Open, sv)
		case model.StatusClosed:
			data.Closed = append(data.Closed, sv)
		default:
			data.Drafts = append(data.Drafts, sv)
		}
	}
	if data.CanCreate, err = s.canAskSurveys(c); err != nil {
		return err
	}
	return s.render(c, "surveys", s.newPage(c, s.t(c, "surveys.title"), data))
}

// canAskSurveys reports whether the viewer may write a survey: officers and admins, and the
// moderators of a council.
func (s *Server) canAskSurveys(c *fiber.Ctx) (bool, error) {
	viewer := s.viewer(c)
	if viewer == nil || surveys.CanRunSurveys(viewer) {
		return viewer != nil, nil
	}
	mine, err := s.svc.MyCouncils(c.UserContext(), viewer)
	for _, m := range mine {
		if m.Role == model.RoleModerator {
			return true, err
		}
	}
	return false, err
}

func (s *Server) surveyPage(c *fiber.Ctx) error {
	id, err := pageID(c, "survey_id")
	if err != nil {
		return err
	}
	sv, err := s.surveys.Survey(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	data, err := s.surveyPageData(c, sv)
	if err != nil {
		return err
	}
	data.Code = c.Query("code")
	data.Thanks = c.Query("answered") != ""
	return s.render(c, "survey", s.newPage(c, sv.Title, data))
}

// surveyPageData is what the survey's page shows the viewer: the form when they may answer,
// filled with their answers when a member changes them.
func (s *Server) surveyPageData(c *fiber.Ctx, sv *model.Survey) (web.SurveyData, error) {
	ctx, viewer := c.UserContext(), s.viewer(c)
	acc, err := s.surveys.AccessTo(ctx, viewer, sv)
	if err != nil {
		return web.SurveyData{}, err
	}
	d := web.SurveyData{Survey: *sv, Manage: acc.Manage, Moderate: acc.Moderate, Results: acc.Results,
		Values: map[int]web.AnswerValue{}, FieldErrors: map[string]string{}}
	for v := model.ScaleMin; v <= model.ScaleMax; v++ {
		d.Scale = append(d.Scale, v)
	}
	if sv.CouncilID != nil {
		if d.Council, err = s.svc.Council(ctx, strconv.FormatInt(*sv.CouncilID, 10)); err != nil {
			return d, err
		}
	}
	if sv.Status != model.StatusOpen {
		return d, nil
	}
	switch sv.Audience {
	case model.AudienceCodes:
		d.CanAnswer, d.NeedsCode = true, true
	case model.AudiencePublic:
		d.Answered, _, err = s.surveys.Answered(ctx, viewer, sv, c.Cookies(BrowserCookie), "")
		d.CanAnswer = !d.Answered
	case model.AudienceCouncil:
		if viewer == nil {
			d.NeedsSignIn = true
			break
		}
		var mine *model.Response
		d.Answered, mine, err = s.surveys.Answered(ctx, viewer, sv, "", s.receipt(c, sv))
		d.CanAnswer = acc.Member && (!d.Answered || mine != nil)
		if mine != nil {
			d.Changing, d.Values = true, answerValues(mine.Answers)
		}
	}
	return d, err
}

// answerValues turns answers into what the form shows chosen and written.
func answerValues(as []model.Answer) map[int]web.AnswerValue {
	out := map[int]web.AnswerValue{}
	for _, a := range as {
		v := web.AnswerValue{Chosen: map[int]bool{}, Text: a.Text}
		if a.Choice != nil {
			v.Chosen[*a.Choice] = true
		}
		for _, ch := range a.Choices {
			v.Chosen[ch] = true
		}
		if a.Value != nil {
			v.Value = *a.Value
		}
		out[a.Question] = v
	}
	return out
}

// answerSurveyForm takes the survey's form, posted without scripts: on success it goes back
// to the survey with thanks; otherwise the form comes back with what was chosen and written,
// and each problem beside its question.
func (s *Server) answerSurveyForm(c *fiber.Ctx) error {
	id, err := pageID(c, "survey_id")
	if err != nil {
		return err
	}
	ctx, viewer := c.UserContext(), s.viewer(c)
	sv, err := s.surveys.Survey(ctx, viewer, id)
	if err != nil {
		return err
	}
	in := surveys.ResponseInput{Code: c.FormValue("code"), Receipt: s.receipt(c, sv), Answers: formAnswers(c, sv)}
	if sv.Audience == model.AudiencePublic {
		in.Browser, in.Address = s.browserToken(c), c.IP()
	}
	acc, err := s.surveys.Respond(ctx, viewer, id, in)
	if err == nil {
		s.keepReceipt(c, sv, acc.Receipt)
		return c.Redirect("/surveys/"+strconv.FormatInt(id, 10)+"?answered=1", fiber.StatusSeeOther)
	}
	status, key, fields, ok := formProblem(err)
	if !ok {
		return err
	}
	if sv, err = s.surveys.Survey(ctx, viewer, id); err != nil {
		return err
	}
	data, err := s.surveyPageData(c, sv)
	if err != nil {
		return err
	}
	if sv.Status != model.StatusOpen {
		key = "survey.error.closed"
	}
	data.CanAnswer = data.CanAnswer || sv.Status == model.StatusOpen && status != fiber.StatusConflict
	data.Error, data.FieldErrors, data.Code, data.Values = key, fields, in.Code, answerValues(formValues(in.Answers))
	c.Status(status)
	return s.render(c, "survey", s.newPage(c, sv.Title, data))
}

// formProblem tells how the form shows a refused response: its status, the message's
// translation key and the field codes; ok is false for errors that are pages of their own.
func formProblem(err error) (status int, key string, fields map[string]string, ok bool) {
	var rl *council.RateLimited
	if errors.As(err, &rl) {
		return fiber.StatusTooManyRequests, "survey.error.rate_limited", map[string]string{}, true
	}
	ce, isCE := council.AsError(err)
	if !isCE {
		return 0, "", nil, false
	}
	fields = ce.FieldCodes
	if fields == nil {
		fields = map[string]string{}
	}
	switch ce.Code {
	case council.CodeValidation:
		return fiber.StatusUnprocessableEntity, "survey.error.fix", fields, true
	case council.CodeConflict:
		if fields["code"] == surveys.FieldUsed {
			return fiber.StatusConflict, "survey.error.used_code", fields, true
		}
		return fiber.StatusConflict, "survey.error.already", fields, true
	}
	return 0, "", nil, false
}

// formAnswers reads the answers of a posted form: qN holds an option's index, several for a
// multiple choice, a scale's value or the text. Whatever does not read as a number becomes
// -1, which the rules refuse as no option.
func formAnswers(c *fiber.Ctx, sv *model.Survey) []surveys.AnswerInput {
	var out []surveys.AnswerInput
	args := c.Request().PostArgs()
	for _, q := range sv.Questions {
		key := "q" + strconv.Itoa(q.ID)
		a := surveys.AnswerInput{Question: q.ID}
		switch q.Kind {
		case model.QuestionMultiple:
			for _, v := range args.PeekMulti(key) {
				a.Choices = append(a.Choices, number(string(v)))
			}
		case model.QuestionText:
			if v := string(args.Peek(key)); v != "" {
				a.Text = &v
			}
		default:
			if v := string(args.Peek(key)); v != "" {
				n := number(v)
				if q.Kind == model.QuestionScale {
					a.Value = &n
				} else {
					a.Choice = &n
				}
			}
		}
		out = append(out, a)
	}
	return out
}

func number(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1000 {
		return -1
	}
	return n
}

// formValues turns the answers as posted back into answers the form can show again.
func formValues(in []surveys.AnswerInput) []model.Answer {
	out := make([]model.Answer, 0, len(in))
	for _, a := range in {
		m := model.Answer{Question: a.Question, Choice: a.Choice, Choices: a.Choices, Value: a.Value}
		if a.Text != nil {
			m.Text = *a.Text
		}
		out = append(out, m)
	}
	return out
}
