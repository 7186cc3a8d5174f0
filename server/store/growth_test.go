package store_test

// The growth benchmark (make bench-growth): how a council's lists and the archive's search cost
// as the archive grows. For each database and each size it seeds, straight through SQL in
// batches, one council with that many rounds (all but a few closed, each with a search text
// of Bulgarian words), that many members and one topic with that many posts, then times each
// read. It prints a table and asserts nothing about time. It is a test, skipped unless
// GROWTH=1, so that it can run against an earlier commit's store as well (this file uses only
// what the store had before the lists were paged; growth_pages_test.go adds the pages).

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/server/testenv"
)

// growthWords are what the seeded search texts are made of; growthRare is in one round of
// 1,000, growthCommon in every other round.
var growthWords = strings.Fields(`бюджет община съвет градина парк улица ремонт училище детска
	площадка транспорт автобус линия спирка осветление тротоар велоалея дърво засаждане
	читалище библиотека спорт зала басейн пазар площад фонтан паметник музей концерт
	фестивал култура младежи пенсионери социални услуги здраве болница аптека чистота
	отпадъци рециклиране контейнер кампания доброволци квартал район жители предложение
	решение гласуване консултация обществено обсъждане проект финансиране европейски
	програма инвестиция инфраструктура канализация водопровод асфалт паркинг зона`)

const (
	growthRare   = "сметосъбиране"
	growthCommon = "кметство"
)

// growthSeeded is one database seeded for one size.
type growthSeeded struct {
	st      *store.Store
	dialect string
	n       int
	council int64
	topic   int64
}

// growthMeasure is a named read, timed on a seeded database.
type growthMeasure struct {
	name string
	run  func(ctx context.Context, g *growthSeeded) (int, error) // how many rows it answered
}

// growthPaged holds the measures of the paged lists, where the store has them.
var growthPaged []growthMeasure

func growthSizes(t *testing.T) []int {
	raw := os.Getenv("GROWTH_SIZES")
	if raw == "" {
		raw = "100,10000,100000"
	}
	var sizes []int
	for _, f := range strings.Split(raw, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			t.Fatalf("GROWTH_SIZES: %q", raw)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

func TestGrowth(t *testing.T) {
	if os.Getenv("GROWTH") == "" {
		t.Skip("the growth benchmark runs with GROWTH=1 (make bench-growth)")
	}
	label := os.Getenv("GROWTH_LABEL")
	if label == "" {
		label = "this commit"
	}
	dialects := testenv.Dialects
	if d := os.Getenv("GROWTH_DIALECTS"); d != "" {
		dialects = strings.Split(d, ",")
	}
	measures := []growthMeasure{
		{"rounds, whole list", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, err := g.st.Reader().Rounds(ctx, g.council, model.StatusClosed, model.StatusOpen, model.StatusDraft)
			return len(rs), err
		}},
		{"members, whole list", func(ctx context.Context, g *growthSeeded) (int, error) {
			ms, err := g.st.Members(ctx, g.council)
			return len(ms), err
		}},
		{"posts, whole list", func(ctx context.Context, g *growthSeeded) (int, error) {
			ps, err := g.st.Reader().Posts(ctx, g.topic)
			return len(ps), err
		}},
		{"archive, first page", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Outcomes(ctx, store.OutcomeQuery{Limit: 20})
			return len(rs), err
		}},
		{"search, rare word", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Outcomes(ctx, store.OutcomeQuery{Text: growthRare, Limit: 20})
			return len(rs), err
		}},
		{"search, part of a rare word", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Outcomes(ctx, store.OutcomeQuery{Text: growthRare[:16], Limit: 20}) // 8 letters
			return len(rs), err
		}},
		{"search, two words", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Outcomes(ctx, store.OutcomeQuery{Text: growthRare + " " + growthCommon, Limit: 20})
			return len(rs), err
		}},
		{"search, common word", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Outcomes(ctx, store.OutcomeQuery{Text: growthCommon, Limit: 20})
			return len(rs), err
		}},
		{"search, no match", func(ctx context.Context, g *growthSeeded) (int, error) {
			rs, _, err := g.st.Outcomes(ctx, store.OutcomeQuery{Text: "несъществуваща", Limit: 20})
			return len(rs), err
		}},
	}
	measures = append(measures, growthPaged...)
	var out strings.Builder
	fmt.Fprintf(&out, "\n%s: median of the runs in %v per read (runs in brackets), rows answered\n\n", label, growthBudget)
	fmt.Fprintf(&out, "| database | rows | read | time | rows answered |\n|---|---:|---|---:|---:|\n")
	for _, d := range dialects {
		for _, n := range growthSizes(t) {
			ctx := context.Background()
			start := time.Now()
			g := seedGrowth(t, d, n)
			t.Logf("%s, %d rows: seeded in %v", d, n, time.Since(start).Round(time.Millisecond))
			for _, m := range measures {
				med, runs, rows, err := timeRead(ctx, g, m)
				if err != nil {
					t.Fatalf("%s %d %s: %v", d, n, m.name, err)
				}
				fmt.Fprintf(&out, "| %s | %d | %s | %s (%d) | %d |\n", d, n, m.name, fmtDuration(med), runs, rows)
			}
			g.st.Close()
		}
	}
	fmt.Println(out.String())
}

