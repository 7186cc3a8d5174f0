package httpapi

import (
	"encoding/json"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
)

// The API's answers have their own types, with the JSON names of docs/api.md, built from the
// model's: a field added to the model reaches the API only when it is added here.

type userJSON struct {
	ID           int64       `json:"id"`
	Email        string      `json:"email"`
	Name         string      `json:"name"`
	Role         string      `json:"role"`
	Organisation string      `json:"organisation"`
	Language     string      `json:"language,omitempty"` // to the user themself
	Notify       *notifyJSON `json:"notify,omitempty"`   // to the user themself
}

// selfJSON shows a user to themself, email, language and notifications included.
func selfJSON(u *model.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Organisation: u.Organisation,
		Language: u.Language, Notify: newNotify(u.Notify)}
}

type membershipJSON struct {
	CouncilID int64  `json:"council_id"`
	Role      string `json:"role"`
	Group     string `json:"group"`
}

type personJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func newPerson(p model.Person) personJSON { return personJSON{ID: p.ID, Name: p.Name} }

type councilJSON struct {
	ID               int64     `json:"id"`
	Slug             string    `json:"slug"`
	Name             string    `json:"name"`
	Description      string    `json:"description"`
	Constituency     string    `json:"constituency"`
	MemberCount      int       `json:"member_count"`
	CreatedAt        time.Time `json:"created_at"`
	Archived         bool      `json:"archived"`
	OpenRoundsPublic bool      `json:"open_rounds_public"`
}

func newCouncil(c *model.Council) councilJSON {
	return councilJSON{ID: c.ID, Slug: c.Slug, Name: c.Name, Description: c.Description, Constituency: c.Constituency,
		MemberCount: c.MemberCount, CreatedAt: c.CreatedAt, Archived: c.Archived, OpenRoundsPublic: c.OpenRoundsPublic}
}

func newCouncils(cs []model.Council) []councilJSON {
	out := make([]councilJSON, len(cs))
	for i := range cs {
		out[i] = newCouncil(&cs[i])
	}
	return out
}

type memberJSON struct {
	UserID       int64     `json:"user_id"`
	Name         string    `json:"name"`
	Email        string    `json:"email,omitempty"` // only to moderators, admins and the member
	Organisation string    `json:"organisation"`
	Group        string    `json:"group"`
	Role         string    `json:"role"`
	JoinedAt     time.Time `json:"joined_at"`
}

func newMember(m *model.Member) memberJSON {
	return memberJSON{UserID: m.UserID, Name: m.Name, Email: m.Email, Organisation: m.Organisation, Group: m.Group,
		Role: m.Role, JoinedAt: m.JoinedAt}
}

type countsJSON struct {
	For     int `json:"for"`
	Against int `json:"against"`
	Abstain int `json:"abstain"`
	Voters  int `json:"voters"`
}

func newCounts(c *model.Counts) *countsJSON {
	if c == nil {
		return nil
	}
	return &countsJSON{For: c.For, Against: c.Against, Abstain: c.Abstain, Voters: c.Voters}
}

type groupResultJSON struct {
	countsJSON
	Eligible int `json:"eligible"`
}

type resultJSON struct {
	ProposalID int64 `json:"proposal_id"`
	countsJSON
	Eligible        int                        `json:"eligible"`
	Outcome         string                     `json:"outcome"`
	ByGroup         map[string]groupResultJSON `json:"by_group"`
	ByGroupWithheld string                     `json:"by_group_withheld,omitempty"`
}

func newResults(rs []model.Result) []resultJSON {
	out := make([]resultJSON, len(rs))
	for i, r := range rs {
		out[i] = resultJSON{ProposalID: r.ProposalID, countsJSON: *newCounts(&r.Counts), Eligible: r.Eligible, Outcome: r.Outcome,
			ByGroupWithheld: r.ByGroupWithheld}
		if r.ByGroup != nil {
			out[i].ByGroup = map[string]groupResultJSON{}
			for g, gr := range r.ByGroup {
				out[i].ByGroup[g] = groupResultJSON{countsJSON: *newCounts(&gr.Counts), Eligible: gr.Eligible}
			}
		}
	}
	return out
}

