package httpapi

import (
	"github.com/gofiber/fiber/v2"
)

func (s *Server) listRounds(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	rounds, total, err := s.svc.RoundsPage(c.UserContext(), s.viewer(c), cn.ID, page)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rounds": newRounds(rounds), "page": page, "total": total})
}

func (s *Server) createRound(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in roundBody
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.svc.CreateRound(c.UserContext(), u, cn.ID, in.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(roundAnswer(r))
}

func (s *Server) getRound(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	v, err := s.svc.RoundView(c.UserContext(), s.viewer(c), id, false)
	if err != nil {
		return err
	}
	return c.JSON(roundDetailAnswer(v))
}

func (s *Server) updateRound(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in roundBody
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.svc.UpdateRound(c.UserContext(), u, id, in.input())
	if err != nil {
		return err
	}
	return c.JSON(roundAnswer(r))
}

func (s *Server) openRound(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in openBody
	if len(c.Body()) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	r, err := s.svc.OpenRound(c.UserContext(), u, id, in.ClosesAt)
	if err != nil {
		return err
	}
	return c.JSON(roundAnswer(r))
}

func (s *Server) closeRound(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in closeBody
	if len(c.Body()) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	r, err := s.svc.CloseRound(c.UserContext(), u, id, in.OutcomeSummary)
	if err != nil {
		return err
	}
	return c.JSON(roundAnswer(r))
}

func (s *Server) getParticipation(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	p, err := s.svc.Participation(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return c.JSON(newParticipation(p))
}
