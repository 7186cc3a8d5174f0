package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Unavailable reports whether err means that the database did not answer in time or could
// not be reached, rather than that the request or the data was wrong. The HTTP layer answers
// these 503 unavailable, so that clients try again instead of reporting a fault.
//
// They are: a context that ended while waiting for the database (the request's deadline);
// a connection refused, reset, timed out or cut; a connection the pool found broken;
// PostgreSQL shutting down, starting up, out of connections, or cancelling the statement
// (statement_timeout, or a cancellation that reached a slow server); and SQLite still busy
// when its wait ended.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, errCut) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		return unavailableState(pe.SQLState())
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT:
			return true
		}
	}
	return closedPool(err)
}

// unavailableState tells the SQLSTATEs of a server that cannot serve now from those of a
// statement that is wrong.
func unavailableState(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection exception
		return true
	case strings.HasPrefix(code, "57"): // operator intervention: query_canceled, admin_shutdown, cannot_connect_now…
		return true
	}
	switch code {
	case "53300", // too_many_connections
		"55P03", // lock_not_available (lock_timeout)
		"25P03": // idle_in_transaction_session_timeout
		return true
	}
	return false
}

// closedPool recognises database/sql's "database is closed", which it does not export.
func closedPool(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "sql: database is closed" {
			return true
		}
	}
	return false
}
