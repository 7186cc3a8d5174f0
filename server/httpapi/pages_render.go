package httpapi

import (
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/web"
)

// LangCookie remembers the language a visitor chose.
const LangCookie = "lang"

// lang picks the page language: ?lang= (remembered in a cookie), then the cookie, then the
// signed-in viewer's own language, then Bulgarian.
func (s *Server) lang(c *fiber.Ctx) string {
	if q := c.Query("lang"); q != "" {
		lang := web.Lang(q)
		s.setLangCookie(c, lang)
		return lang
	}
	if v := s.viewer(c); c.Cookies(LangCookie) == "" && v != nil {
		return web.Lang(v.Language)
	}
	return web.Lang(c.Cookies(LangCookie))
}

// setLangCookie remembers the language a visitor chose.
func (s *Server) setLangCookie(c *fiber.Ctx, lang string) {
	c.Cookie(&fiber.Cookie{Name: LangCookie, Value: lang, Path: "/", Expires: time.Now().AddDate(1, 0, 0),
		SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure})
}

// newPage starts a page's frame for the current request.
func (s *Server) newPage(c *fiber.Ctx, title string, data any) *web.Page {
	lang := s.lang(c)
	return &web.Page{
		Lang:    lang,
		Title:   title,
		Path:    c.Path(),
		LangURL: langURL(c, web.OtherLang(lang)),
		Viewer:  s.viewer(c),
		CSRF:    s.csrf(c),
		Notice:  noticeKey(c.Query("notice")),
		Data:    data,
	}
}

// langURL is the request's path and query with lang set: the language switch keeps what the
// page shows (a search, a reply being written).
func langURL(c *fiber.Ctx, lang string) string {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		q = url.Values{}
	}
	q.Del("notice") // a one-time message is not shown again
	q.Set("lang", lang)
	return (&url.URL{Path: c.Path(), RawQuery: q.Encode()}).RequestURI()
}

// noticeKey lets a redirect show one of a few fixed messages, never arbitrary text.
func noticeKey(n string) string {
	switch n {
	case "signed_in":
		return "signin.welcome"
	case "signed_out":
		return "signin.signed_out"
	case "welcome":
		return "invitation.welcome"
	}
	return accountNotices[n]
}

// t translates key into the page's language, for titles built in Go.
func (s *Server) t(c *fiber.Ctx, key string, args ...any) string {
	return s.pages.Translator().T(s.lang(c), key, args...)
}

// render writes a page with status 200 unless one was set.
func (s *Server) render(c *fiber.Ctx, name string, p *web.Page) error {
	c.Type("html", "utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Vary(fiber.HeaderCookie)
	return s.pages.Render(c.Response().BodyWriter(), name, p)
}

// renderErrorPage answers a page request that failed, in the visitor's language. A page that
// needs a session sends an anonymous visitor to sign in first.
func (s *Server) renderErrorPage(c *fiber.Ctx, status int, cause error) error {
	if (status == fiber.StatusUnauthorized || status == fiber.StatusForbidden) && s.viewer(c) == nil && c.Method() == fiber.MethodGet {
		return c.Redirect("/signin?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	shown, message := status, "error.internal"
	switch {
	case status == fiber.StatusNotFound:
		message = "error.not_found"
	case status == fiber.StatusForbidden || status == fiber.StatusUnauthorized:
		shown, message = fiber.StatusForbidden, "error.forbidden"
		if errors.Is(cause, errCSRF) {
			message = "error.csrf"
		}
	case status < 500:
		shown, message = fiber.StatusBadRequest, "error.bad_request"
	case status == fiber.StatusServiceUnavailable:
		message = "error.unavailable"
	default:
		shown = fiber.StatusInternalServerError
	}
	p := s.newPage(c, s.t(c, "errorpage.title_"+strconv.Itoa(shown)), web.ErrorData{Status: shown, Message: message})
	c.Status(status)
	return s.render(c, "error", p)
}

var errNotFoundPage = council.Errorf(council.CodeNotFound, "No such page.")

func (s *Server) pageNotFound(c *fiber.Ctx) error {
	return s.renderErrorPage(c, fiber.StatusNotFound, errNotFoundPage)
}

// sameOriginForm refuses a form posted from another site. Signed-in forms also carry the CSRF
// token (checked by checkCSRF); this guards the forms used before there is a session (signing
// in, accepting an invitation), which a cross-site form could otherwise use to sign a visitor
// in to somebody else's account.
func (s *Server) sameOriginForm(c *fiber.Ctx) error {
	if !s.sameOrigin(c) {
		return errForeignOrigin
	}
	return c.Next()
}

// isCode reports whether err is a domain error with code.
func isCode(err error, code string) bool {
	var ce *council.Error
	return errors.As(err, &ce) && ce.Code == code
}
