package council

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Members lists a council's members (members and admins only). Emails are included only
// for moderators and admins, and for the viewer's own seat.
func (s *Service) Members(ctx context.Context, viewer *model.User, councilID int64) ([]model.Member, error) {
	a, err := s.seeMembers(ctx, viewer, councilID)
	if err != nil {
		return nil, err
	}
	members, err := s.st.Members(ctx, councilID)
	if err != nil {
		return nil, err
	}
	hideEmails(members, a, viewer)
	return members, nil
}

// MembersPage lists one page (from 1, PageSize members) of a council's members, moderators
// first, then by name, with how many there are in all; the same rights and emails as Members.
func (s *Service) MembersPage(ctx context.Context, viewer *model.User, councilID int64, page int) ([]model.Member, int, error) {
	a, err := s.seeMembers(ctx, viewer, councilID)
	if err != nil {
		return nil, 0, err
	}
	limit, offset := pageBounds(page)
	members, total, err := s.st.MembersPage(ctx, councilID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	hideEmails(members, a, viewer)
	return members, total, nil
}

// seeMembers checks that the viewer may see the council's members.
func (s *Service) seeMembers(ctx context.Context, viewer *model.User, councilID int64) (access, error) {
	a, err := s.accessTo(ctx, viewer, councilID)
	if err != nil {
		return a, err
	}
	if !a.signedIn() {
		return a, errUnauth
	}
	if !a.canSee() {
		return a, Errorf(CodeForbidden, "Only members of this council may see its members.")
	}
	return a, nil
}

// hideEmails leaves out the emails the viewer may not see: all but their own, unless they
// moderate the council.
func hideEmails(members []model.Member, a access, viewer *model.User) {
	for i := range members {
		if !a.canModerate() && members[i].UserID != viewer.ID {
			members[i].Email = ""
		}
	}
}

// InviteInput is what a moderator gives to invite someone.
type InviteInput struct {
	Email        string
	Name         string
	Role         string
	Group        string
	Organisation string
	Language     string // of the invitation's mail to someone without an account; "": Bulgarian
}

// InvitationTTL is how long an invitation can be accepted.
const InvitationTTL = 7 * 24 * time.Hour

// Invite creates a single-use invitation and returns it with its token (shown once).
func (s *Service) Invite(ctx context.Context, actor *model.User, councilID int64, in InviteInput) (*model.Invitation, string, error) {
	a, err := s.accessTo(ctx, actor, councilID)
	if err != nil {
		return nil, "", err
	}
	if err := a.requireModerator(); err != nil {
		return nil, "", err
	}
	in.Email = NormaliseEmail(in.Email)
	v := Validation{}
	checkEmail(v, "email", in.Email)
	checkText(v, "name", in.Name, true, MaxTitle)
	checkChoice(v, "role", in.Role, model.RoleMember, model.RoleModerator)
	checkChoice(v, "group", in.Group, model.Groups...)
	checkText(v, "organisation", in.Organisation, false, MaxTitle)
	if in.Language != "" {
		checkChoice(v, "language", in.Language, Languages...)
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	token := RandomToken()
	inv := &model.Invitation{Email: in.Email, Name: in.Name, Role: in.Role, Group: in.Group, Organisation: in.Organisation,
		ExpiresAt: s.now().UTC().Add(InvitationTTL).Truncate(time.Second)}
	err = s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if err := notArchived(tx); err != nil {
			return err
		}
		u, err := tx.UserByEmail(ctx, in.Email)
		if err == nil {
			if _, err := tx.Membership(ctx, u.ID); err == nil {
				return FieldError(CodeConflict, fmt.Sprintf("%s is already a member of this council.", in.Email), "email", FieldAlreadyMember, "is already a member")
			}
		}
		if err := tx.CreateInvitation(ctx, inv, HashToken(token), actor.ID); err != nil {
			return err
		}
		return s.mailInvitation(ctx, tx, inv, token, u, in.Language)
	})
	if err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// InviteURL is the link that hands an invitation over.
func (s *Service) InviteURL(token string) string { return s.baseURL + "/invitations/" + token }

// InvitationByToken finds an invitation that can still be accepted, with its council.
func (s *Service) InvitationByToken(ctx context.Context, token string) (*model.Invitation, *model.Council, error) {
	inv, err := s.st.InvitationByHash(ctx, HashToken(token), s.now())
	if err != nil {
		return nil, nil, translate(err)
	}
	c, err := s.st.Council(ctx, itoa(inv.CouncilID))
	if err != nil {
		return nil, nil, translate(err)
	}
	return inv, c, nil
}

// AcceptInvitation creates the account (or, where the email already has one, checks its
// password, throttled like a sign-in from address), seats it in the council and uses the
// invitation up.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password, address string) (*model.User, error) {
	inv, _, err := s.InvitationByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	user, err := s.invitee(ctx, inv, name, password, address)
	if err != nil {
		return nil, err
	}
	err = s.inCouncil(ctx, inv.CouncilID, func(tx *store.Tx) error {
		if err := notArchived(tx); err != nil {
			return err
		}
		if err := tx.UseInvitation(ctx, inv.ID); err != nil {
			return err
		}
		if user.ID == 0 {
			if err := tx.CreateUser(ctx, user); err != nil {
				return err
			}
		}
		m, err := tx.AddMember(ctx, user.ID, inv.Role, inv.Group)
		if errors.Is(err, store.ErrConflict) {
			return Conflict(ReasonAlreadyMember, "You are already a member of this council.")
		}
		if err != nil {
			return err
		}
		_, err = emit(ctx, tx, nil, user.Person(), events.NewJoined(m))
		return err
	})
	if err != nil {
		return nil, err
	}
	return user, nil
}

