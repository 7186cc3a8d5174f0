// Package model holds the platform's domain types and the words of its contract — roles,
// groups, round states, ballots, choices, outcomes — for every package to share. It has no
// behaviour beyond small questions a value answers about itself, no SQL and no JSON: the store
// maps rows into these types, and the API, the events and the published record each write
// their own JSON from them, so that a field added here changes none of them by accident.
package model

import "time"

// Site roles.
const (
	SiteAdmin   = "admin"
	SiteOfficer = "officer" // municipal staff: signals, answers, follow-ups
	SiteUser    = "user"
)

// Roles inside a council. Moderators are members too.
const (
	RoleMember    = "member"
	RoleModerator = "moderator"
)

// Member groups, the constituencies a council's members speak for.
const (
	GroupCitizen  = "citizen"
	GroupNGO      = "ngo"
	GroupBusiness = "business"
)

// Groups lists the member groups in the order results show them.
var Groups = []string{GroupCitizen, GroupNGO, GroupBusiness}

// Constituencies a council may be made of.
var Constituencies = []string{"citizens", "ngos", "business", "mixed"}

// Round states: draft → open → closed, and no other transition.
const (
	StatusDraft  = "draft"
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Ballots.
const (
	BallotOpen   = "open"
	BallotSecret = "secret"
)

// When a round shows its tallies.
const (
	ResultsLive       = "live"
	ResultsAfterClose = "after_close"
)

// Choices a vote makes.
const (
	ChoiceFor     = "for"
	ChoiceAgainst = "against"
	ChoiceAbstain = "abstain"
)

// Choices lists the choices in the order tallies show them.
var Choices = []string{ChoiceFor, ChoiceAgainst, ChoiceAbstain}

// Outcomes of a proposal when its round closes.
const (
	OutcomeAdopted  = "adopted"
	OutcomeRejected = "rejected"
	OutcomeNoQuorum = "no_quorum"
)

// WithheldSmallGroups says why a secret ballot's split by group is not published: a group with
// voters had fewer than three of them.
const WithheldSmallGroups = "small_groups"

// User is an account.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         string // SiteAdmin, SiteOfficer or SiteUser
	Organisation string
	PasswordHash string
	CreatedAt    time.Time
	Language     string     // the language of the mails it is sent: "bg" or "en"
	Notify       Notify     // the notifications it wants mailed (accounts.go)
	ErasedAt     *time.Time // set when the account was erased at its owner's request
}

// IsAdmin reports whether the user administers the whole site.
func (u *User) IsAdmin() bool { return u != nil && u.Role == SiteAdmin }

// Person is a user as shown beside what they did: an author, an actor.
type Person struct {
	ID   int64
	Name string
}

// Person returns the user as an author or actor; nil for nobody.
func (u *User) Person() *Person {
	if u == nil {
		return nil
	}
	return &Person{ID: u.ID, Name: u.Name}
}

// Council is one advisory council.
type Council struct {
	ID           int64
	Slug         string
	Name         string
	Description  string
	Constituency string
	MemberCount  int
	CreatedAt    time.Time
	// Archived councils are kept for their record and take no new rounds or members.
	Archived bool
	// OpenRoundsPublic makes the council's open rounds readable by anyone, live, read-only.
	OpenRoundsPublic bool
}

// Member is a user's seat in a council.
type Member struct {
	UserID       int64
	Name         string
	Email        string
	Organisation string
	Group        string
	Role         string
	JoinedAt     time.Time
}

// Membership is one council a user sits on.
type Membership struct {
	CouncilID int64
	Role      string
	Group     string
}

// Invitation is a seat offered to someone by email. Its token is never kept, only its hash.
type Invitation struct {
	ID           int64
	CouncilID    int64
	Email        string
	Name         string
	Role         string
	Group        string
	Organisation string
	ExpiresAt    time.Time
	UsedAt       *time.Time
	MailStatus   string // how its latest mail stands (model.Mail… or "off"); "" when none was written
}

// Round is one question put to a council.
type Round struct {
	ID                int64
	CouncilID         int64
	Title             string
	Description       string
	Status            string
	Ballot            string
	ResultsVisibility string // ResultsLive or ResultsAfterClose
	QuorumPercent     int
	ClosesAt          *time.Time
	OpenedAt          *time.Time
	ClosedAt          *time.Time
	OutcomeSummary    string
	RecordSHA256      *string // set once the closed round's record is stored
	CreatedAt         time.Time
	Eligible          int      // the council's members now (while open), for quorum progress
	TextBytes         int64    // bytes of text written into the round, edits included
	ClosedSeq         *int64   // seq of the round.closed event: the round's record ends there
	Results           []Result // fixed when the round closed
}

