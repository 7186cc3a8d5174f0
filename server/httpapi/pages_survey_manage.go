package httpapi

import (
	"context"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/surveys"
	"github.com/perushtitsa/council/web"
)

// The pages of those who write and run surveys, and the results page.

func (s *Server) newSurveyPage(c *fiber.Ctx) error {
	if s.viewer(c) == nil {
		return errUnauthPage
	}
	d := web.SurveyFormData{Audience: model.AudiencePublic, Results: model.ResultsAfterClose}
	return s.renderSurveyForm(c, d, 8)
}

var errUnauthPage = council.Errorf(council.CodeUnauthenticated, "Sign in first.")

func (s *Server) editSurveyPage(c *fiber.Ctx) error {
	id, err := pageID(c, "survey_id")
	if err != nil {
		return err
	}
	sv, err := s.surveys.Survey(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	d := web.SurveyFormData{Survey: sv, Title: sv.Title, Description: sv.Description, Audience: sv.Audience, Results: sv.Results}
	if sv.CouncilID != nil {
		d.CouncilID = *sv.CouncilID
	}
	if sv.ClosesAt != nil {
		d.ClosesAt = sv.ClosesAt.In(web.Sofia).Format("2006-01-02T15:04")
	}
	for _, q := range sv.Questions {
		d.Questions = append(d.Questions, web.QuestionForm{N: q.ID, Kind: q.Kind, Text: q.Text, Options: strings.Join(q.Options, "\n"), Required: q.Required})
	}
	return s.renderSurveyForm(c, d, len(sv.Questions)+3)
}

// renderSurveyForm fills the form's choices and pads its questions to slots.
func (s *Server) renderSurveyForm(c *fiber.Ctx, d web.SurveyFormData, slots int) error {
	d.Audiences, d.Kinds = model.Audiences, model.QuestionKinds
	if d.FieldErrors == nil {
		d.FieldErrors = map[string]string{}
	}
	for n := len(d.Questions) + 1; n <= min(slots, surveys.MaxQuestions); n++ {
		d.Questions = append(d.Questions, web.QuestionForm{N: n, Kind: model.QuestionSingle})
	}
	councils, err := s.svc.Councils(c.UserContext())
	if err != nil {
		return err
	}
	if viewer := s.viewer(c); !surveys.CanRunSurveys(viewer) {
		mine, err := s.svc.MyCouncils(c.UserContext(), viewer)
		if err != nil {
			return err
		}
		moderated := map[int64]bool{}
		for _, m := range mine {
			moderated[m.CouncilID] = m.Role == model.RoleModerator
		}
		councils = slicesFilter(councils, func(cn model.Council) bool { return moderated[cn.ID] })
	}
	d.Councils = councils
	title := s.t(c, "survey_form.new_title")
	if d.Survey != nil {
		title = s.t(c, "survey_form.edit_title")
	}
	return s.render(c, "survey_form", s.newPage(c, title, d))
}

func slicesFilter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// surveyForm reads the survey form: the fields, and each question slot with text.
func surveyForm(c *fiber.Ctx) (web.SurveyFormData, surveys.Input, map[string]string) {
	d := web.SurveyFormData{Title: c.FormValue("title"), Description: c.FormValue("description"),
		Audience: c.FormValue("audience"), Results: c.FormValue("results"), ClosesAt: c.FormValue("closes_at")}
	in := surveys.Input{Title: &d.Title, Description: &d.Description, Audience: &d.Audience, Results: &d.Results}
	problems := map[string]string{}
	if id, err := strconv.ParseInt(c.FormValue("council_id"), 10, 64); err == nil && id > 0 {
		d.CouncilID, in.CouncilID = id, &id
	}
	if d.ClosesAt != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", d.ClosesAt, web.Sofia)
		if err != nil {
			problems["closes_at"] = council.FieldInvalid
		} else {
			in.ClosesAt = &t
		}
	}
	var qs []surveys.QuestionInput
	for n := 1; n <= surveys.MaxQuestions && c.FormValue(fmt.Sprintf("q%d_kind", n)) != ""; n++ {
		q := web.QuestionForm{N: n, Kind: c.FormValue(fmt.Sprintf("q%d_kind", n)), Text: c.FormValue(fmt.Sprintf("q%d_text", n)),
			Options: c.FormValue(fmt.Sprintf("q%d_options", n)), Required: c.FormValue(fmt.Sprintf("q%d_required", n)) != ""}
		if strings.TrimSpace(q.Text) == "" {
			continue
		}
		q.N = len(qs) + 1
		d.Questions = append(d.Questions, q)
		qi := surveys.QuestionInput{Kind: q.Kind, Text: q.Text, Required: q.Required}
		if q.Kind == model.QuestionSingle || q.Kind == model.QuestionMultiple {
			for _, line := range strings.Split(q.Options, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					qi.Options = append(qi.Options, line)
				}
			}
		}
		qs = append(qs, qi)
	}
	in.Questions = &qs
	return d, in, problems
}

