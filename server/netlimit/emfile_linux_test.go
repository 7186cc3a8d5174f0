package netlimit

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestAcceptSurvivesRealEMFILE runs a server in a child process whose open file limit is a
// few descriptors above what it holds, fills them with idle connections so that accept(2)
// fails with EMFILE, then frees them: the server must still be accepting and answering.
func TestAcceptSurvivesRealEMFILE(t *testing.T) {
	if os.Getenv("NETLIMIT_CHILD") == "1" {
		emfileChild()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAcceptSurvivesRealEMFILE$", "-test.count=1")
	cmd.Env = append(os.Environ(), "NETLIMIT_CHILD=1")
	stdout, _ := cmd.StdoutPipe()
	var logged syncBuffer
	cmd.Stderr = &logged
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the child did not say where it listens: %v\n%s", err, logged.String())
	}
	addr = strings.TrimSpace(addr)

	var idle []net.Conn
	for range 40 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	eventually(t, "the child runs out of descriptors and retries", func() bool {
		return strings.Contains(logged.String(), "too many open files")
	})
	select {
	case err := <-exited:
		t.Fatalf("the child exited on EMFILE: %v\n%s", err, logged.String())
	case <-time.After(200 * time.Millisecond):
	}
	for _, c := range idle {
		c.Close()
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintln(c, "ping")
	if got, err := bufio.NewReader(c).ReadString('\n'); err != nil || got != "pong\n" {
		t.Fatalf("after the descriptors were freed, the child answered %q, %v\n%s", got, err, logged.String())
	}
}

// emfileChild serves "ping" with "pong" on loopback with its file limit ten descriptors above
// what it holds.
func emfileChild() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		panic(err)
	}
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	lim.Cur = uint64(len(fds) + 10)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		panic(err)
	}
	l := Wrap(ln, Options{Log: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	fmt.Println(ln.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "Accept returned:", err)
			os.Exit(3)
		}
		go func() {
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if line == "ping\n" {
					io.WriteString(c, "pong\n")
				}
			}
		}()
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
