package httpapi

import "github.com/gofiber/fiber/v2"

// accountRoutes lists the endpoints of accounts, mail and notifications, one per line.
func (s *Server) accountRoutes(api fiber.Router) {
	api.Post("/password-reset", s.requestPasswordReset)
	api.Post("/password-reset/:token", s.resetPassword)
	api.Put("/me/password", s.changePassword)
	api.Patch("/me", s.updateProfile)
	api.Delete("/me", s.eraseMe)
	api.Post("/me/email", s.requestEmailChange)
	api.Post("/me/email/:token", s.confirmEmailChange)
	api.Get("/me/sessions", s.listSessions)
	api.Delete("/me/sessions/:session_id", s.revokeSession)
	api.Get("/me/agenda", s.agenda)
	api.Get("/me/export", s.exportMe)

	api.Get("/councils/:council/invitations", s.listInvitations)
	api.Delete("/invitations/:invitation_id", s.revokeInvitation)
	api.Post("/invitations/:invitation_id/resend", s.resendInvitation)

	api.Get("/admin/outbox", s.adminOutbox)
	api.Get("/admin/users", s.adminUsers)
}
