package main

import (
	"math"
	"net"
	"runtime"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/valyala/fasthttp"

	"github.com/perushtitsa/council/server/netlimit"
)

// Descriptors kept for everything but client connections: standard streams, the listener,
// the poller, log and temporary files, scrapes of /proc, the connection being refused.
const baseReserve = 64

// refusal is what a connection over the cap reads before it is closed.
var refusal = []byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 21\r\n\r\nToo many connections\n")

// connLimits are the limits in force on client connections, and why.
type connLimits struct {
	MaxConns   int    // the cap in force
	MaxPending int    // pending connections at once
	FileLimit  uint64 // RLIMIT_NOFILE after raising it; 0 when unknown
	Reserve    int    // descriptors kept for the rest of the process
	BoundBy    string // what set MaxConns
}

// reserveFor counts the descriptors the process needs besides client connections: the
// database pool (three per SQLite connection: the database, its WAL, its shared memory) and
// the Redis pools (regular, pipeline, pub/sub).
func reserveFor(cfg config, dbConns int) int {
	n := baseReserve + 3*dbConns
	if cfg.RedisURL != "" {
		pool := 10 * runtime.GOMAXPROCS(0)
		if opts, err := redis.ParseURL(cfg.RedisURL); err == nil && opts.PoolSize > 0 {
			pool = opts.PoolSize
		}
		n += pool + redis.DefaultPipelinePoolSize + 2
	}
	return n
}

// limitsFor bounds MAX_CONNECTIONS by the descriptors left after the reserve, so that
// connections alone can never exhaust them, and MAX_PENDING_CONNECTIONS by half the cap, so
// that connections that have sent nothing can never fill it.
func limitsFor(cfg config, fileLimit uint64, reserve int) connLimits {
	lim := connLimits{MaxConns: cfg.MaxConns, FileLimit: fileLimit, Reserve: reserve, BoundBy: "MAX_CONNECTIONS"}
	if fileLimit > 0 {
		room := int(min(fileLimit, math.MaxInt32)) - reserve
		if room < lim.MaxConns {
			lim.MaxConns, lim.BoundBy = max(room, 2), "file descriptors"
		}
	}
	lim.MaxPending = min(cfg.MaxPending, max(lim.MaxConns/2, 1))
	return lim
}

// limitListener raises the file limit, works out the limits in force, logs them, and wraps
// ln in them.
func (a *app) limitListener(cfg config, ln net.Listener, reg prometheus.Registerer) *netlimit.Listener {
	fileLimit, err := netlimit.RaiseFileLimit()
	if err != nil {
		a.log.Debug("could not raise the open file limit to the hard limit", "err", err)
	}
	a.log.Debug("open file limit", "nofile", fileLimit)
	lim := limitsFor(cfg, fileLimit, reserveFor(cfg, a.store.DB().Stats().MaxOpenConnections))
	a.log.Info("connection limits", "max_connections", lim.MaxConns, "bound_by", lim.BoundBy,
		"open_file_limit", lim.FileLimit, "reserved_descriptors", lim.Reserve,
		"max_pending_connections", lim.MaxPending, "first_request_timeout", cfg.FirstRequestTimeout)
	return netlimit.Wrap(ln, netlimit.Options{
		MaxConns: lim.MaxConns, MaxPending: lim.MaxPending, FirstRequestTimeout: cfg.FirstRequestTimeout,
		Refusal: refusal, Log: a.log, Registerer: reg,
	})
}

// reportIdle tells the listener which connections wait between requests, so that at the cap
// they make room for new ones; those serving a request or a websocket are busy.
func reportIdle(web *fiber.App, ln *netlimit.Listener) {
	web.Server().ConnState = func(c net.Conn, st fasthttp.ConnState) {
		switch st {
		case fasthttp.StateIdle:
			ln.Idle(c)
		case fasthttp.StateActive, fasthttp.StateHijacked:
			ln.Busy(c)
		}
	}
}
