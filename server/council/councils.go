package council

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"council/server/model"
	"council/server/store"
)

// Councils lists every council; anyone may read them.
func (s *Service) Councils(ctx context.Context) ([]model.Council, error) {
	return s.st.Councils(ctx)
}

// Council finds a council by id or slug.
func (s *Service) Council(ctx context.Context, idOrSlug string) (*model.Council, error) {
	if !slugPattern.MatchString(idOrSlug) {
		return nil, errNotFound // no id or slug looks otherwise (and the database need not see it)
	}
	c, err := s.st.Council(ctx, idOrSlug)
	return c, translate(err)
}

// CouncilInput is what an admin gives to create a council.
type CouncilInput struct {
	Slug         string
	Name         string
	Description  string
	Constituency string
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// CreateCouncil creates a council (site admins only).
func (s *Service) CreateCouncil(ctx context.Context, actor *model.User, in CouncilInput) (*model.Council, error) {
	if actor == nil {
		return nil, errUnauth
	}
	if !actor.IsAdmin() {
		return nil, Errorf(CodeForbidden, "Only site administrators may create councils.")
	}
	v := Validation{}
	switch {
	case in.Slug == "":
		v.Add("slug", FieldRequired, "must not be empty")
	case len(in.Slug) > 60:
		v.Add("slug", FieldTooLong, "must be at most 60 characters")
	case !slugPattern.MatchString(in.Slug):
		v.Add("slug", FieldInvalid, "must be lower-case letters, digits and single hyphens")
	}
	checkText(v, "name", in.Name, true, MaxTitle)
	checkText(v, "description", in.Description, false, MaxBody)
	checkChoice(v, "constituency", in.Constituency, model.Constituencies...)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &model.Council{Slug: in.Slug, Name: in.Name, Description: in.Description, Constituency: in.Constituency}
	if err := s.st.CreateCouncil(ctx, c, s.now()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, FieldError(CodeConflict, fmt.Sprintf("The slug %q is taken by another council.", in.Slug), "slug", FieldTaken, "is taken")
		}
		return nil, err
	}
	return c, nil
}

// Standing is where a viewer stands in one council.
type Standing struct {
	Member    bool // holds a seat
	Moderator bool // may moderate: a moderator's seat, or a site admin
	CanSee    bool // may see unpublished rounds and follow the council live: a seat, or a site admin
}

// Standing tells where the viewer stands in a council, in one look-up.
func (s *Service) Standing(ctx context.Context, viewer *model.User, councilID int64) (Standing, error) {
	a, err := s.accessTo(ctx, viewer, councilID)
	return a.standing(), err
}

func (a access) standing() Standing {
	return Standing{Member: a.isMember(), Moderator: a.canModerate(), CanSee: a.canSee()}
}

// LiveStart is where a page's live connection starts: the council's last committed seq and
// the time of that event (zero when there is none yet), which together name the position so
// that a database restored behind it is noticed.
type LiveStart struct {
	Seq int64
	At  time.Time
}

// LiveStart reads where a page's live connection starts, for members and admins.
func (s *Service) LiveStart(ctx context.Context, viewer *model.User, councilID int64) (LiveStart, error) {
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
