// Package httpapi serves the platform over HTTP with Fiber: the JSON API of docs/api.md,
// the pages, and the service endpoints.
package httpapi

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/server/surveys"
	"github.com/perushtitsa/council/web"
)

// MaxBody is the largest request body accepted; larger ones answer 413 too_large.
const MaxBody = 64 << 10

// maxReadBody is how much of a body the server reads before refusing it outright. Bodies a
// little over MaxBody are read whole and answered 413 by limitBody, so the client sees the
// answer; refusing them unread would close the connection on data the client is still
// sending, and the client could get a reset instead of the 413.
const maxReadBody = 1 << 20

// SessionCookie names the cookie that carries the session token.
const SessionCookie = "council_session"

// Live is the websocket endpoint and its readiness, provided by the realtime package.
type Live interface {
	Handler() fiber.Handler
	Ready(ctx context.Context) error
}

// Config wires the HTTP surface.
type Config struct {
	Service  *council.Service
	Surveys  *surveys.Service // nil: one over Service's store and clock
	Signals  *signals.Service // nil: one over Service's store and clock, with the defaults
	Pages    *web.Renderer    // the page templates and translations (web.Templates)
	Log      *slog.Logger
	BaseURL  string
	Live     Live                 // nil: no websocket endpoint
	Registry *prometheus.Registry // nil: a fresh one
	// ProxyHeader, when set, is the header a trusted proxy puts the client's address in.
	ProxyHeader string
	// TrustedProxies are the addresses (IPs or CIDR ranges) whose forwarding headers are
	// believed: ProxyHeader, X-Forwarded-Host and X-Forwarded-Proto. From anyone else they are
	// ignored.
	TrustedProxies []string
	// MetricsToken, when set, is the bearer token /metrics asks for; empty, /metrics is off.
	MetricsToken string
	// RequestTimeout is how long a request may wait for the database; 0: DefaultRequestTimeout.
	RequestTimeout time.Duration
	// PageCacheBytes bounds the memory the anonymous outcome pages and the archive's first
	// page kept ready take; 0: DefaultPageCacheBytes.
	PageCacheBytes int
}

// DefaultRequestTimeout is the request deadline when the configuration sets none.
const DefaultRequestTimeout = 10 * time.Second

// Server holds what the handlers share.
type Server struct {
	svc      *council.Service
	surveys  *surveys.Service
	sig      *signals.Service
	log      *slog.Logger
	baseURL  string
	secure   bool
	live     Live
	liveH    fiber.Handler
	registry *prometheus.Registry
	metrics  *metrics
	pages    *web.Renderer
	// metricsToken guards /metrics; "" turns it off.
	metricsToken string
	timeout      time.Duration
	pageCache    *pageCache
}

// New builds the Fiber app with every route; without cfg.Pages it loads the embedded ones.
func New(cfg Config) (*fiber.App, error) {
	if cfg.Pages == nil {
		pages, err := web.Templates()
		if err != nil {
			return nil, err
		}
		cfg.Pages = pages
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.Surveys == nil {
		cfg.Surveys = surveys.NewService(surveys.Config{Store: cfg.Service.Store(), Log: cfg.Log, Clock: cfg.Service.Now})
	}
	if cfg.Signals == nil {
		cfg.Signals = signals.New(signals.Config{Store: cfg.Service.Store(), Councils: cfg.Service, Log: cfg.Log, Clock: cfg.Service.Now})
	}
	s := &Server{
		svc:      cfg.Service,
		surveys:  cfg.Surveys,
		sig:      cfg.Signals,
		log:      cfg.Log,
		baseURL:  strings.TrimRight(cfg.BaseURL, "/"),
		secure:   strings.HasPrefix(cfg.BaseURL, "https://"),
		live:     cfg.Live,
		registry: cfg.Registry,
		metrics:  newMetrics(cfg.Registry),

		metricsToken: cfg.MetricsToken,
		timeout:      cfg.RequestTimeout,
		pages:        cfg.Pages,
		pageCache:    newPageCache(cfg.PageCacheBytes),
	}
	app := fiber.New(fiber.Config{
		AppName:               "council",
		BodyLimit:             maxReadBody,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		ReadBufferSize:        16 << 10,
		// An outcome page kept ready (5–10 KB compressed) and its headers leave in one write
		// rather than two; websockets hand their buffer back when they take the connection.
		WriteBufferSize: 8 << 10,
		ProxyHeader:     cfg.ProxyHeader,
		// Forwarding headers count only from the proxies named; Fiber would otherwise believe
		// any client's X-Forwarded-Host.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
		// With a proxy header, c.IP() is the first valid address in it rather than whatever
		// text a client put there; the proxy must set the header, not append to it.
		EnableIPValidation: true,
	})
	if s.live != nil {
		s.liveH = s.live.Handler()
	}
	s.routes(app)
	return app, nil
}