type roundJSON struct {
	ID                int64        `json:"id"`
	CouncilID         int64        `json:"council_id"`
	Title             string       `json:"title"`
	Description       string       `json:"description"`
	Status            string       `json:"status"`
	Ballot            string       `json:"ballot"`
	ResultsVisibility string       `json:"results_visibility"`
	QuorumPercent     int          `json:"quorum_percent"`
	ClosesAt          *time.Time   `json:"closes_at"`
	OpenedAt          *time.Time   `json:"opened_at"`
	ClosedAt          *time.Time   `json:"closed_at"`
	OutcomeSummary    string       `json:"outcome_summary"`
	RecordSHA256      *string      `json:"record_sha256"`
	CreatedAt         time.Time    `json:"created_at"`
	Eligible          *int         `json:"eligible,omitempty"` // the council's members now, while not closed
	Results           []resultJSON `json:"results,omitempty"`  // always there, maybe empty, once closed
}

func newRound(r *model.Round) roundJSON {
	out := roundJSON{ID: r.ID, CouncilID: r.CouncilID, Title: r.Title, Description: r.Description, Status: r.Status,
		Ballot: r.Ballot, ResultsVisibility: r.ResultsVisibility, QuorumPercent: r.QuorumPercent, ClosesAt: r.ClosesAt,
		OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt, OutcomeSummary: r.OutcomeSummary, RecordSHA256: r.RecordSHA256,
		CreatedAt: r.CreatedAt}
	if r.Status == model.StatusClosed {
		out.Results = newResults(r.Results)
	} else {
		out.Eligible = &r.Eligible
	}
	return out
}

// closedRoundJSON shows a closed round's results even when it had no proposals: omitempty
// leaves an empty list out, and the contract promises one.
type closedRoundJSON struct {
	roundJSON
	Results []resultJSON `json:"results"`
}

// roundAnswer is a round as the API answers it.
func roundAnswer(r *model.Round) any {
	if r.Status != model.StatusClosed {
		return newRound(r)
	}
	return closedRoundJSON{roundJSON: newRound(r), Results: newResults(r.Results)}
}

func newRounds(rs []model.Round) []any {
	out := make([]any, len(rs))
	for i := range rs {
		out[i] = roundAnswer(&rs[i])
	}
	return out
}

