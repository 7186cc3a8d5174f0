// Package record writes the published record of a closed round: the document whose bytes are
// frozen at the close, served as they are for ever, and whose SHA-256 the round publishes.
// Its format is versioned (Format) and has its own types, built from the model's, so that a
// change to what the record holds can only be deliberate — a new format, while the records
// already published keep their bytes. docs/record.md describes it field by field.
package record

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
)

// Format names the record's format; it is the first field of every record.
const Format = "council-record/v1"

// Input is what a closed round's record is made of, read when the round closed.
type Input struct {
	Round        model.Round
	Proposals    []model.Proposal
	Votes        map[int64][]model.Vote // named votes by proposal, for an open ballot
	Participants []model.Voter
	Topics       []model.Topic // with their posts, hidden ones without their text
	Events       []model.Event // the round's events, hidden posts' text left out
}

// Render writes the record — indented JSON ending in a newline — and its SHA-256 in hex.
func Render(in Input) ([]byte, string, error) {
	doc, err := build(in)
	if err != nil {
		return nil, "", err
	}
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, "", err
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	return body, hex.EncodeToString(sum[:]), nil
}

type document struct {
	Format       string            `json:"format"`
	Round        round             `json:"round"`
	Results      []result          `json:"results"`
	Proposals    []proposal        `json:"proposals"`
	Participants []participant     `json:"participants"`
	Topics       []topic           `json:"topics"`
	Events       []json.RawMessage `json:"events"`
}

type round struct {
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
	CreatedAt         time.Time  `json:"created_at"`
}

type counts struct {
	For     int `json:"for"`
	Against int `json:"against"`
	Abstain int `json:"abstain"`
	Voters  int `json:"voters"`
}

type groupResult struct {
	counts
	Eligible int `json:"eligible"`
}

type result struct {
	ProposalID int64 `json:"proposal_id"`
	counts
	Eligible        int                    `json:"eligible"`
	Outcome         string                 `json:"outcome"`
	ByGroup         map[string]groupResult `json:"by_group"`
	ByGroupWithheld string                 `json:"by_group_withheld,omitempty"`
}

type person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type participant struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
}

type vote struct {
	Voter  participant `json:"voter"`
	Choice string      `json:"choice"`
	Reason string      `json:"reason"`
	CastAt time.Time   `json:"cast_at"`
}

type proposal struct {
	ID          int64      `json:"id"`
	RoundID     int64      `json:"round_id"`
	TopicID     *int64     `json:"topic_id"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	BodyHTML    string     `json:"body_html"`
	Author      person     `json:"author"`
	CreatedAt   time.Time  `json:"created_at"`
	EditedAt    *time.Time `json:"edited_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at"`
	Tally       *counts    `json:"tally"`
	Votes       []vote     `json:"votes,omitempty"`
}

type topic struct {
	ID        int64     `json:"id"`
	RoundID   int64     `json:"round_id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	BodyHTML  string    `json:"body_html"`
	Author    person    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	PostCount int       `json:"post_count"`
	Posts     []post    `json:"posts"`
}

type post struct {
	ID           int64      `json:"id"`
	Number       int        `json:"number"`
	TopicID      int64      `json:"topic_id"`
	ReplyTo      *int64     `json:"reply_to"`
	Author       person     `json:"author"`
	Body         string     `json:"body"`
	BodyHTML     string     `json:"body_html"`
	CreatedAt    time.Time  `json:"created_at"`
	EditedAt     *time.Time `json:"edited_at"`
	Hidden       bool       `json:"hidden"`
	HiddenReason string     `json:"hidden_reason"`
	DeletedAt    *time.Time `json:"deleted_at"`
}

func build(in Input) (document, error) {
	r := in.Round
	doc := document{Format: Format,
		Round: round{ID: r.ID, CouncilID: r.CouncilID, Title: r.Title, Description: r.Description, Status: r.Status,
			Ballot: r.Ballot, ResultsVisibility: r.ResultsVisibility, QuorumPercent: r.QuorumPercent, ClosesAt: r.ClosesAt,
			OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt, OutcomeSummary: r.OutcomeSummary, CreatedAt: r.CreatedAt},
		Results: []result{}, Proposals: []proposal{}, Participants: []participant{}, Topics: []topic{}, Events: []json.RawMessage{}}
	for _, res := range r.Results {
		doc.Results = append(doc.Results, newResult(res))
	}
	for _, p := range in.Proposals {
		doc.Proposals = append(doc.Proposals, newProposal(p, in.Votes[p.ID]))
	}
	for _, v := range in.Participants {
		doc.Participants = append(doc.Participants, participant{ID: v.ID, Name: v.Name, Organisation: v.Organisation})
	}
	for _, t := range in.Topics {
		doc.Topics = append(doc.Topics, newTopic(t))
	}
	for _, ev := range in.Events {
		raw, err := events.Envelope(ev)
		if err != nil {
			return doc, err
		}
		doc.Events = append(doc.Events, raw)
	}
	return doc, nil
}

func newCounts(c model.Counts) counts {
	return counts{For: c.For, Against: c.Against, Abstain: c.Abstain, Voters: c.Voters}
}

func newResult(r model.Result) result {
	out := result{ProposalID: r.ProposalID, counts: newCounts(r.Counts), Eligible: r.Eligible, Outcome: r.Outcome,
		ByGroupWithheld: r.ByGroupWithheld}
	if r.ByGroup != nil {
		out.ByGroup = map[string]groupResult{}
		for g, gr := range r.ByGroup {
			out.ByGroup[g] = groupResult{counts: newCounts(gr.Counts), Eligible: gr.Eligible}
		}
	}
	return out
}

func newProposal(p model.Proposal, votes []model.Vote) proposal {
	out := proposal{ID: p.ID, RoundID: p.RoundID, TopicID: p.TopicID, Title: p.Title, Body: p.Body, BodyHTML: p.BodyHTML,
		Author: person{ID: p.Author.ID, Name: p.Author.Name}, CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, WithdrawnAt: p.WithdrawnAt}
	if p.Tally != nil {
		c := newCounts(*p.Tally)
		out.Tally = &c
	}
	for _, v := range votes {
		out.Votes = append(out.Votes, vote{Voter: participant{ID: v.Voter.ID, Name: v.Voter.Name, Organisation: v.Voter.Organisation},
			Choice: v.Choice, Reason: v.Reason, CastAt: v.CastAt})
	}
	return out
}

func newTopic(t model.Topic) topic {
	out := topic{ID: t.ID, RoundID: t.RoundID, Title: t.Title, Body: t.Body, BodyHTML: t.BodyHTML,
		Author: person{ID: t.Author.ID, Name: t.Author.Name}, CreatedAt: t.CreatedAt, PostCount: t.PostCount, Posts: []post{}}
	for _, p := range t.Posts {
		out.Posts = append(out.Posts, post{ID: p.ID, Number: p.Number, TopicID: p.TopicID, ReplyTo: p.ReplyTo, Author: person{ID: p.Author.ID, Name: p.Author.Name},
			Body: p.Body, BodyHTML: p.BodyHTML, CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, Hidden: p.Hidden, HiddenReason: p.HiddenReason,
			DeletedAt: p.DeletedAt})
	}
	return out
}
