//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fasthttp/websocket"
)

// The fan-out benchmarks' watchers share two cores with the servers they measure, so what the
// watchers themselves spend on a frame is in every figure. By default (WATCH=epoll) they are read
// the way a load generator reads many sockets: a few goroutines, one per processor, each waiting
// on an epoll set for half of the sockets and reading whatever is ready with one read(2), frames
// parsed in place and stamped with the time of the read that completed them. WATCH=goroutines
// reads each socket with a goroutine of its own and the websocket library's ReadMessage, as
// browsers' connections are read by a client library; both servers are measured either way.

// watchMode is the harness's way of reading its watchers: "epoll" (default) or "goroutines".
func watchMode() (string, error) {
	switch m := os.Getenv("WATCH"); m {
	case "":
		return "epoll", nil
	case "epoll", "goroutines":
		return m, nil
	default:
		return "", fmt.Errorf(`WATCH must be "epoll" or "goroutines", got %q`, m)
	}
}

// epollWatch reads the watchers' sockets until the returned stop is called; stop returns once
// no loop touches a watcher any more. count says how many measured messages a whole message
// holds, reply what the protocol expects back for it (Centrifugo's pong), if anything. The
// websockets must have nothing buffered in the library yet: they are read from their file
// descriptors from here on, and written (pongs, replies) only by these loops.
func epollWatch(ws []*websocket.Conn, bw []*benchWatcher, count func([]byte) int64, reply func([]byte) []byte) (stop func(), err error) {
	loops := runtime.GOMAXPROCS(0)
	type loop struct {
		epfd  int
		byFD  map[int32]*rawSocket
		alive int
	}
	ls := make([]*loop, loops)
	closeAll := func() {
		for _, l := range ls {
			if l != nil {
				syscall.Close(l.epfd)
			}
		}
	}
	for i := range ls {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("epoll_create1: %w", err)
		}
		ls[i] = &loop{epfd: epfd, byFD: map[int32]*rawSocket{}}
	}
	for i, c := range ws {
		fd, err := socketFD(c)
		if err != nil {
			closeAll()
			return nil, err
		}
		s := &rawSocket{ws: c, w: bw[i], count: count, reply: reply}
		l := ls[i%loops]
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
		if err := syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			closeAll()
			return nil, fmt.Errorf("epoll_ctl: %w", err)
		}
		l.byFD[int32(fd)] = s
		l.alive++
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	for _, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			buf := make([]byte, 64<<10)
			events := make([]syscall.EpollEvent, 256)
			for !done.Load() && l.alive > 0 {
				n, err := syscall.EpollWait(l.epfd, events, 50)
				if err != nil {
					if errors.Is(err, syscall.EINTR) {
						continue
					}
					for _, s := range l.byFD {
						s.fail(fmt.Errorf("epoll_wait: %w", err))
					}
					return
				}
				for _, ev := range events[:n] {
					s := l.byFD[ev.Fd]
					if s == nil {
						continue
					}
					r, err := syscall.Read(int(ev.Fd), buf)
					now := time.Now()
					if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
						continue
					}
					if r > 0 {
						err = s.feed(buf[:r], now)
					} else if err == nil {
						err = errors.New("the server closed the connection")
					}
					if err != nil {
						s.fail(err)
						syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, int(ev.Fd), nil)
						delete(l.byFD, ev.Fd)
						l.alive--
					}
				}
			}
		}()
	}
	return func() {
		done.Store(true)
		wg.Wait()
		closeAll()
	}, nil
}

// socketFD is the file descriptor under a websocket; the Go runtime keeps it non-blocking.
func socketFD(c *websocket.Conn) (int, error) {
	sc, ok := c.NetConn().(syscall.Conn)
	if !ok {
		return 0, fmt.Errorf("a %T has no file descriptor", c.NetConn())
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	fd := -1
	if err := raw.Control(func(f uintptr) { fd = int(f) }); err != nil {
		return 0, err
	}
	return fd, nil
}

// rawSocket is one watcher's websocket as its epoll loop sees it: the bytes of a frame not yet
// whole, and the parts of a fragmented message.
type rawSocket struct {
	ws    *websocket.Conn
	w     *benchWatcher
	in    []byte
	msg   []byte
	count func([]byte) int64
	reply func([]byte) []byte
}

func (s *rawSocket) fail(err error) {
	s.w.mu.Lock()
	if s.w.err == nil {
		s.w.err = err
	}
	s.w.mu.Unlock()
}

// feed takes bytes read from the socket at now and keeps each whole message with that time.
// Frames from a server are never masked (RFC 6455, 5.1).
func (s *rawSocket) feed(b []byte, now time.Time) error {
	if len(s.in) == 0 {
		s.in = b // parsed in place; keep copies what is left
	} else {
		s.in = append(s.in, b...)
	}
	for {
		if len(s.in) < 2 {
			break
		}
		fin, op := s.in[0]&0x80 != 0, s.in[0]&0x0f
		if s.in[1]&0x80 != 0 {
			return errors.New("a masked frame from the server")
		}
		n, head := uint64(s.in[1]&0x7f), 2
		switch n {
		case 126:
			if len(s.in) < 4 {
				return s.keep()
			}
			n, head = uint64(s.in[2])<<8|uint64(s.in[3]), 4
		case 127:
			if len(s.in) < 10 {
				return s.keep()
			}
			n, head = 0, 10
			for _, c := range s.in[2:10] {
				n = n<<8 | uint64(c)
			}
		}
		if n > 1<<20 {
			return fmt.Errorf("a frame of %d bytes", n)
		}
		if uint64(len(s.in)-head) < n {
			return s.keep()
		}
		payload := s.in[head : head+int(n)]
		s.in = s.in[head+int(n):]
		switch op {
		case websocket.PingMessage:
			if err := s.ws.WriteControl(websocket.PongMessage, payload, now.Add(time.Second)); err != nil {
				return err
			}
		case websocket.PongMessage:
		case websocket.CloseMessage:
			return fmt.Errorf("the server closed the websocket: %q", payload)
		case websocket.TextMessage, websocket.BinaryMessage, 0:
			s.msg = append(s.msg, payload...)
			if !fin {
				continue
			}
			msg := s.msg
			s.msg = nil
			if s.reply != nil {
				if out := s.reply(msg); out != nil {
					if err := s.ws.WriteMessage(websocket.TextMessage, out); err != nil {
						return err
					}
				}
			}
			s.w.mu.Lock()
			s.w.frames = append(s.w.frames, frame{at: now, msg: msg})
			s.w.mu.Unlock()
			s.w.n.Add(s.count(msg))
		default:
			return fmt.Errorf("a frame with opcode %d", op)
		}
	}
	return s.keep()
}

// keep moves what is left of the input to a buffer of its own, so that the read buffer can be
// reused; it is nearly always nothing.
func (s *rawSocket) keep() error {
	if len(s.in) == 0 {
		s.in = nil
	} else {
		s.in = append([]byte(nil), s.in...)
	}
	return nil
}
