package council

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 30 * 24 * time.Hour

// RandomToken returns 32 random bytes, URL-safe encoded.
func RandomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("council: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is what the database keeps of a session or invitation token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NormaliseEmail lower-cases and trims an email address.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func checkEmail(v Validation, field, email string) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		v.Add(field, FieldInvalid, "must be an email address")
	}
}

func (s *Service) hashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost)
	return string(h), err
}

// CreateAdmin creates a site administrator (the `admin create` command).
func (s *Service) CreateAdmin(ctx context.Context, email, name, password string) (*model.User, error) {
	email = NormaliseEmail(email)
	v := Validation{}
	checkEmail(v, "email", email)
	checkText(v, "name", name, true, MaxTitle)
	checkNewPassword(v, "password", password, email, name)
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &model.User{Email: email, Name: name, Role: model.SiteAdmin, PasswordHash: hash}
	if err := s.st.CreateUser(ctx, u, s.now()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, FieldError(CodeConflict, fmt.Sprintf("An account with the email %s already exists.", email), "email", FieldTaken, "is taken")
		}
		return nil, err
	}
	return u, nil
}

// HasAdmin reports whether any site administrator exists.
func (s *Service) HasAdmin(ctx context.Context) (bool, error) {
	n, err := s.st.CountUsersWithRole(ctx, model.SiteAdmin)
	return n > 0, err
}

// Session is a signed-in browser: the token goes in the cookie, the CSRF token in headers.
type Session struct {
	Token string
	CSRF  string
	User  *model.User
	ID    int64 // as the list of the user's sessions names it
}

// StartSession signs a user in.
func (s *Service) StartSession(ctx context.Context, u *model.User) (*Session, error) {
	return s.StartSessionFrom(ctx, u, "")
}

// SessionByToken finds the signed-in user of a session cookie; nil when there is none. The
// session's last use is noted, at most once a minute (sessions.go).
func (s *Service) SessionByToken(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, nil
	}
	rec, u, err := s.st.SessionByKey(ctx, HashToken(token), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.seen(ctx, rec)
	return &Session{Token: token, CSRF: rec.CSRF, User: u, ID: rec.ID}, nil
}

// EndSession signs out: the session is deleted, and its live connections close on every
// process.
func (s *Service) EndSession(ctx context.Context, token string) error {
	key := HashToken(token)
	if err := s.st.DeleteSession(ctx, key); err != nil {
		return err
	}
	s.sessionsEnded(ctx, key)
	return nil
}

// sessionsEnded tells the live layer that sessions ended. The connections check their session
// again when they start, so a message lost here leaves a socket open at most until it ends.
func (s *Service) sessionsEnded(ctx context.Context, keys ...string) {
	if s.ender == nil || len(keys) == 0 {
		return
	}
	if err := s.ender.EndSessions(ctx, keys...); err != nil {
		s.log.Warn("unable to close the live connections of ended sessions on every process", "err", err)
	}
}

// LiveAllowed tells whether a live connection opened with a session (named by the hash of its
// token) may still follow a council: the session is the user's and has not ended, and the user
// holds a seat there or administers the site.
func (s *Service) LiveAllowed(ctx context.Context, councilID, userID int64, sessionKey string) (bool, error) {
	u, _, err := s.st.SessionUser(ctx, sessionKey, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if u.ID != userID {
		return false, nil
	}
	a, err := s.accessTo(ctx, u, councilID)
	return a.canSee(), err
}

// PublicLive tells whether the public may still follow a council live: its open rounds are
// public.
func (s *Service) PublicLive(ctx context.Context, councilID int64) (bool, error) {
	c, err := s.st.Council(ctx, strconv.FormatInt(councilID, 10))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return c.OpenRoundsPublic, nil
}

// MyCouncils lists the councils a user sits on.
func (s *Service) MyCouncils(ctx context.Context, u *model.User) ([]model.Membership, error) {
	if u == nil {
		return nil, errUnauth
	}
	return s.st.Memberships(ctx, u.ID)
}
