package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// councilParam finds the council named by the :council path segment (id or slug).
func (s *Server) councilParam(c *fiber.Ctx) (*model.Council, error) {
	return s.svc.Council(c.UserContext(), c.Params("council"))
}

func (s *Server) listCouncils(c *fiber.Ctx) error {
	cs, err := s.svc.Councils(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"councils": newCouncils(cs)})
}

func (s *Server) createCouncil(c *fiber.Ctx) error {
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in councilBody
	if err := decode(c, &in); err != nil {
		return err
	}
	cn, err := s.svc.CreateCouncil(c.UserContext(), u, in.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newCouncil(cn))
}

func (s *Server) getCouncil(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	return c.JSON(newCouncil(cn))
}

func (s *Server) updateCouncil(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in councilUpdateBody
	if err := decode(c, &in); err != nil {
		return err
	}
	updated, err := s.svc.UpdateCouncil(c.UserContext(), u, cn.ID, in.input())
	if err != nil {
		return err
	}
	return c.JSON(newCouncil(updated))
}

func (s *Server) listMembers(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	ms, total, err := s.svc.MembersPage(c.UserContext(), s.viewer(c), cn.ID, page)
	if err != nil {
		return err
	}
	out := make([]memberJSON, len(ms))
	for i := range ms {
		out[i] = newMember(&ms[i])
	}
	return c.JSON(fiber.Map{"members": out, "page": page, "total": total})
}

func (s *Server) updateMember(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	userID, err := pathID(c, "user_id")
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in roleBody
	if err := decode(c, &in); err != nil {
		return err
	}
	m, err := s.svc.SetMemberRole(c.UserContext(), u, cn.ID, userID, in.Role)
	if err != nil {
		return err
	}
	return c.JSON(newMember(m))
}

func (s *Server) removeMember(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	userID, err := pathID(c, "user_id")
	if err != nil {
		return err
	}
	if err := s.svc.RemoveMember(c.UserContext(), s.viewer(c), cn.ID, userID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) invite(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in inviteBody
	if err := decode(c, &in); err != nil {
		return err
	}
	inv, token, err := s.svc.Invite(c.UserContext(), u, cn.ID, in.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"invitation_id": inv.ID, "token": token, "invite_url": s.svc.InviteURL(token), "expires_at": inv.ExpiresAt,
		"mail_status": optional(inv.MailStatus),
	})
}

func (s *Server) getInvitation(c *fiber.Ctx) error {
	inv, cn, err := s.svc.InvitationByToken(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"council": newCouncil(cn), "email": inv.Email, "name": inv.Name, "role": inv.Role,
		"group": inv.Group, "organisation": inv.Organisation, "expires_at": inv.ExpiresAt})
}

func (s *Server) acceptInvitation(c *fiber.Ctx) error {
	var in acceptBody
	if err := decode(c, &in); err != nil {
		return err
	}
	u, err := s.svc.AcceptInvitation(c.UserContext(), c.Params("token"), in.Name, in.Password, c.IP())
	if err != nil {
		return err
	}
	return s.startSession(c, u, fiber.StatusCreated)
}

// requireViewer answers 401 before a body is even read.
func (s *Server) requireViewer(c *fiber.Ctx) (*model.User, error) {
	u := s.viewer(c)
	if u == nil {
		return nil, council.Errorf(council.CodeUnauthenticated, "Sign in first.")
	}
	return u, nil
}
