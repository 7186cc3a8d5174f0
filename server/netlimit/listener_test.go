package netlimit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestCapRefusesConnectionsOverIt(t *testing.T) {
	s := newServer(t, Options{MaxConns: 3, Refusal: []byte("busy\n")})
	for range 3 {
		s.dial(t)
	}
	eventually(t, "three open", func() bool { return s.l.Open() == 3 })

	over := s.dial(t)
	over.SetReadDeadline(time.Now().Add(2 * time.Second))
	got, err := io.ReadAll(over)
	if err != nil || string(got) != "busy\n" {
		t.Fatalf("the connection over the cap read %q, %v; want the refusal, then EOF", got, err)
	}
	if n := s.l.Open(); n != 3 {
		t.Fatalf("open after a refusal: %d, want 3", n)
	}
	if v := s.metric(t, "council_connections_refused_total"); v != 1 {
		t.Fatalf("refused: %v, want 1", v)
	}

	// Closed twice, as fasthttp does with hijacked connections, it counts once.
	first := s.accepted(0)
	first.Close()
	first.Close()
	eventually(t, "two open", func() bool { return s.l.Open() == 2 })
	if v := s.metric(t, "council_connections_open"); v != 2 {
		t.Fatalf("council_connections_open: %v, want 2", v)
	}
	s.dial(t).Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	eventually(t, "a new connection in the freed place", func() bool { return s.l.Open() == 3 })
}

func TestAtTheCapIdleThenPendingMakeRoom(t *testing.T) {
	s := newServer(t, Options{MaxConns: 3, MaxPending: 10, Refusal: []byte("busy\n")})
	dialN := func(n int) net.Conn {
		c := s.dial(t)
		eventually(t, fmt.Sprintf("connection %d accepted", n), func() bool { return len(s.acceptedAll()) == n })
		return c
	}
	busy := dialN(1)
	busy.Write([]byte("GET /slow HTTP/1.1\r\n\r\n"))
	idle := dialN(2)
	idle.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	eventually(t, "two requests read", func() bool { return s.l.Pending() == 0 })
	s.l.Idle(s.accepted(1)) // answered, waiting for the next request
	pending := dialN(3)

	// At the cap, the connection idle between requests goes first, then the oldest pending.
	d := dialN(4)
	if !closedByServer(t, idle) || !stillOpen(busy) || !stillOpen(pending) {
		t.Fatal("at the cap, the idle connection did not make room")
	}
	e := dialN(5)
	if !closedByServer(t, pending) || !stillOpen(busy) || !stillOpen(d) {
		t.Fatal("at the cap with none idle, the oldest pending connection did not make room")
	}

	// When every connection is busy, and one was idle but is busy again, a new one is refused.
	s.l.Idle(s.accepted(0))
	s.l.Busy(s.accepted(0))
	d.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	e.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	eventually(t, "every request read", func() bool { return s.l.Pending() == 0 })
	over := s.dial(t)
	over.SetReadDeadline(time.Now().Add(2 * time.Second))
	if got, _ := io.ReadAll(over); string(got) != "busy\n" {
		t.Fatalf("with every connection busy, a new one read %q, want the refusal", got)
	}
	if s.l.Open() != 3 || !stillOpen(busy) || !stillOpen(d) || !stillOpen(e) {
		t.Fatalf("open %d after the refusal; want the three busy connections", s.l.Open())
	}
	if v := s.metric(t, "council_connections_evicted_total", "state", "idle"); v != 1 {
		t.Fatalf("idle evicted: %v, want 1", v)
	}
	if v := s.metric(t, "council_connections_evicted_total", "state", "pending"); v != 1 {
		t.Fatalf("pending evicted: %v, want 1", v)
	}
}

func TestOldestPendingConnectionMakesRoom(t *testing.T) {
	s := newServer(t, Options{MaxPending: 2})
	a, b := s.dial(t), s.dial(t)
	eventually(t, "two pending", func() bool { return s.l.Pending() == 2 })

	// A head not yet ended, or blank lines alone, leave a connection pending.
	a.Write([]byte("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n"))
	time.Sleep(50 * time.Millisecond)
	if s.l.Pending() != 2 {
		t.Fatal("a connection that has not ended its request head no longer pends")
	}
	c := s.dial(t)
	if !closedByServer(t, a) {
		t.Fatal("the oldest pending connection was not closed to make room")
	}
	eventually(t, "two pending", func() bool { return s.l.Pending() == 2 })

	// A connection that sent its request head no longer pends, and is not evicted.
	b.Write([]byte("GET /healthz HTTP/1.1\r\n"))
	b.Write([]byte("Host: x\r\n\r"))
	b.Write([]byte("\n"))
	eventually(t, "one pending", func() bool { return s.l.Pending() == 1 })
	d := s.dial(t)
	e := s.dial(t)
	if !closedByServer(t, c) {
		t.Fatal("c was older than d and e and should have made room")
	}
	if !stillOpen(b) || !stillOpen(d) || !stillOpen(e) {
		t.Fatal("a connection that sent its request, or a newer pending one, was closed")
	}
	if v := s.metric(t, "council_connections_evicted_total", "state", "pending"); v != 2 {
		t.Fatalf("evicted: %v, want 2", v)
	}
	if s.l.Open() != 3 {
		t.Fatalf("open: %d, want 3 (b, d, e)", s.l.Open())
	}
}