func (s *Server) createSurveyForm(c *fiber.Ctx) error {
	return s.saveSurveyForm(c, nil)
}

func (s *Server) updateSurveyForm(c *fiber.Ctx) error {
	id, err := pageID(c, "survey_id")
	if err != nil {
		return err
	}
	sv, err := s.surveys.Survey(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return s.saveSurveyForm(c, sv)
}

// saveSurveyForm creates a survey (sv nil) or changes a draft from the form, and goes to the
// survey's page; a refused form comes back with each problem beside its field.
func (s *Server) saveSurveyForm(c *fiber.Ctx, sv *model.Survey) error {
	viewer := s.viewer(c)
	if viewer == nil {
		return errUnauthPage
	}
	d, in, problems := surveyForm(c)
	d.Survey = sv
	var err error
	if len(problems) == 0 {
		if sv == nil {
			sv, err = s.surveys.Create(c.UserContext(), viewer, in)
		} else {
			sv, err = s.surveys.Update(c.UserContext(), viewer, sv.ID, in)
		}
		if err == nil {
			return c.Redirect("/surveys/"+strconv.FormatInt(sv.ID, 10), fiber.StatusSeeOther)
		}
		ce, ok := council.AsError(err)
		if !ok || ce.Code != council.CodeValidation {
			return err
		}
		problems = ce.FieldCodes
	}
	d.FieldErrors, d.Error = problems, "survey.error.fix"
	c.Status(fiber.StatusUnprocessableEntity)
	return s.renderSurveyForm(c, d, len(d.Questions)+3)
}

func (s *Server) openSurveyForm(c *fiber.Ctx) error  { return s.surveyFormAction(c, s.surveys.Open) }
func (s *Server) closeSurveyForm(c *fiber.Ctx) error { return s.surveyFormAction(c, s.surveys.Close) }

func (s *Server) surveyFormAction(c *fiber.Ctx, act func(ctx context.Context, u *model.User, id int64) (*model.Survey, error)) error {
	id, err := pageID(c, "survey_id")
	if err != nil {
		return err
	}
	if _, err := act(c.UserContext(), s.viewer(c), id); err != nil {
		return err
	}
	return c.Redirect("/surveys/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

func (s *Server) surveyResultsPage(c *fiber.Ctx) error {
	id, err := pageID(c, "survey_id")
	if err != nil {
		return err
	}
	ctx, viewer := c.UserContext(), s.viewer(c)
	sv, res, err := s.surveys.Results(ctx, viewer, id)
	if err != nil {
		return err
	}
	acc, err := s.surveys.AccessTo(ctx, viewer, sv)
	if err != nil {
		return err
	}
	p := s.newPage(c, s.t(c, "results.title", sv.Title), nil)
	base := "/api/v1/surveys/" + strconv.FormatInt(id, 10)
	d := web.SurveyResultsData{Survey: *sv, Results: *res, Moderate: acc.Moderate, Charts: map[int]template.HTML{}, Means: map[int]string{},
		CSVURL: base + "/results.csv?lang=" + p.Lang, XLSXURL: base + "/results.xlsx?lang=" + p.Lang,
		ResponsesURL: base + "/responses.csv?lang=" + p.Lang}
	for _, qr := range res.Questions {
		if qr.Mean != nil {
			d.Means[qr.Question.ID] = formatMean(*qr.Mean, p.Lang)
		}
		if len(qr.Options) == 0 {
			continue
		}
		ch := web.Chart{ID: fmt.Sprintf("chart-%d", qr.Question.ID), Title: s.t(c, "results.chart_title", qr.Question.ID, qr.Question.Text),
			Total: qr.Answered}
		for _, o := range qr.Options {
			ch.Bars = append(ch.Bars, web.Bar{Label: o.Label, Value: o.Count, Figure: fmt.Sprintf("%d · %s", o.Count, web.FormatShare(o.Share))})
		}
		d.Charts[qr.Question.ID] = web.BarChart(ch)
	}
	p.Data = d
	return s.render(c, "survey_results", p)
}

func (s *Server) hideSurveyTextForm(c *fiber.Ctx) error {
	id, err := pageID(c, "survey_id")
	if err != nil {
		return err
	}
	textID := c.Params("text_id")
	if err := s.surveys.HideText(c.UserContext(), s.viewer(c), id, textID, c.FormValue("reason")); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/surveys/%d/results#text-%s", id, textID), fiber.StatusSeeOther)
}

// formatMean writes a mean with two decimals, with a decimal comma in Bulgarian.
func formatMean(m float64, lang string) string {
	s := strconv.FormatFloat(m, 'f', 2, 64)
	if lang == "bg" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
