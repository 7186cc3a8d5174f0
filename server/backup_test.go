package main

import (
	"crypto/sha256"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// `server backup` copies the SQLite database while a server writes to it: the copy is a
// consistent snapshot (the councils written one after another form an unbroken prefix), the
// server goes on writing meanwhile, the copy is private to its owner, a second server starts
// on it with the data there, and a second backup to the same path changes nothing.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	if out, err := command(t, dir, "admin-long-password\n", "admin", "create", "--email", "admin@example.org", "--name", "Admin"); err != nil {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	p := startServer(t, dir)
	admin := newClient(t)
	admin.signIn(p.base, "admin@example.org", "admin-long-password")
	admin.must("POST", p.base+"/api/v1/councils", map[string]string{"slug": "before-backup", "name": "Преди", "constituency": "mixed"}, nil)

	var done atomic.Int64 // councils w-0 … w-(done-1) are written
	stop, writerErr := make(chan struct{}), make(chan error, 1)
	description := strings.Repeat("Съвет за обществено участие. ", 400) // ~22 KB, a database of some size
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				writerErr <- nil
				return
			default:
			}
			body := map[string]string{"slug": fmt.Sprintf("w-%d", i), "name": fmt.Sprintf("Съвет %d", i), "description": description, "constituency": "mixed"}
			if _, err := admin.call("POST", p.base+"/api/v1/councils", body, nil); err != nil {
				writerErr <- err
				return
			}
			done.Store(int64(i + 1))
		}
	}()
	waitFor(t, time.Minute, "100 councils written", func() bool { return done.Load() >= 100 })

	copyPath := filepath.Join(dir, "backups", "copy.db")
	os.Mkdir(filepath.Dir(copyPath), 0o700)
	before, started := done.Load(), time.Now()
	out, err := command(t, dir, "", "backup", copyPath)
	after, took := done.Load(), time.Since(started)
	if err != nil || !strings.Contains(out, "integrity ok") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	waitFor(t, time.Minute, "councils written after the backup", func() bool { return done.Load() >= after+10 })
	close(stop)
	if err := <-writerErr; err != nil {
		t.Fatalf("a write failed while the backup ran: %v\n%s", err, p.Log())
	}
	info, err := os.Stat(copyPath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the copy: %v, mode %v, want 0600", err, info.Mode())
	}
	t.Logf("backup of %d bytes took %v; %d councils written before it, %d while it ran", info.Size(), took, before, after-before)
	if after == before {
		t.Fatalf("the server wrote nothing in the %v the backup ran", took)
	}
	sum := fileSum(t, copyPath)
	if out, err := command(t, dir, "", "backup", copyPath); err == nil || !strings.Contains(out, "exists") {
		t.Fatalf("a second backup to the same path: %v\n%s", err, out)
	}
	if fileSum(t, copyPath) != sum {
		t.Fatal("a refused backup changed the existing file")
	}

	n := writtenPrefix(t, copyPath)
	if n < before || n > after+1 {
		t.Fatalf("the copy holds %d councils w-N, outside the %d … %d written around the backup", n, before, after+1)
	}
	second := startServer(t, t.TempDir(), "DATABASE_URL=sqlite:"+copyPath)
	var list struct{ Councils []struct{ Slug string } }
	newClient(t).must("GET", second.base+"/api/v1/councils", nil, &list)
	slugs := map[string]bool{}
	for _, c := range list.Councils {
		slugs[c.Slug] = true
	}
	if !slugs["before-backup"] || len(list.Councils) != int(n)+1 {
		t.Fatalf("a server on the copy lists %d councils (before-backup: %v), want %d", len(list.Councils), slugs["before-backup"], n+1)
	}
	admin2 := newClient(t)
	admin2.signIn(second.base, "admin@example.org", "admin-long-password")
}

// writtenPrefix reads the copy's councils w-N and checks that they are w-0 … w-(n-1) with none
// missing, as a snapshot of sequential writes must be; it returns n.
func writtenPrefix(t *testing.T, path string) int64 {
	t.Helper()
	uri := url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro"}
	db, err := sqlx.Open("sqlite", uri.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var slugs []string
	if err := db.Select(&slugs, `SELECT slug FROM councils WHERE slug LIKE 'w-%'`); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range slugs {
		seen[s] = true
	}
	for i := range slugs {
		if !seen[fmt.Sprintf("w-%d", i)] {
			t.Fatalf("the copy has %d councils w-N but not w-%d: not a snapshot", len(slugs), i)
		}
	}
	return int64(len(slugs))
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// On PostgreSQL the command writes nothing and exits 2, giving the pg_dump command to use
// instead, without the database's password.
func TestBackupOnPostgresPointsToPgDump(t *testing.T) {
	target := filepath.Join(t.TempDir(), "council.dump")
	stdout, stderr, code := runBinary(t, []string{"DATABASE_URL=postgres://council:s3cret@127.0.0.1:1/council"}, "backup", target)
	if code != 2 || !strings.Contains(stderr, "pg_dump --format=custom --file="+target+` "$DATABASE_URL"`) || !strings.Contains(stderr, "pg_restore") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, "s3cret") {
		t.Fatalf("the message shows the password:\n%s", stderr)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("the command wrote %s: %v", target, err)
	}
}

// Without a database there is nothing to back up: the command says so and creates neither
// an empty database nor the copy; without FILE it gives its usage; -h prints the help.
func TestBackupRefusals(t *testing.T) {
	dir := t.TempDir()
	missing, target := filepath.Join(dir, "missing.db"), filepath.Join(dir, "copy.db")
	_, stderr, code := runBinary(t, nil, "backup", "--database-url", "sqlite:"+missing, target)
	if code != 1 || !strings.Contains(stderr, "no SQLite database at "+missing) {
		t.Fatalf("a missing database: exit %d\n%s", code, stderr)
	}
	for _, p := range []string{missing, target} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s was created: %v", p, err)
		}
	}
	if _, stderr, code := runBinary(t, nil, "backup"); code != 1 || !strings.Contains(stderr, "usage: server backup FILE") {
		t.Fatalf("no FILE: exit %d\n%s", code, stderr)
	}
	if stdout, _, code := runBinary(t, nil, "backup", "-h"); code != 0 || !strings.Contains(stdout, "server backup FILE") {
		t.Fatalf("backup -h: exit %d\n%s", code, stdout)
	}
	if stdout, _, _ := runBinary(t, nil, "help"); !strings.Contains(stdout, "server backup FILE") {
		t.Fatalf("help does not list backup:\n%s", stdout)
	}
}

// The file argument may come before or after the flags.
func TestBackupTargetAmongFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		file string
		rest []string
	}{
		{[]string{"a.db"}, "a.db", nil},
		{[]string{"a.db", "--database-url", "sqlite:x"}, "a.db", []string{"--database-url", "sqlite:x"}},
		{[]string{"--database-url", "sqlite:x", "a.db"}, "a.db", []string{"--database-url", "sqlite:x"}},
		{[]string{"--database-url=sqlite:x", "a.db"}, "a.db", []string{"--database-url=sqlite:x"}},
		{[]string{"-h"}, "", []string{"-h"}},
		{[]string{"--", "-odd.db"}, "-odd.db", nil},
		{nil, "", nil},
	} {
		file, rest := backupTarget(c.args)
		if file != c.file || strings.Join(rest, " ") != strings.Join(c.rest, " ") {
			t.Errorf("%q: %q %q, want %q %q", c.args, file, rest, c.file, c.rest)
		}
	}
}
