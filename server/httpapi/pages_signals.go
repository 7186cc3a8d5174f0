package httpapi

import "github.com/gofiber/fiber/v2"

func (s *Server) signalPages(r fiber.Router) {}
