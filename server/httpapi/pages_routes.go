package httpapi

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/perushtitsa/council/web"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere: the pages' scripts
// and styles are files under /static, and the live connection goes to the same origin.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// staticRoutes serves the pages' scripts, styles, images and icon, answering 404 itself for a file
// it lacks rather than passing the request on to the session and the pages.
func (s *Server) staticRoutes(r fiber.Router) {
	r.Use("/static", securityHeaders, filesystem.New(filesystem.Config{Root: http.FS(web.Static()), MaxAge: 300}), s.pageNotFound)
	r.Get("/favicon.ico", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "image/x-icon")
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.Send(web.Favicon())
	})
}

// pageRoutes lists every page, one per line; the JSON API is in routes.go.
func (s *Server) pageRoutes(r fiber.Router) {
	r.Use(securityHeaders)

	r.Get("/", s.homePage)
	r.Get("/outcomes", s.cachedOutcomesPage)
	r.Get("/outcomes.atom", s.outcomesFeed)
	r.Get("/councils/:slug", s.councilPage)
	r.Get("/rounds/:round_id", s.cachedRoundPage)
	r.Get("/topics/:topic_id", s.topicPage)
	r.Post("/proposals/:proposal_id/vote", s.sameOriginForm, s.votePage)

	r.Get("/signin", s.signInPage)
	r.Post("/signin", s.sameOriginForm, s.signInForm)
	r.Post("/signout", s.sameOriginForm, s.signOutForm)
	r.Get("/invitations/:token", s.invitationPage)
	r.Post("/invitations/:token", s.sameOriginForm, s.acceptInvitationForm)
	r.Get("/me", s.mePage)
	r.Get("/admin", s.adminPage)
	s.surveyPageRoutes(r)
	s.signalPages(r)
	s.accountPages(r)

	r.Use(s.pageNotFound)
}

// securityHeaders sets the Content-Security-Policy and the usual companions on every page.
func securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	return c.Next()
}
