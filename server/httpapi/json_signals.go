package httpapi

import (
	"time"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
)

// The answers of the signals, services, follow-ups and site-role endpoints. A signal's sender
// (name, email) appears only in the officers' form of a signal, never in the public ones.

type serviceJSON struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Archived bool   `json:"archived"`
}

func newService(sv *model.MunicipalService) serviceJSON {
	return serviceJSON{Slug: sv.Slug, Name: sv.Name, Archived: sv.Archived}
}

type answerJSON struct {
	ID        int64      `json:"id"`
	Body      string     `json:"body"`
	Status    string     `json:"status"`
	Public    bool       `json:"public"`
	Author    personJSON `json:"author"`
	CreatedAt time.Time  `json:"created_at"`
}

func newAnswer(a *model.SignalAnswer) answerJSON {
	return answerJSON{ID: a.ID, Body: a.Body, Status: a.Status, Public: a.Public, Author: newPerson(a.Author), CreatedAt: a.CreatedAt}
}

type routeCouncilJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// routeJSON is where a signal was taken: state is "waiting" (for the council's next round),
// "in_debate" (a topic in a round still in progress) or "decided" (its round closed).
type routeJSON struct {
	Council   routeCouncilJSON `json:"council"`
	State     string           `json:"state"`
	RoundID   *int64           `json:"round_id"`
	TopicID   *int64           `json:"topic_id"`
	RoutedAt  time.Time        `json:"routed_at"`
	PlacedAt  *time.Time       `json:"placed_at"`
	Decisions []decisionJSON   `json:"decisions"`
}

func newRoute(r *model.SignalRoute) routeJSON {
	out := routeJSON{Council: routeCouncilJSON{ID: r.Council.ID, Slug: r.Council.Slug, Name: r.Council.Name},
		State: routeState(r), RoundID: r.RoundID, TopicID: r.TopicID, RoutedAt: r.RoutedAt, PlacedAt: r.PlacedAt,
		Decisions: make([]decisionJSON, len(r.Decisions))}
	for i := range r.Decisions {
		out.Decisions[i] = newDecision(&r.Decisions[i])
	}
	return out
}

func routeState(r *model.SignalRoute) string {
	switch {
	case r.PlacedAt == nil:
		return "waiting"
	case r.Round != nil && r.Round.Status == model.StatusClosed:
		return "decided"
	}
	return "in_debate"
}

// publicSignalJSON is a signal as the public, and its sender by the tracking code, read it.
type publicSignalJSON struct {
	ID          int64        `json:"id"`
	Kind        string       `json:"kind"`
	Service     serviceJSON  `json:"service"`
	Title       string       `json:"title"`
	Body        string       `json:"body"`
	Status      string       `json:"status"`
	CreatedAt   time.Time    `json:"created_at"`
	PublishedAt *time.Time   `json:"published_at"`
	Answers     []answerJSON `json:"answers"`
	Routes      []routeJSON  `json:"routes"`
}

func newPublicSignal(sg *model.Signal) publicSignalJSON {
	out := publicSignalJSON{ID: sg.ID, Kind: sg.Kind, Service: newService(&sg.Service), Title: sg.Title, Body: sg.Body,
		Status: sg.Status, CreatedAt: sg.CreatedAt, PublishedAt: sg.PublishedAt,
		Answers: make([]answerJSON, len(sg.Answers)), Routes: make([]routeJSON, len(sg.Routes))}
	for i := range sg.Answers {
		out.Answers[i] = newAnswer(&sg.Answers[i])
	}
	for i := range sg.Routes {
		out.Routes[i] = newRoute(&sg.Routes[i])
	}
	return out
}

type statusChangeJSON struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// trackedJSON is the sender's view: the public signal and every status it went through.
type trackedJSON struct {
	publicSignalJSON
	History []statusChangeJSON `json:"history"`
}

func newTracked(t *signals.Tracked) trackedJSON {
	out := trackedJSON{publicSignalJSON: newPublicSignal(t.Signal), History: make([]statusChangeJSON, len(t.History))}
	for i, h := range t.History {
		out.History[i] = statusChangeJSON{Status: h.Status, At: h.At}
	}
	return out
}

// deskSignalJSON is a signal as officers read it: with its sender and every answer.
type deskSignalJSON struct {
	publicSignalJSON
	Name          string     `json:"name"`
	Email         string     `json:"email"`
	UpdatedAt     time.Time  `json:"updated_at"`
	FirstAnswerAt *time.Time `json:"first_answer_at"`
}

func newDeskSignal(sg *model.Signal) deskSignalJSON {
	return deskSignalJSON{publicSignalJSON: newPublicSignal(sg), Name: sg.SenderName, Email: sg.SenderEmail,
		UpdatedAt: sg.UpdatedAt, FirstAnswerAt: sg.FirstAnswerAt}
}

