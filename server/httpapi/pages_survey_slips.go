package httpapi

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/web"
)

// MaxSlipsPerPage bounds one printable page of slips: each carries a QR code drawn in SVG,
// and a page of a thousand is already some 300 sheets of A4. The API hands out up to
// surveys.MaxCodesPerRequest codes at once for those who print them otherwise.
const MaxSlipsPerPage = 1000

// slipsPage asks how many slips to print, for whoever manages a survey of codes.
func (s *Server) slipsPage(c *fiber.Ctx) error {
	sv, err := s.slipSurvey(c)
	if err != nil {
		return err
	}
	d := web.SlipsData{Survey: *sv, Count: 50, Max: MaxSlipsPerPage, FieldErrors: map[string]string{}}
	return s.render(c, "survey_slips", s.newPage(c, s.t(c, "slips.title", sv.Title), d))
}

// slipsForm issues the codes and shows them as slips to print: each with its code and a QR
// code of the link that opens the survey with the code filled in. Only the codes' hashes are
// kept, so the page is shown once.
func (s *Server) slipsForm(c *fiber.Ctx) error {
	sv, err := s.slipSurvey(c)
	if err != nil {
		return err
	}
	d := web.SlipsData{Survey: *sv, Max: MaxSlipsPerPage, FieldErrors: map[string]string{}}
	n, err := strconv.Atoi(c.FormValue("count"))
	if err != nil || n < 1 || n > MaxSlipsPerPage {
		d.Count, d.FieldErrors["count"] = 50, council.FieldInvalid
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "survey_slips", s.newPage(c, s.t(c, "slips.title", sv.Title), d))
	}
	codes, err := s.surveys.IssueCodes(c.UserContext(), s.viewer(c), sv.ID, n)
	if err != nil {
		return err
	}
	p := s.newPage(c, s.t(c, "slips.title", sv.Title), nil)
	label := s.t(c, "slips.qr_label")
	for _, code := range codes {
		u := s.baseURL + "/surveys/" + strconv.FormatInt(sv.ID, 10) + "?code=" + code
		qr, err := web.QRCode(u, label)
		if err != nil {
			return err
		}
		d.Slips = append(d.Slips, web.Slip{Code: code, URL: u, QR: qr})
	}
	p.Data = d
	return s.render(c, "survey_slips", p)
}

// slipSurvey is the survey of codes whose slips the viewer may print.
func (s *Server) slipSurvey(c *fiber.Ctx) (*model.Survey, error) {
	id, err := pageID(c, "survey_id")
	if err != nil {
		return nil, err
	}
	ctx, viewer := c.UserContext(), s.viewer(c)
	if viewer == nil {
		return nil, errUnauthPage
	}
	sv, err := s.surveys.Survey(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	acc, err := s.surveys.AccessTo(ctx, viewer, sv)
	switch {
	case err != nil:
		return nil, err
	case !acc.Manage:
		return nil, council.Errorf(council.CodeForbidden, "Only the survey's creator or an admin may print its slips.")
	case sv.Audience != model.AudienceCodes || sv.Status == model.StatusClosed:
		return nil, council.Errorf(council.CodeNotFound, "This survey has no slips to print.")
	}
	return sv, nil
}
