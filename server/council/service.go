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

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/mail"
	"github.com/perushtitsa/council/server/markdown"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Publisher receives the events of every committed transaction, in commit order per council.
type Publisher interface {
	Publish(events []model.Event)
}

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func([]model.Event)

// Publish calls f.
func (f PublisherFunc) Publish(events []model.Event) { f(events) }

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
	versions *versions
	limits   Limits
	throttle Throttle
	now      func() time.Time
	md       *markdown.Renderer
	mail     *mail.Outbox
	votes    voteQueue // the votes waiting for their council's writer

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
	BaseURL   string           // used to build invitation links
	Limits    Limits           // zero: DefaultLimits
	Throttle  Throttle         // zero: DefaultThrottle
	Clock     func() time.Time // the rules' time; nil: time.Now. Tests move it instead of sleeping.
	// BcryptCost is the work factor of password hashes; zero: bcrypt's default. Tests lower it.
	BcryptCost int
	// Mail writes the mails changes cause, in their transactions; nil: nothing is mailed.
	Mail *mail.Outbox
	// RecordCacheBytes bounds the memory the closed rounds' records kept ready take (their
	// bytes and compressed copies); zero: RecordCacheBytes.
	RecordCacheBytes int
}

// NewService builds a Service.
func NewService(cfg Config) *Service {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Publisher == nil {
		cfg.Publisher = PublisherFunc(func([]model.Event) {})
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
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.DefaultCost
	}
	cfg.BcryptCost = min(max(cfg.BcryptCost, bcrypt.MinCost), bcrypt.MaxCost)
	if cfg.RecordCacheBytes <= 0 {
		cfg.RecordCacheBytes = RecordCacheBytes
	}
	// Within MinCost and MaxCost, and with a short password, hashing cannot fail.
	dummy, _ := bcrypt.GenerateFromPassword([]byte("no such account, no such password"), cfg.BcryptCost)
	return &Service{st: cfg.Store, pub: cfg.Publisher, ender: cfg.Sessions, log: cfg.Log,
		baseURL: strings.TrimRight(cfg.BaseURL, "/"), records: newRecordCache(cfg.RecordCacheBytes),
		versions: newVersions(cfg.Store.CouncilSeqs, cfg.Clock),
		limits:   cfg.Limits, throttle: cfg.Throttle, now: cfg.Clock, md: markdown.New(),
		bcryptCost: cfg.BcryptCost, dummyHash: dummy, mail: cfg.Mail}
}

// Store exposes the store, for the record reader of the live endpoint and for tools.
func (s *Service) Store() *store.Store { return s.st }

// Now is the time the rules go by.
func (s *Service) Now() time.Time { return s.now() }

// inCouncil runs fn in the council's write transaction and publishes what it appended. The
// notifications the appended events call for are written before the commit, in the same
// transaction (mail.Outbox.Notify).
func (s *Service) inCouncil(ctx context.Context, councilID int64, fn func(*store.Tx) error) error {
	evs, err := s.st.InCouncil(ctx, councilID, s.now, func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.mail.Notify(ctx, tx, tx.Appended())
	})
	if err != nil {
		return translate(err)
	}
	if len(evs) > 0 {
		s.versions.changed(evs)
		s.pub.Publish(evs)
	}
	return nil
}

// emit appends an event to the council's record, inside its transaction: about round r, as it
// stands after the change (nil for an event about the council's members).
func emit(ctx context.Context, tx *store.Tx, r *model.Round, actor *model.Person, p events.Payload) (model.Event, error) {
	enc, err := events.Encode(p)
	if err != nil {
		return model.Event{}, fmt.Errorf("council: unable to encode %s: %w", p.Type(), err)
	}
	ne := store.NewEvent{Type: enc.Type, Actor: actor, Data: enc.Data, PostID: enc.PostID, Redacted: enc.Redacted,
		Evicts: enc.Evicts, ClosesPublic: enc.ClosesPublic}
	if r != nil {
		ne.RoundID = &r.ID
		ne.Public = publicRound(r, tx.OpenRoundsPublic())
	}
	return tx.Append(ctx, ne)
}

// publicRound reports whether anyone may read a round: once it closed, or while it is open in
// a council whose open rounds are public.
func publicRound(r *model.Round, openRoundsPublic bool) bool {
	return r.Status == model.StatusClosed || (r.Status == model.StatusOpen && openRoundsPublic)
}

// translate turns store sentinels into the API's errors; anything else stays internal.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return errNotFound
	case errors.Is(err, store.ErrConflict):
		return Conflict(ReasonExists, "That already exists.")
	}
	return err
}

// access is what a user may do in one council.
type access struct {
	user   *model.User
	member *model.Member // nil when the user has no seat
	// publicOpen: the viewer may read an open round only because the council made its open
	// rounds public (read-only, following it live with the public).
	publicOpen bool
}

func (a access) signedIn() bool { return a.user != nil }
func (a access) isMember() bool { return a.member != nil }
func (a access) canSee() bool   { return a.user.IsAdmin() || a.member != nil }
func (a access) canModerate() bool {
	return a.user.IsAdmin() || (a.member != nil && a.member.Role == model.RoleModerator)
}

func (s *Service) accessTo(ctx context.Context, user *model.User, councilID int64) (access, error) {
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
		v.Add(field, FieldInvalid, "must be valid UTF-8")
	case strings.ContainsRune(value, 0):
		v.Add(field, FieldInvalid, "must not contain NUL characters")
	case required && strings.TrimSpace(value) == "":
		v.Add(field, FieldRequired, "must not be empty")
	case utf8.RuneCountInString(value) > max:
		v.Add(field, FieldTooLong, fmt.Sprintf("must be at most %d characters", max))
	}
}

// checkChoice validates a field that must be one of a few words.
func checkChoice(v Validation, field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.Add(field, FieldInvalid, "must be "+orList(allowed))
}

// orList writes "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func ptr[T any](v T) *T { return &v }

// MaxHorizon is how far ahead a closing time may be set.
const MaxHorizon = 10 * 365 * 24 * time.Hour

// future validates a time that must lie ahead of now, within MaxHorizon.
func future(v Validation, field string, t *time.Time, now time.Time) {
	switch {
	case t == nil:
	case !t.After(now):
		v.Add(field, FieldInPast, "must be in the future")
	case t.After(now.Add(MaxHorizon)):
		v.Add(field, FieldTooFar, "must be within ten years")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
