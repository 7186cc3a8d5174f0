package store

import (
	"encoding/json"
	"time"
)

// User is an account. Email is blanked by the API layer for viewers who may not see it.
type User struct {
	ID           int64     `json:"id" db:"id"`
	Email        string    `json:"email,omitempty" db:"email"`
	Name         string    `json:"name" db:"name"`
	Role         string    `json:"role" db:"role"`
	Organisation string    `json:"organisation" db:"organisation"`
	PasswordHash string    `json:"-" db:"password_hash"`
	CreatedAt    time.Time `json:"-" db:"created_at"`
}

// IsAdmin reports whether the user administers the whole site.
func (u *User) IsAdmin() bool { return u != nil && u.Role == "admin" }

// Person is the short form of a user shown as an author or actor.
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Council is one advisory council.
type Council struct {
	ID           int64     `json:"id" db:"id"`
	Slug         string    `json:"slug" db:"slug"`
	Name         string    `json:"name" db:"name"`
	Description  string    `json:"description" db:"description"`
	Constituency string    `json:"constituency" db:"constituency"`
	MemberCount  int       `json:"member_count" db:"member_count"`
	CreatedAt    time.Time `json:"created_at" db:"created_at"`
}

// Member is a user's seat in a council.
type Member struct {
	UserID       int64     `json:"user_id" db:"user_id"`
	Name         string    `json:"name" db:"name"`
	Email        string    `json:"email,omitempty" db:"email"`
	Organisation string    `json:"organisation" db:"organisation"`
	Group        string    `json:"group" db:"grp"`
	Role         string    `json:"role" db:"role"`
	JoinedAt     time.Time `json:"joined_at" db:"joined_at"`
}

// Membership is one council a user sits on, as /me lists it.
type Membership struct {
	CouncilID int64  `json:"council_id" db:"council_id"`
	Role      string `json:"role" db:"role"`
	Group     string `json:"group" db:"grp"`
}

// Invitation is a pending seat offered to someone by email. The token itself is never stored.
type Invitation struct {
	ID           int64      `json:"invitation_id" db:"id"`
	CouncilID    int64      `json:"-" db:"council_id"`
	Email        string     `json:"email" db:"email"`
	Name         string     `json:"name" db:"name"`
	Role         string     `json:"role" db:"role"`
	Group        string     `json:"group" db:"grp"`
	Organisation string     `json:"organisation" db:"organisation"`
	ExpiresAt    time.Time  `json:"expires_at" db:"expires_at"`
	UsedAt       *time.Time `json:"-" db:"used_at"`
}

// Round is one question put to a council.
type Round struct {
	ID             int64      `json:"id" db:"id"`
	CouncilID      int64      `json:"council_id" db:"council_id"`
	Title          string     `json:"title" db:"title"`
	Description    string     `json:"description" db:"description"`
	Status         string     `json:"status" db:"status"`
	Ballot         string     `json:"ballot" db:"ballot"`
	QuorumPercent  int        `json:"quorum_percent" db:"quorum_percent"`
	ClosesAt       *time.Time `json:"closes_at" db:"closes_at"`
	OpenedAt       *time.Time `json:"opened_at" db:"opened_at"`
	ClosedAt       *time.Time `json:"closed_at" db:"closed_at"`
	OutcomeSummary string     `json:"outcome_summary" db:"outcome_summary"`
	RecordSHA256   *string    `json:"record_sha256" db:"record_sha256"`
	CreatedAt      time.Time  `json:"created_at" db:"created_at"`
	// ResultsVisibility says when tallies show: "live", or "after_close" (nobody sees one
	// before the close).
	ResultsVisibility string   `json:"results_visibility" db:"results_visibility"`
	TextBytes         int64    `json:"-" db:"text_bytes"` // bytes of text written into the round, edits included
	ClosedSeq         *int64   `json:"-" db:"closed_seq"` // seq of the round.closed event: the record ends there
	Results           []Result `json:"results,omitempty" db:"-"`
}

// Counts is a tally of choices; Voters counts the members who voted at all.
type Counts struct {
	For     int `json:"for"`
	Against int `json:"against"`
	Abstain int `json:"abstain"`
	Voters  int `json:"voters"`
}

