package httpapi

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 200 when the database (and the broker, where there is one) answer.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	checks := fiber.Map{"database": "ok"}
	ready := true
	if err := s.svc.Store().Ping(ctx); err != nil {
		checks["database"], ready = "unavailable", false
		s.log.Warn("database not ready", "err", err)
	}
	if s.live != nil {
		checks["broker"] = "ok"
		if err := s.live.Ready(ctx); err != nil {
			checks["broker"], ready = "unavailable", false
			s.log.Warn("broker not ready", "err", err)
		}
	}
	if !ready {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"error": "unavailable", "message": "A dependency does not answer.", "checks": checks})
	}
	return c.JSON(fiber.Map{"status": "ready", "checks": checks})
}
