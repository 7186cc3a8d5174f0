package httpapi

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/surveys"
	"github.com/perushtitsa/council/web"
)

func (s *Server) listSurveys(c *fiber.Ctx) error {
	svs, err := s.surveys.Surveys(c.UserContext(), s.viewer(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"surveys": newSurveys(svs)})
}

func (s *Server) createSurvey(c *fiber.Ctx) error {
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in surveyBody
	if err := decode(c, &in); err != nil {
		return err
	}
	sv, err := s.surveys.Create(c.UserContext(), u, in.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newSurvey(sv))
}

func (s *Server) getSurvey(c *fiber.Ctx) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	sv, err := s.surveys.Survey(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return c.JSON(newSurvey(sv))
}

func (s *Server) updateSurvey(c *fiber.Ctx) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in surveyBody
	if err := decode(c, &in); err != nil {
		return err
	}
	sv, err := s.surveys.Update(c.UserContext(), u, id, in.input())
	if err != nil {
		return err
	}
	return c.JSON(newSurvey(sv))
}

func (s *Server) openSurvey(c *fiber.Ctx) error {
	return s.surveyAction(c, s.surveys.Open)
}

func (s *Server) closeSurvey(c *fiber.Ctx) error {
	return s.surveyAction(c, s.surveys.Close)
}

// surveyAction runs a change of state that takes no body.
func (s *Server) surveyAction(c *fiber.Ctx, act func(ctx context.Context, u *model.User, id int64) (*model.Survey, error)) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	sv, err := act(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	return c.JSON(newSurvey(sv))
}

func (s *Server) issueCodes(c *fiber.Ctx) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in codesBody
	if err := decode(c, &in); err != nil {
		return err
	}
	codes, err := s.surveys.IssueCodes(c.UserContext(), u, id, in.Count)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"codes": codes})
}

func (s *Server) respond(c *fiber.Ctx) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	var body responseBody
	if err := decode(c, &body); err != nil {
		return err
	}
	ctx, viewer := c.UserContext(), s.viewer(c)
	sv, err := s.surveys.Survey(ctx, viewer, id)
	if err != nil {
		return err
	}
	in := body.input()
	if in.Receipt == "" {
		in.Receipt = s.receipt(c, sv)
	}
	if sv.Audience == model.AudiencePublic {
		in.Browser, in.Address = s.browserToken(c), c.IP()
	}
	acc, err := s.surveys.Respond(ctx, viewer, id, in)
	if err != nil {
		return err
	}
	s.keepReceipt(c, sv, acc.Receipt)
	out := fiber.Map{}
	if acc.Receipt != "" {
		out["receipt"] = acc.Receipt
	}
	if acc.Replaced {
		out["replaced"] = true
		return c.JSON(out)
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) surveyResults(c *fiber.Ctx) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	sv, res, err := s.surveys.Results(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return c.JSON(newSurveyResults(sv, res))
}

func (s *Server) surveyResultsCSV(c *fiber.Ctx) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	_, res, err := s.surveys.Results(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	b, err := surveys.ResultsCSV(res, s.exportLabels(c))
	if err != nil {
		return err
	}
	return download(c, b, "text/csv; charset=utf-8", fmt.Sprintf("survey-%d-results.csv", id))
}

func (s *Server) surveyResponsesCSV(c *fiber.Ctx) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	sv, responses, err := s.surveys.ResponsesFor(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	b, err := surveys.ResponsesCSV(sv, responses, s.exportLabels(c))
	if err != nil {
		return err
	}
	return download(c, b, "text/csv; charset=utf-8", fmt.Sprintf("survey-%d-responses.csv", id))
}

func (s *Server) surveyResultsXLSX(c *fiber.Ctx) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	ctx, viewer := c.UserContext(), s.viewer(c)
	sv, res, err := s.surveys.Results(ctx, viewer, id)
	if err != nil {
		return err
	}
	_, responses, err := s.surveys.ResponsesFor(ctx, viewer, id)
	if err != nil {
		return err
	}
	b, err := surveys.ResultsXLSX(sv, res, responses, s.exportLabels(c))
	if err != nil {
		return err
	}
	return download(c, b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fmt.Sprintf("survey-%d-results.xlsx", id))
}

func download(c *fiber.Ctx, b []byte, contentType, name string) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(b)
}

// exportLabels are the downloads' words in the language ?lang= asks for (Bulgarian unless
// told otherwise).
func (s *Server) exportLabels(c *fiber.Ctx) surveys.Labels {
	lang, tr := web.Lang(c.Query("lang")), s.pages.Translator()
	t := func(key string) string { return tr.T(lang, "survey.export."+key) }
	l := surveys.Labels{Number: t("number"), Question: t("question"), Kind: t("kind"), Option: t("option"), Count: t("count"),
		Share: t("share"), Mean: t("mean"), Response: t("response"), Hidden: t("hidden"),
		ResultsSheet: t("results_sheet"), ResponsesSheet: t("responses_sheet"), Kinds: map[string]string{}}
	for _, k := range model.QuestionKinds {
		l.Kinds[k] = tr.T(lang, "survey.kind."+k)
	}
	return l
}

func (s *Server) hideSurveyText(c *fiber.Ctx) error {
	id, err := pathID(c, "survey_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in reasonBody
	if err := decode(c, &in); err != nil {
		return err
	}
	textID := c.Params("text_id")
	if err := s.surveys.HideText(c.UserContext(), u, id, textID, in.Reason); err != nil {
		return err
	}
	return c.JSON(textAnswerJSON{ID: textID, Hidden: true, HiddenReason: in.Reason})
}
