package httpapi

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// sameOrigin reports whether a request comes from this site's own pages as far as the browser
// tells: the Origin header when there is one (the literal "null" of a sandboxed or privacy-
// stripped context is refused), else Sec-Fetch-Site, else the Referer. A request that carries
// none of them is not from a browser (curl, the load tools) and passes: a cross-site form or
// script always makes the browser send at least one. The one rule serves the API's unsafe
// methods, the pages' forms and the websocket upgrade.
func (s *Server) sameOrigin(c *fiber.Ctx) bool {
	if origin := c.Get(fiber.HeaderOrigin); origin != "" {
		return s.ourSite(c, origin)
	}
	switch c.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	if ref := c.Get(fiber.HeaderReferer); ref != "" {
		return s.ourSite(c, ref)
	}
	return true
}

// ourSite reports whether an origin or URL names this site: BASE_URL's host, or the host the
// request was sent to (as a trusted proxy forwards it).
func (s *Server) ourSite(c *fiber.Ctx, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if strings.EqualFold(u.Host, c.Hostname()) {
		return true
	}
	base, err := url.Parse(s.baseURL)
	return err == nil && base.Host != "" && strings.EqualFold(u.Host, base.Host)
}
