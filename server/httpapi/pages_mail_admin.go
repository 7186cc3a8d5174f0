package httpapi

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/web"
)

// A council's pending invitations (its moderators), and the admins' outbox and users.

func (s *Server) invitationsPage(c *fiber.Ctx) error {
	return s.renderInvitations(c, c.Params("slug"), "")
}

func (s *Server) renderInvitations(c *fiber.Ctx, slug, newLink string) error {
	if _, err := s.requireViewer(c); err != nil {
		return err
	}
	cn, err := s.svc.Council(c.UserContext(), slug)
	if err != nil {
		return err
	}
	invs, err := s.svc.PendingInvitations(c.UserContext(), s.viewer(c), cn.ID)
	if err != nil {
		return err
	}
	data := web.InvitationsData{Council: cn, Invitations: invs, NewLink: newLink, MailEnabled: s.svc.MailEnabled()}
	return s.render(c, "invitations", s.newPage(c, s.t(c, "invitations.title"), data))
}

func (s *Server) revokeInvitationForm(c *fiber.Ctx) error {
	id, err := pathID(c, "invitation_id")
	if err != nil {
		return err
	}
	slug, err := s.invitationSlug(c, id)
	if err != nil {
		return err
	}
	if err := s.svc.RevokeInvitation(c.UserContext(), s.viewer(c), id); err != nil {
		return err
	}
	return c.Redirect("/councils/"+url.PathEscape(slug)+"/invitations?notice=revoked", fiber.StatusSeeOther)
}

// resendInvitationForm sends an invitation again and shows its new link on the list, for a
// moderator who hands links over by hand.
func (s *Server) resendInvitationForm(c *fiber.Ctx) error {
	id, err := pathID(c, "invitation_id")
	if err != nil {
		return err
	}
	slug, err := s.invitationSlug(c, id)
	if err != nil {
		return err
	}
	_, token, err := s.svc.ResendInvitation(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	return s.renderInvitations(c, slug, s.svc.InviteURL(token))
}

// invitationSlug finds the slug of the council an invitation a moderator acts on seats in.
func (s *Server) invitationSlug(c *fiber.Ctx, id int64) (string, error) {
	cn, err := s.svc.InvitationCouncil(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return "", err
	}
	return cn.Slug, nil
}

func (s *Server) outboxPage(c *fiber.Ctx) error {
	status := c.Query("status")
	mails, counts, err := s.svc.Outbox(c.UserContext(), s.viewer(c), status)
	if err != nil {
		return err
	}
	data := web.OutboxData{Status: status, Statuses: model.MailStatuses, Counts: counts, Enabled: s.svc.MailEnabled()}
	for _, n := range counts {
		data.Total += n
	}
	for _, m := range mails {
		data.Mails = append(data.Mails, web.OutboxMail{Mail: m, Body: s.svc.MailBody(m)})
	}
	return s.render(c, "admin_outbox", s.newPage(c, s.t(c, "outbox.title"), data))
}
