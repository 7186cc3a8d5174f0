// Package netlimit keeps a TCP server alive and serving when clients try to exhaust its
// resources. Its Listener wraps the one the HTTP server accepts from:
//
//   - Accept rides out temporary errors (no file descriptors left, no buffer memory, a
//     connection aborted before it was accepted) with a backoff, as net/http does, instead of
//     returning them and stopping the server; it returns only once the listener is closed.
//   - At most MaxConns connections are open at once, so that connections alone never exhaust
//     descriptors. At the cap, a new connection takes the place of the one idle the longest
//     between requests (see Idle) or else of the oldest pending one; when every connection
//     is busy (a request in progress, a websocket), it is refused: Refusal is written to it
//     and it is closed at once.
//   - A connection is pending until the head of its first HTTP/1.x request has arrived (the
//     blank line ending the headers) or the server writes to it. A pending connection is
//     closed after FirstRequestTimeout, and at most MaxPending may wait at once: when full,
//     the oldest is closed to make room, so idle sockets cannot crowd out real clients.
//
// Connections are counted at the net.Conn level, so hijacked ones (websockets) count until
// they are closed, whoever closes them and however many times.
package netlimit

import (
	"container/list"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Options are the limits of a Listener. A zero limit is no limit.
type Options struct {
	MaxConns            int           // connections open at once
	MaxPending          int           // connections waiting for their first request at once
	FirstRequestTimeout time.Duration // how long a connection may wait for its first request
	Refusal             []byte        // written to a connection refused at MaxConns, before it is closed
	Log                 *slog.Logger
	Registerer          prometheus.Registerer // where to register the metrics; nil: nowhere
}

// Backoff bounds of Accept after a temporary error, as in net/http.
const (
	minBackoff = 5 * time.Millisecond
	maxBackoff = time.Second
	logEvery   = time.Minute // at most one log line per kind of trouble in this time
)

// Listener is a net.Listener with the limits of Options. Make one with Wrap.
type Listener struct {
	net.Listener
	opts    Options
	log     *slog.Logger
	metrics *metrics

	open      atomic.Int64
	closed    atomic.Bool
	done      chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex
	pending list.List // of *Conn waiting for their first request, oldest first
	idle    list.List // of *Conn between requests, idle the longest first

	errLog, refusalLog rareLog
}

// Wrap puts the limits of opts around ln.
func Wrap(ln net.Listener, opts Options) *Listener {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	l := &Listener{Listener: ln, opts: opts, log: opts.Log, done: make(chan struct{})}
	l.metrics = newMetrics(opts.Registerer, l)
	return l
}

// Accept waits for the next connection within the limits. Temporary errors are retried with
// a backoff of 5 ms doubling to 1 s; any other error, such as the listener being closed, is
// returned as is.
func (l *Listener) Accept() (net.Conn, error) {
	delay := time.Duration(0)
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			if l.closed.Load() || !temporary(err) {
				return nil, err
			}
			delay = nextDelay(delay)
			l.retried(err, delay)
			if !l.sleep(delay) {
				return nil, net.ErrClosed
			}
			continue
		}
		if n := l.open.Add(1); l.opts.MaxConns > 0 && n > int64(l.opts.MaxConns) && !l.makeRoom() {
			l.open.Add(-1)
			l.refuse(nc)
			continue
		}
		return l.track(nc), nil
	}
}

// Close stops Accept, at once even when it is backing off. Open connections stay open.
func (l *Listener) Close() error {
	l.closed.Store(true)
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// Open is the number of connections accepted and not yet closed.
func (l *Listener) Open() int { return int(l.open.Load()) }

// Pending is the number of connections waiting for their first request.
func (l *Listener) Pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pending.Len()
}

func nextDelay(d time.Duration) time.Duration {
	if d == 0 {
		return minBackoff
	}
	return min(2*d, maxBackoff)
}

// sleep waits d, or less when the listener is closed meanwhile; it reports whether it is open.
func (l *Listener) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.done:
		return false
	}
}

// retried counts an accept error and logs it, the first of a while only.
func (l *Listener) retried(err error, delay time.Duration) {
	l.metrics.acceptErrors.Inc()
	if n, ok := l.errLog.due(); ok {
		l.log.Warn("accepting connections failed; retrying", "err", err, "retry_in", delay, "errors_since_last_report", n)
	}
}

// refuse tells a connection over MaxConns so, if it can at once, and closes it.
func (l *Listener) refuse(nc net.Conn) {
	if len(l.opts.Refusal) > 0 {
		// A fresh connection's send buffer is empty: the write does not wait; the deadline
		// guards the accepting goroutine should it ever.
		_ = nc.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
		_, _ = nc.Write(l.opts.Refusal)
	}
	_ = nc.Close()
	l.metrics.refused.Inc()
	if n, ok := l.refusalLog.due(); ok {
		l.log.Warn("connection limit reached with every connection busy; refusing new connections", "max_connections", l.opts.MaxConns, "refused_since_last_report", n)
	}
}

// rareLog counts occurrences of a trouble and tells when to log it: the first time, then at
// most once per logEvery.
type rareLog struct {
	mu    sync.Mutex
	last  time.Time
	since int
}

// due counts one occurrence and reports whether to log now, with the count since the last log.
func (r *rareLog) due() (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.since++
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < logEvery {
		return 0, false
	}
	n := r.since
	r.last, r.since = now, 0
	return n, true
}
