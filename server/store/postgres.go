package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ConnectTimeout bounds dialling PostgreSQL and its start-up handshake, unless DATABASE_URL
// sets connect_timeout. It also bounds the query cancellations pq sends on a connection of
// their own, which a stopped server would otherwise leave waiting for ever.
const ConnectTimeout = 5 * time.Second

// serverTimeouts are session settings sent when a connection starts, unless DATABASE_URL sets
// them: the server's own backstops behind the callers' contexts. A statement whose client
// went away stops within statement_timeout, and a transaction left open by a client that
// hung (holding a council's lock) is ended after idle_in_transaction_session_timeout.
var serverTimeouts = map[string]string{
	"statement_timeout":                   WaitBackstop.String(),
	"idle_in_transaction_session_timeout": WaitBackstop.String(),
}

// openPostgres opens a pool in which every wait for the server ends with its context: the
// wait for a free connection (database/sql), for a new connection, and for an answer.
func openPostgres(databaseURL string) (*sqlx.DB, error) {
	cfg, err := pq.NewConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = ConnectTimeout
	}
	runtime := make(map[string]string, len(cfg.Runtime)+len(serverTimeouts))
	for k, v := range serverTimeouts {
		runtime[k] = v
	}
	for k, v := range cfg.Runtime {
		runtime[k] = v
	}
	cfg.Runtime = runtime
	if !strings.Contains(databaseURL, "binary_parameters") {
		// A statement with parameters then goes to the server in one round trip (Parse, Bind
		// and Execute together) instead of two (a Parse answered before the Bind). Only
		// []byte parameters travel in binary, which is what bytea takes and what text takes.
		cfg.BinaryParameters = true
	}
	return sqlx.NewDb(sql.OpenDB(&pgConnector{cfg: cfg}), "postgres"), nil
}

// pgConnector makes connections that a context can cut, each with a dialer of its own.
type pgConnector struct {
	cfg pq.Config
}

// Driver is pq's driver.
func (c *pgConnector) Driver() driver.Driver { return &pq.Driver{} }

// Connect opens one connection; when ctx ends before the start-up handshake does, the socket
// is closed, since pq itself watches ctx only while dialling.
func (c *pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	pc, err := pq.NewConnectorConfig(c.cfg)
	if err != nil {
		return nil, err
	}
	d := &cutDialer{}
	pc.Dialer(d)
	stop := context.AfterFunc(ctx, d.cut)
	conn, err := pc.Connect(ctx)
	if !stop() {
		if err == nil { // pq answers a failure with a nil *conn inside a non-nil driver.Conn
			conn.Close()
		}
		return nil, fmt.Errorf("store: connecting to PostgreSQL: %w", ctx.Err())
	}
	if err != nil {
		return nil, err
	}
	d.established()
	return &pgConn{Conn: conn, d: d}, nil
}

// pgConn is a pq connection whose calls end when their context does. pq watches the context
// of a query, a ping or a transaction through a cancellation, which cuts the connection (see
// cutDialer), but not that of the BEGIN that starts a transaction; so every call here is
// watched as well, and a connection once cut is reported bad before the pool reuses it.
type pgConn struct {
	driver.Conn // pq's connection, which implements every interface below
	d           *cutDialer
	stmts       stmtCache
}

var _ interface {
	driver.ConnBeginTx
	driver.QueryerContext
	driver.ExecerContext
	driver.ConnPrepareContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
} = (*pgConn)(nil)

// during cuts the connection if ctx ends before the call returns; defer the func it returns.
func (c *pgConn) during(ctx context.Context) func() bool {
	return context.AfterFunc(ctx, c.d.cut)
}

