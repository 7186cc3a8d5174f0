package council

import (
	"context"
	"errors"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// requireAdmin answers 401 to the anonymous and 403 to anyone but a site admin.
func requireAdmin(actor *model.User) error {
	if actor == nil {
		return errUnauth
	}
	if !actor.IsAdmin() {
		return Errorf(CodeForbidden, "Only site administrators may do this.")
	}
	return nil
}

// RequireStaff answers 401 to the anonymous and 403 to anyone but an officer or an admin: the
// municipality's staff, who answer signals and post follow-ups.
func RequireStaff(actor *model.User) error {
	if actor == nil {
		return errUnauth
	}
	if !actor.IsStaff() {
		return Errorf(CodeForbidden, "Only the municipality's officers may do this.")
	}
	return nil
}

// SetSiteRole gives an account a site role (admin, officer or user); the last admin keeps
// theirs, so that the site is never left without one.
func (s *Service) SetSiteRole(ctx context.Context, actor *model.User, userID int64, role string) (*model.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if _, err := s.st.UserByID(ctx, userID); err != nil {
		return nil, translate(err)
	}
	v := Validation{}
	checkChoice(v, "role", role, model.SiteRoles...)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.st.SetSiteRole(ctx, userID, role)
	if errors.Is(err, store.ErrConflict) {
		return nil, FieldError(CodeConflict, "The site must keep at least one admin.", "role", FieldInvalid, "would leave no admin")
	}
	if err != nil {
		return nil, translate(err)
	}
	u, err := s.st.UserByID(ctx, userID)
	return u, translate(err)
}
