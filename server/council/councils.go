package council

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"time"

	"council/server/store"
)

// Councils lists every council; anyone may read them.
func (s *Service) Councils(ctx context.Context) ([]Council, error) {
	return s.st.Councils(ctx)
}

// Council finds a council by id or slug.
func (s *Service) Council(ctx context.Context, idOrSlug string) (*Council, error) {
	if !slugPattern.MatchString(idOrSlug) {
		return nil, errNotFound // no id or slug looks otherwise (and the database need not see it)
	}
	c, err := s.st.Council(ctx, idOrSlug)
	return c, translate(err)
}

// CouncilInput is what an admin gives to create a council.
type CouncilInput struct {
	Slug         string `json:"slug"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Constituency string `json:"constituency"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// CreateCouncil creates a council (site admins only).
func (s *Service) CreateCouncil(ctx context.Context, actor *User, in CouncilInput) (*Council, error) {
	if actor == nil {
		return nil, errUnauth
	}
	if !actor.IsAdmin() {
		return nil, Errorf(CodeForbidden, "Only site administrators may create councils.")
	}
	v := Validation{}
	if !slugPattern.MatchString(in.Slug) || len(in.Slug) > 60 {
		v.Add("slug", "must be 1 to 60 lower-case letters, digits and single hyphens")
	}
	checkText(v, "name", in.Name, true, MaxTitle)
	checkText(v, "description", in.Description, false, MaxBody)
	switch in.Constituency {
	case "citizens", "ngos", "business", "mixed":
	default:
		v.Add("constituency", "must be citizens, ngos, business or mixed")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &Council{Slug: in.Slug, Name: in.Name, Description: in.Description, Constituency: in.Constituency}
	if err := s.st.CreateCouncil(ctx, c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, Errorf(CodeConflict, "The slug %q is taken.", in.Slug)
		}
		return nil, err
	}
	return c, nil
}

// Members lists a council's members (members and admins only). Emails are included only
// for moderators and admins.
func (s *Service) Members(ctx context.Context, viewer *User, councilID int64) ([]Member, error) {
	a, err := s.accessTo(ctx, viewer, councilID)
	if err != nil {
		return nil, err
	}
	if !a.signedIn() {
		return nil, errUnauth
	}
	if !a.canSee() {
		return nil, Errorf(CodeForbidden, "Only members of this council may see its members.")
	}
	members, err := s.st.Members(ctx, councilID)
	if err != nil {
		return nil, err
	}
	for i := range members {
		if !a.canModerate() && members[i].UserID != viewer.ID {
			members[i].Email = ""
		}
	}
	return members, nil
}

// Standing is where a viewer stands in one council.
type Standing struct {
	Member    bool // holds a seat
	Moderator bool // may moderate: a moderator's seat, or a site admin
	CanSee    bool // may see unpublished rounds and follow the council live: a seat, or a site admin
}

// Standing tells where the viewer stands in a council, in one look-up.
func (s *Service) Standing(ctx context.Context, viewer *User, councilID int64) (Standing, error) {
	a, err := s.accessTo(ctx, viewer, councilID)
	return Standing{Member: a.isMember(), Moderator: a.canModerate(), CanSee: a.canSee()}, err
}

// LiveStart is where a page's live connection starts: the council's last committed seq and
// the time of that event (zero when there is none yet), which together name the position so
// that a database restored behind it is noticed.
type LiveStart struct {
	Seq int64
	At  time.Time
}

// LiveStart reads where a page's live connection starts, for members and admins.
func (s *Service) LiveStart(ctx context.Context, viewer *User, councilID int64) (LiveStart, error) {
	a, err := s.accessTo(ctx, viewer, councilID)
	if err != nil {
		return LiveStart{}, err
	}
	if !a.canSee() {
		return LiveStart{}, errForbidden
	}
	seq, at, err := s.st.LastEvent(ctx, councilID)
	return LiveStart{Seq: seq, At: at}, translate(err)
}

// InviteInput is what a moderator gives to invite someone.
type InviteInput struct {
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Group        string `json:"group"`
	Organisation string `json:"organisation"`
}

// Invite creates a single-use invitation and returns it with its token (shown once).
func (s *Service) Invite(ctx context.Context, actor *User, councilID int64, in InviteInput) (*Invitation, string, error) {
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
	checkRole(v, in.Role)
	checkGroup(v, in.Group)
	checkText(v, "organisation", in.Organisation, false, MaxTitle)
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	token := RandomToken()
	inv := &Invitation{Email: in.Email, Name: in.Name, Role: in.Role, Group: in.Group, Organisation: in.Organisation,
		ExpiresAt: time.Now().UTC().Add(InvitationTTL).Truncate(time.Second)}
	err = s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if u, err := tx.UserByEmail(ctx, in.Email); err == nil {
			if _, err := tx.Membership(ctx, u.ID); err == nil {
				return Errorf(CodeConflict, "%s is already a member of this council.", in.Email)
			}
		}
		return tx.CreateInvitation(ctx, inv, HashToken(token), actor.ID)
	})
	if err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// InviteURL is the link that hands an invitation over.
