package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Postgres is a PostgreSQL server of the test's own, on a free port of 127.0.0.1, which the
// test may freeze (SIGSTOP, as a hung or swapped-out database behaves) and thaw again. The
// shared server at PostgresURL cannot be frozen without stopping every other test.
type Postgres struct {
	URL string // the database "postgres" as the superuser postgres, trust authentication
	dir string
	cmd *exec.Cmd
}

// StartPostgres runs initdb and postgres as the postgres user (PostgreSQL refuses to run as
// root) in a fresh directory, and stops and removes the cluster when the test ends, also
// when it fails while the cluster is frozen.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bin := postgresBin(t)
	cred := postgresCredential(t)
	dir, err := os.MkdirTemp("", "council-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p := &Postgres{dir: dir}
	t.Cleanup(p.stop)
	for _, d := range []string{dir, filepath.Join(dir, "data"), filepath.Join(dir, "sock")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
	initdb.Dir, initdb.SysProcAttr = dir, &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freeTCPPort(t)
	p.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", filepath.Join(dir, "data"), "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+filepath.Join(dir, "sock"),
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "max_connections=100")
	// Should the test process die without its cleanups (a test timeout), the postmaster goes too.
	p.cmd.Dir, p.cmd.SysProcAttr = dir, &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("postgres: %v", err)
	}
	p.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	p.waitReady(t)
	return p
}

func postgresBin(t testing.TB) string {
	t.Helper()
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(found) == 0 {
		t.Fatal("PostgreSQL's server binaries are needed under /usr/lib/postgresql/*/bin (`make test` installs them)")
	}
	sort.Slice(found, func(i, j int) bool { return versionOf(found[i]) < versionOf(found[j]) })
	return filepath.Dir(found[len(found)-1])
}

func versionOf(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(bin))))
	return v
}

func postgresCredential(t testing.TB) *syscall.Credential {
	t.Helper()
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("the postgres user is needed to run a private PostgreSQL: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

func freeTCPPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (p *Postgres) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		db, err := sql.Open("postgres", p.URL+"&connect_timeout=2")
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err = db.PingContext(ctx)
			cancel()
			db.Close()
			if err == nil {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(p.dir, "postgres.log"))
	t.Fatalf("the private PostgreSQL did not start:\n%s", log)
}

// Freeze stops the postmaster and every backend with SIGSTOP: the kernel still accepts
// connections and data, but nothing answers.
func (p *Postgres) Freeze(t testing.TB) {
	t.Helper()
	p.signalAll(t, syscall.SIGSTOP)
}

// Thaw lets the frozen cluster run again.
func (p *Postgres) Thaw(t testing.TB) {
	t.Helper()
	p.signalAll(t, syscall.SIGCONT)
}

// signalAll signals the postmaster first, so that it forks no new backend, then its children.
func (p *Postgres) signalAll(t testing.TB, sig syscall.Signal) {
	t.Helper()
	pid := p.cmd.Process.Pid
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatalf("signal postmaster: %v", err)
	}
	for _, child := range childrenOf(pid) {
		syscall.Kill(child, sig)
	}
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ")".
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

// stop thaws the cluster, shuts it down at once and removes its files.
func (p *Postgres) stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		pid := p.cmd.Process.Pid
		children := childrenOf(pid)
		syscall.Kill(pid, syscall.SIGCONT)
		for _, c := range children {
			syscall.Kill(c, syscall.SIGCONT)
		}
		syscall.Kill(pid, syscall.SIGQUIT) // immediate shutdown
		exited := make(chan struct{})
		go func() { p.cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(pid, syscall.SIGKILL)
			for _, c := range children {
				syscall.Kill(c, syscall.SIGKILL)
			}
			<-exited
		}
	}
	os.RemoveAll(p.dir)
}