// GroupResult is one member group's share of a proposal's result.
type GroupResult struct {
	Counts
	Eligible int `json:"eligible"`
}

// Result is a proposal's outcome, fixed when its round closed.
type Result struct {
	ProposalID int64 `json:"proposal_id"`
	Counts
	Eligible int                    `json:"eligible"`
	Outcome  string                 `json:"outcome"`
	ByGroup  map[string]GroupResult `json:"by_group"`
	// ByGroupWithheld says why ByGroup is null: "small_groups" when, in a secret ballot, a
	// group with voters had fewer than three of them.
	ByGroupWithheld string `json:"by_group_withheld,omitempty"`
}

// Topic is a discussion thread inside a round.
type Topic struct {
	ID        int64     `json:"id" db:"id"`
	RoundID   int64     `json:"round_id" db:"round_id"`
	Title     string    `json:"title" db:"title"`
	Body      string    `json:"body" db:"body"`
	BodyHTML  string    `json:"body_html" db:"-"`
	Author    Person    `json:"author" db:"-"`
	AuthorID  int64     `json:"-" db:"author_id"`
	AuthorNm  string    `json:"-" db:"author_name"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	PostCount int       `json:"post_count" db:"post_count"`
	Posts     []Post    `json:"posts,omitempty" db:"-"`
}

// Post is one contribution to a topic.
type Post struct {
	ID           int64      `json:"id" db:"id"`
	TopicID      int64      `json:"topic_id" db:"topic_id"`
	ReplyTo      *int64     `json:"reply_to" db:"reply_to"`
	Author       Person     `json:"author" db:"-"`
	AuthorID     int64      `json:"-" db:"author_id"`
	AuthorNm     string     `json:"-" db:"author_name"`
	Body         string     `json:"body" db:"body"`
	BodyHTML     string     `json:"body_html" db:"-"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	EditedAt     *time.Time `json:"edited_at" db:"edited_at"`
	Hidden       bool       `json:"hidden" db:"hidden"`
	HiddenReason string     `json:"hidden_reason" db:"hidden_reason"`
}

// Proposal is a motion members vote on.
type Proposal struct {
	ID        int64     `json:"id" db:"id"`
	RoundID   int64     `json:"round_id" db:"round_id"`
	TopicID   *int64    `json:"topic_id" db:"topic_id"`
	Title     string    `json:"title" db:"title"`
	Body      string    `json:"body" db:"body"`
	BodyHTML  string    `json:"body_html" db:"-"`
	Author    Person    `json:"author" db:"-"`
	AuthorID  int64     `json:"-" db:"author_id"`
	AuthorNm  string    `json:"-" db:"author_name"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	Tally     *Counts   `json:"tally" db:"-"` // nil while the round hides its tallies
	VotesFor  int       `json:"-" db:"votes_for"`
	VotesAg   int       `json:"-" db:"votes_against"`
	VotesAb   int       `json:"-" db:"votes_abstain"`
	MyVote    *string   `json:"my_vote" db:"-"`
}

// Vote is a member's named choice on a proposal (open ballots only).
type Vote struct {
	Voter  VoterInfo `json:"voter"`
	Choice string    `json:"choice"`
	CastAt time.Time `json:"cast_at"`
}

// VoterInfo names a voter in an open ballot.
type VoterInfo struct {
	ID           int64  `json:"id" db:"id"`
	Name         string `json:"name" db:"name"`
	Organisation string `json:"organisation" db:"organisation"`
}

// Event is one entry of a council's append-only record.
type Event struct {
	Seq       int64           `json:"seq"`
	CouncilID int64           `json:"council_id"`
	RoundID   *int64          `json:"round_id"`
	Type      string          `json:"type"`
	At        time.Time       `json:"at"`
	Actor     *Person         `json:"actor"`
	Data      json.RawMessage `json:"data"`
}

type timeT = time.Time

func (p *Post) editedOrCreated() time.Time {
	if p.EditedAt != nil {
		return *p.EditedAt
	}
	return p.CreatedAt
}
