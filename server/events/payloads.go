package events

import (
	"time"

	"github.com/perushtitsa/council/server/model"
)

// Joined is member.joined: someone took a seat.
type Joined struct {
	UserID       int64  `json:"user_id"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Group        string `json:"group"`
	Role         string `json:"role"`
}

// Type names the event.
func (Joined) Type() string { return MemberJoined }

// NewJoined is the event of a member seated.
func NewJoined(m *model.Member) Joined {
	return Joined{UserID: m.UserID, Name: m.Name, Organisation: m.Organisation, Group: m.Group, Role: m.Role}
}

// Left is member.left: a seat taken away. The member's live connections close before it.
type Left struct {
	UserID int64 `json:"user_id"`
}

// Type names the event.
func (Left) Type() string { return MemberLeft }

// RoleChanged is member.role_changed.
type RoleChanged struct {
	UserID int64  `json:"user_id"`
	Role   string `json:"role"`
}

// Type names the event.
func (RoleChanged) Type() string { return MemberRoleChanged }

// CouncilSettings is council.updated: the council as its admin or moderators left it.
type CouncilSettings struct {
	Name             string `json:"name"`
	Description      string `json:"description"`
	Archived         bool   `json:"archived"`
	OpenRoundsPublic bool   `json:"open_rounds_public"`
}

// Type names the event.
func (CouncilSettings) Type() string { return CouncilUpdated }

// NewCouncilSettings is the event of a council's settings changed.
func NewCouncilSettings(c *model.Council) CouncilSettings {
	return CouncilSettings{Name: c.Name, Description: c.Description, Archived: c.Archived, OpenRoundsPublic: c.OpenRoundsPublic}
}

// Round is round.created, round.updated, round.opened and round.closed: the round as it stands
// after the change, with its results once closed.
type Round struct {
	kind              string
	ID                int64      `json:"id"`
	CouncilID         int64      `json:"council_id"`
	Title             string     `json:"title"`
	Description       string     `json:"description"`
	Status            string     `json:"status"`
	Ballot            string     `json:"ballot"`
	ResultsVisibility string     `json:"results_visibility"`
	QuorumPercent     int        `json:"quorum_percent"`
	ClosesAt          *time.Time `json:"closes_at"`
	OpenedAt          *time.Time `json:"opened_at"`
	ClosedAt          *time.Time `json:"closed_at"`
	OutcomeSummary    string     `json:"outcome_summary"`
	RecordSHA256      *string    `json:"record_sha256"`
	CreatedAt         time.Time  `json:"created_at"`
	Results           []Result   `json:"results,omitempty"`
}

// Type names the event.
func (r Round) Type() string { return r.kind }

// NewRound is the event of a round created, updated, opened or closed (typ). The digest of a
// closed round's record is never in it: the record holds this very event.
func NewRound(typ string, r *model.Round) Round {
	return Round{kind: typ, ID: r.ID, CouncilID: r.CouncilID, Title: r.Title, Description: r.Description,
		Status: r.Status, Ballot: r.Ballot, ResultsVisibility: r.ResultsVisibility, QuorumPercent: r.QuorumPercent,
		ClosesAt: r.ClosesAt, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt, OutcomeSummary: r.OutcomeSummary,
		CreatedAt: r.CreatedAt, Results: results(r.Results)}
}

// Counts is a tally.
type Counts struct {
	For     int `json:"for"`
	Against int `json:"against"`
	Abstain int `json:"abstain"`
	Voters  int `json:"voters"`
}

func counts(c model.Counts) Counts {
	return Counts{For: c.For, Against: c.Against, Abstain: c.Abstain, Voters: c.Voters}
}

// GroupResult is one group's share of a result.
type GroupResult struct {
	Counts
	Eligible int `json:"eligible"`
}

// Result is a proposal's outcome in a closed round.
type Result struct {
	ProposalID int64 `json:"proposal_id"`
	Counts
	Eligible        int                    `json:"eligible"`
	Outcome         string                 `json:"outcome"`
	ByGroup         map[string]GroupResult `json:"by_group"`
	ByGroupWithheld string                 `json:"by_group_withheld,omitempty"`
}

func results(rs []model.Result) []Result {
	if rs == nil {
		return nil
	}
	out := make([]Result, len(rs))
	for i, r := range rs {
		out[i] = Result{ProposalID: r.ProposalID, Counts: counts(r.Counts), Eligible: r.Eligible, Outcome: r.Outcome,
			ByGroupWithheld: r.ByGroupWithheld}
		if r.ByGroup != nil {
			out[i].ByGroup = map[string]GroupResult{}
			for g, gr := range r.ByGroup {
				out[i].ByGroup[g] = GroupResult{Counts: counts(gr.Counts), Eligible: gr.Eligible}
			}
		}
	}
	return out
}

// Topic is topic.created.
type Topic struct {
	ID        int64     `json:"id"`
	RoundID   int64     `json:"round_id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	BodyHTML  string    `json:"body_html"`
	Author    Person    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	PostCount int       `json:"post_count"`
}

// Type names the event.
func (Topic) Type() string { return TopicCreated }

