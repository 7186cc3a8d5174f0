package httpapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

func (s *Server) signIn(c *fiber.Ctx) error {
	var in signInBody
	if err := decode(c, &in); err != nil {
		return err
	}
	u, err := s.svc.Authenticate(c.UserContext(), in.Email, in.Password, c.IP())
	if err != nil {
		return err
	}
	return s.startSession(c, u, fiber.StatusOK)
}

// startSession signs the user in and answers {"user","csrf_token"}.
func (s *Server) startSession(c *fiber.Ctx, u *model.User, status int) error {
	sess, err := s.newSession(c, u)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(fiber.Map{"user": selfJSON(u), "csrf_token": sess.CSRF})
}

// newSession signs the user in with a fresh session cookie, ending the session the browser
// held before, if any: signing in again never leaves the old one valid.
func (s *Server) newSession(c *fiber.Ctx, u *model.User) (*council.Session, error) {
	if old := s.session(c); old != nil {
		if err := s.svc.EndSession(c.UserContext(), old.Token); err != nil {
			return nil, err
		}
	}
	sess, err := s.svc.StartSessionFrom(c.UserContext(), u, c.Get(fiber.HeaderUserAgent))
	if err != nil {
		return nil, err
	}
	s.setSessionCookie(c, sess.Token, time.Now().Add(council.SessionTTL))
	return sess, nil
}

func (s *Server) signOut(c *fiber.Ctx) error {
	sess := s.session(c)
	if sess == nil {
		return council.Errorf(council.CodeUnauthenticated, "You are not signed in.")
	}
	if err := s.svc.EndSession(c.UserContext(), sess.Token); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) me(c *fiber.Ctx) error {
	u := s.viewer(c)
	if u == nil {
		return council.Errorf(council.CodeUnauthenticated, "You are not signed in.")
	}
	ms, err := s.svc.MyCouncils(c.UserContext(), u)
	if err != nil {
		return err
	}
	out := make([]membershipJSON, len(ms))
	for i, m := range ms {
		out[i] = membershipJSON{CouncilID: m.CouncilID, Role: m.Role, Group: m.Group}
	}
	return c.JSON(fiber.Map{"user": selfJSON(u), "councils": out})
}
