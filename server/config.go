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
	// RequestTimeout is how long a request may wait for the database before it answers 503.
	RequestTimeout time.Duration
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
	timeout, err := time.ParseDuration(envOr("REQUEST_TIMEOUT", httpapi.DefaultRequestTimeout.String()))
	if err != nil || timeout <= 0 {
		return cfg, fmt.Errorf("REQUEST_TIMEOUT must be a duration such as 10s, got %q", os.Getenv("REQUEST_TIMEOUT"))
	}
	fs.IntVar(&cfg.Port, "port", port, "TCP port to listen on (env PORT)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", envOr("DATABASE_URL", ""), "postgres://… or sqlite:PATH; empty for the embedded council.db (env DATABASE_URL)")
	fs.StringVar(&cfg.RedisURL, "redis-url", envOr("REDIS_URL", ""), "redis://… for fan-out between processes; empty for in-process only (env REDIS_URL)")
	fs.StringVar(&cfg.BaseURL, "base-url", envOr("BASE_URL", ""), "public address, e.g. https://council.example.org (env BASE_URL)")
	fs.StringVar(&cfg.LogLevel, "log-level", envOr("LOG_LEVEL", "info"), "debug, info, warn or error (env LOG_LEVEL)")
	fs.StringVar(&cfg.ProxyHeader, "proxy-header", envOr("PROXY_HEADER", ""), "header carrying the client address behind a trusted proxy, e.g. X-Forwarded-For (env PROXY_HEADER)")
	fs.StringVar(&cfg.RedisPrefix, "redis-prefix", envOr("REDIS_PREFIX", "council:events:"), "prefix of the Redis channels, so deployments sharing a Redis stay apart (env REDIS_PREFIX)")
	fs.DurationVar(&cfg.RequestTimeout, "request-timeout", timeout, "how long a request may wait for the database before it answers 503, e.g. 10s (env REQUEST_TIMEOUT)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
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

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
