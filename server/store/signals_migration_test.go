package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/schema"
	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/server/testenv"
)

// The migration that adds officers changes the users table's role constraint, which SQLite
// can only do by editing the schema's text: on a database full of accounts, sessions and
// councils, every row and every foreign key stays, every pooled connection takes the officer
// role at once, and the constraint still refuses any other word.
func TestOfficerRoleMigrationKeepsData(t *testing.T) {
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
			for _, m := range all {
				if strings.HasSuffix(m.Name, "_signals.sql") {
					break
				}
				db.MustExec(m.SQL)
				db.MustExec(db.Rebind(`INSERT INTO schema_version (version) VALUES (?)`), m.Version)
			}
			now := time.Now().UTC()
			db.MustExec(db.Rebind(`INSERT INTO users (email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)`), "a@example.org", "A", "h", "admin", now)
			db.MustExec(db.Rebind(`INSERT INTO users (email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)`), "u@example.org", "U", "h", "user", now)
			db.MustExec(db.Rebind(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`), "t", 2, "c", now, now.Add(time.Hour))
			db.MustExec(db.Rebind(`INSERT INTO councils (slug, name, constituency, created_at) VALUES (?, ?, ?, ?)`), "c", "C", "mixed", now)
			db.MustExec(db.Rebind(`INSERT INTO memberships (council_id, user_id, role, grp, joined_at) VALUES (?, ?, ?, ?, ?)`), 1, 2, "member", "citizen", now)
			// Connections of the pool that read users before the change.
			for range 8 {
				var n int
				if err := db.Get(&n, `SELECT COUNT(*) FROM users`); err != nil {
					t.Fatal(err)
				}
			}
			if v, err := st.Migrate(ctx); err != nil || v != len(all) {
				t.Fatalf("migrate: %d, %v", v, err)
			}
			var users, sessions, members int
			db.Get(&users, `SELECT COUNT(*) FROM users`)
			db.Get(&sessions, `SELECT COUNT(*) FROM sessions`)
			db.Get(&members, `SELECT COUNT(*) FROM memberships`)
			if users != 2 || sessions != 1 || members != 1 {
				t.Fatalf("after the migration: %d users, %d sessions, %d memberships", users, sessions, members)
			}
			for i := range 16 {
				if _, err := db.Exec(db.Rebind(`UPDATE users SET role = ? WHERE id = 2`), "officer"); err != nil {
					t.Fatalf("connection %d refuses the officer role: %v", i, err)
				}
				if _, err := db.Exec(db.Rebind(`UPDATE users SET role = ? WHERE id = 2`), "ruler"); err == nil {
					t.Fatalf("connection %d takes any role", i)
				}
			}
			if d == "sqlite" {
				var problems []string
				if err := db.Select(&problems, `SELECT "table" FROM pragma_foreign_key_check`); err != nil || len(problems) > 0 {
					t.Fatalf("foreign keys: %v %v", problems, err)
				}
				var ok string
				if err := db.Get(&ok, `PRAGMA integrity_check`); err != nil || ok != "ok" {
					t.Fatalf("integrity: %q %v", ok, err)
				}
			}
			// The sessions still belong to users: deleting one takes its sessions with it.
			if _, err := db.Exec(db.Rebind(`DELETE FROM memberships WHERE user_id = ?`), 2); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(db.Rebind(`DELETE FROM users WHERE id = ?`), 2); err != nil {
				t.Fatal(err)
			}
			db.Get(&sessions, `SELECT COUNT(*) FROM sessions`)
			if sessions != 0 {
				t.Fatal("the sessions' foreign key to users was lost")
			}
		})
	}
}