// growthBudget is how long each read is repeated for (at least 3 runs, at most 200).
const growthBudget = 2 * time.Second

func timeRead(ctx context.Context, g *growthSeeded, m growthMeasure) (time.Duration, int, int, error) {
	var times []time.Duration
	rows := 0
	begin := time.Now()
	for len(times) < 3 || (time.Since(begin) < growthBudget && len(times) < 200) {
		start := time.Now()
		n, err := m.run(ctx, g)
		if err != nil {
			return 0, 0, 0, err
		}
		times = append(times, time.Since(start))
		rows = n
	}
	slices.Sort(times)
	return times[len(times)/2], len(times), rows, nil
}

func fmtDuration(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
}

// seedGrowth makes a fresh, migrated database and seeds n rounds, members and posts.
func seedGrowth(t *testing.T, dialect string, n int) *growthSeeded {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.DatabaseURL(t, dialect))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db := st.DB()
	rng := rand.New(rand.NewPCG(uint64(n), 13))
	base := time.Date(2020, 1, 1, 8, 0, 0, 0, time.UTC)
	var council int64
	if err := db.Get(&council, db.Rebind(`INSERT INTO councils (slug, name, constituency, created_at) VALUES (?, ?, ?, ?) RETURNING id`),
		"growth", "Съвет", "mixed", base); err != nil {
		t.Fatal(err)
	}
	batch(t, db, `INSERT INTO users (email, name, password_hash, role, created_at) VALUES `, 5, n, func(i int) []any {
		return []any{fmt.Sprintf("u%d@example.org", i), fmt.Sprintf("Член %s %d", growthWords[rng.IntN(len(growthWords))], i), "x", "user", base}
	})
	batch(t, db, `INSERT INTO memberships (council_id, user_id, role, grp, joined_at) VALUES `, 5, n, func(i int) []any {
		role := model.RoleMember
		if i%50 == 0 {
			role = model.RoleModerator
		}
		return []any{council, i + 1, role, model.Groups[i%len(model.Groups)], base.Add(time.Duration(i) * time.Minute)}
	})
	text := func(i int) string {
		var b strings.Builder
		for range 60 { // a title, a description, a summary and proposals: some 500 characters
			b.WriteString(growthWords[rng.IntN(len(growthWords))])
			b.WriteByte(' ')
		}
		if i%1000 == 7 {
			b.WriteString(growthRare + " ")
		}
		if i%2 == 0 {
			b.WriteString(growthCommon)
		}
		return b.String()
	}
	batch(t, db, `INSERT INTO rounds (council_id, title, description, status, ballot, quorum_percent, opened_at, closed_at, outcome_summary, search_text, created_at) VALUES `, 11, n, func(i int) []any {
		at := base.Add(time.Duration(i) * time.Hour)
		status, closed := model.StatusClosed, &at
		if i >= n-2 { // the newest: one open, one draft
			status, closed = model.StatusOpen, nil
			if i == n-1 {
				status = model.StatusDraft
			}
		}
		title := fmt.Sprintf("Консултация %d: %s", i, growthWords[i%len(growthWords)])
		return []any{council, title, "Описание на консултацията.", status, model.BallotOpen, 20, at, closed, "Решение.", text(i), at}
	})
	var round int64
	if err := db.Get(&round, db.Rebind(`SELECT MIN(id) FROM rounds WHERE council_id = ?`), council); err != nil {
		t.Fatal(err)
	}
	var topic int64
	if err := db.Get(&topic, db.Rebind(`INSERT INTO topics (round_id, author_id, title, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
		round, 1, "Тема", "Начало", base); err != nil {
		t.Fatal(err)
	}
	batch(t, db, `INSERT INTO posts (topic_id, author_id, body, body_html, created_at, number) VALUES `, 6, n, func(i int) []any {
		body := fmt.Sprintf("Мнение %d: %s %s %s.", i+1, growthWords[rng.IntN(len(growthWords))], growthWords[rng.IntN(len(growthWords))], growthWords[rng.IntN(len(growthWords))])
		return []any{topic, i%n + 1, body, "<p>" + body + "</p>", base.Add(time.Duration(i) * time.Second), i + 1}
	})
	if dialect == "postgres" {
		// As autovacuum leaves a table in use: statistics, the visibility map, GIN's pending
		// entries merged into the index.
		db.MustExec(`VACUUM ANALYZE`)
	} else {
		db.MustExec(`ANALYZE`)
	}
	return &growthSeeded{st: st, dialect: dialect, n: n, council: council, topic: topic}
}

// batch inserts n rows of cols values each, many rows a statement, in one transaction.
func batch(t *testing.T, db *sqlx.DB, insert string, cols, n int, row func(i int) []any) {
	t.Helper()
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	per := 500
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		q := insert + strings.TrimSuffix(strings.Repeat(one+", ", end-start), ", ")
		if _, err := tx.Exec(db.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", insert, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
