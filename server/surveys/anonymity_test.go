package surveys_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/surveys"
	"github.com/perushtitsa/council/server/testenv"
)

// TestNoResponseJoinsItsSender answers a survey of each audience, then reads the database as
// someone with the tables would: no value of a response equals or holds a value of the tables
// that know who answered (marks, codes, counted addresses), the responses' ids do not follow
// the order they came in, and the close erases those tables, the members' receipts and, on
// PostgreSQL, the transaction stamps that tied a response to its mark.
func TestNoResponseJoinsItsSender(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		w := newWorld(t, st)
		ctx := context.Background()
		db := st.DB()
		public := w.open(t, model.AudiencePublic, nil)
		codesSv := w.open(t, model.AudienceCodes, nil)
		councilSv := w.open(t, model.AudienceCouncil, nil)
		codes, err := w.sv.IssueCodes(ctx, w.Admin, codesSv.ID, 12)
		if err != nil {
			t.Fatal(err)
		}
		const n = 12
		for i := 0; i < n; i++ {
			in := surveys.ResponseInput{Answers: answers(i), Browser: fmt.Sprint("browser-token-", i), Address: fmt.Sprint("198.51.100.", i)}
			if _, err := w.sv.Respond(ctx, nil, public.ID, in); err != nil {
				t.Fatal(err)
			}
			if _, err := w.sv.Respond(ctx, nil, codesSv.ID, surveys.ResponseInput{Answers: answers(i), Code: codes[i]}); err != nil {
				t.Fatal(err)
			}
		}
		members := append([]*model.User{w.Moderator}, w.Members...)
		for i, m := range members {
			if _, err := w.sv.Respond(ctx, m, councilSv.ID, surveys.ResponseInput{Answers: answers(i)}); err != nil {
				t.Fatal(err)
			}
		}

		// The response table has these columns and no other: none names a sender, a time or a
		// sequence. A column added to it must pass this test's review.
		if cols := columns(t, st, "survey_responses"); !slices.Equal(cols, []string{"answers", "hidden", "id", "receipt", "survey_id"}) {
			t.Fatalf("survey_responses has columns %v", cols)
		}
		var senders []string
		for _, q := range []string{`SELECT mark FROM survey_marks`, `SELECT code_hash FROM survey_codes`, `SELECT address FROM survey_attempts`} {
			var vs []string
			if err := db.Select(&vs, q); err != nil {
				t.Fatal(err)
			}
			senders = append(senders, vs...)
		}
		for _, m := range members {
			senders = append(senders, strconv.FormatInt(m.ID, 10), m.Email, m.Name)
		}
		for _, c := range codes {
			senders = append(senders, c, strings.ReplaceAll(c, "-", ""))
		}
		type row struct {
			ID      int64   `db:"id"`
			Answers string  `db:"answers"`
			Hidden  string  `db:"hidden"`
			Receipt *string `db:"receipt"`
		}
		var rows []row
		if err := db.Select(&rows, `SELECT id, answers, hidden, receipt FROM survey_responses ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			fields := []string{strconv.FormatInt(r.ID, 10), r.Answers, r.Hidden}
			if r.Receipt != nil {
				fields = append(fields, *r.Receipt)
			}
			for _, f := range fields {
				for _, s := range senders {
					if len(s) >= 6 && strings.Contains(f, s) || f == s {
						t.Fatalf("response %d holds %q, which names who sent it", r.ID, s)
					}
				}
			}
		}
		// Ordered by id, the responses do not come in the order they were sent.
		if order := textOrder(t, st, public.ID, "id"); slices.IsSorted(order) {
			t.Fatalf("responses by id follow the order of sending: %v", order)
		}

		for _, sv := range []*model.Survey{public, codesSv, councilSv} {
			if _, err := w.sv.Close(ctx, w.Admin, sv.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range []string{`SELECT COUNT(*) FROM survey_marks`, `SELECT COUNT(*) FROM survey_codes`,
			`SELECT COUNT(*) FROM survey_attempts`, `SELECT COUNT(*) FROM survey_responses WHERE receipt IS NOT NULL`} {
			var left int
			if err := db.Get(&left, q); err != nil || left != 0 {
				t.Fatalf("after the close, %s = %d (%v), want 0", q, left, err)
			}
		}
		var kept int
		if err := db.Get(&kept, `SELECT COUNT(*) FROM survey_responses`); err != nil || kept != 2*n+len(members) {
			t.Fatalf("%d responses kept (%v), want %d", kept, err, 2*n+len(members))
		}
		if st.Dialect() == "postgres" {
			// Each response was written with its mark in one transaction; the close writes
			// them all again in one, in a random order, so neither the transaction ids nor
			// the rows' places in the table tell them apart or follow the order of sending.
			var stamps int
			if err := db.Get(&stamps, `SELECT COUNT(DISTINCT xmin::text) FROM survey_responses WHERE survey_id = $1`, public.ID); err != nil || stamps != 1 {
				t.Fatalf("%d transaction ids among a closed survey's responses (%v), want 1", stamps, err)
			}
			if order := textOrder(t, st, public.ID, "ctid"); slices.IsSorted(order) {
				t.Fatalf("the rows' places follow the order of sending: %v", order)
			}
		}
	})
}

// columns lists a table's columns, sorted.
func columns(t *testing.T, st *testenv.StoreT, table string) []string {
	t.Helper()
	var cols []string
	q := `SELECT name FROM pragma_table_info('` + table + `')`
	if st.Dialect() == "postgres" {
		q = `SELECT column_name FROM information_schema.columns WHERE table_name = '` + table + `'`
	}
	if err := st.DB().Select(&cols, q); err != nil {
		t.Fatal(err)
	}
	slices.Sort(cols)
	return cols
}

// textOrder reads a survey's responses in an order and returns the number each one's text
// answer carries: the order they were sent in.
func textOrder(t *testing.T, st *testenv.StoreT, surveyID int64, by string) []int {
	t.Helper()
	var docs []string
	if err := st.DB().Select(&docs, st.DB().Rebind(`SELECT answers FROM survey_responses WHERE survey_id = ? ORDER BY `+by), surveyID); err != nil {
		t.Fatal(err)
	}
	var order []int
	for _, d := range docs {
		_, after, _ := strings.Cut(d, "отговор ")
		k, _ := strconv.Atoi(strings.TrimRight(after, `"}]`))
		order = append(order, k)
	}
	return order
}

