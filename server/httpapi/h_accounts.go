package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
)

// Password reset, password change, profile and email change (docs/api.md, "Accounts").

func (s *Server) requestPasswordReset(c *fiber.Ctx) error {
	var in emailBody
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.svc.RequestPasswordReset(c.UserContext(), in.Email, c.IP()); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"message": "If the address has an account, a link to choose a new password is on its way."})
}

func (s *Server) resetPassword(c *fiber.Ctx) error {
	var in passwordBody
	if err := decode(c, &in); err != nil {
		return err
	}
	u, err := s.svc.ResetPassword(c.UserContext(), c.Params("token"), in.Password, c.IP())
	if err != nil {
		return err
	}
	return s.startSession(c, u, fiber.StatusOK)
}

func (s *Server) changePassword(c *fiber.Ctx) error {
	var in passwordChangeBody
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.svc.ChangePassword(c.UserContext(), s.session(c), in.CurrentPassword, in.NewPassword, c.IP()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) updateProfile(c *fiber.Ctx) error {
	viewer, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	var in profileBody
	if err := decode(c, &in); err != nil {
		return err
	}
	u, err := s.svc.UpdateProfile(c.UserContext(), viewer, in.input())
	if err != nil {
		return err
	}
	return c.JSON(selfJSON(u))
}

func (s *Server) requestEmailChange(c *fiber.Ctx) error {
	var in emailChangeBody
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.svc.RequestEmailChange(c.UserContext(), s.session(c), in.Email, in.Password, c.IP()); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"message": "A link to confirm the new address is on its way to it."})
}

func (s *Server) confirmEmailChange(c *fiber.Ctx) error {
	u, err := s.svc.ConfirmEmailChange(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"user": selfJSON(u)})
}

func (s *Server) listSessions(c *fiber.Ctx) error {
	sess := s.session(c)
	if sess == nil {
		return errSignIn
	}
	list, err := s.svc.Sessions(c.UserContext(), sess.User)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"sessions": newSessions(list, sess.ID)})
}

func (s *Server) revokeSession(c *fiber.Ctx) error {
	viewer, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "session_id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeSession(c.UserContext(), viewer, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

var errSignIn = council.Errorf(council.CodeUnauthenticated, "Sign in first.")
