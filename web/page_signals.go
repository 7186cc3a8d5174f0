package web

import (
	"html/template"

	"github.com/perushtitsa/council/server/model"
)

// SignalFormData is the form in which anyone sends a signal, with what was sent back when it
// failed.
type SignalFormData struct {
	Kinds       []string
	Services    []model.MunicipalService
	Input       SignalInput
	Error       string            // a translation key
	FieldErrors map[string]string // field → error code, translated beside the field
}

// SignalInput is what the signal form holds.
type SignalInput struct {
	Kind, Service, Title, Body, Name, Email string
}

// TrackData is a signal as its sender follows it by its tracking code; Code is empty on the
// page that asks for one.
type TrackData struct {
	Code    string
	Signal  *model.Signal
	History []model.StatusChange
	Error   string // a translation key, on the page that asks for a code
}

// ListPage is the paging of a list.
type ListPage struct {
	Page, Pages, Total int
	PrevURL, NextURL   string
	// Label is the translation key naming the pager, where a page holds more than one list
	// ("" for pager.label); Chronological lists go oldest first or in another order than
	// newest first, and their links say earlier and later, or previous and next.
	Label         string
	Chronological bool
}

// RegisterData is the public register of published signals.
type RegisterData struct {
	Q, Kind, Service string
	Kinds            []string
	Services         []model.MunicipalService
	Signals          []model.Signal
	ListPage
}

// PublicSignalData is one published signal.
type PublicSignalData struct {
	Signal *model.Signal
}

// Chart is a bar chart drawn on the server: its title, the sentence that says what it shows,
// and its bars, labelled in the page's language.
type Chart struct {
	ID    string // unique on the page: the ids of its title and description derive from it
	Title string
	Desc  string
	Bars  []Bar
	// Columns draws vertical bars (a time series); otherwise bars are horizontal, labelled above.
	Columns bool
	// Total is what a full bar stands for (a question's answers, so a bar shows its share);
	// 0: the largest bar fills the width.
	Total int
}

// Bar is one bar of a chart.
type Bar struct {
	Label string
	Value int
	// Figure, when set, is written at the end of the label's line instead of the bare value
	// beside the bar ("12 · 35%").
	Figure string
}

// AnalysisData is the periodic analysis of signals: figures, charts with their tables, and
// the downloads.
type AnalysisData struct {
	Stats            *model.SignalStats
	From, To         string // the window's first and last day, YYYY-MM-DD, for the form
	Charts           []ChartTable
	CSVURL, XLSXURL  string
	ServiceNames     map[string]string
	MedianText       string
	ShareText        string
	ShareOfDueText   string
	HasAnswerFigures bool
}

// ChartTable is a chart with the table of the same figures.
type ChartTable struct {
	Chart Chart
	SVG   template.HTML
	Head  string // the table's first column heading
}

// DeskData is the officers' desk: the signals a filter selects.
type DeskData struct {
	Status, Kind, Service string
	Kinds, Statuses       []string
	Services              []model.MunicipalService
	Signals               []model.Signal
	AnswerDays            int
	Overdue               map[int64]bool // signals past their time to answer, without an answer in substance
	ListPage
}

// DeskSignalData is one signal at the desk, with the forms to answer, route and publish it.
type DeskSignalData struct {
	Signal      *model.Signal
	Statuses    []string // those an answer may set
	Councils    []model.Council
	Answer      AnswerInput
	Error       string            // a translation key
	FieldErrors map[string]string // field → error code
	Overdue     bool
	AnswerDays  int
}

// AnswerInput is what the answer form holds.
type AnswerInput struct {
	Body, Status string
	Public       bool
}

// DecisionsData is the public tracker of what became of the proposals councils adopted.
type DecisionsData struct {
	Status, Council string
	Statuses        []string // awaiting_answer and the follow-up statuses
	Councils        []model.Council
	Decisions       []model.Decision
	ListPage
}

// FollowUpFormData is the page where an officer posts a follow-up of an adopted proposal.
type FollowUpFormData struct {
	Decision    model.Decision
	Statuses    []string
	Input       FollowUpInput
	Error       string
	FieldErrors map[string]string
}

// FollowUpInput is what the follow-up form holds.
type FollowUpInput struct {
	Status, Body, ResponsibleUnit, DueDate string
}

// AdminServicesData is the admins' list of the municipality's services.
type AdminServicesData struct {
	Services    []model.MunicipalService
	Slug, Name  string
	Error       string
	FieldErrors map[string]string
}

// AdminUsersData is the admins' list of accounts with their site roles.
type AdminUsersData struct {
	Users []model.UserSummary // one page of them
	Roles []string
	Error string
	ListPage
}
