package httpapi

import (
	"time"

	"github.com/perushtitsa/council/server/council"
)

// The bodies the API decodes, with the JSON names of docs/api.md; each maps to what the
// domain takes. An unknown field in a body is a bad_request (decode refuses it).

type signInBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type councilBody struct {
	Slug         string `json:"slug"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Constituency string `json:"constituency"`
}

func (b councilBody) input() council.CouncilInput {
	return council.CouncilInput{Slug: b.Slug, Name: b.Name, Description: b.Description, Constituency: b.Constituency}
}

type roleBody struct {
	Role string `json:"role"`
}

type inviteBody struct {
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Group        string `json:"group"`
	Organisation string `json:"organisation"`
	Language     string `json:"language"` // of the mail to someone without an account
}

func (b inviteBody) input() council.InviteInput {
	return council.InviteInput{Email: b.Email, Name: b.Name, Role: b.Role, Group: b.Group, Organisation: b.Organisation,
		Language: b.Language}
}

type acceptBody struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type roundBody struct {
	Title             *string    `json:"title"`
	Description       *string    `json:"description"`
	Ballot            *string    `json:"ballot"`
	QuorumPercent     *int       `json:"quorum_percent"`
	ClosesAt          *time.Time `json:"closes_at"`
	ResultsVisibility *string    `json:"results_visibility"`
}

func (b roundBody) input() council.RoundInput {
	return council.RoundInput{Title: b.Title, Description: b.Description, Ballot: b.Ballot, QuorumPercent: b.QuorumPercent,
		ClosesAt: b.ClosesAt, ResultsVisibility: b.ResultsVisibility}
}

type openBody struct {
	ClosesAt *time.Time `json:"closes_at"`
}

type closeBody struct {
	OutcomeSummary string `json:"outcome_summary"`
}

type topicBody struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

type postBody struct {
	Body    string `json:"body"`
	ReplyTo *int64 `json:"reply_to"`
}

type bodyOnly struct {
	Body string `json:"body"`
}

type reasonBody struct {
	Reason string `json:"reason"`
}

type proposalBody struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	TopicID *int64 `json:"topic_id"`
}

type voteBody struct {
	Choice string `json:"choice"`
	Reason string `json:"reason"`
}

type councilUpdateBody struct {
	Name             *string `json:"name"`
	Description      *string `json:"description"`
	Archived         *bool   `json:"archived"`
	OpenRoundsPublic *bool   `json:"open_rounds_public"`
}

func (b councilUpdateBody) input() council.CouncilUpdate {
	return council.CouncilUpdate{Name: b.Name, Description: b.Description, Archived: b.Archived, OpenRoundsPublic: b.OpenRoundsPublic}
}

type proposalEditBody struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}
