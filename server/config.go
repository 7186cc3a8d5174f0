package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"council/server/httpapi"
)

// config is the process's configuration: environment variables, overridden by flags.
type config struct {
	Port        int
	DatabaseURL string
	RedisURL    string
	BaseURL     string
	LogLevel    string
	ProxyHeader string
	RedisPrefix string

	LiveMaxPerSession int
	LiveMaxPerUser    int

	MetricsToken   string
	TrustedProxies string

	// Limits on client connections; see server/netlimit.
	MaxConns            int
	MaxPending          int
	FirstRequestTimeout time.Duration
	// RequestTimeout is how long a request may wait for the database before it answers 503.
	RequestTimeout time.Duration
}

// trustedProxies lists TRUSTED_PROXIES' addresses.
func (c config) trustedProxies() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Defaults of the connection limits. 30,000 connections serve 10,000 live members on one
// process: each holds a websocket and, between requests, a keep-alive connection or two.
const (
	defaultMaxConns            = 30000
	defaultMaxPending          = 4096
	defaultFirstRequestTimeout = 10 * time.Second
)

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// parseConfig reads the environment, then the flags of fs from args.
func parseConfig(fs *flag.FlagSet, args []string) (config, error) {
	var cfg config
	port, err := strconv.Atoi(envOr("PORT", "3000"))
	if err != nil {
		return cfg, fmt.Errorf("PORT must be a number, got %q", os.Getenv("PORT"))
	}
	timeout, err := time.ParseDuration(envOr("REQUEST_TIMEOUT", httpapi.DefaultRequestTimeout.String()))
	if err != nil || timeout <= 0 {
		return cfg, fmt.Errorf("REQUEST_TIMEOUT must be a duration such as 10s, got %q", os.Getenv("REQUEST_TIMEOUT"))
	}
	fs.IntVar(&cfg.Port, "port", port, "TCP port to listen on (env PORT)")
	if err := connFlags(fs, &cfg); err != nil {
		return cfg, err
	}
	fs.StringVar(&cfg.DatabaseURL, "database-url", envOr("DATABASE_URL", ""), "postgres://… or sqlite:PATH; empty for the embedded council.db (env DATABASE_URL)")
	fs.StringVar(&cfg.RedisURL, "redis-url", envOr("REDIS_URL", ""), "redis://… for fan-out between processes; empty for in-process only (env REDIS_URL)")
	fs.StringVar(&cfg.BaseURL, "base-url", envOr("BASE_URL", ""), "public address, e.g. https://council.example.org (env BASE_URL)")
	fs.StringVar(&cfg.LogLevel, "log-level", envOr("LOG_LEVEL", "info"), "debug, info, warn or error (env LOG_LEVEL)")
	fs.StringVar(&cfg.ProxyHeader, "proxy-header", envOr("PROXY_HEADER", ""), "header carrying the client address behind a trusted proxy, e.g. X-Forwarded-For (env PROXY_HEADER)")
	fs.StringVar(&cfg.RedisPrefix, "redis-prefix", envOr("REDIS_PREFIX", "council:events:"), "prefix of the Redis channels, so deployments sharing a Redis stay apart (env REDIS_PREFIX)")
	perSession, err := strconv.Atoi(envOr("LIVE_MAX_PER_SESSION", "8"))
	if err != nil || perSession < 1 {
		return cfg, fmt.Errorf("LIVE_MAX_PER_SESSION must be a positive number, got %q", os.Getenv("LIVE_MAX_PER_SESSION"))
	}
	perUser, err := strconv.Atoi(envOr("LIVE_MAX_PER_USER", "24"))
	if err != nil || perUser < 1 {
		return cfg, fmt.Errorf("LIVE_MAX_PER_USER must be a positive number, got %q", os.Getenv("LIVE_MAX_PER_USER"))
	}
	fs.IntVar(&cfg.LiveMaxPerSession, "live-max-per-session", perSession, "websockets one session may hold on a process (env LIVE_MAX_PER_SESSION)")
	fs.IntVar(&cfg.LiveMaxPerUser, "live-max-per-user", perUser, "websockets one user may hold on a process (env LIVE_MAX_PER_USER)")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", envOr("METRICS_TOKEN", ""), "bearer token for /metrics; empty turns /metrics off (env METRICS_TOKEN)")
	fs.DurationVar(&cfg.RequestTimeout, "request-timeout", timeout, "how long a request may wait for the database before it answers 503, e.g. 10s (env REQUEST_TIMEOUT)")
	fs.StringVar(&cfg.TrustedProxies, "trusted-proxies", envOr("TRUSTED_PROXIES", "127.0.0.1,::1"), "comma-separated IPs or CIDR ranges whose PROXY_HEADER and X-Forwarded-* are believed (env TRUSTED_PROXIES)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.MaxConns < 1 || cfg.MaxPending < 1 || cfg.FirstRequestTimeout <= 0 {
		return cfg, fmt.Errorf("--max-connections, --max-pending-connections and --first-request-timeout must be positive")
	}
	if cfg.RequestTimeout <= 0 {
		return cfg, fmt.Errorf("--request-timeout must be positive, got %v", cfg.RequestTimeout)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = fmt.Sprintf("http://localhost:%d", cfg.Port)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return cfg, nil
}

// connFlags declares the flags of the connection limits, their defaults read from the environment.
func connFlags(fs *flag.FlagSet, cfg *config) error {
	maxConns, err := envInt("MAX_CONNECTIONS", defaultMaxConns)
	if err != nil {
		return err
	}
	maxPending, err := envInt("MAX_PENDING_CONNECTIONS", defaultMaxPending)
	if err != nil {
		return err
	}
	timeout := defaultFirstRequestTimeout
	if v := envOr("FIRST_REQUEST_TIMEOUT", ""); v != "" {
		if timeout, err = time.ParseDuration(v); err != nil || timeout <= 0 {
			return fmt.Errorf("FIRST_REQUEST_TIMEOUT must be a positive duration such as 10s, got %q", v)
		}
	}
	fs.IntVar(&cfg.MaxConns, "max-connections", maxConns, "client connections open at once, websockets included; also bounded by the open file limit (env MAX_CONNECTIONS)")
	fs.IntVar(&cfg.MaxPending, "max-pending-connections", maxPending, "connections waiting for their first request at once; the oldest is closed to make room (env MAX_PENDING_CONNECTIONS)")
	fs.DurationVar(&cfg.FirstRequestTimeout, "first-request-timeout", timeout, "time a new connection has to send its first request (env FIRST_REQUEST_TIMEOUT)")
	return nil
}

// envInt reads a positive whole number from the environment.
func envInt(name string, def int) (int, error) {
	v := envOr(name, "")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a positive number, got %q", name, v)
	}
	return n, nil
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
