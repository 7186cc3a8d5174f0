package signals

import (
	"context"
	"errors"
	"fmt"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Services lists the municipality's services by name: those offered, or (withArchived) all.
func (s *Service) Services(ctx context.Context, withArchived bool) ([]model.MunicipalService, error) {
	return s.st.Services(ctx, withArchived)
}

// ServiceInput is what an admin gives for a service; in an update, nil fields stay as they are.
type ServiceInput struct {
	Slug     string
	Name     *string
	Archived *bool
}

// CreateService adds a service to the ones signals may be about (site admins only).
func (s *Service) CreateService(ctx context.Context, actor *model.User, in ServiceInput) (*model.MunicipalService, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	sv := &model.MunicipalService{Slug: in.Slug}
	if in.Name != nil {
		sv.Name = *in.Name
	}
	if in.Archived != nil {
		sv.Archived = *in.Archived
	}
	v := council.Validation{}
	checkSlug(v, "slug", sv.Slug)
	checkText(v, "name", sv.Name, true, MaxTitle)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.st.CreateService(ctx, sv, s.now())
	if errors.Is(err, store.ErrConflict) {
		return nil, council.FieldError(council.CodeConflict, fmt.Sprintf("A service with the slug %s already exists.", sv.Slug),
			"slug", council.FieldTaken, "is taken")
	}
	return sv, err
}

// UpdateService renames a service or archives it (no longer offered in the form; the signals
// about it keep it) or brings it back (site admins only).
func (s *Service) UpdateService(ctx context.Context, actor *model.User, slug string, in ServiceInput) (*model.MunicipalService, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if !slugPattern.MatchString(slug) || len(slug) > MaxSlug {
		return nil, errNotFound
	}
	sv, err := s.st.ServiceBySlug(ctx, slug)
	if err != nil {
		return nil, translate(err)
	}
	if in.Name != nil {
		sv.Name = *in.Name
	}
	if in.Archived != nil {
		sv.Archived = *in.Archived
	}
	v := council.Validation{}
	checkText(v, "name", sv.Name, true, MaxTitle)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return sv, s.st.UpdateService(ctx, sv)
}
