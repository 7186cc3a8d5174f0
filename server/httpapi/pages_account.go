package httpapi

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/web"
)

func (s *Server) signInPage(c *fiber.Ctx) error {
	data := web.SigninData{Next: safeNext(c.Query("next"))}
	return s.render(c, "signin", s.newPage(c, s.t(c, "signin.title"), data))
}

// signInForm signs in from the page's form, so that signing in needs no script.
func (s *Server) signInForm(c *fiber.Ctx) error {
	email, next := c.FormValue("email"), safeNext(c.FormValue("next"))
	u, err := s.svc.Authenticate(c.UserContext(), email, c.FormValue("password"), c.IP())
	if err != nil {
		var rl *council.RateLimited
		data := web.SigninData{Email: email, Next: next, Error: "signin.failed"}
		switch {
		case errors.As(err, &rl):
			data.Error = "signin.throttled"
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(rl.RetryAfter.Seconds()+1)))
			c.Status(fiber.StatusTooManyRequests)
		case isCode(err, council.CodeUnauthenticated), isCode(err, council.CodeValidation):
			c.Status(fiber.StatusUnauthorized)
		default:
			return err
		}
		return s.render(c, "signin", s.newPage(c, s.t(c, "signin.title"), data))
	}
	if err := s.startPageSession(c, u); err != nil {
		return err
	}
	if next == "" {
		next = "/me?notice=signed_in"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// startPageSession signs the user in with the same cookie as the API's sign-in.
func (s *Server) startPageSession(c *fiber.Ctx, u *model.User) error {
	_, err := s.newSession(c, u)
	return err
}

func (s *Server) signOutForm(c *fiber.Ctx) error {
	if sess := s.session(c); sess != nil {
		if err := s.svc.EndSession(c.UserContext(), sess.Token); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect("/?notice=signed_out", fiber.StatusSeeOther)
}

// safeNext keeps a redirect target on this site: a path, never "//host" or a full URL.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

func (s *Server) invitationPage(c *fiber.Ctx) error {
	token := c.Params("token")
	inv, cn, err := s.svc.InvitationByToken(c.UserContext(), token)
	data := web.InvitationData{Token: token, Invitation: inv, Council: cn}
	title := s.t(c, "invitation.invalid_title")
	switch {
	case isCode(err, council.CodeNotFound):
		data.Invitation, data.Council = nil, nil
		c.Status(fiber.StatusNotFound)
	case err != nil:
		return err
	default:
		title = s.t(c, "invitation.title", cn.Name)
	}
	return s.render(c, "invitation", s.newPage(c, title, data))
}

// acceptInvitationForm creates the account (or joins an existing one), signs it in and goes
// to the council.
func (s *Server) acceptInvitationForm(c *fiber.Ctx) error {
	ctx, token := c.UserContext(), c.Params("token")
	inv, cn, err := s.svc.InvitationByToken(ctx, token)
	if err != nil {
		return err
	}
	u, err := s.svc.AcceptInvitation(ctx, token, c.FormValue("name"), c.FormValue("password"), c.IP())
	if err != nil {
		if !isCode(err, council.CodeValidation) && !isCode(err, council.CodeUnauthenticated) {
			return err
		}
		inv.Name = c.FormValue("name")
		data := web.InvitationData{Token: token, Invitation: inv, Council: cn, Error: "invitation.failed"}
		if ce, ok := council.AsError(err); ok && len(ce.FieldCodes) > 0 {
			data.FieldErrors = ce.FieldCodes
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "invitation", s.newPage(c, s.t(c, "invitation.title", cn.Name), data))
	}
	if err := s.startPageSession(c, u); err != nil {
		return err
	}
	return c.Redirect("/councils/"+url.PathEscape(cn.Slug)+"?notice=welcome", fiber.StatusSeeOther)
}

func (s *Server) mePage(c *fiber.Ctx) error {
	ctx, viewer := c.UserContext(), s.viewer(c)
	if viewer == nil {
		return council.Errorf(council.CodeUnauthenticated, "Sign in first.")
	}
	ms, err := s.svc.MyCouncils(ctx, viewer)
	if err != nil {
		return err
	}
	data := web.MeData{}
	for _, m := range ms {
		cn, err := s.svc.Council(ctx, strconv.FormatInt(m.CouncilID, 10))
		if err != nil {
			return err
		}
		data.Councils = append(data.Councils, web.MyCouncil{Council: *cn, Role: m.Role, Group: m.Group})
	}
	if data.Agenda, err = s.svc.Agenda(ctx, viewer); err != nil {
		return err
	}
	return s.render(c, "me", s.newPage(c, s.t(c, "me.title"), data))
}

func (s *Server) adminPage(c *fiber.Ctx) error {
	viewer := s.viewer(c)
	if viewer == nil {
		return council.Errorf(council.CodeUnauthenticated, "Sign in first.")
	}
	if !viewer.IsAdmin() {
		return council.Errorf(council.CodeForbidden, "Admins only.")
	}
	councils, err := s.svc.Councils(c.UserContext())
	if err != nil {
		return err
	}
	p := s.newPage(c, s.t(c, "admin.title"), web.AdminData{Councils: councils})
	p.Script = "admin"
	return s.render(c, "admin", p)
}
