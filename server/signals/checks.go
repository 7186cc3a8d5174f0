package signals

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Text limits: a signal is a letter, not a dossier; its quote must fit a council's topic.
const (
	MaxTitle  = 200
	MaxBody   = 8000
	MaxName   = 200
	MaxEmail  = 254
	MaxAnswer = council.MaxBody
	MaxSlug   = 60
)

var (
	errUnauth   = council.Errorf(council.CodeUnauthenticated, "Sign in first.")
	errNotFound = council.Errorf(council.CodeNotFound, "Not found.")
)

// checkText validates one text field: valid UTF-8, no NUL, not blank when required, not too long.
func checkText(v council.Validation, field, value string, required bool, max int) {
	switch {
	case !utf8.ValidString(value):
		v.Add(field, council.FieldInvalid, "must be valid UTF-8")
	case strings.ContainsRune(value, 0):
		v.Add(field, council.FieldInvalid, "must not contain NUL characters")
	case required && strings.TrimSpace(value) == "":
		v.Add(field, council.FieldRequired, "must not be empty")
	case utf8.RuneCountInString(value) > max:
		v.Add(field, council.FieldTooLong, fmt.Sprintf("must be at most %d characters", max))
	}
}

// checkChoice validates a field that must be one of a few words.
func checkChoice(v council.Validation, field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.Add(field, council.FieldInvalid, "must be "+strings.Join(allowed, ", "))
}

func checkEmail(v council.Validation, field, email string) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > MaxEmail {
		v.Add(field, council.FieldInvalid, "must be an email address")
	}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

func checkSlug(v council.Validation, field, slug string) {
	switch {
	case slug == "":
		v.Add(field, council.FieldRequired, "must not be empty")
	case len(slug) > MaxSlug:
		v.Add(field, council.FieldTooLong, fmt.Sprintf("must be at most %d characters", MaxSlug))
	case !slugPattern.MatchString(slug):
		v.Add(field, council.FieldInvalid, "must be lower-case letters, digits and single hyphens")
	}
}

// requireAdmin answers 401 to the anonymous and 403 to anyone but a site admin.
func requireAdmin(actor *model.User) error {
	if actor == nil {
		return errUnauth
	}
	if !actor.IsAdmin() {
		return council.Errorf(council.CodeForbidden, "Only site administrators may do this.")
	}
	return nil
}

// translate turns store sentinels into the API's errors; anything else stays internal.
func translate(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errNotFound
	case errors.Is(err, store.ErrConflict):
		return council.Errorf(council.CodeConflict, "That already exists.")
	}
	return err
}

// PageSize is how many signals one page of a list holds.
const PageSize = council.PageSize

// offset is where a page (from 1) starts; pages past council.MaxPage list nothing.
func offset(page int) (limit, off int) {
	page = max(page, 1)
	if page > council.MaxPage {
		return 0, 0
	}
	return PageSize, (page - 1) * PageSize
}
