// Package signals holds the rules of residents' signals — complaints, signals, proposals and
// praise about the municipality's administrative services — and of the services themselves:
// who may send, read, answer, route and publish them, their tracking codes, the public
// register and the periodic analysis. It speaks to the database only through the store, takes
// signals into councils through the council rules, and knows nothing of HTTP.
package signals

import (
	"context"
	"log/slog"
	"time"
	_ "time/tzdata" // Europe/Sofia, whose months the analysis counts in, on any machine

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Notifier queues mail to a signal's sender inside the transaction that records what the mail
// tells, so that the mail goes if and only if that commits (the outbox's promise). It is told
// only of signals whose sender gave an email.
type Notifier interface {
	// SignalReceived: a signal was received. code is its tracking code, of which the platform
	// keeps only a hash: this mail is the sender's one reminder of it.
	SignalReceived(ctx context.Context, tx *store.SiteTx, sg *model.Signal, code string) error
	// SignalAnswered: an officer answered the signal (a public or a private answer).
	SignalAnswered(ctx context.Context, tx *store.SiteTx, sg *model.Signal, a *model.SignalAnswer) error
}

// Councils is what signals need of the council rules: taking a signal into a council as a
// topic, and reading what a council decided on it.
type Councils interface {
	Council(ctx context.Context, idOrSlug string) (*model.Council, error)
	RouteTopic(ctx context.Context, actor *model.User, councilID int64, roundID *int64, in council.RoutedTopic) (*model.Topic, error)
	TopicDecisions(ctx context.Context, r *model.Round, topicID int64) ([]model.Decision, error)
}

var _ Councils = (*council.Service)(nil)

// Window is a throttle: at most Max signals from one client address within Per.
type Window struct {
	Max int
	Per time.Duration
}

// DefaultThrottle lets a resident send a few signals in a row, and a household or an office
// behind one address a working day's worth, but not a flood.
var DefaultThrottle = []Window{{Max: 5, Per: 10 * time.Minute}, {Max: 30, Per: 24 * time.Hour}}

// DefaultAnswerDays is the time the municipality gives itself to answer, unless configured.
const DefaultAnswerDays = 30

// Config wires a Service.
type Config struct {
	Store      *store.Store
	Councils   Councils         // the council rules (a *council.Service)
	Notifier   Notifier         // nil: nothing is mailed
	Log        *slog.Logger     // nil: slog.Default()
	Clock      func() time.Time // the rules' time; nil: time.Now
	AnswerDays int              // 0: DefaultAnswerDays
	Throttle   []Window         // nil: DefaultThrottle; empty: none
}

// Service applies the rules of signals on top of the store.
type Service struct {
	st         *store.Store
	councils   Councils
	notifier   Notifier
	log        *slog.Logger
	now        func() time.Time
	answerDays int
	throttle   []Window
}

// New builds a Service.
func New(cfg Config) *Service {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.AnswerDays <= 0 {
		cfg.AnswerDays = DefaultAnswerDays
	}
	if cfg.Throttle == nil {
		cfg.Throttle = DefaultThrottle
	}
	return &Service{st: cfg.Store, councils: cfg.Councils, notifier: cfg.Notifier, log: cfg.Log, now: cfg.Clock,
		answerDays: cfg.AnswerDays, throttle: cfg.Throttle}
}

// AnswerDays is the time the municipality gives itself to answer a signal.
func (s *Service) AnswerDays() int { return s.answerDays }

// Now is the time the rules go by.
func (s *Service) Now() time.Time { return s.now() }
