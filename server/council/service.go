// Package council holds the rules of deliberation: who may do what, the round lifecycle,
// votes and tallies, results and the published record. It speaks to the database only
// through the store and knows nothing of HTTP.
package council

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"council/server/store"
)

// Publisher receives the events of every committed transaction, in commit order per council.
type Publisher interface {
	Publish(events []Event)
}

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func([]Event)

// Publish calls f.
func (f PublisherFunc) Publish(events []Event) { f(events) }

// SessionEnder closes what is still open under sessions that have ended: their live
// connections, on every server process. Sessions are named by the hash of their token.
type SessionEnder interface {
	EndSessions(ctx context.Context, sessions ...string) error
}

// Service applies the platform's rules on top of the store.
type Service struct {
	st       *store.Store
	pub      Publisher
	ender    SessionEnder
	log      *slog.Logger
	baseURL  string
	records  *recordCache
	limits   Limits
	throttle Throttle

	bcryptCost int
	// dummyHash makes a sign-in with an unknown email cost as much as one with a wrong password.
	dummyHash []byte
}

// Config wires a Service.
type Config struct {
	Store     *store.Store
	Publisher Publisher    // may be nil: events are then only recorded
	Sessions  SessionEnder // may be nil: nothing outlives a session then
	Log       *slog.Logger
	BaseURL   string   // used to build invitation links
	Limits    Limits   // zero: DefaultLimits
	Throttle  Throttle // zero: DefaultThrottle
	// BcryptCost is the work factor of password hashes; zero: bcrypt's default. Tests lower it.
	BcryptCost int
}

// NewService builds a Service.
func NewService(cfg Config) *Service {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Publisher == nil {
		cfg.Publisher = PublisherFunc(func([]Event) {})
	}
	if cfg.Limits.RoundText == 0 {
		cfg.Limits.RoundText = DefaultLimits.RoundText
	}
	if cfg.Limits.Writes == nil {
		cfg.Limits.Writes = DefaultLimits.Writes
	}
	if cfg.Throttle == (Throttle{}) {
		cfg.Throttle = DefaultThrottle
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.DefaultCost
	}
	cfg.BcryptCost = min(max(cfg.BcryptCost, bcrypt.MinCost), bcrypt.MaxCost)
	dummy, err := bcrypt.GenerateFromPassword([]byte("no such account, no such password"), cfg.BcryptCost)
	if err != nil {
		panic("council: bcrypt cost out of range: " + err.Error())
	}
	return &Service{throttle: cfg.Throttle, bcryptCost: cfg.BcryptCost, dummyHash: dummy, st: cfg.Store, pub: cfg.Publisher, ender: cfg.Sessions, log: cfg.Log, baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		records: newRecordCache(RecordCacheBytes), limits: cfg.Limits}
}

// Store exposes the store, for the record reader of the live endpoint and for tools.
func (s *Service) Store() *store.Store { return s.st }

// inCouncil runs fn in the council's write transaction and publishes what it appended.
func (s *Service) inCouncil(ctx context.Context, councilID int64, fn func(*store.Tx) error) error {
	events, err := s.st.InCouncil(ctx, councilID, fn)
	if err != nil {
		return translate(err)
	}
	if len(events) > 0 {
		s.pub.Publish(events)
	}
	return nil
}

// translate turns store sentinels into the API's errors; anything else stays internal.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return errNotFound
	case errors.Is(err, store.ErrConflict):
		return Errorf(CodeConflict, "That already exists.")
	}
	return err
}

// access is what a user may do in one council.
type access struct {
	user   *User
	member *Member // nil when the user has no seat
}

func (a access) signedIn() bool { return a.user != nil }
func (a access) isMember() bool { return a.member != nil }
func (a access) canSee() bool   { return a.user.IsAdmin() || a.member != nil }
func (a access) canModerate() bool {
	return a.user.IsAdmin() || (a.member != nil && a.member.Role == RoleModerator)
}

func (s *Service) accessTo(ctx context.Context, user *User, councilID int64) (access, error) {
	a := access{user: user}
	if user == nil {
		return a, nil
	}
	m, err := s.st.Membership(ctx, councilID, user.ID)
	if errors.Is(err, store.ErrNotFound) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	a.member = m
	return a, nil
}

// requireMember answers 401 to the anonymous and 403 to those without a seat.
func (a access) requireMember() error {
	if !a.signedIn() {
		return errUnauth
	}
	if !a.isMember() {
		return Errorf(CodeForbidden, "Only members of this council may do this.")
	}
	return nil
}

// requireModerator answers 401 to the anonymous and 403 to those who may not moderate.
func (a access) requireModerator() error {
	if !a.signedIn() {
		return errUnauth
	}
	if !a.canModerate() {
		return Errorf(CodeForbidden, "Only the council's moderators may do this.")
	}
	return nil
}

// Text limits from the contract.
const (
	MaxTitle = 200
	MaxBody  = 20000
)

// checkText validates one text field: valid UTF-8, no NUL, not blank when required, not too long.
func checkText(v Validation, field, value string, required bool, max int) {
	switch {
	case !utf8.ValidString(value):
		v.Add(field, "must be valid UTF-8")
	case strings.ContainsRune(value, 0):
		v.Add(field, "must not contain NUL characters")
	case required && strings.TrimSpace(value) == "":
		v.Add(field, "must not be empty")
	case utf8.RuneCountInString(value) > max:
		v.Add(field, fmt.Sprintf("must be at most %d characters", max))
	}
}

// actorOf names a user as the actor of an event.
func actorOf(u *User) *Person {
	if u == nil {
		return nil
	}
	return &Person{ID: u.ID, Name: u.Name}
}

func ptr[T any](v T) *T { return &v }

// MaxHorizon is how far ahead a closing time may be set.
const MaxHorizon = 10 * 365 * 24 * time.Hour

func future(v Validation, field string, t *time.Time) {
	switch {
	case t == nil:
	case !t.After(time.Now()):
		v.Add(field, "must be in the future")
	case t.After(time.Now().Add(MaxHorizon)):
		v.Add(field, "must be within ten years")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
