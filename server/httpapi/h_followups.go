package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
)

func (s *Server) addFollowUp(c *fiber.Ctx) error {
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "proposal_id")
	if err != nil {
		return err
	}
	var in followUpBody
	if err := decode(c, &in); err != nil {
		return err
	}
	f, err := s.svc.AddFollowUp(c.UserContext(), u, id, in.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newFollowUp(f))
}

func (s *Server) listFollowUps(c *fiber.Ctx) error {
	id, err := pathID(c, "proposal_id")
	if err != nil {
		return err
	}
	fs, err := s.svc.FollowUps(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"follow_ups": newFollowUps(fs)})
}

func (s *Server) listDecisions(c *fiber.Ctx) error {
	q, err := s.decisionQuery(c)
	if err != nil {
		return err
	}
	ds, total, err := s.svc.Decisions(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := make([]decisionJSON, len(ds))
	for i := range ds {
		out[i] = newDecision(&ds[i])
	}
	return c.JSON(fiber.Map{"decisions": out, "page": max(q.Page, 1), "total": total})
}

// decisionQuery reads the tracker's filters: status, council (an id or a slug) and page.
func (s *Server) decisionQuery(c *fiber.Ctx) (council.DecisionQuery, error) {
	page, err := queryInt(c, "page", 1)
	if err != nil {
		return council.DecisionQuery{}, err
	}
	q := council.DecisionQuery{Status: c.Query("status"), Page: int(min(page, council.MaxPage+1))}
	if name := c.Query("council"); name != "" {
		cn, err := s.svc.Council(c.UserContext(), name)
		if err != nil {
			return q, err
		}
		q.CouncilID = cn.ID
	}
	return q, nil
}

func (s *Server) setUserRole(c *fiber.Ctx) error {
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "user_id")
	if err != nil {
		return err
	}
	var in siteRoleBody
	if err := decode(c, &in); err != nil {
		return err
	}
	target, err := s.svc.SetSiteRole(c.UserContext(), u, id, in.Role)
	if err != nil {
		return err
	}
	return c.JSON(newSiteUser(target))
}
