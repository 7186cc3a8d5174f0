package surveys_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/surveys"
	"github.com/perushtitsa/council/server/testenv"
)

// world is a testenv.World with a surveys service on its store and clock.
type world struct {
	*testenv.World
	sv *surveys.Service
}

func newWorld(t *testing.T, st *testenv.StoreT) *world {
	t.Helper()
	w := testenv.NewWorld(t, st)
	return &world{World: w, sv: surveys.NewService(surveys.Config{Store: w.Store, Clock: w.Clock.Now})}
}

func ptr[T any](v T) *T { return &v }

// questions are one of each kind.
func questions() *[]surveys.QuestionInput {
	return &[]surveys.QuestionInput{
		{Kind: model.QuestionSingle, Text: "Колко чакахте?", Options: []string{"до 5 минути", "5–15 минути", "повече"}, Required: true},
		{Kind: model.QuestionMultiple, Text: "Какво ползвахте?", Options: []string{"гише", "телефон", "онлайн"}},
		{Kind: model.QuestionScale, Text: "Доволни ли сте?", Required: true},
		{Kind: model.QuestionText, Text: "Какво да подобрим?"},
	}
}

// open creates and opens a survey of an audience as the admin.
func (w *world) open(t *testing.T, audience string, closesAt *time.Time) *model.Survey {
	t.Helper()
	ctx := context.Background()
	in := surveys.Input{Title: ptr("Обслужване"), Audience: &audience, Results: ptr(model.ResultsLive), Questions: questions(), ClosesAt: closesAt}
	if audience == model.AudienceCouncil {
		in.CouncilID = &w.Council.ID
	}
	sv, err := w.sv.Create(ctx, w.Admin, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if sv, err = w.sv.Open(ctx, w.Admin, sv.ID); err != nil {
		t.Fatalf("open: %v", err)
	}
	return sv
}

// answers is a full set of answers; n varies them.
func answers(n int) []surveys.AnswerInput {
	text := fmt.Sprintf("отговор %d", n)
	return []surveys.AnswerInput{
		{Question: 1, Choice: ptr(n % 3)},
		{Question: 2, Choices: []int{n % 3}},
		{Question: 3, Value: ptr(1 + n%5)},
		{Question: 4, Text: &text},
	}
}

func wantCode(t *testing.T, err error, code, field, fieldCode string) {
	t.Helper()
	ce, ok := council.AsError(err)
	if !ok || ce.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if field != "" && ce.FieldCodes[field] != fieldCode {
		t.Fatalf("field codes %v, want %s=%s", ce.FieldCodes, field, fieldCode)
	}
}

func TestAnswerCodesAreOneTime(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		w := newWorld(t, st)
		ctx := context.Background()
		sv := w.open(t, model.AudienceCodes, nil)
		codes, err := w.sv.IssueCodes(ctx, w.Admin, sv.ID, 3)
		if err != nil || len(codes) != 3 {
			t.Fatalf("codes: %v %v", codes, err)
		}
		if _, err := w.sv.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(1), Code: codes[0]}); err != nil {
			t.Fatalf("first use: %v", err)
		}
		// The same code again, as typed from the slip in lower case with spaces: refused.
		typed := "  " + codes[0][:4] + " " + codes[0][5:9] + " " + codes[0][10:] + " "
		_, err = w.sv.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(2), Code: typed})
		wantCode(t, err, council.CodeConflict, "code", surveys.FieldUsed)
		_, err = w.sv.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(2), Code: "AAAA-BBBB-CCCC"})
		wantCode(t, err, council.CodeValidation, "code", council.FieldInvalid)
		_, err = w.sv.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(2)})
		wantCode(t, err, council.CodeValidation, "code", council.FieldRequired)
		// A code of another survey does not open this one.
		other := w.open(t, model.AudienceCodes, nil)
		otherCodes, err := w.sv.IssueCodes(ctx, w.Admin, other.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.sv.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(2), Code: otherCodes[0]})
		wantCode(t, err, council.CodeValidation, "code", council.FieldInvalid)
		_, res, err := w.sv.Results(ctx, nil, sv.ID)
		if err != nil || res.Responses != 1 {
			t.Fatalf("results: %+v %v", res, err)
		}
	})
}

