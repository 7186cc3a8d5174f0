package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"strings"

	"github.com/lib/pq"
)

// StatementsPerConn bounds the statements a PostgreSQL connection keeps prepared. The
// platform's statements with parameters number a few hundred, of which a few dozen carry its
// everyday work (a vote's transaction is four of them); the least recently used beyond the bound is
// closed on the server.
const StatementsPerConn = 128

// stmtCache keeps, for one connection, the statements it has run with parameters prepared on
// the server, by their text. Sent again, a statement is then only bound and executed: the
// server neither parses nor plans it anew (after a few runs it keeps a generic plan), which
// is most of its cost for the short statements of a vote, and the time they hold the
// council's lock. A connection is used by one goroutine at a time, so the cache needs no lock.
type stmtCache struct {
	byQuery map[string]*list.Element
	order   list.List // of *cachedStmt, the most recently used first
}

type cachedStmt struct {
	query string
	stmt  preparedStmt
}

// preparedStmt is what pq's prepared statements implement.
type preparedStmt interface {
	driver.Stmt
	driver.StmtQueryContext
	driver.StmtExecContext
}

// cacheable tells the statements worth keeping: those with parameters (a statement without
// any goes by the simple protocol in one round trip, parsed each time, as a prepared one
// would not be worth it) and not COPY, which pq prepares differently.
func cacheable(query string, args []driver.NamedValue) bool {
	if len(args) == 0 {
		return false
	}
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) < 4 || !strings.EqualFold(q[:4], "copy")
}

// get returns the connection's prepared statement for query, preparing it first if needed.
func (c *stmtCache) get(ctx context.Context, conn driver.ConnPrepareContext, query string) (preparedStmt, error) {
	if e, ok := c.byQuery[query]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt, nil
	}
	st, err := conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ps, ok := st.(preparedStmt)
	if !ok {
		st.Close()
		return nil, driver.ErrSkip
	}
	if c.byQuery == nil {
		c.byQuery = make(map[string]*list.Element)
	}
	c.byQuery[query] = c.order.PushFront(&cachedStmt{query: query, stmt: ps})
	for c.order.Len() > StatementsPerConn {
		c.drop(c.order.Back())
	}
	return ps, nil
}

// staleStatement tells the errors that come from a kept statement rather than from what it
// was asked: its plan outdated by a change of schema (0A000, "cached plan must not change
// result type") or the statement gone from the server (26000).
func staleStatement(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code == "0A000" || pe.Code == "26000")
}

// after closes query's statement when running it failed with a staleStatement error; the
// next use prepares it again.
func (c *stmtCache) after(query string, err error) {
	if !staleStatement(err) {
		return
	}
	if e, ok := c.byQuery[query]; ok {
		c.drop(e)
	}
}

func (c *stmtCache) drop(e *list.Element) {
	cs := c.order.Remove(e).(*cachedStmt)
	delete(c.byQuery, cs.query)
	// A failure to close leaves the statement on the server until the connection ends; a
	// broken connection is reported by its next use.
	_ = cs.stmt.Close()
}
