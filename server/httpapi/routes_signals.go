package httpapi

import "github.com/gofiber/fiber/v2"

// signalRoutes lists the API of the accountability loop, one route per line: the
// municipality's services, residents' signals and officers' answers, the follow-up of adopted
// proposals and the site roles. Fixed paths come before the ones with a parameter.
func (s *Server) signalRoutes(api fiber.Router) {
	api.Get("/services", s.listServices)
	api.Post("/services", s.createService)
	api.Patch("/services/:slug", s.updateService)

	api.Post("/signals", s.submitSignal)
	api.Get("/signals", s.deskSignals)
	api.Get("/signals/public", s.registerSignals)
	api.Get("/signals/public/:signal_id", s.publishedSignal)
	api.Get("/signals/stats", s.signalStats)
	api.Get("/signals/stats.csv", s.signalStatsCSV)
	api.Get("/signals/stats.xlsx", s.signalStatsXLSX)
	api.Get("/signals/track/:code", s.trackSignal)
	api.Get("/signals/:signal_id", s.deskSignal)
	api.Post("/signals/:signal_id/answers", s.answerSignal)
	api.Post("/signals/:signal_id/route", s.routeSignal)
	api.Post("/signals/:signal_id/publish", s.publishSignal)

	api.Post("/proposals/:proposal_id/follow-ups", s.addFollowUp)
	api.Get("/proposals/:proposal_id/follow-ups", s.listFollowUps)
	api.Get("/follow-ups", s.listDecisions)

	api.Patch("/admin/users/:user_id", s.setUserRole)
}