func TestNormaliseCode(t *testing.T) {
	for in, want := range map[string]string{
		"abcd-efgh-jkmn":   "ABCD-EFGH-JKMN",
		"ABCDEFGHJKMN":     "ABCD-EFGH-JKMN",
		" o1il 2345 6789 ": "0111-2345-6789",
		"ABCD-EFGH-JKM":    "",
		"ABCD-EFGH-JKMNP":  "",
		"ABCD-EFGH-JKMU":   "",
		"":                 "",
		"абвг-деж":         "",
	} {
		if got := surveys.NormaliseCode(in); got != want {
			t.Errorf("NormaliseCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCouncilMembersAnswerOnceAndChangeWithTheirReceipt(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		w := newWorld(t, st)
		ctx := context.Background()
		sv := w.open(t, model.AudienceCouncil, nil)
		m := w.Members[0]
		acc, err := w.sv.Respond(ctx, m, sv.ID, surveys.ResponseInput{Answers: answers(0)})
		if err != nil || acc.Receipt == "" {
			t.Fatalf("first: %+v %v", acc, err)
		}
		_, err = w.sv.Respond(ctx, m, sv.ID, surveys.ResponseInput{Answers: answers(1)})
		wantCode(t, err, council.CodeConflict, "", "")
		// Another member holding the receipt cannot change the first member's response.
		if _, err := w.sv.Respond(ctx, w.Members[1], sv.ID, surveys.ResponseInput{Answers: answers(2)}); err != nil {
			t.Fatal(err)
		}
		_, err = w.sv.Respond(ctx, w.Members[1], sv.ID, surveys.ResponseInput{Answers: answers(2), Receipt: acc.Receipt})
		wantCode(t, err, council.CodeConflict, "", "")
		again, err := w.sv.Respond(ctx, m, sv.ID, surveys.ResponseInput{Answers: answers(1), Receipt: acc.Receipt})
		if err != nil || !again.Replaced {
			t.Fatalf("change: %+v %v", again, err)
		}
		_, res, err := w.sv.Results(ctx, m, sv.ID)
		if err != nil || res.Responses != 2 || res.Questions[0].Options[1].Count != 1 || res.Questions[0].Options[0].Count != 0 {
			t.Fatalf("results after the change: %+v %v", res, err)
		}
		_, err = w.sv.Respond(ctx, w.Outsider, sv.ID, surveys.ResponseInput{Answers: answers(0)})
		wantCode(t, err, council.CodeNotFound, "", "")
		_, err = w.sv.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(0)})
		wantCode(t, err, council.CodeUnauthenticated, "", "")
	})
}

func TestPublicAnswersThrottledPerAddress(t *testing.T) {
	w := newWorld(t, testenv.Store(t, "sqlite"))
	ctx := context.Background()
	svc := surveys.NewService(surveys.Config{Store: w.Store, Clock: w.Clock.Now, Throttle: surveys.Throttle{PerAddress: 3, Window: time.Hour}})
	sv := w.open(t, model.AudiencePublic, nil)
	for i := 0; i < 3; i++ {
		if _, err := svc.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(i), Browser: fmt.Sprint("browser-", i), Address: "192.0.2.1"}); err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
	}
	_, err := svc.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(3), Browser: "browser-3", Address: "192.0.2.1"})
	if rl, ok := err.(*council.RateLimited); !ok || rl.RetryAfter <= 0 {
		t.Fatalf("fourth answer from one address: %v, want rate_limited", err)
	}
	if _, err := svc.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(3), Browser: "browser-3", Address: "192.0.2.2"}); err != nil {
		t.Fatalf("another address: %v", err)
	}
	_, err = svc.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(4), Browser: "browser-0", Address: "192.0.2.3"})
	wantCode(t, err, council.CodeConflict, "", "")
	w.Clock.Advance(time.Hour + time.Second)
	if _, err := svc.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(5), Browser: "browser-5", Address: "192.0.2.1"}); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}

func TestAnswersChecked(t *testing.T) {
	w := newWorld(t, testenv.Store(t, "sqlite"))
	ctx := context.Background()
	sv := w.open(t, model.AudiencePublic, nil)
	respond := func(a []surveys.AnswerInput) error {
		_, err := w.sv.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: a, Browser: fmt.Sprint(time.Now().UnixNano()), Address: "a"})
		return err
	}
	long := strings.Repeat("а", surveys.MaxAnswerText+1)
	for name, c := range map[string]struct {
		a           []surveys.AnswerInput
		field, code string
	}{
		"required left out":   {[]surveys.AnswerInput{{Question: 1, Choice: ptr(0)}}, "answers.3", council.FieldRequired},
		"option out of range": {[]surveys.AnswerInput{{Question: 1, Choice: ptr(3)}, {Question: 3, Value: ptr(3)}}, "answers.1", council.FieldInvalid},
		"scale out of range":  {[]surveys.AnswerInput{{Question: 1, Choice: ptr(0)}, {Question: 3, Value: ptr(6)}}, "answers.3", council.FieldInvalid},
		"wrong kind":          {[]surveys.AnswerInput{{Question: 1, Value: ptr(1)}, {Question: 3, Value: ptr(3)}}, "answers.1", council.FieldInvalid},
		"choice twice":        {[]surveys.AnswerInput{{Question: 1, Choice: ptr(0)}, {Question: 2, Choices: []int{1, 1}}, {Question: 3, Value: ptr(3)}}, "answers.2", council.FieldInvalid},
		"no such question":    {[]surveys.AnswerInput{{Question: 9, Value: ptr(1)}}, "answers.0", council.FieldInvalid},
		"answered twice":      {[]surveys.AnswerInput{{Question: 1, Choice: ptr(0)}, {Question: 1, Choice: ptr(1)}, {Question: 3, Value: ptr(3)}}, "answers.1", council.FieldInvalid},
		"text too long":       {[]surveys.AnswerInput{{Question: 1, Choice: ptr(0)}, {Question: 3, Value: ptr(3)}, {Question: 4, Text: &long}}, "answers.4", council.FieldTooLong},
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, respond(c.a), council.CodeValidation, c.field, c.code) })
	}
	if err := respond([]surveys.AnswerInput{{Question: 1, Choice: ptr(0)}, {Question: 3, Value: ptr(3)}}); err != nil {
		t.Fatalf("the required answers alone: %v", err)
	}
}
