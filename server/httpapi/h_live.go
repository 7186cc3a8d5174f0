package httpapi

import (
	"net/url"
	"strings"

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
	if !s.originAllowed(c) {
		return council.Errorf(council.CodeForbidden, "Connections from another site are refused.")
	}
	c.Locals(realtime.LocalCouncilID, cn.ID)
	c.Locals(realtime.LocalUserID, u.ID)
	return c.Next()
}

// originAllowed accepts a missing Origin (non-browser clients) or one whose host is this site's.
func (s *Server) originAllowed(c *fiber.Ctx) bool {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, c.Hostname()) {
		return true
	}
	if base, err := url.Parse(s.baseURL); err == nil && base.Host != "" && strings.EqualFold(u.Host, base.Host) {
		return true
	}
	return false
}

func (s *Server) liveHandler(c *fiber.Ctx) error {
	return s.liveH(c)
}
