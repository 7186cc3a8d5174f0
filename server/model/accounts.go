package model

import (
	"strconv"
	"time"
)

// Kinds of mail. The notifications (NotifyKinds) can each be switched off by their recipient;
// a password reset and an email confirmation are always sent.
const (
	MailInvitation    = "invitation"
	MailRoundOpened   = "round_opened"
	MailClosingSoon   = "closing_soon"
	MailRoundClosed   = "round_closed"
	MailReply         = "reply"
	MailPasswordReset = "password_reset"
	MailEmailChange   = "email_change"
	// MailFollowUp tells members what the municipality did with a proposal they adopted; it
	// goes by the results' setting (PreferenceOf).
	MailFollowUp = "follow_up"
	// MailSignalReceived and MailSignalAnswered go to a signal's sender, who asked for them by
	// leaving an address: the tracking code, then each answer.
	MailSignalReceived = "signal_received"
	MailSignalAnswered = "signal_answered"
)

// PreferenceOf is the notification setting a kind of mail goes by, and the kind its one-click
// unsubscribe switches off: a follow-up is news of a round's results.
func PreferenceOf(kind string) string {
	if kind == MailFollowUp {
		return MailRoundClosed
	}
	return kind
}

// NotifyKinds lists the kinds of mail a member may switch off, in the order the profile shows
// them.
var NotifyKinds = []string{MailInvitation, MailRoundOpened, MailClosingSoon, MailRoundClosed, MailReply}

// MailKinds lists every kind of mail.
var MailKinds = append(append([]string{}, NotifyKinds...), MailPasswordReset, MailEmailChange, MailFollowUp,
	MailSignalReceived, MailSignalAnswered)

// Where a mail stands in the outbox. Queued and sending mails are still to go; sent, failed
// and not sent (no SMTP server configured) are final.
const (
	MailQueued  = "queued"
	MailSending = "sending"
	MailSent    = "sent"
	MailFailed  = "failed"
	MailNotSent = "not_sent"
)

// MailStatuses lists the outbox states, in the order the admin page filters them.
var MailStatuses = []string{MailQueued, MailSending, MailSent, MailFailed, MailNotSent}

// Notify says which notifications a user wants mailed, by kind.
type Notify struct {
	Invitation  bool
	RoundOpened bool
	ClosingSoon bool
	RoundClosed bool
	Reply       bool
}

// NotifyAll is what a new account wants: every notification.
var NotifyAll = Notify{Invitation: true, RoundOpened: true, ClosingSoon: true, RoundClosed: true, Reply: true}

// Wants reports whether a mail of kind may be sent; mails that are not notifications always may.
func (n Notify) Wants(kind string) bool {
	switch PreferenceOf(kind) {
	case MailInvitation:
		return n.Invitation
	case MailRoundOpened:
		return n.RoundOpened
	case MailClosingSoon:
		return n.ClosingSoon
	case MailRoundClosed:
		return n.RoundClosed
	case MailReply:
		return n.Reply
	}
	return true
}

// Set switches one kind of notification on or off; it reports false for a kind that is not a
// notification.
func (n *Notify) Set(kind string, on bool) bool {
	switch kind {
	case MailInvitation:
		n.Invitation = on
	case MailRoundOpened:
		n.RoundOpened = on
	case MailClosingSoon:
		n.ClosingSoon = on
	case MailRoundClosed:
		n.RoundClosed = on
	case MailReply:
		n.Reply = on
	default:
		return false
	}
	return true
}

// Erased reports whether the account was erased.
func (u *User) Erased() bool { return u != nil && u.ErasedAt != nil }

// ErasedPrefix and ErasedPrefixEnglish begin the name an erased account goes by; its id
// follows.
const (
	ErasedPrefix        = "Бивш участник "
	ErasedPrefixEnglish = "Former participant "
)

// ErasedName is the name an erased account goes by from then on, in the platform's language;
// pages in English show ErasedNameEnglish instead.
func ErasedName(id int64) string { return ErasedPrefix + strconv.FormatInt(id, 10) }

// ErasedNameEnglish is ErasedName in English.
func ErasedNameEnglish(id int64) string { return ErasedPrefixEnglish + strconv.FormatInt(id, 10) }

// Mail is one mail of the outbox: whom it is for, in which language, the words its template
// fills in, and how its delivery stands.
type Mail struct {
	ID     int64
	Kind   string
	UserID *int64 // nil for someone without an account (an invitation)
	To     string
	Lang   string
	// Subject is rendered when the mail is written; the body is rendered when it is sent.
	Subject string
	Data    map[string]string // what the body's template fills in
	// Secret is the link that lets its holder in (a reset, an invitation, a confirmation). It is
	// kept only until the mail is sent or given up.
	Secret string
	// RoundID, for the results of a round, makes the mail wait until the round's record is
	// stored, so that it can carry the record's SHA-256.
	RoundID      *int64
	InvitationID *int64
	Status       string
	Attempts     int
	LastError    string
	CreatedAt    time.Time
	NextAttempt  time.Time
	SentAt       *time.Time
	// RecordSHA256 is the digest of RoundID's record, read when the mail is claimed for sending.
	RecordSHA256 string
}

// Session is a signed-in browser as its owner sees it in the list of their sessions.
type Session struct {
	ID         int64
	UserID     int64
	Key        string // the SHA-256 of its token: how the live layer names it
	CSRF       string
	CreatedAt  time.Time
	LastSeenAt time.Time
	UserAgent  string
	ExpiresAt  time.Time
}

// AgendaItem is an open round of one of a member's councils, with the proposals still waiting
// for the member's vote.
type AgendaItem struct {
	Round          Round
	Council        Council
	Proposals      int
	AwaitingMyVote []int64
}

// PendingInvitation is an invitation not yet accepted, with when it was made.
type PendingInvitation struct {
	Invitation
	CreatedAt time.Time
}

// UserSummary is an account as the admins' list of users shows it.
type UserSummary struct {
	User
	Councils int
	Sessions int
	LastSeen *time.Time
}

// MyVote is a vote as its voter's personal data holds it.
type MyVote struct {
	ProposalID int64
	RoundID    int64
	Choice     string
	CastAt     time.Time
}
