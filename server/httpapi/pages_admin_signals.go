package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/web"
)

// requireAdminPage answers 401 (sign in) or 403 to anyone but an admin.
func (s *Server) requireAdminPage(c *fiber.Ctx) (*model.User, error) {
	u := s.viewer(c)
	if u == nil {
		return nil, council.Errorf(council.CodeUnauthenticated, "Sign in first.")
	}
	if !u.IsAdmin() {
		return nil, council.Errorf(council.CodeForbidden, "Admins only.")
	}
	return u, nil
}

func (s *Server) servicesPage(c *fiber.Ctx) error {
	return s.renderServices(c, web.AdminServicesData{})
}

func (s *Server) renderServices(c *fiber.Ctx, data web.AdminServicesData) error {
	if _, err := s.requireAdminPage(c); err != nil {
		return err
	}
	svs, err := s.sig.Services(c.UserContext(), true)
	if err != nil {
		return err
	}
	data.Services = svs
	return s.render(c, "admin_services", s.newPage(c, s.t(c, "services.title"), data))
}

func (s *Server) createServiceForm(c *fiber.Ctx) error {
	u, err := s.requireAdminPage(c)
	if err != nil {
		return err
	}
	slug, name := c.FormValue("slug"), c.FormValue("name")
	_, err = s.sig.CreateService(c.UserContext(), u, signals.ServiceInput{Slug: slug, Name: &name})
	if isCode(err, council.CodeValidation) || isCode(err, council.CodeConflict) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderServices(c, web.AdminServicesData{Slug: slug, Name: name, Error: "services.failed", FieldErrors: fieldCodes(err)})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/services", fiber.StatusSeeOther)
}

func (s *Server) updateServiceForm(c *fiber.Ctx) error {
	u, err := s.requireAdminPage(c)
	if err != nil {
		return err
	}
	in := signals.ServiceInput{}
	if name := c.FormValue("name"); name != "" {
		in.Name = &name
	}
	if a := c.FormValue("archived"); a != "" {
		archived := a == "true"
		in.Archived = &archived
	}
	_, err = s.sig.UpdateService(c.UserContext(), u, c.Params("slug"), in)
	if isCode(err, council.CodeValidation) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderServices(c, web.AdminServicesData{Error: "services.failed"})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/services", fiber.StatusSeeOther)
}

func (s *Server) usersPage(c *fiber.Ctx) error {
	return s.renderUsers(c, web.AdminUsersData{})
}

func (s *Server) renderUsers(c *fiber.Ctx, data web.AdminUsersData) error {
	u, err := s.requireAdminPage(c)
	if err != nil {
		return err
	}
	page := max(c.QueryInt("page", 1), 1)
	var total int
	if data.Users, total, err = s.svc.UsersPage(c.UserContext(), u, page); err != nil {
		return err
	}
	data.ListPage = listPage("/admin/users", nil, page, total)
	data.ListPage.Chronological = true // by role, then name
	data.Roles = model.SiteRoles
	return s.render(c, "admin_users", s.newPage(c, s.t(c, "users.title"), data))
}

func (s *Server) userRoleForm(c *fiber.Ctx) error {
	u, err := s.requireAdminPage(c)
	if err != nil {
		return err
	}
	id, err := pageID(c, "user_id")
	if err != nil {
		return err
	}
	_, err = s.svc.SetSiteRole(c.UserContext(), u, id, c.FormValue("role"))
	if isCode(err, council.CodeConflict) {
		c.Status(fiber.StatusConflict)
		return s.renderUsers(c, web.AdminUsersData{Error: "users.last_admin"})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}
