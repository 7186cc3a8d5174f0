package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
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
	fs.IntVar(&cfg.Port, "port", port, "TCP port to listen on (env PORT)")
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
	fs.StringVar(&cfg.TrustedProxies, "trusted-proxies", envOr("TRUSTED_PROXIES", "127.0.0.1,::1"), "comma-separated IPs or CIDR ranges whose PROXY_HEADER and X-Forwarded-* are believed (env TRUSTED_PROXIES)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = fmt.Sprintf("http://localhost:%d", cfg.Port)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return cfg, nil
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
