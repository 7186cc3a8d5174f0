package httpapi

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/web"
)

// deskNotices are what a desk page says after one of its forms succeeded (?done=…).
var deskNotices = map[string]string{
	"answered":  "desk.answered",
	"routed":    "desk.routed",
	"waiting":   "desk.route_waiting",
	"published": "desk.published_notice",
}

func (s *Server) deskPage(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	page := max(c.QueryInt("page", 1), 1)
	q := signals.DeskQuery{Status: c.Query("status"), Kind: c.Query("kind"), Service: c.Query("service"), Page: page}
	list, total, err := s.sig.Desk(c.UserContext(), u, q)
	if err != nil {
		return err
	}
	svs, err := s.sig.Services(c.UserContext(), true)
	if err != nil {
		return err
	}
	filters := url.Values{"status": {q.Status}, "kind": {q.Kind}, "service": {q.Service}}
	data := web.DeskData{Status: q.Status, Kind: q.Kind, Service: q.Service, Kinds: model.SignalKinds,
		Statuses: model.SignalStatuses, Services: svs, Signals: list, AnswerDays: s.sig.AnswerDays(), Overdue: map[int64]bool{},
		ListPage: listPage("/desk", filters, page, total)}
	for i := range list {
		data.Overdue[list[i].ID] = s.overdue(&list[i])
	}
	return s.render(c, "desk", s.newPage(c, s.t(c, "desk.title"), data))
}

// overdue tells whether a signal's time to answer has run out without an answer in substance.
func (s *Server) overdue(sg *model.Signal) bool {
	deadline := sg.CreatedAt.Add(time.Duration(s.sig.AnswerDays()) * 24 * time.Hour)
	return sg.FirstAnswerAt == nil && s.sig.Now().After(deadline)
}

func (s *Server) deskSignalPage(c *fiber.Ctx) error {
	return s.renderDeskSignal(c, web.DeskSignalData{Answer: web.AnswerInput{Status: model.SignalAnswered, Public: true}})
}

// renderDeskSignal shows one signal at the desk with data's form state (and its status, set
// by the caller when a form failed).
func (s *Server) renderDeskSignal(c *fiber.Ctx, data web.DeskSignalData) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pageID(c, "signal_id")
	if err != nil {
		return err
	}
	if data.Signal, err = s.sig.Signal(c.UserContext(), u, id); err != nil {
		return err
	}
	if data.Councils, err = s.svc.Councils(c.UserContext()); err != nil {
		return err
	}
	data.Statuses, data.AnswerDays, data.Overdue = model.AnswerStatuses, s.sig.AnswerDays(), s.overdue(data.Signal)
	p := s.newPage(c, data.Signal.Title, data)
	if n, ok := deskNotices[c.Query("done")]; ok {
		p.Notice = n
	}
	return s.render(c, "desk_signal", p)
}

func (s *Server) deskAnswerForm(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pageID(c, "signal_id")
	if err != nil {
		return err
	}
	in := web.AnswerInput{Body: c.FormValue("body"), Status: c.FormValue("status"), Public: formBool(c, "public")}
	_, err = s.sig.Answer(c.UserContext(), u, id, signals.AnswerInput{Body: in.Body, Status: in.Status, Public: in.Public})
	if isCode(err, council.CodeValidation) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderDeskSignal(c, web.DeskSignalData{Answer: in, Error: "desk.failed", FieldErrors: fieldCodes(err)})
	}
	if err != nil {
		return err
	}
	return c.Redirect(deskURL(id, "answered"), fiber.StatusSeeOther)
}

func deskURL(id int64, done string) string {
	return "/desk/signals/" + strconv.FormatInt(id, 10) + "?done=" + done
}

func (s *Server) deskRouteForm(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pageID(c, "signal_id")
	if err != nil {
		return err
	}
	councilID, _ := strconv.ParseInt(c.FormValue("council_id"), 10, 64)
	t, err := s.sig.Route(c.UserContext(), u, id, signals.RouteInput{CouncilID: councilID})
	if isCode(err, council.CodeConflict) || isCode(err, council.CodeValidation) {
		c.Status(fiber.StatusConflict)
		data := web.DeskSignalData{Answer: web.AnswerInput{Status: model.SignalAnswered, Public: true},
			Error: "desk.route_taken", FieldErrors: fieldCodes(err)}
		if isCode(err, council.CodeValidation) {
			c.Status(fiber.StatusUnprocessableEntity)
			data.Error = "desk.failed"
		}
		return s.renderDeskSignal(c, data)
	}
	if err != nil {
		return err
	}
	if t == nil {
		return c.Redirect(deskURL(id, "waiting"), fiber.StatusSeeOther)
	}
	return c.Redirect(deskURL(id, "routed"), fiber.StatusSeeOther)
}

func (s *Server) deskPublishForm(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pageID(c, "signal_id")
	if err != nil {
		return err
	}
	if _, err := s.sig.Publish(c.UserContext(), u, id); err != nil {
		return err
	}
	return c.Redirect(deskURL(id, "published"), fiber.StatusSeeOther)
}

func (s *Server) decisionsPage(c *fiber.Ctx) error {
	q, err := s.decisionQuery(c)
	if err != nil {
		return err
	}
	q.Page = max(q.Page, 1)
	ds, total, err := s.svc.Decisions(c.UserContext(), q)
	if err != nil {
		return err
	}
	councils, err := s.svc.Councils(c.UserContext())
	if err != nil {
		return err
	}
	filters := url.Values{"status": {q.Status}, "council": {c.Query("council")}}
	data := web.DecisionsData{Status: q.Status, Council: c.Query("council"), Councils: councils, Decisions: ds,
		Statuses: append([]string{model.AwaitingAnswer}, model.FollowUpStatuses...), ListPage: listPage("/decisions", filters, q.Page, total)}
	return s.render(c, "decisions", s.newPage(c, s.t(c, "decisions.title"), data))
}

func (s *Server) followUpPage(c *fiber.Ctx) error {
	return s.renderFollowUpForm(c, web.FollowUpFormData{Input: web.FollowUpInput{Status: model.FollowUpAccepted}})
}

func (s *Server) renderFollowUpForm(c *fiber.Ctx, data web.FollowUpFormData) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pageID(c, "proposal_id")
	if err != nil {
		return err
	}
	d, err := s.svc.ProposalDecision(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	data.Decision, data.Statuses = *d, model.FollowUpStatuses
	return s.render(c, "followup_new", s.newPage(c, s.t(c, "followup.new_title"), data))
}

func (s *Server) followUpForm(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pageID(c, "proposal_id")
	if err != nil {
		return err
	}
	in := web.FollowUpInput{Status: c.FormValue("status"), Body: c.FormValue("body"),
		ResponsibleUnit: c.FormValue("responsible_unit"), DueDate: c.FormValue("due_date")}
	f, err := s.svc.AddFollowUp(c.UserContext(), u, id, council.FollowUpInput{Status: in.Status, Body: in.Body,
		ResponsibleUnit: in.ResponsibleUnit, DueDate: in.DueDate})
	if isCode(err, council.CodeValidation) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderFollowUpForm(c, web.FollowUpFormData{Input: in, Error: "followup.failed", FieldErrors: fieldCodes(err)})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/rounds/"+strconv.FormatInt(f.RoundID, 10)+"#proposal-"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}
