package events

import (
	"time"

	"github.com/perushtitsa/council/server/model"
)

// FollowUp is followup.added: the municipality's response to, or progress on, a proposal the
// council adopted. It comes after the round's close, so the round's frozen record never holds
// it; the council's record does.
type FollowUp struct {
	ID              int64     `json:"id"`
	ProposalID      int64     `json:"proposal_id"`
	RoundID         int64     `json:"round_id"`
	Status          string    `json:"status"`
	Body            string    `json:"body"`
	ResponsibleUnit string    `json:"responsible_unit"`
	DueDate         *string   `json:"due_date"`
	Author          Person    `json:"author"`
	CreatedAt       time.Time `json:"created_at"`
}

// Type names the event.
func (FollowUp) Type() string { return FollowUpAdded }

// NewFollowUp is the event of a follow-up posted.
func NewFollowUp(f *model.FollowUp) FollowUp {
	out := FollowUp{ID: f.ID, ProposalID: f.ProposalID, RoundID: f.RoundID, Status: f.Status, Body: f.Body,
		ResponsibleUnit: f.ResponsibleUnit, Author: Person{ID: f.Author.ID, Name: f.Author.Name}, CreatedAt: f.CreatedAt}
	if f.DueDate != "" {
		out.DueDate = &f.DueDate
	}
	return out
}
