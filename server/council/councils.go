package council

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
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
	s.versions.changedAll() // the archive lists every council
	return c, nil
}

// CouncilUpdate is what an admin (all of it) or the council's moderators (OpenRoundsPublic
// only) change in a council; nil fields stay as they are.
type CouncilUpdate struct {
	Name             *string
	Description      *string
	Archived         *bool
	OpenRoundsPublic *bool
}

// UpdateCouncil changes a council's settings, as an event of its record. A council is archived
// only with no round open, and takes no new rounds or members then.
func (s *Service) UpdateCouncil(ctx context.Context, actor *model.User, councilID int64, in CouncilUpdate) (*model.Council, error) {
	a, err := s.accessTo(ctx, actor, councilID)
	if err != nil {
		return nil, err
	}
	if err := a.requireModerator(); err != nil {
		return nil, err
	}
	if !actor.IsAdmin() && (in.Name != nil || in.Description != nil || in.Archived != nil) {
		return nil, Errorf(CodeForbidden, "Only site administrators may rename or archive a council; its moderators may make its open rounds public.")
	}
	c, err := s.st.Council(ctx, itoa(councilID))
	if err != nil {
		return nil, translate(err)
	}
	applyCouncil(c, in)
	v := Validation{}
	checkText(v, "name", c.Name, true, MaxTitle)
	checkText(v, "description", c.Description, false, MaxBody)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if c.Archived {
			if n, err := tx.CountRounds(ctx, model.StatusOpen); err != nil {
				return err
			} else if n > 0 {
				return FieldError(CodeConflict, "Close the council's open rounds before archiving it.", "archived", FieldInvalid, "a round is open")
			}
		}
		if err := tx.UpdateCouncil(ctx, c); err != nil {
			return err
		}
		_, err := emit(ctx, tx, nil, actor.Person(), events.NewCouncilSettings(c))
		return err
	})
	return c, err
}

func applyCouncil(c *model.Council, in CouncilUpdate) {
	if in.Name != nil {
		c.Name = *in.Name
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.Archived != nil {
		c.Archived = *in.Archived
	}
	if in.OpenRoundsPublic != nil {
		c.OpenRoundsPublic = *in.OpenRoundsPublic
	}
}

// notArchived refuses, under the council's lock, a new round, an opened one or a new member in
// an archived council.
func notArchived(tx *store.Tx) error {
	if tx.Archived() {
		return Conflict(ReasonArchived, "The council is archived: it takes no new rounds or members.")
	}
	return nil
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
