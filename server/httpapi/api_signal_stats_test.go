package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/server/testenv"
)

// The analysis of four signals whose answers the test times: one answered in two days, one
// acknowledged and then answered in forty, one never answered (past its thirty days), one just
// received. Median 21 days; one of three due answered in time.
func TestAPISignalStats(t *testing.T) {
	sigDialects(t, func(t *testing.T, e *sigEnv) {
		ctx, clock := context.Background(), e.w.Clock
		start := clock.Now()
		send := func(kind, service string) int64 {
			sg, _, err := e.sig.Submit(ctx, nil, signals.Input{Kind: kind, Service: service, Title: "T", Body: "B"}, "")
			if err != nil {
				t.Fatal(err)
			}
			return sg.ID
		}
		answer := func(id int64, status string) {
			if _, err := e.sig.Answer(ctx, e.w.Admin, id, signals.AnswerInput{Body: "A", Status: status}); err != nil {
				t.Fatal(err)
			}
		}
		s1 := send(model.KindComplaint, e.services[0].Slug)
		s2 := send(model.KindPraise, e.services[1].Slug)
		send(model.KindComplaint, e.services[0].Slug)
		clock.Advance(24 * time.Hour)
		answer(s2, model.SignalInReview)
		clock.Advance(24 * time.Hour)
		answer(s1, model.SignalAnswered)
		clock.Advance(38 * 24 * time.Hour)
		answer(s2, model.SignalResolved)
		clock.Advance(5 * 24 * time.Hour)
		send(model.KindProposal, e.services[1].Slug)

		window := "from=" + signals.DateOf(start.AddDate(0, 0, -1)) + "&to=" + signals.DateOf(clock.Now())
		st := e.anon.get(t, "/api/v1/signals/stats?"+window).want(t, 200).obj(t)
		keys(t, st, "from", "to", "answer_days", "total", "counts", "by_kind", "by_service", "by_status", "by_month",
			"answered", "median_days_to_first_answer", "due", "answered_within_answer_days", "share_answered_within_answer_days")
		if num(st["total"]) != 4 || num(st["answered"]) != 2 || st["median_days_to_first_answer"] != 21.0 ||
			num(st["due"]) != 3 || num(st["answered_within_answer_days"]) != 1 || st["share_answered_within_answer_days"] != 0.333 ||
			num(st["answer_days"]) != 30 {
			t.Fatalf("figures: %v", st)
		}
		sum := 0
		for _, c := range list(st["counts"]) {
			keys(t, c, "month", "kind", "service", "status", "count")
			sum += int(num(c["count"]))
		}
		kinds := map[string]int64{}
		for _, k := range list(st["by_kind"]) {
			kinds[k["key"].(string)] = num(k["count"])
		}
		if sum != 4 || kinds["complaint"] != 2 || kinds["praise"] != 1 || kinds["proposal"] != 1 || kinds["signal"] != 0 || len(kinds) != 4 {
			t.Errorf("counts sum %d, by kind %v", sum, kinds)
		}
		if months := list(st["by_month"]); len(months) < 2 || len(months) > 3 {
			t.Errorf("by month: %v", months)
		}

		csvBody := e.anon.get(t, "/api/v1/signals/stats.csv?"+window).want(t, 200)
		if !bytes.HasPrefix(csvBody.Body, []byte("\uFEFFmonth,kind,service,service_name,status,count\n")) ||
			!strings.HasPrefix(csvBody.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("csv: %q", csvBody.Body)
		}
		rows, err := csv.NewReader(bytes.NewReader(csvBody.Body[3:])).ReadAll()
		if err != nil || len(rows) != len(list(st["counts"]))+1 {
			t.Fatalf("csv rows %d, %v", len(rows), err)
		}
		x := e.anon.get(t, "/api/v1/signals/stats.xlsx?"+window).want(t, 200)
		book, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		if v, _ := book.GetCellValue("summary", "B5"); v != "4" {
			t.Errorf("the spreadsheet's total: %q (sheets %v)", v, book.GetSheetList())
		}
		if got := book.GetSheetList(); strings.Join(got, ",") != "summary,counts,by_month,by_kind,by_service,by_status" {
			t.Errorf("sheets %v", got)
		}

		e.anon.get(t, "/api/v1/signals/stats").want(t, 200)
		for _, bad := range []string{"from=2025-02-30", "to=yesterday", "from=2026-05-01&to=2026-04-01", "from=2000-01-01&to=2020-01-01"} {
			e.anon.get(t, "/api/v1/signals/stats?"+bad).want(t, 400, "bad_request")
		}
	})
}

// Signals from one address are throttled (429 with Retry-After) however many arrive at once;
// another address is not held back, and the window moves on with the clock.
func TestAPISignalThrottle(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			e := newSigEnv(t, d, []signals.Window{{Max: 3, Per: 10 * time.Minute}}, "X-Forwarded-For")
			body := map[string]any{"kind": "signal", "service": e.services[0].Slug, "title": "T", "body": "B"}
			from := func(addr string) *client {
				return &client{app: e.app, header: map[string]string{"X-Forwarded-For": addr}}
			}
			a := from("198.51.100.7")
			a.do(t, "POST", "/api/v1/signals", map[string]any{"kind": "bad"}).want(t, 422) // refused ones do not count
			var wg sync.WaitGroup
			statuses := make([]int, 6)
			for i := range statuses {
				wg.Add(1)
				go func() { defer wg.Done(); statuses[i] = a.do(t, "POST", "/api/v1/signals", body).Status }()
			}
			wg.Wait()
			created := 0
			for _, s := range statuses {
				if s == 201 {
					created++
				} else if s != 429 {
					t.Fatalf("statuses %v", statuses)
				}
			}
			if created > 3 {
				t.Fatalf("%d of 6 signals sent at once got through a limit of 3: %v", created, statuses)
			}
			for created < 3 {
				a.do(t, "POST", "/api/v1/signals", body).want(t, 201)
				created++
			}
			r := a.do(t, "POST", "/api/v1/signals", body).want(t, 429, "rate_limited")
			if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
				t.Errorf("Retry-After %q", ra)
			}
			from("203.0.113.9").do(t, "POST", "/api/v1/signals", body).want(t, 201)
			e.w.Clock.Advance(10*time.Minute + time.Second)
			a.do(t, "POST", "/api/v1/signals", body).want(t, 201)
		})
	}
}