// BeginTx starts a transaction.
func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	defer c.during(ctx)()
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// QueryContext runs a query, prepared once on this connection when it has parameters (see
// stmtCache); pq watches ctx on its own while the rows are read of a query it runs itself.
func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	stop := c.during(ctx)
	st, err := c.kept(ctx, query, args)
	switch {
	case err != nil:
		stop()
		return nil, err
	case st == nil:
		defer stop()
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	// A kept statement runs without ctx: pq would, once ctx ended, wait for its cancellation
	// request to be answered, which a stopped server never does. The connection is cut when
	// ctx ends instead, until the rows are closed, which ends any wait at once (the
	// statement itself is then ended by statement_timeout at the latest).
	rows, err := st.QueryContext(context.WithoutCancel(ctx), args)
	c.stmts.after(query, err)
	if err != nil {
		stop()
		return nil, err
	}
	return &watchedRows{Rows: rows, stop: stop}, nil
}

// watchedRows are a kept statement's rows, read while their context still cuts the connection.
type watchedRows struct {
	driver.Rows
	stop func() bool
}

// Close closes the rows and stops watching their context.
func (r *watchedRows) Close() error {
	defer r.stop()
	return r.Rows.Close()
}

// ExecContext runs a statement, prepared once on this connection as QueryContext does.
func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	defer c.during(ctx)()
	st, err := c.kept(ctx, query, args)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	res, err := st.ExecContext(context.WithoutCancel(ctx), args) // as in QueryContext
	c.stmts.after(query, err)
	return res, err
}

// kept returns the connection's prepared statement for query when it is one worth keeping
// (see stmtCache), preparing it first if needed, and nil when it is not.
func (c *pgConn) kept(ctx context.Context, query string, args []driver.NamedValue) (preparedStmt, error) {
	if !cacheable(query, args) {
		return nil, nil
	}
	return c.stmts.get(ctx, c.Conn.(driver.ConnPrepareContext), query)
}

// PrepareContext prepares a statement.
func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	defer c.during(ctx)()
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

// Ping asks the server for an answer.
func (c *pgConn) Ping(ctx context.Context) error {
	defer c.during(ctx)()
	return c.Conn.(driver.Pinger).Ping(ctx)
}

// ResetSession refuses a cut connection, so that the pool opens another.
func (c *pgConn) ResetSession(ctx context.Context) error {
	if c.d.isCut() {
		return driver.ErrBadConn
	}
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

// IsValid reports a cut connection as not worth keeping.
func (c *pgConn) IsValid() bool {
	return !c.d.isCut() && c.Conn.(driver.Validator).IsValid()
}

// CheckNamedValue lets pq convert arguments as it does without the wrapper.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

// cutDialer dials one connection to PostgreSQL and cuts it when a query on it is cancelled.
//
// When a query's context ends, pq marks the connection bad and sends a CancelRequest on a new
// connection that it dials with the same dialer, but it goes on waiting for the server's
// answer on the first one, and a stopped server never answers. So a dial after the
// connection is established is such a cancellation: it closes the first connection, which
// ends the wait at once with an error, and still dials, so that a server that is only slow
// stops the statement.
type cutDialer struct {
	net  net.Dialer
	mu   sync.Mutex
	conn net.Conn // the connection pq talks on
	open bool     // the handshake is over: further dials are cancellations
	done bool     // cut: the connection is closed, and no new one is handed out
}

var errCut = errors.New("store: connection cut: its context ended")

// DialContext dials the connection or, once it is established, a cancellation.
func (d *cutDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	cancelling := d.open
	d.mu.Unlock()
	if cancelling {
		d.cut()
		return d.net.DialContext(ctx, network, address)
	}
	c, err := d.net.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		c.Close()
		return nil, errCut
	}
	d.conn = c
	return c, nil
}

// Dial is DialContext without a deadline, for pq's Dialer interface.
func (d *cutDialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialTimeout is DialContext with a timeout, for pq's Dialer interface.
func (d *cutDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

func (d *cutDialer) established() {
	d.mu.Lock()
	d.open = true
	d.mu.Unlock()
}

func (d *cutDialer) isCut() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.done
}

// cut closes the connection, ending whatever read or write waits on it.
func (d *cutDialer) cut() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done = true
	if d.conn != nil {
		d.conn.Close()
	}
}
