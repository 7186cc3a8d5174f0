package httpapi

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

const (
	localUser    = "user"
	localSession = "session"
	localReqID   = "request_id"
)

// requestIDs tags each request with an id that logs and 5xx answers share.
func requestIDs(c *fiber.Ctx) error {
	id := council.RandomToken()[:16]
	c.Locals(localReqID, id)
	c.Set("X-Request-Id", id)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localReqID).(string)
	return id
}

// limitBody answers 413 too_large to a body over MaxBody, and 400 to a compressed one: Fiber's
// c.Body() would inflate it whole, with no limit, before any size is known, so a request of a
// few kilobytes (gzip inside gzip) could make the process allocate gigabytes.
func limitBody(c *fiber.Ctx) error {
	if encodedBody(c) {
		return council.Errorf(council.CodeBadRequest, "Request bodies must not be compressed (Content-Encoding).")
	}
	if len(c.Body()) > MaxBody {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

// encodedBody reports whether any Content-Encoding header names a coding other than identity
// (Fiber decodes by the last such header, so every one is looked at).
func encodedBody(c *fiber.Ctx) bool {
	encoded := false
	c.Request().Header.VisitAll(func(k, v []byte) {
		if !strings.EqualFold(string(k), fiber.HeaderContentEncoding) {
			return
		}
		for _, coding := range strings.Split(string(v), ",") {
			if s := strings.TrimSpace(coding); s != "" && !strings.EqualFold(s, "identity") {
				encoded = true
			}
		}
	})
	return encoded
}

// observe counts requests and their durations by route.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		if fe, ok := err.(*fiber.Error); ok {
			status = fe.Code
		}
	}
	// Fiber's strings point into buffers reused by later requests; the metric keeps its labels.
	method, route := utils.CopyString(c.Method()), utils.CopyString(c.Route().Path)
	s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(status/100)+"xx").Inc()
	s.metrics.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	return err
}

// withDeadline gives the request's context (c.UserContext(), which handlers pass to the
// service and the store) the request timeout, so that a database that does not answer ends
// the request with 503 instead of holding it. The deadline covers the handler's run: an
// answer's body is written after the handler returns, whatever its length, and a websocket
// serves on in its own connection, with the hub's own timeouts, once upgraded.
func (s *Server) withDeadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), s.timeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// loadSession finds the signed-in user from the session cookie, if any.
func (s *Server) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(SessionCookie)
	if token == "" {
		return c.Next()
	}
	sess, err := s.svc.SessionByToken(c.UserContext(), token)
	if err != nil {
		return err
	}
	if sess != nil {
		c.Locals(localSession, sess)
		c.Locals(localUser, sess.User)
	}
	return c.Next()
}

// checkCSRF refuses unsafe requests made with the session cookie that do not carry its token.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sess := s.session(c)
	if sess == nil {
		return c.Next()
	}
	given := c.Get("X-CSRF-Token")
	if given == "" && !strings.HasPrefix(c.Path(), "/api/") {
		// A page's form posted without scripts carries it in its body: never in the query
		// string, where it would leak into logs and Referer headers.
		given = string(c.Request().PostArgs().Peek("csrf_token"))
	}
	if subtle.ConstantTimeCompare([]byte(given), []byte(sess.CSRF)) != 1 {
		return errCSRF
	}
	return c.Next()
}

// checkOrigin refuses unsafe API requests that a browser sent from another site: without a
// session (signing in, accepting an invitation) the CSRF token cannot protect them, and a
// cross-site form could otherwise sign a visitor in to somebody else's account.
func (s *Server) checkOrigin(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if !s.sameOrigin(c) {
		return errForeignOrigin
	}
	return c.Next()
}

var (
	// errCSRF answers an unsafe request made with the session cookie but without its token.
	errCSRF = council.Errorf(council.CodeForbidden, "The request lacks a valid X-CSRF-Token header.")
	// errForeignOrigin answers an unsafe request that a browser sent from another site.
	errForeignOrigin = council.Errorf(council.CodeForbidden, "Requests from another site are refused.")
)

// apiHeaders marks every API answer as what it says it is and, for a signed-in viewer, keeps it
// out of shared and browser caches unless the handler said the answer is public.
func (s *Server) apiHeaders(c *fiber.Ctx) error {
	err := c.Next()
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	if s.viewer(c) != nil && len(c.Response().Header.Peek(fiber.HeaderCacheControl)) == 0 {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return err
}

func (s *Server) session(c *fiber.Ctx) *council.Session {
	sess, _ := c.Locals(localSession).(*council.Session)
	return sess
}

// viewer is the signed-in user, or nil.
func (s *Server) viewer(c *fiber.Ctx) *model.User {
	u, _ := c.Locals(localUser).(*model.User)
	return u
}

// csrf is the session's CSRF token, or "" when nobody is signed in.
func (s *Server) csrf(c *fiber.Ctx) string {
	if sess := s.session(c); sess != nil {
		return sess.CSRF
	}
	return ""
}

// isPage tells page requests (which get HTML errors) from API requests.
func isPage(c *fiber.Ctx) bool {
	p := c.Path()
	return !strings.HasPrefix(p, "/api/") && p != "/healthz" && p != "/readyz" && p != "/metrics"
}

// clearSessionCookie takes the session cookie back, with the attributes it was set with (a
// cookie cleared without its Path would stay for every page but the one that cleared it).
func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name:     SessionCookie,
		Value:    "",
		Path:     "/",
		Expires:  time.Unix(1, 0),
		MaxAge:   -1,
		HTTPOnly: true,
		Secure:   s.secure,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// setSessionCookie hands the browser its session.
func (s *Server) setSessionCookie(c *fiber.Ctx, token string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name:     SessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  expires,
		HTTPOnly: true,
		Secure:   s.secure,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}
