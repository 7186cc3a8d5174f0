package netlimit

import (
	"container/list"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// Conn is a connection accepted by a Listener. It counts as open until its first Close and
// as pending until its first request's head has arrived or something is written to it.
type Conn struct {
	net.Conn
	l       *Listener
	closed  atomic.Bool
	pending atomic.Bool
	idle    atomic.Bool
	shut    atomic.Bool // closed by the listener: evicted, or no request in time
	head    headScan    // used by Read alone, which one goroutine calls at a time

	// Guarded by l.mu; an element is nil when the connection is not in that list.
	pendElem, idleElem *list.Element
	timer              *time.Timer
}

// track wraps a connection just accepted and enters it among the pending ones, making room
// by closing the oldest pending connection when MaxPending wait already.
func (l *Listener) track(nc net.Conn) *Conn {
	c := &Conn{Conn: nc, l: l}
	if l.opts.MaxPending <= 0 && l.opts.FirstRequestTimeout <= 0 {
		return c
	}
	c.pending.Store(true)
	var oldest *Conn
	l.mu.Lock()
	if l.opts.MaxPending > 0 && l.pending.Len() >= l.opts.MaxPending {
		oldest = l.pending.Front().Value.(*Conn)
		l.unpend(oldest)
	}
	c.pendElem = l.pending.PushBack(c)
	if l.opts.FirstRequestTimeout > 0 {
		c.timer = time.AfterFunc(l.opts.FirstRequestTimeout, c.expire)
	}
	l.mu.Unlock()
	if oldest != nil {
		l.metrics.evictedPending.Inc()
		oldest.shutDown()
	}
	return c
}

// makeRoom closes the connection idle the longest between requests or, when there is none,
// the oldest pending one; it reports whether it found one to close.
func (l *Listener) makeRoom() bool {
	var victim *Conn
	l.mu.Lock()
	if e := l.idle.Front(); e != nil {
		victim = e.Value.(*Conn)
		l.unidle(victim)
		l.metrics.evictedIdle.Inc()
	} else if e := l.pending.Front(); e != nil {
		victim = e.Value.(*Conn)
		l.unpend(victim)
		l.metrics.evictedPending.Inc()
	}
	l.mu.Unlock()
	if victim == nil {
		return false
	}
	victim.shutDown()
	return true
}

// Idle tells the listener that c, one of its connections, is between requests, so that it
// may be closed to make room at MaxConns (HTTP clients retry on a keep-alive connection
// closed while idle). Wire it to the server's connection state hook.
func (l *Listener) Idle(nc net.Conn) {
	c, ok := nc.(*Conn)
	if !ok || c.l != l {
		return
	}
	l.mu.Lock()
	if c.idleElem == nil && !c.closed.Load() {
		c.idleElem = l.idle.PushBack(c)
		c.idle.Store(true)
	}
	l.mu.Unlock()
}

// Busy tells the listener that c is serving a request again, or was taken over (a
// websocket): it is no longer idle.
func (l *Listener) Busy(nc net.Conn) {
	c, ok := nc.(*Conn)
	if !ok || c.l != l || !c.idle.Load() {
		return
	}
	l.mu.Lock()
	l.unidle(c)
	l.mu.Unlock()
}

// unpend takes c out of the pending connections; it reports whether c was pending.
// The caller holds l.mu.
func (l *Listener) unpend(c *Conn) bool {
	if c.pendElem == nil {
		return false
	}
	l.pending.Remove(c.pendElem)
	c.pendElem = nil
	c.pending.Store(false)
	if c.timer != nil {
		c.timer.Stop()
	}
	return true
}

// unidle takes c out of the idle connections. The caller holds l.mu.
func (l *Listener) unidle(c *Conn) {
	if c.idleElem != nil {
		l.idle.Remove(c.idleElem)
		c.idleElem = nil
		c.idle.Store(false)
	}
}

// settle marks c as no longer pending: its first request is there.
func (c *Conn) settle() {
	if !c.pending.Load() {
		return
	}
	c.l.mu.Lock()
	c.l.unpend(c)
	c.l.mu.Unlock()
}

// expire closes c when it is still pending at FirstRequestTimeout.
func (c *Conn) expire() {
	c.l.mu.Lock()
	late := c.l.unpend(c)
	c.l.mu.Unlock()
	if late {
		c.l.metrics.timedOut.Inc()
		c.shutDown()
	}
}

// shutDown closes c for the listener's own reasons. The server reading from it then sees the
// end of the connection, as if the client had closed it, rather than an error to answer and
// log once per connection of a flood.
func (c *Conn) shutDown() {
	c.shut.Store(true)
	_ = c.Close()
}

// Read reads from the connection, watching a pending one for the end of its request head.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.pending.Load() && c.head.complete(p[:n]) {
		c.settle()
	}
	if err != nil && c.shut.Load() {
		err = io.EOF
	}
	return n, err
}

// Write writes to the connection; a server answering has read a request, so c no longer pends.
func (c *Conn) Write(p []byte) (int, error) {
	c.settle()
	return c.Conn.Write(p)
}

// SyscallConn gives the socket under c, for writes that must never block (the live fan-out's).
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.New("netlimit: the connection has no socket")
	}
	return sc.SyscallConn()
}

// Close closes the connection; only the first call counts it as closed.
func (c *Conn) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	c.l.mu.Lock()
	c.l.unpend(c)
	c.l.unidle(c)
	c.l.mu.Unlock()
	c.l.open.Add(-1)
	return c.Conn.Close()
}

// headScan finds the end of an HTTP/1.x request head: a non-empty line, then an empty one
// ("\r\n\r\n", or "\n\n" from lenient clients). Blank lines before the request line, which
// servers skip, do not count, so a client cannot leave the pending state by sending them.
type headScan uint8

const (
	headNothing   headScan = iota // nothing but blank lines so far
	headInLine                    // within a non-empty line
	headLineStart                 // at the start of a line after a non-empty one
)

// complete reads the next bytes of the connection and reports whether the head has ended.
func (s *headScan) complete(p []byte) bool {
	for _, b := range p {
		switch {
		case b == '\n' && *s == headLineStart:
			return true
		case b == '\n' && *s == headInLine:
			*s = headLineStart
		case b == '\n' || b == '\r':
		default:
			*s = headInLine
		}
	}
	return false
}
