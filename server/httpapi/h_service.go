package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// readyTimeout is how long /readyz waits for each dependency; they are asked at once, so the
// answer comes within it even when every one of them hangs.
const readyTimeout = 2 * time.Second

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 200 when the database (and the broker, where there is one) answer.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	checks := map[string]func(context.Context) error{"database": s.svc.Store().Ping}
	if s.live != nil {
		checks["broker"] = s.live.Ready
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	status, ready := fiber.Map{}, true
	for name, check := range checks {
		wg.Go(func() {
			err := check(ctx)
			mu.Lock()
			defer mu.Unlock()
			status[name] = "ok"
			if err != nil {
				status[name], ready = "unavailable", false
				s.log.Warn(name+" not ready", "err", err)
			}
		})
	}
	wg.Wait()
	if !ready {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"error": "unavailable", "message": "A dependency does not answer.", "checks": status})
	}
	return c.JSON(fiber.Map{"status": "ready", "checks": status})
}
