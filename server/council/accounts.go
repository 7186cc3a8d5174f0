package council

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/mail"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"council/server/store"
)

// BcryptCost is the work factor for password hashes; tests lower it.
var BcryptCost = bcrypt.DefaultCost

// MinPassword is the shortest password accepted.
const MinPassword = 10

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 30 * 24 * time.Hour

// InvitationTTL is how long an invitation can be accepted.
const InvitationTTL = 7 * 24 * time.Hour

// Sign-in throttling: this many failures within the window for one email (or one address)
// and further attempts are refused until the oldest failure leaves the window.
const (
	MaxFailuresPerEmail   = 5
	MaxFailuresPerAddress = 20
	FailureWindow         = 15 * time.Minute
)

// dummyHash makes a sign-in with an unknown email cost as much as one with a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such account, no such password"), bcrypt.DefaultCost)

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
		v.Add(field, "must be an email address")
	}
}

func checkPassword(v Validation, password string) {
	switch {
	case len([]rune(password)) < MinPassword:
		v.Add("password", "must be at least 10 characters")
	case len(password) > 72:
		v.Add("password", "must be at most 72 bytes")
	}
}

func hashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	return string(h), err
}

// CreateAdmin creates a site administrator (the `admin create` command).
func (s *Service) CreateAdmin(ctx context.Context, email, name, password string) (*User, error) {
	email = NormaliseEmail(email)
	v := Validation{}
	checkEmail(v, "email", email)
	checkText(v, "name", name, true, MaxTitle)
	checkPassword(v, password)
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: email, Name: name, Role: SiteAdmin, PasswordHash: hash}
	if err := s.st.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, Errorf(CodeConflict, "An account with the email %s already exists.", email)
		}
		return nil, err
	}
	return u, nil
}

// HasAdmin reports whether any site administrator exists.
func (s *Service) HasAdmin(ctx context.Context) (bool, error) {
	n, err := s.st.CountAdmins(ctx)
	return n > 0, err
}

// RateLimited is returned when an action is throttled; RetryAfter says for how long.
type RateLimited struct {
	RetryAfter time.Duration
	Message    string // for people; a default when empty
}

func (e *RateLimited) Error() string { return "rate_limited: " + e.Message }

// Authenticate checks an email and password, throttling failures per email and per address.
func (s *Service) Authenticate(ctx context.Context, email, password, address string) (*User, error) {
	email = NormaliseEmail(email)
	var u *User
	if len(email) <= 254 && !strings.ContainsRune(email, 0) { // no account has such an email
		var err error
		if u, err = s.st.UserByEmail(ctx, email); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	limits := []limit{{emailKey(email), MaxFailuresPerEmail}, {"addr:" + HashToken(address), MaxFailuresPerAddress}}
	if err := s.checkPassword(ctx, u, password, limits); err != nil {
		return nil, err
	}
	return u, nil
}

// limit is a key sign-in failures are counted under, and how many it tolerates.
type limit struct {
	key string
	max int
}

// emailKey counts failures per email without keeping the email itself.
func emailKey(email string) string { return "email:" + HashToken(email) }

// checkPassword counts the attempt under each key before comparing, so that attempts made
// in parallel cannot slip past the limit together (each sees the others'); an attempt refused
// by the limit or made with the right password is taken back, and a right password also
// clears the failures of the account's email. u nil always fails, at the same cost.
func (s *Service) checkPassword(ctx context.Context, u *User, password string, limits []limit) error {
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.key
	}
	at, err := s.st.RecordLoginFailure(ctx, keys...)
	if err != nil {
		return err
	}
	for _, l := range limits {
		if err := s.throttle(ctx, l.key, l.max); err != nil {
			// A refused attempt tried no password: it does not count against the other keys.
			if ferr := s.st.ForgetLoginFailure(ctx, at, keys...); ferr != nil {
				s.log.Warn("unable to take back a sign-in attempt", "err", ferr)
			}
			return err
		}
	}
	hash := dummyHash
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || u == nil {
		return Errorf(CodeUnauthenticated, "The email or the password is not right.")
	}
	if err := s.st.ForgetLoginFailure(ctx, at, keys...); err != nil {
		s.log.Warn("unable to take back a sign-in attempt", "err", err)
	}
	if err := s.st.ClearLoginFailures(ctx, emailKey(u.Email)); err != nil {
		s.log.Warn("unable to clear sign-in failures", "err", err)
	}
	return nil
}

// throttle refuses when the key has more failures in the window than it tolerates.
func (s *Service) throttle(ctx context.Context, key string, max int) error {
	n, oldest, err := s.st.LoginFailures(ctx, key, time.Now().Add(-FailureWindow))
	if err != nil {
		return err
	}
	if n > max && oldest != nil {
		wait := time.Until(oldest.Add(FailureWindow))
		if wait < time.Second {
			wait = time.Second
		}
		return &RateLimited{RetryAfter: wait, Message: "Too many failed sign-ins; try again later."}
	}
	return nil
}

// Session is a signed-in browser: the token goes in the cookie, the CSRF token in headers.
type Session struct {
	Token string
	CSRF  string
	User  *User
}

// StartSession signs a user in.
func (s *Service) StartSession(ctx context.Context, u *User) (*Session, error) {
	sess := &Session{Token: RandomToken(), CSRF: RandomToken(), User: u}
	if err := s.st.CreateSession(ctx, HashToken(sess.Token), u.ID, sess.CSRF, time.Now().Add(SessionTTL)); err != nil {
		return nil, err
	}
	return sess, nil
}

// SessionByToken finds the signed-in user of a session cookie; nil when there is none.
func (s *Service) SessionByToken(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, nil
	}
	u, csrf, err := s.st.SessionUser(ctx, HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, CSRF: csrf, User: u}, nil
}

// EndSession signs out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.st.DeleteSession(ctx, HashToken(token))
}

// MyCouncils lists the councils a user sits on.
func (s *Service) MyCouncils(ctx context.Context, u *User) ([]Membership, error) {
	if u == nil {
		return nil, errUnauth
	}
	return s.st.Memberships(ctx, u.ID)
}
