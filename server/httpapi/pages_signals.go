package httpapi

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/web"
)

// signalPages lists the pages of the accountability loop, one per line: the signal form and
// the sender's tracking page (both without scripts), the public register and analysis, the
// officers' desk, the decisions tracker with its follow-up form, and the admins' services and
// roles. Fixed paths come before the ones with a parameter.
func (s *Server) signalPages(r fiber.Router) {
	r.Get("/signals/new", s.signalFormPage)
	r.Post("/signals/new", s.sameOriginForm, s.signalForm)
	r.Get("/signals/track", s.trackFormPage)
	r.Get("/signals/track/:code", s.trackPage)
	r.Get("/signals/analysis", s.analysisPage)
	r.Get("/signals", s.registerPage)
	r.Get("/signals/:signal_id", s.publishedSignalPage)

	r.Get("/desk", s.deskPage)
	r.Get("/desk/signals/:signal_id", s.deskSignalPage)
	r.Post("/desk/signals/:signal_id/answer", s.sameOriginForm, s.deskAnswerForm)
	r.Post("/desk/signals/:signal_id/route", s.sameOriginForm, s.deskRouteForm)
	r.Post("/desk/signals/:signal_id/publish", s.sameOriginForm, s.deskPublishForm)

	r.Get("/decisions", s.decisionsPage)
	r.Get("/proposals/:proposal_id/follow-up", s.followUpPage)
	r.Post("/proposals/:proposal_id/follow-up", s.sameOriginForm, s.followUpForm)

	r.Get("/admin/services", s.servicesPage)
	r.Post("/admin/services", s.sameOriginForm, s.createServiceForm)
	r.Post("/admin/services/:slug", s.sameOriginForm, s.updateServiceForm)
	r.Get("/admin/users", s.usersPage)
	r.Post("/admin/users/:user_id/role", s.sameOriginForm, s.userRoleForm)
}

func (s *Server) signalFormPage(c *fiber.Ctx) error {
	in := web.SignalInput{Kind: c.Query("kind")}
	if v := s.viewer(c); v != nil {
		in.Name, in.Email = v.Name, v.Email
	}
	return s.renderSignalForm(c, web.SignalFormData{Input: in})
}

func (s *Server) renderSignalForm(c *fiber.Ctx, data web.SignalFormData) error {
	svs, err := s.sig.Services(c.UserContext(), false)
	if err != nil {
		return err
	}
	data.Services, data.Kinds = svs, model.SignalKinds
	return s.render(c, "signal_new", s.newPage(c, s.t(c, "signal.new.title"), data))
}

// signalForm receives the form posted without scripts and goes to the signal's tracking page;
// a refused signal shows the form again with what was typed and why.
func (s *Server) signalForm(c *fiber.Ctx) error {
	in := web.SignalInput{Kind: c.FormValue("kind"), Service: c.FormValue("service"), Title: c.FormValue("title"),
		Body: c.FormValue("body"), Name: c.FormValue("name"), Email: c.FormValue("email")}
	_, code, err := s.sig.Submit(c.UserContext(), s.viewer(c), signals.Input{Kind: in.Kind, Service: in.Service,
		Title: in.Title, Body: in.Body, Name: in.Name, Email: in.Email, Lang: s.lang(c)}, c.IP())
	if err == nil {
		return c.Redirect("/signals/track/"+code+"?sent=1", fiber.StatusSeeOther)
	}
	data := web.SignalFormData{Input: in}
	var rl *council.RateLimited
	switch {
	case errors.As(err, &rl):
		data.Error = "signal.new.throttled"
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(rl.RetryAfter.Seconds()))))
		c.Status(fiber.StatusTooManyRequests)
	case isCode(err, council.CodeValidation):
		data.Error, data.FieldErrors = "signal.new.failed", fieldCodes(err)
		c.Status(fiber.StatusUnprocessableEntity)
	default:
		return err
	}
	return s.renderSignalForm(c, data)
}

// fieldCodes are a validation error's field codes, for a page to show beside its fields.
func fieldCodes(err error) map[string]string {
	if ce, ok := council.AsError(err); ok {
		return ce.FieldCodes
	}
	return nil
}

