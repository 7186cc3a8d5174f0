package council

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/perushtitsa/council/server/mail"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Languages a user may choose for their mails (and, where they have not chosen otherwise in
// the browser, their pages).
var Languages = []string{"bg", "en"}

// ProfileInput is what a user may change of their profile; nil leaves a field as it is, and
// Notify names only the kinds to switch.
type ProfileInput struct {
	Name         *string
	Organisation *string
	Language     *string
	Notify       map[string]bool
}

// erasedNamePattern matches the names erased accounts go by, which nobody else may take.
var erasedNamePattern = regexp.MustCompile(`(?i)^\s*(бивш участник|former participant)\s*\d*\s*$`)

// checkName validates a person's name: required, not too long, and not the name of an erased
// account.
func checkName(v Validation, field, name string) {
	checkText(v, field, name, true, MaxTitle)
	if _, bad := v[field]; !bad && erasedNamePattern.MatchString(name) {
		v.Add(field, FieldInvalid, "is reserved for erased accounts")
	}
}

// UpdateProfile changes the viewer's name, organisation, language and notifications. A new
// name shows wherever the platform renders it from now on; the record keeps the name each
// event was written with.
func (s *Service) UpdateProfile(ctx context.Context, viewer *model.User, in ProfileInput) (*model.User, error) {
	if viewer == nil {
		return nil, errUnauth
	}
	u := *viewer
	v := Validation{}
	if in.Name != nil {
		checkName(v, "name", *in.Name)
		u.Name = *in.Name
	}
	if in.Organisation != nil {
		checkText(v, "organisation", *in.Organisation, false, MaxTitle)
		u.Organisation = *in.Organisation
	}
	if in.Language != nil {
		checkChoice(v, "language", *in.Language, Languages...)
		u.Language = *in.Language
	}
	for kind, on := range in.Notify {
		if !u.Notify.Set(kind, on) {
			v.Add("notify", FieldInvalid, "names only "+orList(model.NotifyKinds))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.st.UpdateProfile(ctx, &u); err != nil {
		return nil, err
	}
	s.versions.changedAll() // the name shows on the pages of closed rounds too
	return &u, nil
}

// EmailChangeTTL is how long the link confirming a new address works.
const EmailChangeTTL = 24 * time.Hour

// EmailChangeLimits bound the confirmation mails one account may ask for.
var EmailChangeLimits = struct {
	Window     time.Duration
	PerAccount int
}{Window: time.Hour, PerAccount: 5}

var errEmailLink = Errorf(CodeNotFound, "This link is unknown, used or expired.")

// RequestEmailChange mails a confirmation link to a new address; the account's address
// changes when it is followed. The password confirms it is the owner asking (throttled like a
// sign-in from address).
func (s *Service) RequestEmailChange(ctx context.Context, sess *Session, email, password, address string) error {
	if sess == nil {
		return errUnauth
	}
	u := sess.User
	if err := s.checkCurrentPassword(ctx, u, "password", password, address); err != nil {
		return err
	}
	email = NormaliseEmail(email)
	v := Validation{}
	checkEmail(v, "email", email)
	if err := v.Err(); err != nil {
		return err
	}
	if email == u.Email {
		return FieldError(CodeValidation, "That is already your address.", "email", FieldInvalid, "is already your address")
	}
	// Each request mails an address the account names: a bound keeps it from mailing others.
	if err := s.countRequest(ctx, EmailChangeLimits.Window, limit{"email-change:" + itoa(u.ID), EmailChangeLimits.PerAccount}); err != nil {
		return err
	}
	token := RandomToken()
	return s.st.InTx(ctx, s.now, func(tx *store.WriteTx) error {
		if err := tx.CreateEmailChange(ctx, HashToken(token), u.ID, email, tx.Now().Add(EmailChangeTTL)); err != nil {
			return err
		}
		_, err := s.mail.Queue(ctx, tx, mail.Letter{Kind: model.MailEmailChange, User: u, To: email,
			Data: map[string]string{"email": email}, Link: s.baseURL + "/me/email/" + token, Secret: true})
		return err
	})
}

// PendingEmailChange returns the new address a confirmation link would set, while it works.
func (s *Service) PendingEmailChange(ctx context.Context, token string) (string, error) {
	email, err := s.st.EmailChange(ctx, HashToken(token), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return "", errEmailLink
	}
	return email, err
}

// ConfirmEmailChange follows a confirmation link: the account takes the new address, once.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) (*model.User, error) {
	var userID int64
	err := s.st.InTx(ctx, s.now, func(tx *store.WriteTx) error {
		id, email, err := tx.UseEmailChange(ctx, HashToken(token))
		if errors.Is(err, store.ErrNotFound) {
			return errEmailLink
		}
		if err != nil {
			return err
		}
		userID = id
		if err := tx.SetEmail(ctx, id, email); errors.Is(err, store.ErrConflict) {
			return FieldError(CodeConflict, "Another account has that address.", "email", FieldTaken, "is taken")
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.st.UserByID(ctx, userID)
}

// Unsubscribe switches off the kind of notification an unsubscribe link names, and returns
// that kind.
func (s *Service) Unsubscribe(ctx context.Context, token string) (string, error) {
	if s.mail == nil {
		return "", errNotFound
	}
	userID, kind, ok := s.mail.ParseUnsubscribe(token)
	if !ok {
		return "", Errorf(CodeNotFound, "This unsubscribe link is not valid.")
	}
	if err := s.st.SetNotify(ctx, userID, kind, false); err != nil {
		return "", err
	}
	return kind, nil
}

// CheckUnsubscribe tells whether an unsubscribe link is valid, and the kind it names, without
// acting on it (the page that asks for the click).
func (s *Service) CheckUnsubscribe(token string) (string, error) {
	if s.mail == nil {
		return "", errNotFound
	}
	_, kind, ok := s.mail.ParseUnsubscribe(token)
	if !ok {
		return "", Errorf(CodeNotFound, "This unsubscribe link is not valid.")
	}
	return kind, nil
}