// TestSchedulersCloseASurveyOnce: three schedulers (separate connections, as separate
// processes have) race on a survey past its closing time; exactly one closes it.
func TestSchedulersCloseASurveyOnce(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			url := testenv.DatabaseURL(t, d)
			w := newWorld(t, testenv.OpenURL(t, url))
			sv := w.open(t, model.AudiencePublic, ptr(w.Clock.Now().Add(time.Hour)))
			if _, err := w.sv.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(1), Browser: "b", Address: "a"}); err != nil {
				t.Fatal(err)
			}
			w.Clock.Advance(time.Hour + time.Second)
			_, err := w.sv.Respond(ctx, nil, sv.ID, surveys.ResponseInput{Answers: answers(2), Browser: "c", Address: "a"})
			wantCode(t, err, "conflict", "", "")
			var wg sync.WaitGroup
			closed := make([]int, 3)
			for i := range closed {
				svc := surveys.NewService(surveys.Config{Store: testenv.OpenURL(t, url), Clock: w.Clock.Now})
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := svc.CloseDue(ctx)
					if err != nil {
						t.Errorf("scheduler %d: %v", i, err)
					}
					closed[i] = n
				}()
			}
			wg.Wait()
			if closed[0]+closed[1]+closed[2] != 1 {
				t.Fatalf("surveys closed per scheduler: %v, want exactly one in all", closed)
			}
			got, err := w.sv.Survey(ctx, nil, sv.ID)
			if err != nil || got.Status != model.StatusClosed || got.ClosedAt == nil || got.Responses != 1 {
				t.Fatalf("survey after the scheduled close: %+v, %v", got, err)
			}
			if n, err := w.sv.CloseDue(ctx); n != 0 || err != nil {
				t.Fatalf("a later pass closed %d (%v)", n, err)
			}
		})
	}
}
