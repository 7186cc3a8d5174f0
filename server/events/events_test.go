package events

import (
	"testing"

	"github.com/perushtitsa/council/server/model"
)

// What an event does to live connections, told again from its stored payload, is what Encode
// said when it was appended: a removal read back from the record still evicts.
func TestEffectsMatchEncode(t *testing.T) {
	for _, p := range []Payload{
		Left{UserID: 42},
		NewCouncilSettings(&model.Council{Name: "C", OpenRoundsPublic: false}),
		NewCouncilSettings(&model.Council{Name: "C", OpenRoundsPublic: true}),
		NewJoined(&model.Member{UserID: 7, Role: model.RoleModerator}),
	} {
		enc, err := Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		evicts, closes := Effects(enc.Type, enc.Data)
		if evicts != enc.Evicts || closes != enc.ClosesPublic {
			t.Errorf("%s: Effects = (%d, %v), Encode said (%d, %v)", enc.Type, evicts, closes, enc.Evicts, enc.ClosesPublic)
		}
	}
	if evicts, _ := Effects(MemberLeft, []byte(`{"user_id":42}`)); evicts != 42 {
		t.Errorf("member.left read back evicts %d, want 42", evicts)
	}
}
