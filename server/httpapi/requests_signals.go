package httpapi

import (
	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/signals"
)

// The bodies of the signals, services, follow-ups and site-role endpoints (docs/api.md).

type serviceBody struct {
	Slug     string  `json:"slug"`
	Name     *string `json:"name"`
	Archived *bool   `json:"archived"`
}

func (b serviceBody) input() signals.ServiceInput {
	return signals.ServiceInput{Slug: b.Slug, Name: b.Name, Archived: b.Archived}
}

// serviceUpdateBody has no slug: a service's slug names it for good.
type serviceUpdateBody struct {
	Name     *string `json:"name"`
	Archived *bool   `json:"archived"`
}

type signalBody struct {
	Kind    string `json:"kind"`
	Service string `json:"service"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	Name    string `json:"name"`
	Email   string `json:"email"`
}

func (b signalBody) input(lang string) signals.Input {
	return signals.Input{Kind: b.Kind, Service: b.Service, Title: b.Title, Body: b.Body, Name: b.Name, Email: b.Email, Lang: lang}
}

type signalAnswerBody struct {
	Body   string `json:"body"`
	Status string `json:"status"`
	Public bool   `json:"public"`
}

type routeBody struct {
	CouncilID int64  `json:"council_id"`
	RoundID   *int64 `json:"round_id"`
}

type followUpBody struct {
	Status          string  `json:"status"`
	Body            string  `json:"body"`
	ResponsibleUnit string  `json:"responsible_unit"`
	DueDate         *string `json:"due_date"`
}

func (b followUpBody) input() council.FollowUpInput {
	in := council.FollowUpInput{Status: b.Status, Body: b.Body, ResponsibleUnit: b.ResponsibleUnit}
	if b.DueDate != nil {
		in.DueDate = *b.DueDate
	}
	return in
}

type siteRoleBody struct {
	Role string `json:"role"`
}
