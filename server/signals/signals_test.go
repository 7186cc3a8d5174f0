package signals_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/server/testenv"
)

func TestNormaliseCode(t *testing.T) {
	for in, want := range map[string]string{
		"7K3M-QX9P-2HWR-TB4N":    "7K3M-QX9P-2HWR-TB4N",
		"7k3mqx9p2hwrtb4n":       "7K3M-QX9P-2HWR-TB4N",
		" 7K3M QX9P 2HWR TB4N ":  "7K3M-QX9P-2HWR-TB4N",
		"OOOO-IIII-LLLL-0000":    "0000-1111-1111-0000",
		"7K3M-QX9P-2HWR-TB4U":    "",
		"7K3M-QX9P-2HWR":         "",
		"7K3M-QX9P-2HWR-TB4N-0":  "",
		"7К3М-QX9P-2HWR-TB4N":    "", // Cyrillic look-alikes are no code
		strings.Repeat("0", 100): "",
	} {
		got, ok := signals.NormaliseCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormaliseCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// recorder is a Notifier that keeps what it is told, and fails when asked to.
type recorder struct {
	received []string // codes
	answered []string // answer bodies
	fail     bool
}

func (r *recorder) SignalReceived(_ context.Context, _ *store.SiteTx, sg *model.Signal, code string) error {
	if r.fail {
		return errors.New("outbox full")
	}
	r.received = append(r.received, sg.SenderEmail+" "+code)
	return nil
}

func (r *recorder) SignalAnswered(_ context.Context, _ *store.SiteTx, sg *model.Signal, a *model.SignalAnswer) error {
	if r.fail {
		return errors.New("outbox full")
	}
	r.answered = append(r.answered, sg.SenderEmail+" "+a.Status+" "+a.Body)
	return nil
}

// The sender is mailed (through the notifier) the tracking code when a signal with an email
// arrives, and each answer; what the notifier writes commits with the change or not at all.
func TestNotifierInTheChangesTransaction(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		w := testenv.NewWorld(t, st)
		rec := &recorder{}
		sig := signals.New(signals.Config{Store: st, Councils: w.Svc, Clock: w.Clock.Now, Notifier: rec})
		name := "Местни данъци"
		if _, err := sig.CreateService(ctx, w.Admin, signals.ServiceInput{Slug: "taxes", Name: &name}); err != nil {
			t.Fatal(err)
		}
		in := signals.Input{Kind: model.KindComplaint, Service: "taxes", Title: "T", Body: "B", Email: "r@example.org"}
		sg, code, err := sig.Submit(ctx, nil, in, "")
		if err != nil {
			t.Fatal(err)
		}
		in.Email = ""
		if _, _, err := sig.Submit(ctx, nil, in, ""); err != nil {
			t.Fatal(err)
		}
		if len(rec.received) != 1 || rec.received[0] != "r@example.org "+code {
			t.Fatalf("received: %v", rec.received)
		}
		if _, err := sig.Answer(ctx, w.Admin, sg.ID, signals.AnswerInput{Body: "Отговор", Status: model.SignalAnswered}); err != nil {
			t.Fatal(err)
		}
		if len(rec.answered) != 1 || rec.answered[0] != "r@example.org answered Отговор" {
			t.Fatalf("answered: %v", rec.answered)
		}
		rec.fail = true
		if _, err := sig.Answer(ctx, w.Admin, sg.ID, signals.AnswerInput{Body: "Второ", Status: model.SignalResolved}); err == nil {
			t.Fatal("an answer whose mail could not be queued was recorded")
		}
		got, err := sig.Signal(ctx, w.Admin, sg.ID)
		if err != nil || len(got.Answers) != 1 || got.Status != model.SignalAnswered {
			t.Fatalf("after a failed notifier: %+v, %v", got, err)
		}
		in.Email = "x@example.org"
		if _, _, err := sig.Submit(ctx, nil, in, ""); err == nil {
			t.Fatal("a signal whose mail could not be queued was received")
		}
		if list, total, _ := sig.Desk(ctx, w.Admin, signals.DeskQuery{}); total != 2 || len(list) != 2 {
			t.Fatalf("signals after a failed notifier: %d", total)
		}
	})
}
