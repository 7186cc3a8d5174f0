package model

import "time"

// SiteRoles lists the site roles, in the order an admin's form offers them.
var SiteRoles = []string{SiteUser, SiteOfficer, SiteAdmin}

// IsStaff reports whether the user works for the municipality on the platform: an officer, or
// an admin, who may do whatever an officer may.
func (u *User) IsStaff() bool { return u != nil && (u.Role == SiteOfficer || u.Role == SiteAdmin) }

// Kinds of signal a resident may send.
const (
	KindComplaint = "complaint"
	KindSignal    = "signal"
	KindProposal  = "proposal"
	KindPraise    = "praise"
)

// SignalKinds lists the kinds in the order forms and figures show them.
var SignalKinds = []string{KindComplaint, KindSignal, KindProposal, KindPraise}

// Signal statuses: received when sent; an officer's answer sets any of the others.
const (
	SignalReceived  = "received"
	SignalInReview  = "in_review"
	SignalAnswered  = "answered"
	SignalForwarded = "forwarded"
	SignalResolved  = "resolved"
	SignalRejected  = "rejected"
)

// SignalStatuses lists every status, in the order of a signal's life.
var SignalStatuses = []string{SignalReceived, SignalInReview, SignalAnswered, SignalForwarded, SignalResolved, SignalRejected}

// AnswerStatuses are the statuses an answer may set.
var AnswerStatuses = SignalStatuses[1:]

// IsFirstAnswer reports whether an answer setting status answers the signal in substance
// (an acknowledgement, in_review, does not): the time to the first such answer is the one the
// municipality publishes.
func IsFirstAnswer(status string) bool {
	return status != SignalReceived && status != SignalInReview
}

// MunicipalService is one of the municipality's administrative services, which signals are
// about (civil registration, local taxes and fees, …).
type MunicipalService struct {
	ID        int64
	Slug      string
	Name      string
	Archived  bool // no longer offered in the form; its signals keep it
	CreatedAt time.Time
}

// Signal is a complaint, signal, proposal or praise sent by a resident. Its tracking code is
// never kept, only its hash; the sender's name and email are shown to officers alone.
type Signal struct {
	ID            int64
	Kind          string
	Service       MunicipalService
	Title         string
	Body          string // plain text
	SenderName    string
	SenderEmail   string
	SenderLang    string // the language answers are mailed in
	UserID        *int64 // the account it was sent from, if any
	Status        string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	FirstAnswerAt *time.Time // the first answer in substance (IsFirstAnswer)
	PublishedAt   *time.Time // in the public register since
	Answers       []SignalAnswer
	Routes        []SignalRoute
}

// Published reports whether the signal is in the public register.
func (s Signal) Published() bool { return s.PublishedAt != nil }

// SignalAnswer is an officer's answer to a signal, which sets its status. A public answer is
// shown on the tracking page and in the register; every answer is mailed to the sender.
type SignalAnswer struct {
	ID        int64
	SignalID  int64
	Author    Person
	Body      string // plain text
	Status    string
	Public    bool
	CreatedAt time.Time
}

// SignalRoute is a signal taken to a council: a topic of its open or draft round quoting the
// signal without its sender, or, until the council has a round, a topic waiting for it.
type SignalRoute struct {
	SignalID  int64
	Council   Council
	RoundID   *int64
	TopicID   *int64
	RoutedBy  Person
	RoutedAt  time.Time
	PlacedAt  *time.Time
	Round     *Round     // the round the topic is in, where it is placed
	Decisions []Decision // proposals tabled in the topic, once its round has closed
}

// Follow-up statuses: the municipality's response to an adopted proposal and its progress.
const (
	FollowUpAccepted       = "accepted"
	FollowUpPartlyAccepted = "partly_accepted"
	FollowUpRejected       = "rejected"
	FollowUpPlanned        = "planned"
	FollowUpInProgress     = "in_progress"
	FollowUpDone           = "done"
	// AwaitingAnswer is the tracker's status of an adopted proposal without any follow-up.
	AwaitingAnswer = "awaiting_answer"
)

// FollowUpStatuses lists the statuses a follow-up may have, in the order of progress.
var FollowUpStatuses = []string{FollowUpAccepted, FollowUpPartlyAccepted, FollowUpRejected, FollowUpPlanned,
	FollowUpInProgress, FollowUpDone}

// FollowUp is what the municipality did with an adopted proposal: posted by an officer after
// the round's close, kept as an event of the council's record (never in the round's frozen one).
type FollowUp struct {
	ID              int64
	ProposalID      int64
	RoundID         int64
	CouncilID       int64
	Status          string
	Body            string // plain text
	ResponsibleUnit string
	DueDate         string // YYYY-MM-DD, or empty
	Author          Person
	CreatedAt       time.Time
	Seq             int64 // the followup.added event's seq
}

// Due is the follow-up's due date as a time (midnight UTC), nil without one.
func (f FollowUp) Due() *time.Time {
	t, err := time.Parse(time.DateOnly, f.DueDate)
	if err != nil {
		return nil
	}
	return &t
}

// Decision is a proposal a council decided on, with the municipality's follow-ups: the
// decisions tracker lists the adopted ones with their latest status.
type Decision struct {
	Proposal  Proposal
	Result    Result
	Round     Round
	Council   Council
	FollowUps []FollowUp // oldest first
}

// Status is the latest follow-up's status, or AwaitingAnswer for an adopted proposal without
// one (and "" for one not adopted).
func (d Decision) Status() string {
	if n := len(d.FollowUps); n > 0 {
		return d.FollowUps[n-1].Status
	}
	if d.Result.Outcome == OutcomeAdopted {
		return AwaitingAnswer
	}
	return ""
}

// SignalCount is how many signals of one kind, service and status were received in a month.
type SignalCount struct {
	Kind    string
	Service string // the service's slug
	Status  string
	Month   string // YYYY-MM, in Sofia
	Count   int
}

// Tally is a count under a key (a kind, a service's slug, a status, a month), for the figures.
type Tally struct {
	Key   string
	Label string // a service's name; empty where the page translates the key
	Count int
}

// SignalStats is the periodic analysis of signals received in [From, To).
type SignalStats struct {
	From, To   time.Time
	AnswerDays int // the time the municipality gives itself to answer
	Total      int
	Counts     []SignalCount // kind × service × status × month, non-zero only
	ByKind     []Tally
	ByService  []Tally
	ByStatus   []Tally
	ByMonth    []Tally
	Answered   int      // signals with a first answer
	MedianDays *float64 // days from receipt to the first answer, over those answered; nil without any
	// Due counts the signals whose time to answer has run out or which were answered; Within
	// those answered within AnswerDays. Share is Within/Due, nil while nothing is due.
	Due    int
	Within int
	Share  *float64
}

// StatusChange is one step of a signal's status history.
type StatusChange struct {
	Status string
	At     time.Time
}
