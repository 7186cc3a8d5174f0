package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/jmoiron/sqlx"

	"github.com/perushtitsa/council/server/store"
)

const backupUsage = "usage: server backup FILE [flags]   (writes a copy of the SQLite database to FILE, which must not exist)"

// exitStatus is an error that ends the process with a status of its own instead of 1, for a
// command that cannot do what was asked with this configuration (backup on PostgreSQL), so
// that a script can tell it from a failure.
type exitStatus struct {
	code int
	err  error
}

func (e exitStatus) Error() string { return e.err.Error() }
func (e exitStatus) Unwrap() error { return e.err }

// exitCode is the status the process ends with after err.
func exitCode(err error) int {
	var e exitStatus
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

// backup writes a consistent copy of the SQLite database to a new file, while servers may be
// writing to it: SQLite's VACUUM INTO reads one snapshot and does not hold up writers (the
// database is in WAL mode). A copy made while a secret ballot is open holds its voter–choice
// rows, as any backup does (docs/security.md). On PostgreSQL it says to use pg_dump.
func backup(ctx context.Context, args []string, out io.Writer) error {
	file, rest := backupTarget(args)
	cfg, err := parseConfig(flag.NewFlagSet("backup", flag.ContinueOnError), rest)
	if err != nil {
		return err
	}
	if file == "" {
		return errors.New(backupUsage)
	}
	src, err := sqliteFile(cfg.DatabaseURL, file)
	if err != nil {
		return err
	}
	// Opening a missing file would create an empty database, and back that up.
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("there is no SQLite database at %s to back up", src)
	} else if err != nil {
		return err
	}
	dst, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	version, err := copySQLite(ctx, cfg.DatabaseURL, dst)
	if err != nil {
		return err
	}
	info, err := os.Stat(dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "backed up %s to %s (%d bytes, schema version %d, integrity ok)\n", src, dst, info.Size(), version)
	return nil
}

// backupTarget takes FILE out of the command line, before or after the flags. Every setting's
// flag takes a value, so an argument that follows a flag without "=" is that flag's value.
func backupTarget(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return args[i+1], append(args[:i:i], args[i+2:]...)
			}
			return "", args[:i:i]
		}
		if a == "" || a == "-" || a[0] != '-' {
			return a, append(args[:i:i], args[i+1:]...)
		}
		switch strings.TrimLeft(a, "-") {
		case "h", "help":
			continue
		}
		if !strings.Contains(a, "=") {
			i++ // its value
		}
	}
	return "", args
}

// sqliteFile is the path of the SQLite database DATABASE_URL names, as store.Open reads it.
// On PostgreSQL it is an error with exit status 2 that gives the pg_dump command to use.
func sqliteFile(databaseURL, file string) (string, error) {
	switch {
	case databaseURL == "":
		return store.DefaultSQLite, nil
	case strings.HasPrefix(databaseURL, "sqlite:"):
		if p := strings.TrimPrefix(databaseURL, "sqlite:"); p != "" {
			return p, nil
		}
		return store.DefaultSQLite, nil
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return "", exitStatus{2, fmt.Errorf("backup copies a SQLite database; this one is PostgreSQL, which pg_dump backs up while the servers run:\n"+
			"  pg_dump --format=custom --file=%s \"$DATABASE_URL\"\n"+
			"and pg_restore puts it back (docs/operations.md)", shellWord(file))}
	}
	return "", errors.New("DATABASE_URL must be a postgres:// address or sqlite:PATH")
}

// copySQLite writes the snapshot into dst, which it creates with mode 0600 and never
// overwrites, checks the copy and returns its schema version. A copy that fails is removed.
func copySQLite(ctx context.Context, databaseURL, dst string) (version int, err error) {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return 0, fmt.Errorf("%s exists; backup writes only a new file", dst)
	}
	if err != nil {
		return 0, err
	}
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(dst)
		}
	}()
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	// VACUUM INTO accepts an empty file, keeping its mode; the path is absolute, never a URI.
	if _, err := st.DB().ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return 0, fmt.Errorf("copying the database: %w", err)
	}
	if err := syncFile(dst); err != nil {
		return 0, err
	}
	return checkCopy(ctx, dst)
}

// syncFile flushes the copy and its directory entry to disk: VACUUM INTO does not.
func syncFile(path string) error {
	for _, p := range []string{path, filepath.Dir(path)} {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("flushing %s: %w", p, err)
		}
	}
	return nil
}

// checkCopy opens the copy read-only, runs SQLite's integrity check and reads the schema
// version, so that a backup reported done is one a server can start on.
func checkCopy(ctx context.Context, path string) (int, error) {
	uri := url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro"}
	db, err := sqlx.Open("sqlite", uri.String())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var result string
	if err := db.GetContext(ctx, &result, `PRAGMA integrity_check`); err != nil {
		return 0, fmt.Errorf("checking the copy: %w", err)
	}
	if result != "ok" {
		return 0, fmt.Errorf("the copy fails SQLite's integrity check: %s", result)
	}
	var version int
	if err := db.GetContext(ctx, &version, `SELECT COALESCE(MAX(version), 0) FROM schema_version`); err != nil {
		return 0, fmt.Errorf("reading the copy's schema version: %w", err)
	}
	return version, nil
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellWord quotes s for a POSIX shell where it needs quoting.
func shellWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
