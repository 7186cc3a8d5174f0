package httpapi

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/web"
)

// accountPages lists the pages of accounts, mail and notifications, one per line. Their forms
// post without scripts.
func (s *Server) accountPages(r fiber.Router) {
	r.Get("/reset", s.resetRequestPage)
	r.Post("/reset", s.sameOriginForm, s.resetRequestForm)
	r.Get("/reset/:token", s.resetPage)
	r.Post("/reset/:token", s.sameOriginForm, s.resetForm)
	r.Get("/me/account", s.accountPage)
	r.Post("/me/profile", s.sameOriginForm, s.profileForm)
	r.Post("/me/password", s.sameOriginForm, s.passwordForm)
	r.Post("/me/email", s.sameOriginForm, s.emailForm)
	r.Get("/me/email/:token", s.emailConfirmPage)
	r.Post("/me/email/:token", s.sameOriginForm, s.emailConfirmForm)
	r.Post("/me/sessions/:session_id/revoke", s.sameOriginForm, s.revokeSessionForm)
	r.Post("/me/erase", s.sameOriginForm, s.eraseForm)
	// The one-click unsubscribe of RFC 8058 is posted by mail providers, from no page at all:
	// the signed link is its only credential, and it can do nothing but stop a kind of mail.
	r.Get("/unsubscribe/:token", s.unsubscribePage)
	r.Post("/unsubscribe/:token", s.unsubscribeForm)
	r.Get("/privacy", s.privacyPage)
	r.Get("/councils/:slug/invitations", s.invitationsPage)
	r.Post("/invitations/:invitation_id/revoke", s.sameOriginForm, s.revokeInvitationForm)
	r.Post("/invitations/:invitation_id/resend", s.sameOriginForm, s.resendInvitationForm)
	r.Get("/admin/outbox", s.outboxPage)
}

// accountNotices are the messages a redirect of these pages may show (?notice=).
var accountNotices = map[string]string{
	"saved":            "account.saved",
	"password_changed": "account.password_changed",
	"email_sent":       "account.email_sent",
	"email_changed":    "account.email_changed",
	"session_ended":    "account.session_ended",
	"erased":           "account.erased",
	"password_reset":   "reset.done",
	"revoked":          "invitations.revoked",
}

func (s *Server) resetRequestPage(c *fiber.Ctx) error {
	return s.render(c, "reset", s.newPage(c, s.t(c, "reset.title"), web.ResetData{}))
}

// resetRequestForm asks for a reset link; the page answers the same whatever the address.
func (s *Server) resetRequestForm(c *fiber.Ctx) error {
	email := c.FormValue("email")
	data := web.ResetData{Email: email, Sent: true}
	err := s.svc.RequestPasswordReset(c.UserContext(), email, c.IP())
	var rl *council.RateLimited
	switch {
	case errors.As(err, &rl):
		data.Sent, data.Error = false, "reset.throttled"
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(rl.RetryAfter.Seconds()+1)))
		c.Status(fiber.StatusTooManyRequests)
	case err != nil:
		return err
	}
	return s.render(c, "reset", s.newPage(c, s.t(c, "reset.title"), data))
}

func (s *Server) resetPage(c *fiber.Ctx) error {
	token := c.Params("token")
	_, err := s.svc.PasswordResetUser(c.UserContext(), token)
	data := web.ResetData{Token: token, Valid: err == nil}
	title := s.t(c, "reset.choose_title")
	switch {
	case isCode(err, council.CodeNotFound):
		title = s.t(c, "reset.invalid_title")
		c.Status(fiber.StatusNotFound)
	case err != nil:
		return err
	}
	return s.render(c, "reset", s.newPage(c, title, data))
}

// resetForm sets the new password and signs the owner in at once, whatever the sign-in
// throttle says: the link is proof enough.
func (s *Server) resetForm(c *fiber.Ctx) error {
	token := c.Params("token")
	u, err := s.svc.ResetPassword(c.UserContext(), token, c.FormValue("password"), c.IP())
	if err != nil {
		data := web.ResetData{Token: token, Valid: true, Error: "reset.failed"}
		switch ce, ok := council.AsError(err); {
		case ok && ce.Code == council.CodeValidation:
			data.FieldErrors = ce.FieldCodes
			c.Status(fiber.StatusUnprocessableEntity)
		case ok && ce.Code == council.CodeNotFound:
			data.Valid, data.Error = false, ""
			c.Status(fiber.StatusNotFound)
		default:
			return err
		}
		return s.render(c, "reset", s.newPage(c, s.t(c, "reset.choose_title"), data))
	}
	if err := s.startPageSession(c, u); err != nil {
		return err
	}
	return c.Redirect("/me?notice=password_reset", fiber.StatusSeeOther)
}

func (s *Server) emailConfirmPage(c *fiber.Ctx) error {
	token := c.Params("token")
	email, err := s.svc.PendingEmailChange(c.UserContext(), token)
	switch {
	case isCode(err, council.CodeNotFound):
		c.Status(fiber.StatusNotFound)
	case err != nil:
		return err
	}
	return s.render(c, "email_confirm", s.newPage(c, s.t(c, "email_confirm.title"), web.EmailConfirmData{Token: token, Email: email}))
}

func (s *Server) emailConfirmForm(c *fiber.Ctx) error {
	_, err := s.svc.ConfirmEmailChange(c.UserContext(), c.Params("token"))
	if err != nil {
		if isCode(err, council.CodeNotFound) || isCode(err, council.CodeConflict) {
			c.Status(fiber.StatusConflict)
			if isCode(err, council.CodeNotFound) {
				c.Status(fiber.StatusNotFound)
			}
			return s.render(c, "email_confirm", s.newPage(c, s.t(c, "email_confirm.invalid_title"), web.EmailConfirmData{}))
		}
		return err
	}
	if s.viewer(c) != nil {
		return c.Redirect("/me/account?notice=email_changed", fiber.StatusSeeOther)
	}
	return c.Redirect("/signin?notice=email_changed", fiber.StatusSeeOther)
}

func (s *Server) unsubscribePage(c *fiber.Ctx) error {
	token := c.Params("token")
	kind, err := s.svc.CheckUnsubscribe(token)
	if err != nil {
		c.Status(fiber.StatusNotFound)
	}
	return s.render(c, "unsubscribe", s.newPage(c, s.t(c, "unsubscribe.title"), web.UnsubscribeData{Token: token, Kind: kind}))
}

// unsubscribeForm switches a kind of mail off: from the page's button, or as the one click a
// mail provider posts (List-Unsubscribe=One-Click), which reads the same page back.
func (s *Server) unsubscribeForm(c *fiber.Ctx) error {
	token := c.Params("token")
	kind, err := s.svc.Unsubscribe(c.UserContext(), token)
	switch {
	case isCode(err, council.CodeNotFound):
		c.Status(fiber.StatusNotFound)
	case err != nil:
		return err
	}
	return s.render(c, "unsubscribe", s.newPage(c, s.t(c, "unsubscribe.done_title"), web.UnsubscribeData{Token: token, Kind: kind, Done: err == nil}))
}

func (s *Server) privacyPage(c *fiber.Ctx) error {
	return s.render(c, "privacy", s.newPage(c, s.t(c, "privacy.title"), nil))
}
