package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/perushtitsa/council/server/model"
)

// The row types mirror the tables. They never leave this package: every method maps them into
// the model's types.

type userRow struct {
	ID           int64     `db:"id"`
	Email        string    `db:"email"`
	Name         string    `db:"name"`
	Role         string    `db:"role"`
	Organisation string    `db:"organisation"`
	PasswordHash string    `db:"password_hash"`
	CreatedAt    time.Time `db:"created_at"`
	notifyRow
	Language string     `db:"language"`
	ErasedAt *time.Time `db:"erased_at"`
}

const userColumns = `id, email, name, role, organisation, password_hash, created_at, language, erased_at, ` + notifyColumns

// userColumnsOf is userColumns read from the users table under an alias.
func userColumnsOf(alias string) string { return columnsOf(userColumns, alias) }

// columnsOf prefixes each of a comma-separated list of plain columns with a table's alias.
func columnsOf(cols, alias string) string {
	parts := strings.Split(strings.Join(strings.Fields(cols), " "), ", ")
	for i, c := range parts {
		parts[i] = alias + "." + c
	}
	return strings.Join(parts, ", ")
}

func (r *userRow) model() *model.User {
	return &model.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: r.Role, Organisation: r.Organisation,
		PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt.UTC(), Language: r.Language, Notify: r.notifyRow.model(),
		ErasedAt: utcPtr(r.ErasedAt)}
}

type councilRow struct {
	ID           int64     `db:"id"`
	Slug         string    `db:"slug"`
	Name         string    `db:"name"`
	Description  string    `db:"description"`
	Constituency string    `db:"constituency"`
	MemberCount  int       `db:"member_count"`
	CreatedAt    time.Time `db:"created_at"`
	Archived     bool      `db:"archived"`
	OpenPublic   bool      `db:"open_rounds_public"`
}

const councilColumns = `c.id, c.slug, c.name, c.description, c.constituency, c.created_at, c.archived, c.open_rounds_public,
	(SELECT COUNT(*) FROM memberships m WHERE m.council_id = c.id) AS member_count`

func (r *councilRow) model() model.Council {
	return model.Council{ID: r.ID, Slug: r.Slug, Name: r.Name, Description: r.Description,
		Constituency: r.Constituency, MemberCount: r.MemberCount, CreatedAt: r.CreatedAt.UTC(),
		Archived: r.Archived, OpenRoundsPublic: r.OpenPublic}
}

type memberRow struct {
	UserID       int64     `db:"user_id"`
	Name         string    `db:"name"`
	Email        string    `db:"email"`
	Organisation string    `db:"organisation"`
	Group        string    `db:"grp"`
	Role         string    `db:"role"`
	JoinedAt     time.Time `db:"joined_at"`
}

const memberColumns = `m.user_id, u.name, u.email, u.organisation, m.grp, m.role, m.joined_at`

func (r *memberRow) model() model.Member {
	return model.Member{UserID: r.UserID, Name: r.Name, Email: r.Email, Organisation: r.Organisation,
		Group: r.Group, Role: r.Role, JoinedAt: r.JoinedAt.UTC()}
}

type invitationRow struct {
	ID           int64      `db:"id"`
	CouncilID    int64      `db:"council_id"`
	Email        string     `db:"email"`
	Name         string     `db:"name"`
	Role         string     `db:"role"`
	Group        string     `db:"grp"`
	Organisation string     `db:"organisation"`
	ExpiresAt    time.Time  `db:"expires_at"`
	UsedAt       *time.Time `db:"used_at"`
}

const invitationColumns = `id, council_id, email, name, role, grp, organisation, expires_at, used_at`

func (r *invitationRow) model() *model.Invitation {
	return &model.Invitation{ID: r.ID, CouncilID: r.CouncilID, Email: r.Email, Name: r.Name, Role: r.Role,
		Group: r.Group, Organisation: r.Organisation, ExpiresAt: r.ExpiresAt.UTC(), UsedAt: utcPtr(r.UsedAt)}
}

type roundRow struct {
	ID                int64      `db:"id"`
	CouncilID         int64      `db:"council_id"`
	Title             string     `db:"title"`
	Description       string     `db:"description"`
	Status            string     `db:"status"`
	Ballot            string     `db:"ballot"`
	ResultsVisibility string     `db:"results_visibility"`
	QuorumPercent     int        `db:"quorum_percent"`
	ClosesAt          *time.Time `db:"closes_at"`
	OpenedAt          *time.Time `db:"opened_at"`
	ClosedAt          *time.Time `db:"closed_at"`
	OutcomeSummary    string     `db:"outcome_summary"`
	RecordSHA256      *string    `db:"record_sha256"`
	CreatedAt         time.Time  `db:"created_at"`
	TextBytes         int64      `db:"text_bytes"`
	ClosedSeq         *int64     `db:"closed_seq"`
	Results           *string    `db:"results"`
}