func (s *Server) trackFormPage(c *fiber.Ctx) error {
	code := c.Query("code")
	if code == "" {
		return s.render(c, "signal_track", s.newPage(c, s.t(c, "signal.track.title"), web.TrackData{}))
	}
	if norm, ok := signals.NormaliseCode(code); ok {
		return c.Redirect("/signals/track/"+norm, fiber.StatusSeeOther)
	}
	return s.unknownCode(c, code)
}

func (s *Server) unknownCode(c *fiber.Ctx, code string) error {
	c.Status(fiber.StatusNotFound)
	return s.render(c, "signal_track", s.newPage(c, s.t(c, "signal.track.title"), web.TrackData{Code: code, Error: "signal.track.unknown"}))
}

func (s *Server) trackPage(c *fiber.Ctx) error {
	code := pathText(c, "code")
	t, err := s.sig.Track(c.UserContext(), code)
	if isCode(err, council.CodeNotFound) {
		return s.unknownCode(c, code)
	}
	if err != nil {
		return err
	}
	norm, _ := signals.NormaliseCode(code)
	p := s.newPage(c, s.t(c, "signal.track.title"), web.TrackData{Code: norm, Signal: t.Signal, History: t.History})
	if c.Query("sent") == "1" {
		p.Notice = "signal.sent"
	}
	return s.render(c, "signal_track", p)
}

func (s *Server) registerPage(c *fiber.Ctx) error {
	page := max(c.QueryInt("page", 1), 1)
	q := signals.RegisterQuery{Text: c.Query("q"), Kind: c.Query("kind"), Service: c.Query("service"), Page: page}
	list, total, err := s.sig.Register(c.UserContext(), q)
	if err != nil {
		return err
	}
	svs, err := s.sig.Services(c.UserContext(), true)
	if err != nil {
		return err
	}
	filters := url.Values{"q": {q.Text}, "kind": {q.Kind}, "service": {q.Service}}
	data := web.RegisterData{Q: q.Text, Kind: q.Kind, Service: q.Service, Kinds: model.SignalKinds, Services: svs,
		Signals: list, ListPage: listPage("/signals", filters, page, total)}
	return s.render(c, "signals", s.newPage(c, s.t(c, "register.title"), data))
}

// listPage pages a list whose filters are in the query string (empty ones left out).
func listPage(path string, filters url.Values, page, total int) web.ListPage {
	return listPageKey(path, filters, "page", page, total)
}

// pageValue is a page number as a query value, "" for the first page (left out of links).
func pageValue(page int) string {
	if page <= 1 {
		return ""
	}
	return strconv.Itoa(page)
}

// listPageKey pages a list whose page number is in the query parameter key.
func listPageKey(path string, filters url.Values, key string, page, total int) web.ListPage {
	pages := max(int(math.Ceil(float64(total)/float64(council.PageSize))), 1)
	lp := web.ListPage{Page: page, Pages: pages, Total: total}
	link := func(p int) string {
		v := url.Values{}
		for k, vs := range filters {
			if len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		v.Set(key, strconv.Itoa(p))
		return path + "?" + v.Encode()
	}
	if page > 1 {
		lp.PrevURL = link(min(page-1, pages))
	}
	if page < pages {
		lp.NextURL = link(page + 1)
	}
	return lp
}

func (s *Server) publishedSignalPage(c *fiber.Ctx) error {
	id, err := pageID(c, "signal_id")
	if err != nil {
		return err
	}
	sg, err := s.sig.Published(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.render(c, "signal", s.newPage(c, sg.Title, web.PublicSignalData{Signal: sg}))
}

// withFollowUps adds to a closed round's outcome page the follow-ups of its adopted
// proposals, and the link to post one for the municipality's staff.
func (s *Server) withFollowUps(c *fiber.Ctx, r *model.Round, data *web.RoundData) error {
	proposals := make([]model.Proposal, len(data.Proposals))
	for i := range data.Proposals {
		proposals[i] = data.Proposals[i].Proposal
	}
	fus, err := s.svc.RoundFollowUps(c.UserContext(), r, proposals)
	if err != nil {
		return err
	}
	for i := range data.Proposals {
		data.Proposals[i].FollowUps = fus[data.Proposals[i].ID]
	}
	data.CanFollowUp = s.viewer(c).IsStaff()
	return nil
}

// formBool reads a checkbox: present with "true" or "on" when ticked.
func formBool(c *fiber.Ctx, name string) bool {
	v := strings.ToLower(c.FormValue(name))
	return v == "true" || v == "on"
}