func (s *Service) InviteURL(token string) string { return s.baseURL + "/invitations/" + token }

func checkRole(v Validation, role string) {
	if role != RoleMember && role != RoleModerator {
		v.Add("role", "must be member or moderator")
	}
}

func checkGroup(v Validation, group string) {
	if group != GroupCitizen && group != GroupNGO && group != GroupBusiness {
		v.Add("group", "must be citizen, ngo or business")
	}
}

// InvitationByToken finds an invitation that can still be accepted, with its council.
func (s *Service) InvitationByToken(ctx context.Context, token string) (*Invitation, *Council, error) {
	inv, err := s.st.InvitationByHash(ctx, HashToken(token))
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
// password), seats it in the council and uses the invitation up.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password, address string) (*User, error) {
	inv, _, err := s.InvitationByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	existing, err := s.st.UserByEmail(ctx, inv.Email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var user *User
	if existing != nil {
		// The same throttle as signing in: an invitation must not become a way to guess the
		// password of the account it names.
		err := s.checkPassword(ctx, existing, password, newAttempt(existing.Email, address))
		if ce, ok := AsError(err); ok && ce.Code == CodeUnauthenticated {
			return nil, Errorf(CodeUnauthenticated, "An account with this email exists; give its password to join.")
		}
		if err != nil {
			return nil, err
		}
		user = existing
	} else {
		v := Validation{}
		checkText(v, "name", name, true, MaxTitle)
		checkNewPassword(v, "password", password, inv.Email, name)
		if err := v.Err(); err != nil {
			return nil, err
		}
		hash, err := s.hashPassword(password)
		if err != nil {
			return nil, err
		}
		user = &User{Email: inv.Email, Name: name, Role: SiteUser, Organisation: inv.Organisation, PasswordHash: hash}
	}
	err = s.inCouncil(ctx, inv.CouncilID, func(tx *store.Tx) error {
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
			return Errorf(CodeConflict, "You are already a member of this council.")
		}
		if err != nil {
			return err
		}
		_, err = tx.Append(ctx, "member.joined", nil, actorOf(user), memberJoined(m))
		return err
	})
	if err != nil {
		return nil, err
	}
	return user, nil
}

// Evicts names the user an event takes out of its council (member.left), 0 for any other: their
// live connections to the council close before the event would reach them.
func Evicts(ev Event) int64 {
	if ev.Type != "member.left" {
		return 0
	}
	var left struct {
		UserID int64 `json:"user_id"`
	}
	if json.Unmarshal(ev.Data, &left) != nil {
		return 0
	}
	return left.UserID
}

func memberJoined(m *Member) map[string]any {
	return map[string]any{"user_id": m.UserID, "name": m.Name, "organisation": m.Organisation, "group": m.Group, "role": m.Role}
}

// SetMemberRole makes a member a moderator or back.
func (s *Service) SetMemberRole(ctx context.Context, actor *User, councilID, userID int64, role string) (*Member, error) {
	a, err := s.accessTo(ctx, actor, councilID)
	if err != nil {
		return nil, err
	}
	if err := a.requireModerator(); err != nil {
		return nil, err
	}
	v := Validation{}
	checkRole(v, role)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Member
	err = s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		m, err := tx.Membership(ctx, userID)
		if err != nil {
			return err
		}
		if m.Role == role {
			out = m
			return nil
		}
		if err := tx.SetMemberRole(ctx, userID, role); err != nil {
			return err
		}
		m.Role = role
		out = m
		_, err = tx.Append(ctx, "member.role_changed", nil, actorOf(actor), map[string]any{"user_id": userID, "role": role})
		return err
	})
	return out, err
}

// RemoveMember takes a member's seat away; the votes they cast stay counted.
func (s *Service) RemoveMember(ctx context.Context, actor *User, councilID, userID int64) error {
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
		_, err := tx.Append(ctx, "member.left", nil, actorOf(actor), map[string]any{"user_id": userID})
		return err
	})
}