const roundColumns = `id, council_id, title, description, status, ballot, results_visibility, quorum_percent,
	closes_at, opened_at, closed_at, outcome_summary, record_sha256, created_at, text_bytes, closed_seq, results`

func (r *roundRow) model() (model.Round, error) {
	rd := model.Round{ID: r.ID, CouncilID: r.CouncilID, Title: r.Title, Description: r.Description, Status: r.Status,
		Ballot: r.Ballot, ResultsVisibility: r.ResultsVisibility, QuorumPercent: r.QuorumPercent,
		ClosesAt: utcPtr(r.ClosesAt), OpenedAt: utcPtr(r.OpenedAt), ClosedAt: utcPtr(r.ClosedAt),
		OutcomeSummary: r.OutcomeSummary, RecordSHA256: r.RecordSHA256, CreatedAt: r.CreatedAt.UTC(),
		TextBytes: r.TextBytes, ClosedSeq: r.ClosedSeq}
	if r.Results != nil && *r.Results != "" {
		var docs []resultDoc
		if err := json.Unmarshal([]byte(*r.Results), &docs); err != nil {
			return rd, fmt.Errorf("store: round %d has unreadable results: %w", r.ID, err)
		}
		for _, d := range docs {
			rd.Results = append(rd.Results, d.model())
		}
	}
	return rd, nil
}

// resultDoc is how a closed round's results are kept in the rounds.results column: the
// database's own format, which the model's Result is mapped to and from.
type resultDoc struct {
	ProposalID      int64                  `json:"proposal_id"`
	For             int                    `json:"for"`
	Against         int                    `json:"against"`
	Abstain         int                    `json:"abstain"`
	Voters          int                    `json:"voters"`
	Eligible        int                    `json:"eligible"`
	Outcome         string                 `json:"outcome"`
	ByGroup         map[string]groupResult `json:"by_group"`
	ByGroupWithheld string                 `json:"by_group_withheld,omitempty"`
}

type groupResult struct {
	For      int `json:"for"`
	Against  int `json:"against"`
	Abstain  int `json:"abstain"`
	Voters   int `json:"voters"`
	Eligible int `json:"eligible"`
}

func resultDocs(rs []model.Result) []resultDoc {
	out := make([]resultDoc, len(rs))
	for i, r := range rs {
		d := resultDoc{ProposalID: r.ProposalID, For: r.For, Against: r.Against, Abstain: r.Abstain, Voters: r.Voters,
			Eligible: r.Eligible, Outcome: r.Outcome, ByGroupWithheld: r.ByGroupWithheld}
		if r.ByGroup != nil {
			d.ByGroup = map[string]groupResult{}
			for g, gr := range r.ByGroup {
				d.ByGroup[g] = groupResult{For: gr.For, Against: gr.Against, Abstain: gr.Abstain, Voters: gr.Voters, Eligible: gr.Eligible}
			}
		}
		out[i] = d
	}
	return out
}

func (d resultDoc) model() model.Result {
	r := model.Result{ProposalID: d.ProposalID, Counts: model.Counts{For: d.For, Against: d.Against, Abstain: d.Abstain, Voters: d.Voters},
		Eligible: d.Eligible, Outcome: d.Outcome, ByGroupWithheld: d.ByGroupWithheld}
	if d.ByGroup != nil {
		r.ByGroup = map[string]model.GroupResult{}
		for g, gr := range d.ByGroup {
			r.ByGroup[g] = model.GroupResult{Counts: model.Counts{For: gr.For, Against: gr.Against, Abstain: gr.Abstain, Voters: gr.Voters}, Eligible: gr.Eligible}
		}
	}
	return r
}

type topicRow struct {
	ID         int64     `db:"id"`
	RoundID    int64     `db:"round_id"`
	Title      string    `db:"title"`
	Body       string    `db:"body"`
	BodyHTML   *string   `db:"body_html"`
	AuthorID   int64     `db:"author_id"`
	AuthorName string    `db:"author_name"`
	CreatedAt  time.Time `db:"created_at"`
	PostCount  int       `db:"post_count"`
}

const topicColumns = `t.id, t.round_id, t.title, t.body, t.body_html, t.author_id, u.name AS author_name, t.created_at,
	(SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id) AS post_count`

