// Package events defines what a council's record holds: one list of event types, the payload
// of each as it is written into the record and sent to live clients, and the envelope every
// event travels in ({"seq","council_id","round_id","type","at","actor","data"}). The payloads
// are their own types, built from the model's: a field added to the model changes no event
// until it is added here, on purpose.
package events

import (
	"encoding/json"
	"time"

	"github.com/perushtitsa/council/server/model"
)

// The event types of a council's record.
const (
	MemberJoined      = "member.joined"
	MemberLeft        = "member.left"
	MemberRoleChanged = "member.role_changed"
	CouncilUpdated    = "council.updated"
	RoundCreated      = "round.created"
	RoundUpdated      = "round.updated"
	RoundOpened       = "round.opened"
	RoundClosed       = "round.closed"
	TopicCreated      = "topic.created"
	PostCreated       = "post.created"
	PostEdited        = "post.edited"
	PostHidden        = "post.hidden"
	PostUnhidden      = "post.unhidden"
	PostDeleted       = "post.deleted"
	ProposalCreated   = "proposal.created"
	ProposalEdited    = "proposal.edited"
	ProposalWithdrawn = "proposal.withdrawn"
	VoteCast          = "vote.cast"
	VoteWithdrawn     = "vote.withdrawn"
	FollowUpAdded     = "followup.added"
)

// Types lists every event type, in the order the contract names them.
var Types = []string{MemberJoined, MemberLeft, MemberRoleChanged, CouncilUpdated, RoundCreated, RoundUpdated, RoundOpened,
	RoundClosed, TopicCreated, PostCreated, PostEdited, PostHidden, PostUnhidden, PostDeleted, ProposalCreated,
	ProposalEdited, ProposalWithdrawn, VoteCast, VoteWithdrawn, FollowUpAdded}

// Payload is the data of one event: it knows its type.
type Payload interface {
	Type() string
}

// Encoded is a payload ready for the record: its type and JSON, and what the record keeps
// beside it — the post whose text it carries, with the payload as it reads once that post is
// hidden, and the user it takes out of the council.
type Encoded struct {
	Type     string
	Data     []byte
	PostID   *int64
	Redacted []byte
	Evicts   int64
	// Closes says that the event ends what the public could follow: a council's open rounds
	// stop being public, and the connections of anyone without a seat close.
	ClosesPublic bool
}

// Encode writes a payload's JSON and what goes beside it.
func Encode(p Payload) (Encoded, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return Encoded{}, err
	}
	enc := Encoded{Type: p.Type(), Data: data}
	switch v := p.(type) {
	case Post:
		redacted := v
		redacted.Body, redacted.BodyHTML = "", ""
		if enc.Redacted, err = json.Marshal(redacted); err != nil {
			return Encoded{}, err
		}
		enc.PostID = &v.ID
	case Left:
		enc.Evicts = v.UserID
	case CouncilSettings:
		enc.ClosesPublic = !v.OpenRoundsPublic
	}
	return enc, nil
}

// Effects tells, from a stored event's type and payload, what Encode said beside it when it was
// appended: the user it takes out of the council, and whether it ends what the public follows.
func Effects(typ string, data []byte) (evicts int64, closesPublic bool) {
	switch typ {
	case MemberLeft:
		var v Left
		if json.Unmarshal(data, &v) == nil {
			evicts = v.UserID
		}
	case CouncilUpdated:
		var v CouncilSettings
		if json.Unmarshal(data, &v) == nil {
			closesPublic = !v.OpenRoundsPublic
		}
	}
	return evicts, closesPublic
}

// Person names an actor or an author.
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func person(p *model.Person) *Person {
	if p == nil {
		return nil
	}
	return &Person{ID: p.ID, Name: p.Name}
}

// envelope is how every event travels: in the record, on the events page and live.
type envelope struct {
	Seq       int64           `json:"seq"`
	CouncilID int64           `json:"council_id"`
	RoundID   *int64          `json:"round_id"`
	Type      string          `json:"type"`
	At        time.Time       `json:"at"`
	Actor     *Person         `json:"actor"`
	Data      json.RawMessage `json:"data"`
}

// Envelope encodes an event of the record as clients receive it.
func Envelope(ev model.Event) ([]byte, error) {
	data := json.RawMessage(ev.Data)
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	return json.Marshal(envelope{Seq: ev.Seq, CouncilID: ev.CouncilID, RoundID: ev.RoundID, Type: ev.Type,
		At: ev.At, Actor: person(ev.Actor), Data: data})
}