// invitee is the account an invitation seats: the existing one, once its password is given —
// an invitation must not become a way to guess the password of the account it names — or a
// new one, not yet stored.
func (s *Service) invitee(ctx context.Context, inv *model.Invitation, name, password, address string) (*model.User, error) {
	existing, err := s.st.UserByEmail(ctx, inv.Email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if existing != nil {
		err := s.checkPassword(ctx, existing, password, newAttempt(existing.Email, address))
		if ce, ok := AsError(err); ok && ce.Code == CodeUnauthenticated {
			return nil, Errorf(CodeUnauthenticated, "An account with this email exists; give its password to join.")
		}
		return existing, err
	}
	v := Validation{}
	checkName(v, "name", name)
	checkNewPassword(v, "password", password, inv.Email, name)
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return nil, err
	}
	return &model.User{Email: inv.Email, Name: name, Role: model.SiteUser, Organisation: inv.Organisation, PasswordHash: hash,
		Language: s.invitationLang(ctx, inv.ID)}, nil
}

// SetMemberRole makes a member a moderator or back.
func (s *Service) SetMemberRole(ctx context.Context, actor *model.User, councilID, userID int64, role string) (*model.Member, error) {
	a, err := s.accessTo(ctx, actor, councilID)
	if err != nil {
		return nil, err
	}
	if err := a.requireModerator(); err != nil {
		return nil, err
	}
	v := Validation{}
	checkChoice(v, "role", role, model.RoleMember, model.RoleModerator)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *model.Member
	err = s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		m, err := tx.Membership(ctx, userID)
		if err != nil {
			return err
		}
		out = m
		if m.Role == role {
			return nil
		}
		if err := tx.SetMemberRole(ctx, userID, role); err != nil {
			return err
		}
		m.Role = role
		_, err = emit(ctx, tx, nil, actor.Person(), events.RoleChanged{UserID: userID, Role: role})
		return err
	})
	return out, err
}

// RemoveMember takes a member's seat away; the votes they cast stay counted.
func (s *Service) RemoveMember(ctx context.Context, actor *model.User, councilID, userID int64) error {
	a, err := s.accessTo(ctx, actor, councilID)
	if err != nil {
		return err
	}
	if err := a.requireModerator(); err != nil {
		return err
	}
	return s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if _, err := tx.Membership(ctx, userID); err != nil {
			return err
		}
		if err := tx.RemoveMember(ctx, userID); err != nil {
			return err
		}
		_, err := emit(ctx, tx, nil, actor.Person(), events.Left{UserID: userID})
		return err
	})
}
