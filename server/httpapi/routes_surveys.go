package httpapi

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// surveyRoutes lists the survey endpoints of the JSON API, one per line.
func (s *Server) surveyRoutes(api fiber.Router) {
	api.Get("/surveys", s.listSurveys)
	api.Post("/surveys", s.createSurvey)
	api.Get("/surveys/:survey_id", s.getSurvey)
	api.Patch("/surveys/:survey_id", s.updateSurvey)
	api.Post("/surveys/:survey_id/open", s.openSurvey)
	api.Post("/surveys/:survey_id/close", s.closeSurvey)
	api.Post("/surveys/:survey_id/codes", s.issueCodes)
	api.Post("/surveys/:survey_id/responses", s.respond)
	api.Get("/surveys/:survey_id/results", s.surveyResults)
	api.Get("/surveys/:survey_id/results.csv", s.surveyResultsCSV)
	api.Get("/surveys/:survey_id/results.xlsx", s.surveyResultsXLSX)
	api.Get("/surveys/:survey_id/responses.csv", s.surveyResponsesCSV)
	api.Post("/surveys/:survey_id/texts/:text_id/hide", s.hideSurveyText)
}

// BrowserCookie names the cookie that tells one browser from another for public surveys: a
// random token, which each survey keeps only hashed with its own id.
const BrowserCookie = "council_browser"

// browserToken is the browser's token, given to it now if it has none.
func (s *Server) browserToken(c *fiber.Ctx) string {
	if t := c.Cookies(BrowserCookie); len(t) >= 32 && len(t) <= 64 {
		return t
	}
	t := council.RandomToken()
	c.Cookie(&fiber.Cookie{Name: BrowserCookie, Value: t, Path: "/", Expires: time.Now().AddDate(1, 0, 0),
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode})
	return t
}

// receiptCookie names the cookie that keeps a member's receipt for one survey in the browser
// they answered in, so that they may change their answers there until the close.
func receiptCookie(surveyID, userID int64) string {
	return "council_receipt_" + strconv.FormatInt(surveyID, 10) + "_" + strconv.FormatInt(userID, 10)
}

// receipt is the member's receipt for the survey kept in this browser, if any.
func (s *Server) receipt(c *fiber.Ctx, sv *model.Survey) string {
	u := s.viewer(c)
	if u == nil || sv.Audience != model.AudienceCouncil {
		return ""
	}
	return c.Cookies(receiptCookie(sv.ID, u.ID))
}

// keepReceipt gives the browser the member's receipt, until a little after the survey may
// close (a year when it has no closing time).
func (s *Server) keepReceipt(c *fiber.Ctx, sv *model.Survey, receipt string) {
	u := s.viewer(c)
	if u == nil || receipt == "" {
		return
	}
	expires := time.Now().AddDate(1, 0, 0)
	if sv.ClosesAt != nil {
		expires = sv.ClosesAt.Add(24 * time.Hour)
	}
	c.Cookie(&fiber.Cookie{Name: receiptCookie(sv.ID, u.ID), Value: receipt, Path: "/", Expires: expires,
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode})
}
