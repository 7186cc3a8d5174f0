package council

import (
	"context"
	"errors"
	"time"

	"github.com/perushtitsa/council/server/mail"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// mailInvitation writes the invitation's mail, in the transaction that creates (or renews) it,
// to the account the address belongs to (in its language, unless it switched invitations off)
// or to the address alone (in lang). The link is still handed to the moderator as before.
func (s *Service) mailInvitation(ctx context.Context, tx *store.Tx, inv *model.Invitation, token string, existing *model.User, lang string) error {
	if s.mail == nil {
		return nil
	}
	c, err := tx.Reader().CouncilByID(ctx, tx.CouncilID())
	if err != nil {
		return err
	}
	if existing != nil {
		lang = existing.Language
	}
	l := mail.Letter{Kind: model.MailInvitation, To: inv.Email, User: existing, Lang: lang, Link: s.InviteURL(token),
		Secret: true, InvitationID: &inv.ID, Data: map[string]string{
			"council": c.Name, "name": inv.Name, "role": s.mail.T(lang, "mail.role."+inv.Role),
			"expires": s.mail.When(lang, inv.ExpiresAt), "privacy": s.mail.URL("/privacy")}}
	if existing != nil {
		l.Data["name"] = existing.Name
	}
	inv.MailStatus, err = s.mail.Queue(ctx, tx, l)
	return err
}

// PendingInvitations lists a council's invitations that can still be accepted, with how their
// mails stand (council moderators and admins).
func (s *Service) PendingInvitations(ctx context.Context, viewer *model.User, councilID int64) ([]model.PendingInvitation, error) {
	a, err := s.accessTo(ctx, viewer, councilID)
	if err != nil {
		return nil, err
	}
	if err := a.requireModerator(); err != nil {
		return nil, err
	}
	return s.st.PendingInvitations(ctx, councilID, s.now())
}

// invitationCouncil finds the council of an invitation a moderator acts on; an unknown one is
// not found.
func (s *Service) invitationCouncil(ctx context.Context, actor *model.User, id int64) (int64, error) {
	councilID, err := s.st.InvitationCouncil(ctx, id)
	if err != nil {
		return 0, translate(err)
	}
	a, err := s.accessTo(ctx, actor, councilID)
	if err != nil {
		return 0, err
	}
	if !a.signedIn() {
		return 0, errUnauth
	}
	if !a.canModerate() {
		// Whether an invitation exists is the council's moderators' business alone.
		return 0, errNotFound
	}
	return councilID, nil
}

// RevokeInvitation makes a pending invitation's link stop working; a mail of it still waiting
// does not go.
func (s *Service) RevokeInvitation(ctx context.Context, actor *model.User, id int64) error {
	councilID, err := s.invitationCouncil(ctx, actor, id)
	if err != nil {
		return err
	}
	return s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if _, err := tx.PendingInvitation(ctx, id); err != nil {
			return err
		}
		if err := tx.DropInvitationMails(ctx, id, "the invitation was revoked"); err != nil {
			return err
		}
		return tx.EndInvitation(ctx, id)
	})
}

// ResendInvitation gives a pending invitation a new link, valid InvitationTTL from now, and
// mails it again; the old link stops working, and a mail of it still waiting does not go. It
// returns the invitation and its new token.
func (s *Service) ResendInvitation(ctx context.Context, actor *model.User, id int64) (*model.Invitation, string, error) {
	councilID, err := s.invitationCouncil(ctx, actor, id)
	if err != nil {
		return nil, "", err
	}
	token := RandomToken()
	var inv *model.Invitation
	err = s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if inv, err = tx.PendingInvitation(ctx, id); err != nil {
			return err
		}
		inv.ExpiresAt = tx.Now().Add(InvitationTTL).Truncate(time.Second)
		if err := tx.RenewInvitation(ctx, inv, HashToken(token)); err != nil {
			return err
		}
		if err := tx.DropInvitationMails(ctx, id, "sent again with a new link"); err != nil {
			return err
		}
		existing, err := tx.UserByEmail(ctx, inv.Email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		lang, err := tx.InvitationMailLang(ctx, inv.ID)
		if err != nil {
			return err
		}
		return s.mailInvitation(ctx, tx, inv, token, existing, lang)
	})
	if err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// InvitationCouncil returns the council of an invitation, to its moderators and admins.
func (s *Service) InvitationCouncil(ctx context.Context, viewer *model.User, id int64) (*model.Council, error) {
	councilID, err := s.invitationCouncil(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	c, err := s.st.Council(ctx, itoa(councilID))
	return c, translate(err)
}

// invitationLang is the language a new account made from an invitation starts with: that of
// the invitation's mail, which the moderator chose; Bulgarian when there was none.
func (s *Service) invitationLang(ctx context.Context, id int64) string {
	lang, err := s.st.InvitationMailLang(ctx, id)
	if err != nil {
		s.log.Warn("unable to read an invitation's language", "err", err)
	}
	if lang == "" {
		return "bg"
	}
	return lang
}
