package httpapi

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
)

func (s *Server) listServices(c *fiber.Ctx) error {
	svs, err := s.sig.Services(c.UserContext(), false)
	if err != nil {
		return err
	}
	out := make([]serviceJSON, len(svs))
	for i := range svs {
		out[i] = newService(&svs[i])
	}
	return c.JSON(fiber.Map{"services": out})
}

func (s *Server) createService(c *fiber.Ctx) error {
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in serviceBody
	if err := decode(c, &in); err != nil {
		return err
	}
	sv, err := s.sig.CreateService(c.UserContext(), u, in.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newService(sv))
}

func (s *Server) updateService(c *fiber.Ctx) error {
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in serviceUpdateBody
	if err := decode(c, &in); err != nil {
		return err
	}
	sv, err := s.sig.UpdateService(c.UserContext(), u, c.Params("slug"), signals.ServiceInput{Name: in.Name, Archived: in.Archived})
	if err != nil {
		return err
	}
	return c.JSON(newService(sv))
}

func (s *Server) submitSignal(c *fiber.Ctx) error {
	var in signalBody
	if err := decode(c, &in); err != nil {
		return err
	}
	sg, code, err := s.sig.Submit(c.UserContext(), s.viewer(c), in.input(s.lang(c)), c.IP())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": sg.ID, "tracking_code": code, "status": sg.Status,
		"tracking_url": s.baseURL + "/signals/track/" + code})
}

// pathText is a path parameter as text: Fiber leaves it percent-encoded.
func pathText(c *fiber.Ctx, name string) string {
	v, err := url.PathUnescape(c.Params(name))
	if err != nil {
		return c.Params(name)
	}
	return v
}

func (s *Server) trackSignal(c *fiber.Ctx) error {
	t, err := s.sig.Track(c.UserContext(), pathText(c, "code"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(newTracked(t))
}

// requireStaff answers 401 or 403 before a body is read, for the officers' endpoints.
func (s *Server) requireStaff(c *fiber.Ctx) (*model.User, error) {
	u := s.viewer(c)
	return u, council.RequireStaff(u)
}

func (s *Server) deskSignals(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	page, err := queryInt(c, "page", 1)
	if err != nil {
		return err
	}
	list, total, err := s.sig.Desk(c.UserContext(), u, signals.DeskQuery{Status: c.Query("status"), Kind: c.Query("kind"),
		Service: c.Query("service"), Page: int(min(page, council.MaxPage+1))})
	if err != nil {
		return err
	}
	out := make([]deskSignalJSON, len(list))
	for i := range list {
		out[i] = newDeskSignal(&list[i])
	}
	return c.JSON(fiber.Map{"signals": out, "page": max(page, 1), "total": total})
}

func (s *Server) deskSignal(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "signal_id")
	if err != nil {
		return err
	}
	sg, err := s.sig.Signal(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	return c.JSON(newDeskSignal(sg))
}

func (s *Server) answerSignal(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "signal_id")
	if err != nil {
		return err
	}
	var in signalAnswerBody
	if err := decode(c, &in); err != nil {
		return err
	}
	a, err := s.sig.Answer(c.UserContext(), u, id, signals.AnswerInput{Body: in.Body, Status: in.Status, Public: in.Public})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newAnswer(a))
}

func (s *Server) routeSignal(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "signal_id")
	if err != nil {
		return err
	}
	var in routeBody
	if err := decode(c, &in); err != nil {
		return err
	}
	t, err := s.sig.Route(c.UserContext(), u, id, signals.RouteInput{CouncilID: in.CouncilID, RoundID: in.RoundID})
	if err != nil {
		return err
	}
	if t == nil { // no round yet: the topic waits for the council's next one
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"signal_id": id, "council_id": in.CouncilID, "state": "waiting"})
	}
	return c.Status(fiber.StatusCreated).JSON(newTopic(t))
}

func (s *Server) publishSignal(c *fiber.Ctx) error {
	u, err := s.requireStaff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "signal_id")
	if err != nil {
		return err
	}
	sg, err := s.sig.Publish(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	return c.JSON(newDeskSignal(sg))
}

func (s *Server) registerSignals(c *fiber.Ctx) error {
	page, err := queryInt(c, "page", 1)
	if err != nil {
		return err
	}
	list, total, err := s.sig.Register(c.UserContext(), signals.RegisterQuery{Text: c.Query("q"), Kind: c.Query("kind"),
		Service: c.Query("service"), Page: int(min(page, council.MaxPage+1))})
	if err != nil {
		return err
	}
	out := make([]publicSignalJSON, len(list))
	for i := range list {
		out[i] = newPublicSignal(&list[i])
	}
	return c.JSON(fiber.Map{"signals": out, "page": max(page, 1), "total": total})
}

func (s *Server) publishedSignal(c *fiber.Ctx) error {
	id, err := pathID(c, "signal_id")
	if err != nil {
		return err
	}
	sg, err := s.sig.Published(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(newPublicSignal(sg))
}
