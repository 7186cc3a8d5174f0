package httpapi

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// The agenda, personal data (export, erasure), invitations and the admins' views of the
// outbox and the users.

func (s *Server) agenda(c *fiber.Ctx) error {
	items, err := s.svc.Agenda(c.UserContext(), s.viewer(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rounds": newAgenda(items)})
}

func (s *Server) exportMe(c *fiber.Ctx) error {
	sess := s.session(c)
	if sess == nil {
		return errSignIn
	}
	d, err := s.svc.Export(c.UserContext(), sess.User)
	if err != nil {
		return err
	}
	if c.Query("download") == "1" {
		c.Attachment("council-personal-data.json")
	}
	return c.JSON(newExport(d, time.Now(), sess.ID))
}

func (s *Server) eraseMe(c *fiber.Ctx) error {
	var in passwordBody
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.svc.Erase(c.UserContext(), s.session(c), in.Password, c.IP()); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listInvitations(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	invs, err := s.svc.PendingInvitations(c.UserContext(), s.viewer(c), cn.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"invitations": newPendingInvitations(invs)})
}

func (s *Server) revokeInvitation(c *fiber.Ctx) error {
	id, err := pathID(c, "invitation_id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeInvitation(c.UserContext(), s.viewer(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) resendInvitation(c *fiber.Ctx) error {
	id, err := pathID(c, "invitation_id")
	if err != nil {
		return err
	}
	inv, token, err := s.svc.ResendInvitation(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{
		"invitation_id": inv.ID, "token": token, "invite_url": s.svc.InviteURL(token), "expires_at": inv.ExpiresAt,
		"mail_status": optional(inv.MailStatus),
	})
}

func (s *Server) adminOutbox(c *fiber.Ctx) error {
	mails, counts, err := s.svc.Outbox(c.UserContext(), s.viewer(c), c.Query("status"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"mails": newMails(mails), "counts": counts, "mail_enabled": s.svc.MailEnabled()})
}

func (s *Server) adminUsers(c *fiber.Ctx) error {
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	users, total, err := s.svc.UsersPage(c.UserContext(), s.viewer(c), page)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"users": newAdminUsers(users), "page": page, "total": total})
}
