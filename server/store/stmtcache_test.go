package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/server/testenv"
)

// On PostgreSQL a statement with parameters is prepared once per connection and then only
// executed; the statements a connection keeps are bounded, and one whose plan a change of
// schema has outdated fails once, is prepared again and then works.
func TestPostgresKeepsStatementsPrepared(t *testing.T) {
	st := testenv.Store(t, "postgres")
	ctx := context.Background()
	conn, err := st.DB().Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Counted with a statement without parameters, which is never kept.
	kept := func(like string) int {
		t.Helper()
		var n int
		if err := conn.GetContext(ctx, &n, `SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '`+like+`'`); err != nil {
			t.Fatal(err)
		}
		return n
	}

	for i := 0; i < 10; i++ {
		var got int
		if err := conn.GetContext(ctx, &got, `SELECT $1::int + 1 AS kept_once`, i); err != nil {
			t.Fatal(err)
		}
		if got != i+1 {
			t.Fatalf("run %d: got %d", i, got)
		}
	}
	if n := kept("%kept_once%"); n != 1 {
		t.Fatalf("a statement run 10 times is prepared %d times on its connection, want once", n)
	}
	var plans int
	if err := conn.GetContext(ctx, &plans, `SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE '%kept_once%'`); err != nil {
		t.Fatal(err)
	}
	if plans != 10 {
		t.Fatalf("the kept statement ran %d times on the server, want 10", plans)
	}

	for i := 0; i < store.StatementsPerConn+50; i++ {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`SELECT $1::int AS bounded_%d`, i), i); err != nil {
			t.Fatal(err)
		}
	}
	if n := kept("%bounded_%"); n != store.StatementsPerConn {
		t.Fatalf("%d statements kept on the connection, want the bound, %d", n, store.StatementsPerConn)
	}

	if _, err := conn.ExecContext(ctx, `CREATE TABLE stale (a int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO stale VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	read := func() error {
		rows, err := conn.QueryxContext(ctx, `SELECT * FROM stale WHERE a = $1`, 1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	}
	if err := read(); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `ALTER TABLE stale ADD COLUMN b int`); err != nil {
		t.Fatal(err)
	}
	if err := read(); err == nil {
		t.Log("the server planned the statement anew without an error")
	} else {
		t.Logf("first read after the change: %v", err)
	}
	if err := read(); err != nil {
		t.Fatalf("the statement is not prepared again after the change of schema: %v", err)
	}
}
