package httpapi

import (
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// The answers of the accounts' endpoints.

type notifyJSON struct {
	Invitation  bool `json:"invitation"`
	RoundOpened bool `json:"round_opened"`
	ClosingSoon bool `json:"closing_soon"`
	RoundClosed bool `json:"round_closed"`
	Reply       bool `json:"reply"`
}

func newNotify(n model.Notify) *notifyJSON {
	return &notifyJSON{Invitation: n.Invitation, RoundOpened: n.RoundOpened, ClosingSoon: n.ClosingSoon,
		RoundClosed: n.RoundClosed, Reply: n.Reply}
}

type sessionJSON struct {
	ID         int64     `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	UserAgent  string    `json:"user_agent"`
	Current    bool      `json:"current"`
}

func newSessions(ss []model.Session, current int64) []sessionJSON {
	out := make([]sessionJSON, len(ss))
	for i, s := range ss {
		out[i] = sessionJSON{ID: s.ID, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, UserAgent: s.UserAgent, Current: s.ID == current}
	}
	return out
}

type councilRefJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type agendaRoundJSON struct {
	roundJSON
	Council        councilRefJSON `json:"council"`
	ProposalCount  int            `json:"proposal_count"`
	AwaitingMyVote []int64        `json:"awaiting_my_vote"`
}

func newAgenda(items []model.AgendaItem) []agendaRoundJSON {
	out := make([]agendaRoundJSON, len(items))
	for i := range items {
		it := &items[i]
		awaiting := it.AwaitingMyVote
		if awaiting == nil {
			awaiting = []int64{}
		}
		out[i] = agendaRoundJSON{roundJSON: newRound(&it.Round), ProposalCount: it.Proposals, AwaitingMyVote: awaiting,
			Council: councilRefJSON{ID: it.Council.ID, Slug: it.Council.Slug, Name: it.Council.Name}}
	}
	return out
}

type pendingInvitationJSON struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Group        string    `json:"group"`
	Organisation string    `json:"organisation"`
	CreatedAt    time.Time `json:"created_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	MailStatus   *string   `json:"mail_status"`
}

func newPendingInvitations(invs []model.PendingInvitation) []pendingInvitationJSON {
	out := make([]pendingInvitationJSON, len(invs))
	for i, inv := range invs {
		out[i] = pendingInvitationJSON{ID: inv.ID, Email: inv.Email, Name: inv.Name, Role: inv.Role, Group: inv.Group,
			Organisation: inv.Organisation, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, MailStatus: optional(inv.MailStatus)}
	}
	return out
}

// optional is a string that is null in JSON when empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type mailJSON struct {
	ID        int64      `json:"id"`
	To        string     `json:"to"`
	Kind      string     `json:"kind"`
	Subject   string     `json:"subject"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// newMails shows mails of the outbox, never their secret links.
func newMails(ms []model.Mail) []mailJSON {
	out := make([]mailJSON, len(ms))
	for i, m := range ms {
		out[i] = mailJSON{ID: m.ID, To: m.To, Kind: m.Kind, Subject: m.Subject, Status: m.Status, Attempts: m.Attempts,
			LastError: m.LastError, CreatedAt: m.CreatedAt, SentAt: m.SentAt}
	}
	return out
}

type adminUserJSON struct {
	userJSON
	CreatedAt time.Time  `json:"created_at"`
	Erased    bool       `json:"erased"`
	Councils  int        `json:"councils"`
	Sessions  int        `json:"sessions"`
	LastSeen  *time.Time `json:"last_seen_at"`
}

func newAdminUsers(us []model.UserSummary) []adminUserJSON {
	out := make([]adminUserJSON, len(us))
	for i := range us {
		u := &us[i]
		out[i] = adminUserJSON{userJSON: userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Organisation: u.Organisation},
			CreatedAt: u.CreatedAt, Erased: u.Erased(), Councils: u.Councils, Sessions: u.Sessions, LastSeen: u.LastSeen}
	}
	return out
}

// exportJSON is everything the platform holds about the person asking (GET /api/v1/me/export).
type exportJSON struct {
	Format      string                 `json:"format"`
	ExportedAt  time.Time              `json:"exported_at"`
	Account     exportAccountJSON      `json:"account"`
	Memberships []exportMembershipJSON `json:"memberships"`
	Topics      []topicJSON            `json:"topics"`
	Posts       []postJSON             `json:"posts"`
	Proposals   []exportProposalJSON   `json:"proposals"`
	Votes       []exportVoteJSON       `json:"votes"`
	Sessions    []sessionJSON          `json:"sessions"`
	Mails       []exportMailJSON       `json:"mails"`
	Notes       map[string]string      `json:"notes"`
}

type exportAccountJSON struct {
	userJSON
	CreatedAt time.Time `json:"created_at"`
}

type exportMembershipJSON struct {
	Council councilRefJSON `json:"council"`
	Role    string         `json:"role"`
	Group   string         `json:"group"`
}

type exportProposalJSON struct {
	ID        int64     `json:"id"`
	RoundID   int64     `json:"round_id"`
	TopicID   *int64    `json:"topic_id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type exportVoteJSON struct {
	ProposalID int64     `json:"proposal_id"`
	RoundID    int64     `json:"round_id"`
	Choice     string    `json:"choice"`
	CastAt     time.Time `json:"cast_at"`
}

type exportMailJSON struct {
	Kind      string     `json:"kind"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

func newExport(d *council.PersonalData, at time.Time, session int64) exportJSON {
	out := exportJSON{Format: "council-personal-data/v1", ExportedAt: at.UTC(), Memberships: []exportMembershipJSON{},
		Topics: []topicJSON{}, Posts: []postJSON{}, Proposals: []exportProposalJSON{}, Votes: []exportVoteJSON{}, Mails: []exportMailJSON{},
		Account:  exportAccountJSON{userJSON: selfJSON(d.User), CreatedAt: d.User.CreatedAt},
		Sessions: newSessions(d.Sessions, session),
		Notes: map[string]string{
			"votes": "Votes in secret ballots are not listed: while a round is open they are its secret, and once it closes the link between voter and choice no longer exists.",
			"posts": "Posts a moderator hid are listed with their text, which is yours, and the moderator's reason.",
		}}
	for _, m := range d.Memberships {
		c := d.Councils[m.CouncilID]
		out.Memberships = append(out.Memberships, exportMembershipJSON{Council: councilRefJSON{ID: c.ID, Slug: c.Slug, Name: c.Name},
			Role: m.Role, Group: m.Group})
	}
	for i := range d.Topics {
		out.Topics = append(out.Topics, newTopic(&d.Topics[i]))
	}
	for i := range d.Posts {
		out.Posts = append(out.Posts, newPost(&d.Posts[i]))
	}
	for _, p := range d.Proposals {
		out.Proposals = append(out.Proposals, exportProposalJSON{ID: p.ID, RoundID: p.RoundID, TopicID: p.TopicID,
			Title: p.Title, Body: p.Body, CreatedAt: p.CreatedAt})
	}
	for _, v := range d.Votes {
		out.Votes = append(out.Votes, exportVoteJSON{ProposalID: v.ProposalID, RoundID: v.RoundID, Choice: v.Choice, CastAt: v.CastAt})
	}
	for _, m := range d.Mails {
		out.Mails = append(out.Mails, exportMailJSON{Kind: m.Kind, To: m.To, Subject: m.Subject, Status: m.Status,
			CreatedAt: m.CreatedAt, SentAt: m.SentAt})
	}
	return out
}
