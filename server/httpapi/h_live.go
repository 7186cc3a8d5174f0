package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"council/realtime"
	"council/server/council"
)

// liveAuth admits to the websocket only the council's members and admins, from our own origin.
func (s *Server) liveAuth(c *fiber.Ctx) error {
	if s.live == nil {
		return council.Errorf(council.CodeUnavailable, "Live updates are not running.")
	}
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	u, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	st, err := s.svc.Standing(c.UserContext(), u, cn.ID)
	if err != nil {
		return err
	}
	if !st.CanSee {
		return council.Errorf(council.CodeForbidden, "Only members of this council may follow it live.")
	}
	if !s.sameOrigin(c) {
		return council.Errorf(council.CodeForbidden, "Connections from another site are refused.")
	}
	c.Locals(realtime.LocalCouncilID, cn.ID)
	c.Locals(realtime.LocalUserID, u.ID)
	c.Locals(realtime.LocalSession, council.HashToken(s.session(c).Token))
	return c.Next()
}

func (s *Server) liveHandler(c *fiber.Ctx) error {
	return s.liveH(c)
}
