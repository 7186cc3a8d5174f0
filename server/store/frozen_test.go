package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/server/testenv"
)

// waitsEnd runs f with a context of d and checks that it fails within d and a margin, with an
// error the HTTP layer answers 503.
func waitsEnd(t *testing.T, what string, d time.Duration, f func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	result := make(chan error, 1)
	go func() { result <- f(ctx) }()
	var err error
	select {
	case err = <-result:
	case <-time.After(d + 5*time.Second):
		t.Fatalf("%s: still waiting %v after its deadline", what, time.Since(start)-d) // the cleanup thaws the server
	}
	took := time.Since(start)
	t.Logf("%s: %v after %v", what, err, took.Round(time.Millisecond))
	if err == nil {
		t.Fatalf("%s succeeded", what)
	}
	if took > d+time.Second {
		t.Errorf("%s: took %v with a deadline of %v", what, took, d)
	}
	if !store.Unavailable(err) {
		t.Errorf("%s: %v is not recognised as the database being unavailable", what, err)
	}
}

// A query on a pooled connection to a stopped server, a new connection to it, a write
// transaction and a ping all return when their context ends; once the server runs again,
// the same pool works.
func TestFrozenPostgresEndsWaitsWithTheContext(t *testing.T) {
	pg := testenv.StartPostgres(t)
	st := testenv.OpenURL(t, pg.URL)
	c, _ := seedCouncil(t, st)
	warm(t, st, 3)
	pg.Freeze(t)
	frozen := true
	defer func() {
		if frozen {
			pg.Thaw(t)
		}
	}()
	const d = 700 * time.Millisecond
	waitsEnd(t, "read", d, func(ctx context.Context) error {
		_, err := st.LastSeq(ctx, c.ID)
		return err
	})
	waitsEnd(t, "write", d, func(ctx context.Context) error {
		_, err := st.InCouncil(ctx, c.ID, time.Now, func(*store.Tx) error { return nil })
		return err
	})
	waitsEnd(t, "ping", d, st.Ping)
	// The three pooled connections have been used and cut by now; this one is new.
	if idle := st.DB().Stats().Idle; idle != 0 {
		t.Fatalf("%d connections idle, want none", idle)
	}
	waitsEnd(t, "connect", d, st.Ping)

	pg.Thaw(t)
	frozen = false
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := st.LastSeq(ctx, c.ID); err != nil {
		t.Fatalf("after thawing: %v", err)
	}
	var timeout string
	if err := st.DB().GetContext(ctx, &timeout, `SHOW statement_timeout`); err != nil || timeout != "30s" {
		t.Fatalf("statement_timeout %q (%v), want the store's 30s backstop", timeout, err)
	}
}

// warm leaves n connections idle in the store's pool.
func warm(t *testing.T, st *store.Store, n int) {
	t.Helper()
	st.DB().SetMaxIdleConns(n)
	var conns []*sql.Conn
	for range n {
		c, err := st.DB().Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		if err := c.PingContext(context.Background()); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if idle := st.DB().Stats().Idle; idle != n {
		t.Fatalf("%d connections idle, want %d", idle, n)
	}
}

// A statement that outlasts statement_timeout ends on the server's side, and counts as the
// database not answering.
func TestStatementTimeoutIsUnavailable(t *testing.T) {
	st := testenv.OpenURL(t, testenv.DatabaseURL(t, "postgres")+"&statement_timeout=200ms")
	start := time.Now()
	_, err := st.DB().Exec(`SELECT pg_sleep(5)`)
	if err == nil || time.Since(start) > 2*time.Second || !store.Unavailable(err) {
		t.Fatalf("pg_sleep past statement_timeout: %v after %v", err, time.Since(start))
	}
}

// A write waiting for SQLite's lock, held by another connection, gives up when its context
// ends rather than after busy_timeout, and counts as the database not answering.
func TestSQLiteBusyEndsWithTheContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	st := testenv.OpenURL(t, "sqlite:"+path)
	c, _ := seedCouncil(t, st)
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holder, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec(`UPDATE councils SET last_seq = last_seq WHERE id = ?`, c.ID); err != nil {
		t.Fatal(err)
	}
	waitsEnd(t, "sqlite write", 500*time.Millisecond, func(ctx context.Context) error {
		_, err := st.InCouncil(ctx, c.ID, time.Now, func(*store.Tx) error { return nil })
		return err
	})
	holder.Rollback()
	if _, err := st.InCouncil(context.Background(), c.ID, time.Now, func(*store.Tx) error { return nil }); err != nil {
		t.Fatalf("after the lock was released: %v", err)
	}
}

// Errors that are the request's fault, or the data's, are not mistaken for an outage.
func TestUnavailableLeavesOtherErrorsAlone(t *testing.T) {
	for _, err := range []error{nil, store.ErrNotFound, store.ErrConflict, sql.ErrNoRows, errors.New("boom")} {
		if store.Unavailable(err) {
			t.Errorf("%v counted as unavailable", err)
		}
	}
	st := testenv.Store(t, "postgres")
	_, err := st.DB().Exec(`SELECT * FROM no_such_table`)
	if err == nil || store.Unavailable(err) {
		t.Errorf("a missing table: %v, counted as unavailable", err)
	}
}