type followUpJSON struct {
	ID              int64      `json:"id"`
	ProposalID      int64      `json:"proposal_id"`
	RoundID         int64      `json:"round_id"`
	CouncilID       int64      `json:"council_id"`
	Status          string     `json:"status"`
	Body            string     `json:"body"`
	ResponsibleUnit string     `json:"responsible_unit"`
	DueDate         *string    `json:"due_date"`
	Author          personJSON `json:"author"`
	CreatedAt       time.Time  `json:"created_at"`
	Seq             int64      `json:"seq"`
}

func newFollowUp(f *model.FollowUp) followUpJSON {
	out := followUpJSON{ID: f.ID, ProposalID: f.ProposalID, RoundID: f.RoundID, CouncilID: f.CouncilID, Status: f.Status,
		Body: f.Body, ResponsibleUnit: f.ResponsibleUnit, Author: newPerson(f.Author), CreatedAt: f.CreatedAt, Seq: f.Seq}
	if f.DueDate != "" {
		d := f.DueDate
		out.DueDate = &d
	}
	return out
}

func newFollowUps(fs []model.FollowUp) []followUpJSON {
	out := make([]followUpJSON, len(fs))
	for i := range fs {
		out[i] = newFollowUp(&fs[i])
	}
	return out
}

// decisionJSON is a decided proposal in the tracker: its outcome, its latest follow-up status
// (awaiting_answer while an adopted one has none) and its follow-ups.
type decisionJSON struct {
	Proposal  proposalJSON     `json:"proposal"`
	Outcome   string           `json:"outcome"`
	Status    string           `json:"status"`
	Round     decisionRoundRef `json:"round"`
	Council   routeCouncilJSON `json:"council"`
	FollowUps []followUpJSON   `json:"follow_ups"`
}

type decisionRoundRef struct {
	ID       int64      `json:"id"`
	Title    string     `json:"title"`
	ClosedAt *time.Time `json:"closed_at"`
}

func newDecision(d *model.Decision) decisionJSON {
	return decisionJSON{Proposal: newProposal(&d.Proposal), Outcome: d.Result.Outcome, Status: d.Status(),
		Round:     decisionRoundRef{ID: d.Round.ID, Title: d.Round.Title, ClosedAt: d.Round.ClosedAt},
		Council:   routeCouncilJSON{ID: d.Council.ID, Slug: d.Council.Slug, Name: d.Council.Name},
		FollowUps: newFollowUps(d.FollowUps)}
}

type tallyJSON struct {
	Key   string `json:"key"`
	Name  string `json:"name,omitempty"`
	Count int    `json:"count"`
}

func newTallies(ts []model.Tally) []tallyJSON {
	out := make([]tallyJSON, len(ts))
	for i, t := range ts {
		out[i] = tallyJSON{Key: t.Key, Name: t.Label, Count: t.Count}
	}
	return out
}

type signalCountJSON struct {
	Month   string `json:"month"`
	Kind    string `json:"kind"`
	Service string `json:"service"`
	Status  string `json:"status"`
	Count   int    `json:"count"`
}

// statsJSON is the periodic analysis; from and to are the dates of its first and last day.
type statsJSON struct {
	From       string            `json:"from"`
	To         string            `json:"to"`
	AnswerDays int               `json:"answer_days"`
	Total      int               `json:"total"`
	Counts     []signalCountJSON `json:"counts"`
	ByKind     []tallyJSON       `json:"by_kind"`
	ByService  []tallyJSON       `json:"by_service"`
	ByStatus   []tallyJSON       `json:"by_status"`
	ByMonth    []tallyJSON       `json:"by_month"`
	Answered   int               `json:"answered"`
	MedianDays *float64          `json:"median_days_to_first_answer"`
	Due        int               `json:"due"`
	Within     int               `json:"answered_within_answer_days"`
	Share      *float64          `json:"share_answered_within_answer_days"`
}

func newStats(st *model.SignalStats) statsJSON {
	out := statsJSON{From: signals.DateOf(st.From), To: signals.DateOf(st.To.AddDate(0, 0, -1)), AnswerDays: st.AnswerDays, Total: st.Total,
		Counts: make([]signalCountJSON, len(st.Counts)), ByKind: newTallies(st.ByKind), ByService: newTallies(st.ByService),
		ByStatus: newTallies(st.ByStatus), ByMonth: newTallies(st.ByMonth), Answered: st.Answered, MedianDays: st.MedianDays,
		Due: st.Due, Within: st.Within, Share: st.Share}
	for i, c := range st.Counts {
		out.Counts[i] = signalCountJSON{Month: c.Month, Kind: c.Kind, Service: c.Service, Status: c.Status, Count: c.Count}
	}
	return out
}

type siteUserJSON struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Organisation string    `json:"organisation"`
	CreatedAt    time.Time `json:"created_at"`
}

func newSiteUser(u *model.User) siteUserJSON {
	return siteUserJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Organisation: u.Organisation, CreatedAt: u.CreatedAt}
}