// The server reading a connection the listener closed sees its end, as if the client had
// closed it, and has nothing to answer or log.
func TestClosedByTheListenerReadsAsEOF(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := Wrap(ln, Options{MaxPending: 1, FirstRequestTimeout: 200 * time.Millisecond})
	defer l.Close()
	for range 2 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first, _ := l.Accept()
	reads := make(chan error, 2)
	read := func(c net.Conn) {
		_, err := c.Read(make([]byte, 16))
		reads <- err
	}
	go read(first)
	second, _ := l.Accept() // evicts first
	go read(second)         // times out
	for range 2 {
		select {
		case err := <-reads:
			if err != io.EOF {
				t.Fatalf("a read of a connection the listener closed returned %v, want io.EOF", err)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("a read went on after the listener closed its connection")
		}
	}
}

func TestFirstRequestTimeout(t *testing.T) {
	s := newServer(t, Options{FirstRequestTimeout: 300 * time.Millisecond})
	idle := s.dial(t)
	ok := s.dial(t)
	ok.Write([]byte("GET / HTTP/1.1\n\n"))
	start := time.Now()
	if !closedByServer(t, idle) {
		t.Fatal("an idle connection outlived the first request timeout")
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Fatalf("closed after %v, before the timeout", waited)
	}
	if !stillOpen(ok) {
		t.Fatal("a connection that sent its request was closed by the timeout")
	}
	if v := s.metric(t, "council_connections_first_request_timeouts_total"); v != 1 {
		t.Fatalf("timed out: %v, want 1", v)
	}
}

func TestWriteEndsPending(t *testing.T) {
	s := newServer(t, Options{MaxPending: 1})
	s.dial(t)
	eventually(t, "one pending", func() bool { return s.l.Pending() == 1 })
	s.accepted(0).Write([]byte("hello"))
	if s.l.Pending() != 0 {
		t.Fatal("a connection the server wrote to still pends")
	}
}

func TestHeadScan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", true},
		{"GET / HTTP/1.1\n\n", true},
		{"\r\n\r\n\n\n", false},
		{"GET / HTTP/1.1\r\nHost: x\r\n", false},
		{"GET / HTTP/1.1\r\n\r", false},
		{"G", false},
	} {
		var s headScan
		got := false
		for i := range len(tc.in) { // byte by byte, as a slow client sends it
			got = got || s.complete([]byte{tc.in[i]})
		}
		var whole headScan
		if got != tc.want || whole.complete([]byte(tc.in)) != tc.want {
			t.Errorf("%q: complete %v, want %v", tc.in, got, tc.want)
		}
	}
}

// faulty fails Accept with an error of accept(2) while fail says so.
type faulty struct {
	net.Listener
	mu    sync.Mutex
	fails int
	errno syscall.Errno
}

func (f *faulty) Accept() (net.Conn, error) {
	f.mu.Lock()
	if f.fails != 0 {
		f.fails--
		f.mu.Unlock()
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", f.errno)}
	}
	f.mu.Unlock()
	return f.Listener.Accept()
}

func TestAcceptBacksOffOnTemporaryErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	reg := prometheus.NewRegistry()
	l := Wrap(&faulty{Listener: ln, fails: 5, errno: syscall.EMFILE},
		Options{Log: slog.New(slog.NewTextHandler(&lockedWriter{w: &logged}, nil)), Registerer: reg})
	defer l.Close()
	go func() {
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			defer c.Close()
			time.Sleep(2 * time.Second)
		}
	}()
	start := time.Now()
	c, err := l.Accept()
	if err != nil {
		t.Fatalf("Accept returned %v on EMFILE instead of retrying", err)
	}
	c.Close()
	// 5 + 10 + 20 + 40 + 80 ms of backoff.
	if took := time.Since(start); took < 155*time.Millisecond || took > 2*time.Second {
		t.Fatalf("five EMFILEs took %v, want the backoff of 155 ms", took)
	}
	s := &server{l: l, reg: reg}
	if v := s.metric(t, "council_accept_errors_total"); v != 5 {
		t.Fatalf("accept errors: %v, want 5", v)
	}
	if n := strings.Count(logged.String(), "retrying"); n != 1 {
		t.Fatalf("%d log lines for five errors in a row, want 1:\n%s", n, logged.String())
	}
}

func TestAcceptReturnsOnCloseAndPermanentErrors(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	l := Wrap(&faulty{Listener: ln, fails: -1, errno: syscall.ENFILE}, Options{})
	done := make(chan error, 1)
	go func() { _, err := l.Accept(); done <- err }()
	time.Sleep(100 * time.Millisecond)
	l.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Accept on a closed listener returned a connection")
		}
	case <-time.After(time.Second):
		t.Fatal("Close did not end Accept's backoff")
	}

	ln, _ = net.Listen("tcp", "127.0.0.1:0")
	l = Wrap(&faulty{Listener: ln, fails: 1, errno: syscall.EBADF}, Options{})
	defer l.Close()
	if _, err := l.Accept(); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("a permanent error came back as %v", err)
	}
}
