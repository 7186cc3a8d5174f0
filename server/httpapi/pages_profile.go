package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/web"
)

// The viewer's account page and its forms: profile, password, address, sessions, erasure.

// accountPage shows the account; a form that failed shows it again with its errors (form
// names which one, err what went wrong, newEmail what was typed as the new address).
func (s *Server) accountPage(c *fiber.Ctx) error {
	return s.renderAccount(c, "", nil, "")
}

func (s *Server) renderAccount(c *fiber.Ctx, form string, formErr error, newEmail string) error {
	sess := s.session(c)
	if sess == nil {
		return errSignIn
	}
	sessions, err := s.svc.Sessions(c.UserContext(), sess.User)
	if err != nil {
		return err
	}
	data := web.AccountData{Sessions: sessions, CurrentSession: sess.ID, Notify: web.NotifyChoices(sess.User.Notify),
		Form: form, NewEmail: newEmail, MailEnabled: s.svc.MailEnabled()}
	if formErr != nil {
		data.Error = formErrors[form]
		if ce, ok := council.AsError(formErr); ok {
			data.FieldErrors = ce.FieldCodes
			c.Status(statusOf[ce.Code])
		}
	}
	return s.render(c, "account", s.newPage(c, s.t(c, "account.title"), data))
}

// formErrors is the message each account form shows above its fields when it fails.
var formErrors = map[string]string{
	"profile":  "account.failed",
	"password": "account.password_failed",
	"email":    "account.email_failed",
	"erase":    "account.erase_failed",
}

// formFailed shows the account page again with a form's errors when err is the person's to
// correct (a field, a wrong password); anything else goes to the error page.
func (s *Server) formFailed(c *fiber.Ctx, form string, err error, newEmail string) error {
	if isCode(err, council.CodeValidation) || isCode(err, council.CodeConflict) {
		return s.renderAccount(c, form, err, newEmail)
	}
	return err
}

func (s *Server) profileForm(c *fiber.Ctx) error {
	viewer, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	name, org, lang := c.FormValue("name"), c.FormValue("organisation"), c.FormValue("language")
	in := council.ProfileInput{Name: &name, Organisation: &org, Language: &lang, Notify: map[string]bool{}}
	for _, kind := range model.NotifyKinds {
		in.Notify[kind] = c.FormValue("notify_"+kind) != ""
	}
	u, err := s.svc.UpdateProfile(c.UserContext(), viewer, in)
	if err != nil {
		return s.formFailed(c, "profile", err, "")
	}
	s.setLangCookie(c, u.Language)
	return c.Redirect("/me/account?notice=saved", fiber.StatusSeeOther)
}

func (s *Server) passwordForm(c *fiber.Ctx) error {
	err := s.svc.ChangePassword(c.UserContext(), s.session(c), c.FormValue("current_password"), c.FormValue("new_password"), c.IP())
	if err != nil {
		return s.formFailed(c, "password", err, "")
	}
	return c.Redirect("/me/account?notice=password_changed", fiber.StatusSeeOther)
}

func (s *Server) emailForm(c *fiber.Ctx) error {
	email := c.FormValue("email")
	if err := s.svc.RequestEmailChange(c.UserContext(), s.session(c), email, c.FormValue("password"), c.IP()); err != nil {
		return s.formFailed(c, "email", err, email)
	}
	return c.Redirect("/me/account?notice=email_sent", fiber.StatusSeeOther)
}

func (s *Server) revokeSessionForm(c *fiber.Ctx) error {
	sess := s.session(c)
	if sess == nil {
		return errSignIn
	}
	id, err := pathID(c, "session_id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeSession(c.UserContext(), sess.User, id); err != nil {
		return err
	}
	if id == sess.ID {
		s.clearSessionCookie(c)
		return c.Redirect("/?notice=signed_out", fiber.StatusSeeOther)
	}
	return c.Redirect("/me/account?notice=session_ended", fiber.StatusSeeOther)
}

func (s *Server) eraseForm(c *fiber.Ctx) error {
	if err := s.svc.Erase(c.UserContext(), s.session(c), c.FormValue("password"), c.IP()); err != nil {
		return s.formFailed(c, "erase", err, "")
	}
	s.clearSessionCookie(c)
	return c.Redirect("/?notice=erased", fiber.StatusSeeOther)
}