// TalliesHidden reports whether nobody may see the round's tallies yet.
func (r *Round) TalliesHidden() bool {
	return r.ResultsVisibility == ResultsAfterClose && r.Status != StatusClosed
}

// Counts is a tally of choices; Voters counts the members who voted at all.
type Counts struct {
	For     int
	Against int
	Abstain int
	Voters  int
}

// Add counts n votes of a choice.
func (c *Counts) Add(choice string, n int) {
	switch choice {
	case ChoiceFor:
		c.For += n
	case ChoiceAgainst:
		c.Against += n
	case ChoiceAbstain:
		c.Abstain += n
	}
	c.Voters += n
}

// GroupResult is one member group's share of a proposal's result.
type GroupResult struct {
	Counts
	Eligible int
}

// Result is a proposal's outcome, fixed when its round closed.
type Result struct {
	ProposalID int64
	Counts
	Eligible        int
	Outcome         string
	ByGroup         map[string]GroupResult // nil when withheld
	ByGroupWithheld string                 // why ByGroup is nil: WithheldSmallGroups
}

// Topic is a discussion thread inside a round.
type Topic struct {
	ID        int64
	RoundID   int64
	Title     string
	Body      string // Markdown
	BodyHTML  string // Body rendered and sanitised when written
	Author    Person
	CreatedAt time.Time
	PostCount int
	Posts     []Post // filled where the topic is read with its posts
}

// Post is one contribution to a topic.
type Post struct {
	ID           int64
	Number       int // its place in the topic, from 1, as people cite it
	TopicID      int64
	ReplyTo      *int64
	Author       Person
	Body         string // Markdown
	BodyHTML     string // Body rendered and sanitised when written
	CreatedAt    time.Time
	EditedAt     *time.Time
	Hidden       bool
	HiddenReason string
	DeletedAt    *time.Time // deleted by its author: its place stays, its text is gone
}

// WrittenAt is when the post's current text was written.
func (p *Post) WrittenAt() time.Time {
	if p.EditedAt != nil {
		return *p.EditedAt
	}
	return p.CreatedAt
}

// Proposal is a motion members vote on.
type Proposal struct {
	ID          int64
	RoundID     int64
	TopicID     *int64
	Title       string
	Body        string // Markdown
	BodyHTML    string // Body rendered and sanitised when written
	Author      Person
	CreatedAt   time.Time
	Tally       *Counts // nil while the round hides its tallies
	Voters      int     // how many voted on it, known even while the tallies are hidden
	MyVote      *string // the viewer's own choice, where the viewer voted
	EditedAt    *time.Time
	WithdrawnAt *time.Time // withdrawn by its author before anyone voted: it stays in the record
}

// Voter names a member who voted.
type Voter struct {
	ID           int64
	Name         string
	Organisation string
}

// Vote is a member's named choice on a proposal (open ballots only).
type Vote struct {
	Voter  Voter
	Choice string
	Reason string // why, in the voter's words (open ballots only)
	CastAt time.Time
}

// Event is one entry of a council's append-only record: its payload is already encoded, in
// the form the events package defines for its Type.
type Event struct {
	Seq       int64
	CouncilID int64
	RoundID   *int64
	Type      string
	At        time.Time
	Actor     *Person
	Data      []byte // the payload's JSON
	// Evicts names the user the event takes out of the council (0: none), so that their live
	// connections close before it reaches them. Set when the event is appended.
	Evicts int64
	// Public says that anyone may read the event: it is about a closed round, or an open round
	// of a council whose open rounds are public.
	Public bool
	// ClosesPublic says that the event ends what the public could follow live (the council's
	// open rounds stop being public): live connections without a seat close before it.
	ClosesPublic bool
}

// RecordFile is a closed round's frozen record: the bytes published, the same bytes
// gzip-compressed, and their SHA-256 in hex (empty for a round still in progress, rendered
// for one request and never kept).
type RecordFile struct {
	Body   []byte
	Gzip   []byte
	SHA256 string
	// Brotli is a brotli copy of Body, made when the record is kept in memory (not stored).
	Brotli []byte
}

// Participation is how a round's members are taking part: per group, how many have voted on
// at least one of its proposals; and by name, who has not voted on every one — the choice stays
// secret, taking part does not.
type Participation struct {
	Eligible  int
	Voted     int                     // members who voted on at least one proposal
	ByGroup   map[string]GroupTurnout // per member group
	Proposals int                     // proposals put to the vote (withdrawn ones aside)
	Missing   []MissingVoter          // members who have not voted on every proposal, by name
}

// GroupTurnout is one group's taking part.
type GroupTurnout struct {
	Members int
	Voted   int
}

// MissingVoter is a member who has not voted on every proposal, and on which.
type MissingVoter struct {
	UserID  int64
	Name    string
	Group   string
	Pending []int64 // the proposals they have not voted on
}
