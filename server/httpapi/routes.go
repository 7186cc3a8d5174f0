package httpapi

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
)

// routes lists every route of the JSON API and the service endpoints, one per line. The
// service endpoints and the static files come before anything that reads the session, so
// they never wait for the database (/readyz asks it, within its own timeout).
func (s *Server) routes(app *fiber.App) {
	app.Use(recover.New(), requestIDs, s.observe, limitBody)
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())
	s.staticRoutes(app)

	app.Use("/api", s.apiHeaders)
	app.Use(s.withDeadline, s.loadSession, s.checkCSRF)
	api := app.Group("/api/v1", s.checkOrigin)
	api.Post("/session", s.signIn)
	api.Delete("/session", s.signOut)
	api.Get("/me", s.me)

	api.Get("/councils", s.listCouncils)
	api.Post("/councils", s.createCouncil)
	api.Get("/councils/:council", s.getCouncil)
	api.Patch("/councils/:council", s.updateCouncil)
	api.Get("/councils/:council/members", s.listMembers)
	api.Patch("/councils/:council/members/:user_id", s.updateMember)
	api.Delete("/councils/:council/members/:user_id", s.removeMember)
	api.Post("/councils/:council/invitations", s.invite)
	api.Get("/invitations/:token", s.getInvitation)
	api.Post("/invitations/:token/accept", s.acceptInvitation)

	api.Get("/councils/:council/rounds", s.listRounds)
	api.Post("/councils/:council/rounds", s.createRound)
	api.Get("/rounds/:round_id", s.getRound)
	api.Patch("/rounds/:round_id", s.updateRound)
	api.Post("/rounds/:round_id/open", s.openRound)
	api.Post("/rounds/:round_id/close", s.closeRound)
	api.Get("/rounds/:round_id/participation", s.getParticipation)

	api.Post("/rounds/:round_id/topics", s.createTopic)
	api.Get("/topics/:topic_id", s.getTopic)
	api.Post("/topics/:topic_id/posts", s.createPost)
	api.Patch("/posts/:post_id", s.editPost)
	api.Post("/posts/:post_id/hide", s.hidePost)
	api.Post("/posts/:post_id/unhide", s.unhidePost)
	api.Delete("/posts/:post_id", s.deletePost)
	api.Post("/preview", s.preview)

	api.Post("/rounds/:round_id/proposals", s.createProposal)
	api.Get("/proposals/:proposal_id", s.getProposal)
	api.Patch("/proposals/:proposal_id", s.editProposal)
	api.Delete("/proposals/:proposal_id", s.withdrawProposal)
	api.Put("/proposals/:proposal_id/vote", s.castVote)
	api.Delete("/proposals/:proposal_id/vote", s.withdrawVote)
	api.Get("/proposals/:proposal_id/votes", s.listVotes)

	api.Get("/councils/:council/events", s.listEvents)
	api.Get("/councils/:council/live", s.liveAuth, s.liveHandler)
	api.Get("/rounds/:round_id/record", s.getRecord)
	api.Get("/rounds/:round_id/record.csv", s.getRecordCSV)
	api.Get("/rounds/:round_id/record.xlsx", s.getRecordXLSX)
	api.Get("/outcomes", s.listOutcomes)
	s.surveyRoutes(api)
	s.signalRoutes(api)
	s.accountRoutes(api)
	api.Use(s.apiNotFound)

	s.pageRoutes(app)
}

func (s *Server) apiNotFound(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, "No such endpoint.")
}
