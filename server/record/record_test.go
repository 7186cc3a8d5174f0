package record_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/record"
)

var update = flag.Bool("update", false, "write the golden record instead of comparing with it")

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// fixedRound is a closed round with everything a record holds: an open ballot's named votes
// with a reason, a withheld group split, a withdrawn proposal, a hidden post, an edited one, a
// deleted one, a reply, and its events.
func fixedRound(t *testing.T) record.Input {
	t.Helper()
	closed := at("2026-11-20T16:00:00Z")
	r := model.Round{ID: 7, CouncilID: 2, Title: "Приемно време за граждани", Description: "Кога да се приема?",
		Status: model.StatusClosed, Ballot: model.BallotOpen, ResultsVisibility: model.ResultsLive, QuorumPercent: 30,
		ClosesAt: ptr(closed), OpenedAt: ptr(at("2026-11-10T09:00:00Z")), ClosedAt: ptr(closed),
		OutcomeSummary: "Приема се сряда до 19 ч.", RecordSHA256: ptr("not in the record"),
		CreatedAt: at("2026-11-09T08:30:00.123456Z"), ClosedSeq: ptr(int64(9)),
		Results: []model.Result{
			{ProposalID: 11, Counts: model.Counts{For: 2, Against: 1, Voters: 3}, Eligible: 5, Outcome: model.OutcomeAdopted,
				ByGroup: map[string]model.GroupResult{
					model.GroupCitizen: {Counts: model.Counts{For: 2, Voters: 2}, Eligible: 3},
					model.GroupNGO:     {Counts: model.Counts{Against: 1, Voters: 1}, Eligible: 2},
				}},
			{ProposalID: 12, Counts: model.Counts{Abstain: 1, Voters: 1}, Eligible: 5, Outcome: model.OutcomeNoQuorum,
				ByGroupWithheld: model.WithheldSmallGroups},
		},
	}
	maria, ivan := model.Person{ID: 3, Name: "Мария Петрова"}, model.Person{ID: 4, Name: "Иван Колев"}
	p11 := model.Proposal{ID: 11, RoundID: 7, TopicID: ptr(int64(21)), Title: "Сряда до 19 ч.", Body: "Всяка **сряда**.",
		BodyHTML: "<p>Всяка <strong>сряда</strong>.</p>\n", Author: maria, CreatedAt: at("2026-11-10T10:00:00Z"),
		Tally: &model.Counts{For: 2, Against: 1, Voters: 3}}
	p13 := model.Proposal{ID: 13, RoundID: 7, Title: "Неделя", Body: "Неделя.", BodyHTML: "<p>Неделя.</p>\n", Author: ivan,
		CreatedAt: at("2026-11-11T10:00:00Z"), EditedAt: ptr(at("2026-11-11T10:10:00Z")), WithdrawnAt: ptr(at("2026-11-11T11:00:00Z")),
		Tally: &model.Counts{}}
	p12 := model.Proposal{ID: 12, RoundID: 7, Title: "Събота", Body: "Събота 9–12 ч.", BodyHTML: "<p>Събота 9–12 ч.</p>\n",
		Author: ivan, CreatedAt: at("2026-11-11T10:00:00Z"), Tally: &model.Counts{Abstain: 1, Voters: 1}}
	posts := []model.Post{
		{ID: 31, Number: 1, TopicID: 21, Author: maria, Body: "Сряда е удобна.", BodyHTML: "<p>Сряда е удобна.</p>\n", CreatedAt: at("2026-11-10T11:00:00Z"),
			EditedAt: ptr(at("2026-11-10T11:05:00Z"))},
		{ID: 32, Number: 2, TopicID: 21, ReplyTo: ptr(int64(31)), Author: ivan, CreatedAt: at("2026-11-10T12:00:00Z"), Hidden: true, HiddenReason: "Лични данни"},
		{ID: 33, Number: 3, TopicID: 21, Author: ivan, CreatedAt: at("2026-11-10T13:00:00Z"), DeletedAt: ptr(at("2026-11-10T13:30:00Z"))},
	}
	topic := model.Topic{ID: 21, RoundID: 7, Title: "Кой ден?", Body: "Да изберем ден.", BodyHTML: "<p>Да изберем ден.</p>\n",
		Author: maria, CreatedAt: at("2026-11-10T10:30:00Z"), PostCount: 3, Posts: posts}
	vote, _ := events.NewVote(events.VoteCast, &r, 11, model.Counts{For: 1, Voters: 1}, &model.User{ID: 3, Name: "Мария Петрова"}, model.ChoiceFor, "Удобно след работа.")
	return record.Input{Round: r, Proposals: []model.Proposal{p11, p12, p13},
		Votes: map[int64][]model.Vote{11: {
			{Voter: model.Voter{ID: 3, Name: "Мария Петрова", Organisation: ""}, Choice: model.ChoiceFor, Reason: "Удобно след работа.", CastAt: at("2026-11-12T08:00:00Z")},
			{Voter: model.Voter{ID: 4, Name: "Иван Колев", Organisation: "Сдружение „Перущица“"}, Choice: model.ChoiceAgainst, CastAt: at("2026-11-12T09:00:00Z")},
		}},
		Participants: []model.Voter{{ID: 4, Name: "Иван Колев", Organisation: "Сдружение „Перущица“"}, {ID: 3, Name: "Мария Петрова"}},
		Topics:       []model.Topic{topic},
		Events: []model.Event{
			encoded(t, 8, &r, &maria, vote),
			encoded(t, 9, &r, nil, events.NewRound(events.RoundClosed, &r)),
		},
	}
}

func encoded(t *testing.T, seq int64, r *model.Round, actor *model.Person, p events.Payload) model.Event {
	t.Helper()
	enc, err := events.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	return model.Event{Seq: seq, CouncilID: r.CouncilID, RoundID: &r.ID, Type: enc.Type, At: at("2026-11-12T08:00:00Z").Add(time.Duration(seq) * time.Second),
		Actor: actor, Data: enc.Data}
}

// The record of a fixed closed round is, byte for byte, the committed golden file: a change
// to the record's format can only be made on purpose — as a new format, council-record/v2,
// while the records already published keep their bytes. Run with -update to write the file
// after such a deliberate change.
func TestRecordV1Golden(t *testing.T) {
	body, sha, err := record.Render(fixedRound(t))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "record-v1.golden.json")
	if *update {
		if err := os.WriteFile(golden, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, want) {
		t.Fatalf("the record of the fixed round differs from %s: a changed record is a new format (v2), not v1\ngot:\n%s", golden, body)
	}
	sum := sha256.Sum256(want)
	if sha != hex.EncodeToString(sum[:]) {
		t.Fatalf("digest %s is not the SHA-256 of the record", sha)
	}
	if !bytes.HasPrefix(body, []byte("{\n  \"format\": \"council-record/v1\",")) {
		t.Fatalf("the record does not start with its format")
	}
}
