package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/schema"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/server/testenv"
)

// searchIDs runs the archive's search and returns the ids it finds, with its total.
func searchIDs(t *testing.T, st *store.Store, text string) []int64 {
	t.Helper()
	rounds, total, err := st.Outcomes(context.Background(), store.OutcomeQuery{Text: text, Limit: 100})
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	if total != len(rounds) {
		t.Fatalf("search %q: total %d, %d rounds", text, total, len(rounds))
	}
	var ids []int64
	for _, r := range rounds {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

// insertRound writes a round's row directly, as the migration finds rows already there.
func insertRound(t *testing.T, st *store.Store, councilID int64, status, text string, at time.Time) int64 {
	t.Helper()
	db := st.DB()
	var id int64
	closed := &at
	if status != model.StatusClosed {
		closed = nil
	}
	err := db.Get(&id, db.Rebind(`INSERT INTO rounds (council_id, title, status, ballot, quorum_percent, closed_at, search_text, created_at)
		VALUES (?, ?, ?, 'open', 0, ?, ?, ?) RETURNING id`), councilID, "R", status, closed, text, at)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The archive's search, with the index of migration 010: Cyrillic in any case, every word
// required, a word found inside a longer one on SQLite (as before the index) and whole words
// on PostgreSQL (its full-text search, unchanged); rows there before the migration are found
// (the backfill), and the index follows each write of a round's search text, its removal
// included.
func TestArchiveSearchIndex(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, testenv.DatabaseURL(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			db := st.DB()
			all, _ := schema.Migrations(d)
			db.MustExec(`CREATE TABLE schema_version (version INTEGER NOT NULL)`)
			for _, m := range all[:9] {
				db.MustExec(m.SQL)
				db.MustExec(db.Rebind(`INSERT INTO schema_version (version) VALUES (?)`), m.Version)
			}
			now := time.Now().UTC().Truncate(time.Second)
			db.MustExec(db.Rebind(`INSERT INTO councils (slug, name, constituency, created_at) VALUES (?, ?, ?, ?)`), "c", "C", "mixed", now)
			// The search text is kept lower-case (strings.ToLower), as CloseRound writes it.
			before := insertRound(t, st, 1, model.StatusClosed, "зелени площи в лозенец\nпейки и дървета", now)
			draft := insertRound(t, st, 1, model.StatusDraft, "зелени площи", now)
			if v, err := st.Migrate(ctx); err != nil || v != len(all) {
				t.Fatalf("migrate: %d, %v", v, err)
			}
			after := insertRound(t, st, 1, model.StatusClosed, "бюджет 2027: детски градини в младост", now.Add(time.Minute))
			// Other rounds, so that the words searched for are rare enough for the index to be
			// asked (a word most rounds hold is looked for without it).
			for range 20 {
				insertRound(t, st, 1, model.StatusClosed, "транспорт и паркинг", now)
			}
			indexed := func(word string) []int64 { // what the SQLite index itself answers
				var ids []int64
				if err := db.Select(&ids, `SELECT rowid FROM rounds_search WHERE rounds_search MATCH ? ORDER BY rowid`, `"`+word+`"`); err != nil {
					t.Fatal(err)
				}
				return ids
			}
			if d == "sqlite" {
				if got := indexed("площи"); !slices.Equal(got, []int64{before, draft}) {
					t.Errorf("the index built by the migration holds площи in %v", got)
				}
			}

			type c struct {
				q    string
				want []int64
			}
			cases := []c{
				{"площи", []int64{before}}, // found through the backfill, the draft left out
				{"ПЛОЩИ", []int64{before}},
				{"Зелени Пейки", []int64{before}},
				{"градини", []int64{after}},
				{"в", []int64{before, after}}, // a word too short for a trigram
				{"в младост", []int64{after}},
				{"2027:", []int64{after}},
				{"площи градини", nil},
				{"несъществуваща", nil},
				{"площи OR градини", nil},
				{"пл*", nil},
			}
			if d == "sqlite" { // a word inside another, as instr found it
				cases = append(cases, c{"лозен", []int64{before}}, c{"ОЩИ", []int64{before}}, c{"етски", []int64{after}},
					c{`"площи"`, nil}) // quotes are text, not the index's syntax
			} else { // PostgreSQL's full-text search matches whole words, as before
				cases = append(cases, c{"лозен", nil}, c{"детски", []int64{after}}, c{`"площи"`, []int64{before}})
			}
			for _, tc := range cases {
				// The service lower-cases the words before the store sees them.
				if got := searchIDs(t, st, strings.ToLower(tc.q)); !slices.Equal(got, tc.want) {
					t.Errorf("%q found %v, want %v", tc.q, got, tc.want)
				}
			}
			// The index follows the text's changes: a round closed, its text rewritten (as a
			// redaction would), a round deleted.
			db.MustExec(db.Rebind(`UPDATE rounds SET status = 'closed', closed_at = ?, search_text = ? WHERE id = ?`), now, "паркинг до читалището", draft)
			if got := searchIDs(t, st, "читалище"); !slices.Equal(got, []int64{draft}) && d == "sqlite" {
				t.Errorf("the closed round is not found: %v", got)
			}
			if got := searchIDs(t, st, "зелени"); !slices.Equal(got, []int64{before}) {
				t.Errorf("the rewritten text is still found: %v", got)
			}
			db.MustExec(db.Rebind(`UPDATE rounds SET search_text = ? WHERE id = ?`), "[премахнато]", before)
			if got := searchIDs(t, st, "площи"); got != nil {
				t.Errorf("the redacted text is still found: %v", got)
			}
			if got := searchIDs(t, st, "премахнато"); !slices.Equal(got, []int64{before}) {
				t.Errorf("the new text is not found: %v", got)
			}
			if d == "sqlite" {
				if got := indexed("площи"); got != nil {
					t.Errorf("the index still holds the rewritten texts: %v", got)
				}
			}
			db.MustExec(db.Rebind(`DELETE FROM rounds WHERE id = ?`), after)
			if got := searchIDs(t, st, "градини"); got != nil {
				t.Errorf("a deleted round is found: %v", got)
			}
			if d == "sqlite" {
				if got := indexed("градини"); got != nil {
					t.Errorf("the index still holds a deleted round: %v", got)
				}
				// The index agrees with its content table (FTS5's own check).
				if _, err := db.Exec(`INSERT INTO rounds_search (rounds_search, rank) VALUES ('integrity-check', 1)`); err != nil {
					t.Errorf("index integrity: %v", err)
				}
			}
		})
	}
}