// NewTopic is the event of a topic started.
func NewTopic(t *model.Topic) Topic {
	return Topic{ID: t.ID, RoundID: t.RoundID, Title: t.Title, Body: t.Body, BodyHTML: t.BodyHTML,
		Author: Person{ID: t.Author.ID, Name: t.Author.Name}, CreatedAt: t.CreatedAt, PostCount: t.PostCount}
}

// Post is post.created and post.edited: the post with its text at that moment. Once the post
// is hidden, its text is left out wherever the event is read by anyone but a moderator.
type Post struct {
	kind         string
	ID           int64      `json:"id"`
	Number       int        `json:"number"`
	TopicID      int64      `json:"topic_id"`
	ReplyTo      *int64     `json:"reply_to"`
	Author       Person     `json:"author"`
	Body         string     `json:"body"`
	BodyHTML     string     `json:"body_html"`
	CreatedAt    time.Time  `json:"created_at"`
	EditedAt     *time.Time `json:"edited_at"`
	Hidden       bool       `json:"hidden"`
	HiddenReason string     `json:"hidden_reason"`
}

// Type names the event.
func (p Post) Type() string { return p.kind }

// NewPost is the event of a post written or edited (typ).
func NewPost(typ string, p *model.Post) Post {
	return Post{kind: typ, ID: p.ID, Number: p.Number, TopicID: p.TopicID, ReplyTo: p.ReplyTo, Author: Person{ID: p.Author.ID, Name: p.Author.Name},
		Body: p.Body, BodyHTML: p.BodyHTML, CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, Hidden: p.Hidden, HiddenReason: p.HiddenReason}
}

// Hidden is post.hidden: a moderator hid a post, with a reason.
type Hidden struct {
	PostID  int64  `json:"post_id"`
	TopicID int64  `json:"topic_id"`
	Reason  string `json:"reason"`
}

// Type names the event.
func (Hidden) Type() string { return PostHidden }

// PostRef is post.unhidden (a moderator showed a hidden post again) and post.deleted (its
// author deleted it: its place stays, its text is gone from the record, earlier events
// included).
type PostRef struct {
	kind    string
	PostID  int64 `json:"post_id"`
	TopicID int64 `json:"topic_id"`
}

// Type names the event.
func (p PostRef) Type() string { return p.kind }

// NewPostRef is the event of a post unhidden or deleted (typ).
func NewPostRef(typ string, p *model.Post) PostRef {
	return PostRef{kind: typ, PostID: p.ID, TopicID: p.TopicID}
}

// Proposal is proposal.created and proposal.edited, with its tally (null where the round hides
// tallies).
type Proposal struct {
	kind      string
	ID        int64      `json:"id"`
	RoundID   int64      `json:"round_id"`
	TopicID   *int64     `json:"topic_id"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	BodyHTML  string     `json:"body_html"`
	Author    Person     `json:"author"`
	CreatedAt time.Time  `json:"created_at"`
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	Tally     *Counts    `json:"tally"`
}

// Type names the event.
func (p Proposal) Type() string { return p.kind }

// NewProposal is the event of a proposal tabled or edited (typ).
func NewProposal(typ string, p *model.Proposal) Proposal {
	out := Proposal{kind: typ, EditedAt: p.EditedAt, ID: p.ID, RoundID: p.RoundID, TopicID: p.TopicID, Title: p.Title, Body: p.Body, BodyHTML: p.BodyHTML,
		Author: Person{ID: p.Author.ID, Name: p.Author.Name}, CreatedAt: p.CreatedAt}
	if p.Tally != nil {
		c := counts(*p.Tally)
		out.Tally = &c
	}
	return out
}

// Withdrawn is proposal.withdrawn: its author took it back before anyone voted on it.
type Withdrawn struct {
	ProposalID int64 `json:"proposal_id"`
}

// Type names the event.
func (Withdrawn) Type() string { return ProposalWithdrawn }

// Vote is vote.cast and vote.withdrawn. A tally or a choice goes in only where the round shows
// tallies live and its ballot is open: in a secret ballot, a tally that moves with each vote
// tells the choice of whoever just voted, so its events carry the number of voters alone.
type Vote struct {
	kind       string
	ProposalID int64   `json:"proposal_id"`
	Voters     int     `json:"voters"`
	Tally      *Counts `json:"tally,omitempty"`
	Voter      *Person `json:"voter,omitempty"`
	Choice     string  `json:"choice,omitempty"`
	Reason     string  `json:"reason,omitempty"`
}

// Type names the event.
func (v Vote) Type() string { return v.kind }

// NewVote is the event of a vote cast or withdrawn (typ) in round r, with the proposal's new
// tally; choice and reason are empty for a withdrawal. It also says who the event's actor is:
// nobody in a secret ballot.
func NewVote(typ string, r *model.Round, proposalID int64, tally model.Counts, voter *model.User, choice, reason string) (Vote, *model.Person) {
	v := Vote{kind: typ, ProposalID: proposalID, Voters: tally.Voters}
	if r.Ballot == model.BallotSecret {
		return v, nil
	}
	actor := voter.Person()
	if r.ResultsVisibility == model.ResultsLive {
		c := counts(tally)
		v.Tally, v.Voter, v.Choice, v.Reason = &c, person(actor), choice, reason
	}
	return v, actor
}