type topicJSON struct {
	ID        int64      `json:"id"`
	RoundID   int64      `json:"round_id"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	BodyHTML  string     `json:"body_html"`
	Author    personJSON `json:"author"`
	CreatedAt time.Time  `json:"created_at"`
	PostCount int        `json:"post_count"`
}

func newTopic(t *model.Topic) topicJSON {
	return topicJSON{ID: t.ID, RoundID: t.RoundID, Title: t.Title, Body: t.Body, BodyHTML: t.BodyHTML, Author: newPerson(t.Author),
		CreatedAt: t.CreatedAt, PostCount: t.PostCount}
}

type topicWithPostsJSON struct {
	topicJSON
	Posts []postJSON `json:"posts"`
	Page  int        `json:"page"`  // of the posts, PageSize a page
	Total int        `json:"total"` // posts in the topic
}

type postJSON struct {
	ID           int64      `json:"id"`
	Number       int        `json:"number"`
	TopicID      int64      `json:"topic_id"`
	ReplyTo      *int64     `json:"reply_to"`
	Author       personJSON `json:"author"`
	Body         string     `json:"body"`
	BodyHTML     string     `json:"body_html"`
	CreatedAt    time.Time  `json:"created_at"`
	EditedAt     *time.Time `json:"edited_at"`
	Hidden       bool       `json:"hidden"`
	HiddenReason string     `json:"hidden_reason"`
	DeletedAt    *time.Time `json:"deleted_at"`
}

func newPost(p *model.Post) postJSON {
	return postJSON{ID: p.ID, Number: p.Number, TopicID: p.TopicID, ReplyTo: p.ReplyTo, Author: newPerson(p.Author), Body: p.Body, BodyHTML: p.BodyHTML,
		CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, Hidden: p.Hidden, HiddenReason: p.HiddenReason, DeletedAt: p.DeletedAt}
}

type proposalJSON struct {
	ID          int64       `json:"id"`
	RoundID     int64       `json:"round_id"`
	TopicID     *int64      `json:"topic_id"`
	Title       string      `json:"title"`
	Body        string      `json:"body"`
	BodyHTML    string      `json:"body_html"`
	Author      personJSON  `json:"author"`
	CreatedAt   time.Time   `json:"created_at"`
	EditedAt    *time.Time  `json:"edited_at"`
	WithdrawnAt *time.Time  `json:"withdrawn_at"`
	Tally       *countsJSON `json:"tally"`  // null while the round hides its tallies
	Voters      int         `json:"voters"` // how many voted on it, shown even when the tally is not
	MyVote      *string     `json:"my_vote"`
}

func newProposal(p *model.Proposal) proposalJSON {
	return proposalJSON{ID: p.ID, RoundID: p.RoundID, TopicID: p.TopicID, Title: p.Title, Body: p.Body, BodyHTML: p.BodyHTML,
		Author: newPerson(p.Author), CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, WithdrawnAt: p.WithdrawnAt,
		Tally: newCounts(p.Tally), Voters: p.Voters, MyVote: p.MyVote}
}

// roundDetailJSON is a round with its topics (without posts) and proposals.
type roundDetailJSON struct {
	roundJSON
	Topics    []topicJSON    `json:"topics"`
	Proposals []proposalJSON `json:"proposals"`
}

type closedRoundDetailJSON struct {
	roundDetailJSON
	Results []resultJSON `json:"results"`
}

func roundDetailAnswer(v *council.RoundView) any {
	d := roundDetailJSON{roundJSON: newRound(v.Round), Topics: make([]topicJSON, len(v.Topics)), Proposals: make([]proposalJSON, len(v.Proposals))}
	for i := range v.Topics {
		d.Topics[i] = newTopic(&v.Topics[i])
	}
	for i := range v.Proposals {
		d.Proposals[i] = newProposal(&v.Proposals[i])
	}
	if v.Round.Status != model.StatusClosed {
		return d
	}
	return closedRoundDetailJSON{roundDetailJSON: d, Results: newResults(v.Round.Results)}
}

type voterJSON struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
}

type voteJSON struct {
	Voter  voterJSON `json:"voter"`
	Choice string    `json:"choice"`
	Reason string    `json:"reason"`
	CastAt time.Time `json:"cast_at"`
}

func newVotes(vs []model.Vote) []voteJSON {
	out := make([]voteJSON, len(vs))
	for i, v := range vs {
		out[i] = voteJSON{Voter: voterJSON{ID: v.Voter.ID, Name: v.Voter.Name, Organisation: v.Voter.Organisation}, Choice: v.Choice,
			Reason: v.Reason, CastAt: v.CastAt}
	}
	return out
}

type participationJSON struct {
	Eligible  int                         `json:"eligible"`
	Voted     int                         `json:"voted"`
	Proposals int                         `json:"proposals"`
	ByGroup   map[string]groupTurnoutJSON `json:"by_group"`
	NotVoted  []missingVoterJSON          `json:"not_voted"`
}

type groupTurnoutJSON struct {
	Members int `json:"members"`
	Voted   int `json:"voted"`
}

type missingVoterJSON struct {
	UserID  int64   `json:"user_id"`
	Name    string  `json:"name"`
	Group   string  `json:"group"`
	Pending []int64 `json:"pending"`
}

func newParticipation(p *model.Participation) participationJSON {
	out := participationJSON{Eligible: p.Eligible, Voted: p.Voted, Proposals: p.Proposals,
		ByGroup: map[string]groupTurnoutJSON{}, NotVoted: []missingVoterJSON{}}
	for g, t := range p.ByGroup {
		out.ByGroup[g] = groupTurnoutJSON{Members: t.Members, Voted: t.Voted}
	}
	for _, m := range p.Missing {
		out.NotVoted = append(out.NotVoted, missingVoterJSON{UserID: m.UserID, Name: m.Name, Group: m.Group, Pending: m.Pending})
	}
	return out
}

// newEvents encodes events in their envelope, as they travel everywhere.
func newEvents(evs []model.Event) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, len(evs))
	for i, ev := range evs {
		raw, err := events.Envelope(ev)
		if err != nil {
			return nil, err
		}
		out[i] = raw
	}
	return out, nil
}