func (r *topicRow) model() model.Topic {
	return model.Topic{ID: r.ID, RoundID: r.RoundID, Title: r.Title, Body: r.Body, BodyHTML: deref(r.BodyHTML),
		Author: model.Person{ID: r.AuthorID, Name: r.AuthorName}, CreatedAt: r.CreatedAt.UTC(), PostCount: r.PostCount}
}

type postRow struct {
	ID           int64      `db:"id"`
	TopicID      int64      `db:"topic_id"`
	ReplyTo      *int64     `db:"reply_to"`
	AuthorID     int64      `db:"author_id"`
	AuthorName   string     `db:"author_name"`
	Body         string     `db:"body"`
	BodyHTML     *string    `db:"body_html"`
	CreatedAt    time.Time  `db:"created_at"`
	EditedAt     *time.Time `db:"edited_at"`
	Hidden       bool       `db:"hidden"`
	HiddenReason string     `db:"hidden_reason"`
	DeletedAt    *time.Time `db:"deleted_at"`
	Number       int        `db:"number"`
}

const postColumns = `p.id, p.topic_id, p.reply_to, p.author_id, u.name AS author_name, p.body, p.body_html,
	p.created_at, p.edited_at, p.hidden, p.hidden_reason, p.deleted_at, p.number`

func (r *postRow) model() model.Post {
	return model.Post{ID: r.ID, TopicID: r.TopicID, ReplyTo: r.ReplyTo, Author: model.Person{ID: r.AuthorID, Name: r.AuthorName},
		Body: r.Body, BodyHTML: deref(r.BodyHTML), CreatedAt: r.CreatedAt.UTC(), EditedAt: utcPtr(r.EditedAt),
		Hidden: r.Hidden, HiddenReason: r.HiddenReason, DeletedAt: utcPtr(r.DeletedAt), Number: r.Number}
}

type proposalRow struct {
	ID           int64      `db:"id"`
	RoundID      int64      `db:"round_id"`
	TopicID      *int64     `db:"topic_id"`
	Title        string     `db:"title"`
	Body         string     `db:"body"`
	BodyHTML     *string    `db:"body_html"`
	AuthorID     int64      `db:"author_id"`
	AuthorName   string     `db:"author_name"`
	CreatedAt    time.Time  `db:"created_at"`
	VotesFor     int        `db:"votes_for"`
	VotesAgainst int        `db:"votes_against"`
	VotesAbstain int        `db:"votes_abstain"`
	EditedAt     *time.Time `db:"edited_at"`
	WithdrawnAt  *time.Time `db:"withdrawn_at"`
}

const proposalColumns = `p.id, p.round_id, p.topic_id, p.title, p.body, p.body_html, p.author_id, u.name AS author_name,
	p.created_at, p.votes_for, p.votes_against, p.votes_abstain, p.edited_at, p.withdrawn_at`

func (r *proposalRow) model() model.Proposal {
	voters := r.VotesFor + r.VotesAgainst + r.VotesAbstain
	return model.Proposal{ID: r.ID, RoundID: r.RoundID, TopicID: r.TopicID, Title: r.Title, Body: r.Body,
		BodyHTML: deref(r.BodyHTML), Author: model.Person{ID: r.AuthorID, Name: r.AuthorName}, CreatedAt: r.CreatedAt.UTC(),
		Tally:  &model.Counts{For: r.VotesFor, Against: r.VotesAgainst, Abstain: r.VotesAbstain, Voters: voters},
		Voters: voters, EditedAt: utcPtr(r.EditedAt), WithdrawnAt: utcPtr(r.WithdrawnAt)}
}

type eventRow struct {
	CouncilID int64     `db:"council_id"`
	Seq       int64     `db:"seq"`
	RoundID   *int64    `db:"round_id"`
	Type      string    `db:"type"`
	At        time.Time `db:"at"`
	ActorID   *int64    `db:"actor_id"`
	ActorName *string   `db:"actor_name"`
	Data      string    `db:"data"`
	Public    bool      `db:"public"`
}

func (r *eventRow) model() model.Event {
	ev := model.Event{Seq: r.Seq, CouncilID: r.CouncilID, RoundID: r.RoundID, Type: r.Type, At: r.At.UTC(), Data: []byte(r.Data), Public: r.Public}
	if r.ActorID != nil {
		ev.Actor = &model.Person{ID: *r.ActorID, Name: deref(r.ActorName)}
	}
	return ev
}

// mapRows maps each row with f.
func mapRows[R any, M any](rows []R, f func(*R) M) []M {
	out := make([]M, len(rows))
	for i := range rows {
		out[i] = f(&rows[i])
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
