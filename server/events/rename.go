package events

import (
	"encoding/json"
	"fmt"
)

// Rename rewrites the payload of an event of type typ so that the user userID goes by name,
// wherever the payload names them (a member who joined, an author, a voter), and leaves out
// the organisation a member joined with. It returns the new payload, its form once its post is
// hidden (nil for events that carry no post), and whether anything changed. Erasing an
// account uses it; the published records of closed rounds keep their bytes.
func Rename(typ string, data []byte, userID int64, name string) (out, redacted []byte, changed bool, err error) {
	var p Payload
	switch typ {
	case MemberJoined:
		var v Joined
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, nil, false, err
		}
		if v.UserID == userID {
			v.Name, v.Organisation, changed = name, "", true
		}
		p = v
	case TopicCreated:
		var v Topic
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, nil, false, err
		}
		changed = rename(&v.Author, userID, name)
		p = v
	case PostCreated, PostEdited:
		v := Post{kind: typ}
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, nil, false, err
		}
		changed = rename(&v.Author, userID, name)
		p = v
	case ProposalCreated:
		var v Proposal
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, nil, false, err
		}
		changed = rename(&v.Author, userID, name)
		p = v
	case VoteCast, VoteWithdrawn:
		v := Vote{kind: typ}
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, nil, false, err
		}
		changed = v.Voter != nil && rename(v.Voter, userID, name)
		p = v
	default:
		return data, nil, false, nil
	}
	if !changed {
		return data, nil, false, nil
	}
	enc, err := Encode(p)
	if err != nil {
		return nil, nil, false, fmt.Errorf("events: unable to encode %s: %w", typ, err)
	}
	return enc.Data, enc.Redacted, true, nil
}

func rename(p *Person, userID int64, name string) bool {
	if p.ID != userID {
		return false
	}
	p.Name = name
	return true
}
