// Package testenv gives tests real databases: a fresh PostgreSQL database or SQLite file per
// test, migrated, dropped afterwards. Tests never skip for want of a database: they fail.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"golang.org/x/crypto/bcrypt"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/mail"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Dialects are the databases every store test runs against.
var Dialects = []string{"postgres", "sqlite"}

// PostgresURL is the server tests create their databases on (env TEST_POSTGRES_URL).
func PostgresURL() string {
	if u := os.Getenv("TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the Redis tests use (env TEST_REDIS_URL).
func RedisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// DatabaseURL creates an empty database of the dialect for this test and returns its URL.
func DatabaseURL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "council.db")
	case "postgres":
		return freshPostgres(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

func freshPostgres(t testing.TB) string {
	t.Helper()
	admin, err := sqlx.Open("postgres", PostgresURL())
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "council_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("PostgreSQL is needed at %s (set TEST_POSTGRES_URL; `make test` starts it): %v", PostgresURL(), err)
	}
	t.Cleanup(func() {
		admin, err := sqlx.Open("postgres", PostgresURL())
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, _ := url.Parse(PostgresURL())
	u.Path = "/" + name
	return u.String()
}

// Store opens a migrated store of the dialect for this test.
func Store(t testing.TB, dialect string) *store.Store {
	t.Helper()
	return OpenURL(t, DatabaseURL(t, dialect))
}

// OpenURL opens and migrates the database at url, closing it when the test ends.
func OpenURL(t testing.TB, dbURL string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// EachDialect runs f as a subtest against a fresh store of each dialect.
func EachDialect(t *testing.T, f func(t *testing.T, st *StoreT)) {
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) { f(t, Store(t, d)) })
	}
}

// World is a small populated platform: an admin, a council with a moderator and members of
// each group, and a member of another council.
type World struct {
	Svc       *council.Service
	Store     *store.Store
	Admin     *model.User
	Council   *model.Council
	Other     *model.Council
	Moderator *model.User
	Members   []*model.User // citizen, ngo, business
	Outsider  *model.User   // member of Other only
	Events    *Recorder
	Clock     *Clock       // the rules' time, unless the config gave its own
	Outbox    *mail.Outbox // where its mails go (NewMailWorld); nil: none are written
}

// Recorder keeps every published event, for assertions.
type Recorder struct {
	ch chan model.Event
}

// Publish implements council.Publisher.
func (r *Recorder) Publish(evs []model.Event) {
	for _, e := range evs {
		select {
		case r.ch <- e:
		default:
		}
	}
}

// Drain returns what was published so far.
func (r *Recorder) Drain() []model.Event {
	var out []model.Event
	for {
		select {
		case e := <-r.ch:
			out = append(out, e)
		default:
			return out
		}
	}
}

// Clock is a test's time: it starts at the real time and moves only when the test says, so
// that deadlines pass without sleeping.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to the real time.
func NewClock() *Clock { return &Clock{now: time.Now()} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// NoWriteLimits lifts the per-member write rates and the round's text bound, for tests that
// write more than a member may (tables of every endpoint, load).
var NoWriteLimits = council.Limits{RoundText: 1 << 40, Writes: []council.WriteLimit{}}

// NewWorld builds a World on st.
func NewWorld(t testing.TB, st *store.Store) *World {
	t.Helper()
	return NewWorldWith(t, st, council.Config{})
}

// NewWorldWith builds a World on st with a service configured by cfg (its store, publisher
// and base URL are the World's own).
func NewWorldWith(t testing.TB, st *store.Store, cfg council.Config) *World {
	t.Helper()
	ctx := context.Background()
	rec := &Recorder{ch: make(chan model.Event, 100000)}
	cfg.Store, cfg.Publisher, cfg.BaseURL, cfg.BcryptCost = st, rec, "http://council.test", bcrypt.MinCost
	clock := NewClock()
	if cfg.Clock == nil {
		cfg.Clock = clock.Now
	}
	svc := council.NewService(cfg)
	w := &World{Svc: svc, Store: st, Events: rec, Clock: clock}
	var err error
	if w.Admin, err = svc.CreateAdmin(ctx, "admin@example.org", "Admin", "admin-password"); err != nil {
		t.Fatalf("admin: %v", err)
	}
	if w.Council, err = svc.CreateCouncil(ctx, w.Admin, council.CouncilInput{Slug: "citizens", Name: "Граждански съвет", Constituency: "mixed"}); err != nil {
		t.Fatalf("council: %v", err)
	}
	if w.Other, err = svc.CreateCouncil(ctx, w.Admin, council.CouncilInput{Slug: "other", Name: "Other council", Constituency: "ngos"}); err != nil {
		t.Fatalf("council: %v", err)
	}
	w.Moderator = w.Join(t, w.Council.ID, "mod@example.org", "Мария", model.RoleModerator, model.GroupCitizen)
	for i, g := range model.Groups {
		w.Members = append(w.Members, w.Join(t, w.Council.ID, fmt.Sprintf("m%d@example.org", i), fmt.Sprintf("Member %s", g), model.RoleMember, g))
	}
	w.Outsider = w.Join(t, w.Other.ID, "outsider@example.org", "Outsider", model.RoleMember, model.GroupNGO)
	return w
}

// AnotherProcess returns a second service over the world's store, as another server process
// would run it: nothing in memory shared with the world's own.
func (w *World) AnotherProcess() *council.Service {
	return council.NewService(council.Config{Store: w.Store, BaseURL: "http://council.test", BcryptCost: bcrypt.MinCost, Clock: w.Clock.Now})
}

// Join invites someone into a council and accepts for them.
func (w *World) Join(t testing.TB, councilID int64, email, name, role, group string) *model.User {
	t.Helper()
	ctx := context.Background()
	_, token, err := w.Svc.Invite(ctx, w.Admin, councilID, council.InviteInput{Email: email, Name: name, Role: role, Group: group})
	if err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	u, err := w.Svc.AcceptInvitation(ctx, token, name, Password(email), "")
	if err != nil {
		t.Fatalf("accept %s: %v", email, err)
	}
	return u
}

// Password is the password Join gives an account.
func Password(email string) string { return "pw-" + strings.Repeat("x", 8) + "-" + email }

// Round creates a round in the council and moves it to the given status (draft, open or closed).
func (w *World) Round(t testing.TB, status, ballot string, quorum int) *model.Round {
	t.Helper()
	ctx := context.Background()
	title := "Round " + status
	r, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
	if err != nil {
		t.Fatalf("round: %v", err)
	}
	if status == model.StatusDraft {
		return r
	}
	if r, err = w.Svc.OpenRound(ctx, w.Moderator, r.ID, nil); err != nil {
		t.Fatalf("open: %v", err)
	}
	if status == model.StatusClosed {
		if r, err = w.Svc.CloseRound(ctx, w.Moderator, r.ID, "closed"); err != nil {
			t.Fatalf("close: %v", err)
		}
	}
	return r
}

// StoreT is the store a test gets, named here so tests need not import the store package.
type StoreT = store.Store
