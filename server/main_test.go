package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binary string

// TestMain builds the server once for the tests that run it as a process. The load tools
// (make load, make bench-*) may instead name a binary already built, COUNCIL_BIN, so that
// one run can measure an earlier commit's binary beside the new one with the same harness.
func TestMain(m *testing.M) {
	if bin := os.Getenv("COUNCIL_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			panic(err)
		}
		binary = abs
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "council-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "council")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the server:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// command runs the built binary in dir and returns its combined output.
func command(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL=", "REDIS_URL=", "PORT=")
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	if out, err := command(t, dir, "", "migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "council.db")); err != nil {
		t.Fatalf("the embedded default did not create council.db: %v", err)
	}
	if out, err := command(t, dir, "short\n", "admin", "create", "--email", "a@example.org", "--name", "Ана"); err == nil || !strings.Contains(out, "at least 10") {
		t.Fatalf("short password accepted: %v\n%s", err, out)
	}
	if out, err := command(t, dir, "a-long-password\n", "admin", "create", "--email", "A@example.org", "--name", "Ана"); err != nil || !strings.Contains(out, "created admin") {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	if out, err := command(t, dir, "another-long-password\n", "admin", "create", "--email", "a@example.org", "--name", "Друга"); err == nil || !strings.Contains(out, "already exists") {
		t.Fatalf("taken email accepted: %v\n%s", err, out)
	}
	if out, err := command(t, dir, "", "admin", "create", "--email", "b@example.org"); err == nil || !strings.Contains(out, "required") {
		t.Fatalf("missing name accepted: %v\n%s", err, out)
	}
	if out, err := command(t, dir, "", "demo"); err != nil || !strings.Contains(out, "moderator@perushtitsa.example") {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if out, err := command(t, dir, "", "demo"); err == nil || !strings.Contains(out, "already loaded") {
		t.Fatalf("second demo: %v\n%s", err, out)
	}
	if out, err := command(t, dir, "", "frobnicate"); err == nil || !strings.Contains(out, "unknown command") {
		t.Fatalf("unknown command: %v\n%s", err, out)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is a running server.
type process struct {
	cmd  *exec.Cmd
	base string
	mu   sync.Mutex
	log  strings.Builder
	done chan error
}

func (p *process) Log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// startServer runs `server serve` with the given environment and waits until it is ready.
func startServer(t *testing.T, dir string, env ...string) *process {
	t.Helper()
	return startServerCmd(t, dir, []string{binary}, env...)
}

// startServerCmd is startServer with the command line that runs the binary, e.g. under a
// shell that sets its limits first.
func startServerCmd(t *testing.T, dir string, argv []string, env ...string) *process {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"DATABASE_URL=", "REDIS_URL=", fmt.Sprintf("PORT=%d", port), "BASE_URL=http://127.0.0.1:" + fmt.Sprint(port)}, env...)...)
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = io.Discard
	p := &process{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(p.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server did not become ready:\n%s", p.Log())
	return nil
}

func TestServeAnnouncesAdminAndShutsDownGracefully(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, dir)
	if !strings.Contains(p.Log(), "admin create --email") {
		t.Fatalf("the log does not say how to create the first admin:\n%s", p.Log())
	}
	// A request in flight when SIGTERM arrives still gets its answer.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/api/v1/councils", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("councils: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.Log())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("no exit after SIGTERM:\n%s", p.Log())
	}
	if !strings.Contains(p.Log(), "stopped") {
		t.Fatalf("no orderly stop in the log:\n%s", p.Log())
	}
}
