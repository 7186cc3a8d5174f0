package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perushtitsa/council/schema"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/server/testenv"
)

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			url := testenv.DatabaseURL(t, d)
			want, _ := schema.Migrations(d)
			var wg sync.WaitGroup
			for i := 0; i < 3; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st, err := store.Open(context.Background(), url)
					if err != nil {
						t.Error(err)
						return
					}
					defer st.Close()
					v, err := st.Migrate(context.Background())
					if err != nil {
						t.Errorf("migrate: %v", err)
					}
					if v != len(want) {
						t.Errorf("version %d, want %d", v, len(want))
					}
				}()
			}
			wg.Wait()
			st := testenv.OpenURL(t, url)
			var rows int
			if err := st.DB().Get(&rows, `SELECT COUNT(*) FROM schema_version`); err != nil {
				t.Fatal(err)
			}
			if rows != len(want) {
				t.Fatalf("%d migrations recorded, want %d (each applied once)", rows, len(want))
			}
		})
	}
}

func seedCouncil(t *testing.T, st *store.Store) (*model.Council, *model.User) {
	t.Helper()
	ctx := context.Background()
	c := &model.Council{Slug: "c", Name: "Съвет", Constituency: "mixed"}
	if err := st.CreateCouncil(ctx, c, time.Now()); err != nil {
		t.Fatal(err)
	}
	u := &model.User{Email: "a@example.org", Name: "Анна", Role: "user", PasswordHash: "x"}
	if err := st.CreateUser(ctx, u, time.Now()); err != nil {
		t.Fatal(err)
	}
	return c, u
}

func TestInCouncilRollsBackEverything(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c, u := seedCouncil(t, st)
		boom := errors.New("boom")
		_, err := st.InCouncil(ctx, c.ID, time.Now, func(tx *store.Tx) error {
			if _, err := tx.AddMember(ctx, u.ID, "member", "citizen"); err != nil {
				return err
			}
			if _, err := tx.Append(ctx, store.NewEvent{Type: "member.joined", Data: []byte(`{"user_id":1}`)}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if seq, _ := st.LastSeq(ctx, c.ID); seq != 0 {
			t.Fatalf("last_seq %d after rollback", seq)
		}
		if _, err := st.Membership(ctx, c.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("membership survived rollback: %v", err)
		}
		evs, err := st.InCouncil(ctx, c.ID, time.Now, func(tx *store.Tx) error {
			for i := 0; i < 3; i++ {
				data := []byte(fmt.Sprintf(`{"i":%d}`, i))
				if _, err := tx.Append(ctx, store.NewEvent{Type: "test", Actor: &model.Person{ID: u.ID, Name: u.Name}, Data: data}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || len(evs) != 3 || evs[0].Seq != 1 || evs[2].Seq != 3 {
			t.Fatalf("events %+v, %v", evs, err)
		}
		back, err := st.EventsAfter(ctx, c.ID, 1, 10, true)
		if err != nil || len(back) != 2 || back[0].Seq != 2 || back[0].Actor == nil || back[0].Actor.Name != "Анна" || string(back[0].Data) != `{"i":1}` {
			t.Fatalf("read back %+v, %v", back, err)
		}
		if !back[0].At.Equal(evs[1].At) {
			t.Fatalf("time changed on the way: %v vs %v", back[0].At, evs[1].At)
		}
	})
}

func TestOutcomesSearchCyrillic(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c, _ := seedCouncil(t, st)
		mk := func(title, search string) {
			_, err := st.InCouncil(ctx, c.ID, time.Now, func(tx *store.Tx) error {
				r := &model.Round{Title: title, Status: model.StatusClosed, Ballot: model.BallotOpen, ResultsVisibility: model.ResultsLive}
				if err := tx.CreateRound(ctx, r); err != nil {
					return err
				}
				r.ClosedAt, r.ClosedSeq = ptrTo(tx.Now()), ptrTo(int64(1))
				return tx.CloseRound(ctx, r, search)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		mk("Приемно време", "Приемно време за граждани\nСряда следобед")
		mk("Електронни услуги", "Електронни услуги\nУдостоверения онлайн")
		for q, want := range map[string]int{"приемно": 1, "ПРИЕМНО": 1, "сряда приемно": 1, "онлайн": 1, "": 2, "няма": 0} {
			rounds, total, err := st.Outcomes(ctx, store.OutcomeQuery{Text: q, Limit: 20})
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if total != want || len(rounds) != want {
				t.Errorf("%q: %d rounds (total %d), want %d", q, len(rounds), total, want)
			}
		}
	})
}

func TestRecordBytesAreKeptExactly(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c, _ := seedCouncil(t, st)
		body := []byte("{\n  \"title\": \"Перущица \\u003cb\\u003e\"\n}\n\x00\xff")
		var id int64
		_, err := st.InCouncil(ctx, c.ID, time.Now, func(tx *store.Tx) error {
			r := &model.Round{Title: "r", Status: model.StatusDraft, Ballot: model.BallotOpen, ResultsVisibility: model.ResultsLive}
			if err := tx.CreateRound(ctx, r); err != nil {
				return err
			}
			id = r.ID
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveRecord(ctx, id, model.RecordFile{Body: body, Gzip: []byte{1, 2}, SHA256: "digest"}); err != nil {
			t.Fatal(err)
		}
		// A second rendering (another process) does not replace the first.
		if f, err := st.SaveRecord(ctx, id, model.RecordFile{Body: []byte("other"), SHA256: "other"}); err != nil || f.SHA256 != "digest" {
			t.Fatalf("second save: %+v, %v", f, err)
		}
		got, err := st.Record(ctx, id)
		if err != nil || string(got.Body) != string(body) || got.SHA256 != "digest" || string(got.Gzip) != "\x01\x02" {
			t.Fatalf("record %+v, %v", got, err)
		}
	})
}

func TestSessionsExpire(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		_, u := seedCouncil(t, st)
		now := time.Now()
		if err := st.CreateSession(ctx, "live", u.ID, "csrf", now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateSession(ctx, "dead", u.ID, "csrf", now, now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if got, csrf, err := st.SessionUser(ctx, "live", now); err != nil || got.ID != u.ID || csrf != "csrf" {
			t.Fatalf("live session: %v %v", got, err)
		}
		if _, _, err := st.SessionUser(ctx, "live", now.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a session past its expiry answered: %v", err)
		}
		if _, _, err := st.SessionUser(ctx, "dead", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session answered: %v", err)
		}
		if err := st.CreateUser(ctx, &model.User{Email: strings.ToLower("A@example.org"), Name: "x", Role: "user", PasswordHash: "x"}, now); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate email: %v", err)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }
