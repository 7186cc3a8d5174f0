package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/realtime"
	"github.com/perushtitsa/council/server/council"
)

// liveAuth admits to the websocket, from our own origin, the council's members and admins, and,
// when the council's open rounds are public, anyone else as the public: read-only, given only
// the events anyone may read.
func (s *Server) liveAuth(c *fiber.Ctx) error {
	if s.live == nil {
		return council.Errorf(council.CodeUnavailable, "Live updates are not running.")
	}
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	u := s.viewer(c)
	st := council.Standing{}
	if u != nil {
		if st, err = s.svc.Standing(c.UserContext(), u, cn.ID); err != nil {
			return err
		}
	}
	switch {
	case st.CanSee:
	case cn.OpenRoundsPublic:
		c.Locals(realtime.LocalPublic, true)
	case u == nil:
		return council.Errorf(council.CodeUnauthenticated, "Sign in first.")
	default:
		return council.Errorf(council.CodeForbidden, "Only members of this council may follow it live.")
	}
	if !s.sameOrigin(c) {
		return council.Errorf(council.CodeForbidden, "Connections from another site are refused.")
	}
	c.Locals(realtime.LocalCouncilID, cn.ID)
	if u != nil {
		c.Locals(realtime.LocalUserID, u.ID)
		c.Locals(realtime.LocalSession, council.HashToken(s.session(c).Token))
	}
	return c.Next()
}

func (s *Server) liveHandler(c *fiber.Ctx) error {
	return s.liveH(c)
}
