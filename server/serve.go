package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/perushtitsa/council/realtime"
	"github.com/perushtitsa/council/server/httpapi"
	"github.com/perushtitsa/council/server/surveys"
)

// serve runs the platform until SIGTERM or SIGINT, then shuts down gracefully: websockets are
// closed with 1001 so clients reconnect elsewhere, in-flight requests finish, the database closes.
func serve(ctx context.Context, args []string) error {
	cfg, a, err := setup(ctx, "serve", args, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	reg := prometheus.NewRegistry()
	broker, closeBroker, err := newBroker(ctx, cfg, a)
	if err != nil {
		return err
	}
	defer closeBroker()
	hub := realtime.NewHub(record{svc: a.svc, st: a.store}, broker, realtime.Options{Log: a.log, Registerer: reg,
		Admit: admit(a.svc), MaxPerSession: cfg.LiveMaxPerSession, MaxPerUser: cfg.LiveMaxPerUser})
	a.pub.hub.Store(hub)

	sv := surveys.NewService(surveys.Config{Store: a.store, Log: a.log,
		Throttle: surveys.Throttle{PerAddress: cfg.SurveyAnswersPerAddress}})
	web, err := httpapi.New(httpapi.Config{Service: a.svc, Surveys: sv, Signals: a.sig, Log: a.log, BaseURL: cfg.BaseURL, Live: hub, Registry: reg,
		ProxyHeader: cfg.ProxyHeader, TrustedProxies: cfg.TrustedProxies, MetricsToken: cfg.MetricsToken,
		RequestTimeout: cfg.RequestTimeout, PageCacheBytes: cfg.CacheMB << 20})
	if err != nil {
		return err
	}
	plain, err := net.Listen("tcp", fmt.Sprintf(":%d", cfg.Port))
	if err != nil {
		return err
	}
	ln := a.limitListener(cfg, plain, reg)
	reportIdle(web, ln)
	// The live endpoint takes a websocket's connection over from the HTTP server, which then
	// frees the request's state and buffer at once rather than hold them for the socket's life.
	web.Server().KeepHijackedConns = true
	if n, err := a.svc.RenderUnrendered(ctx); err != nil {
		a.log.Warn("unable to render the bodies written before they were rendered when written", "err", err)
	} else if n > 0 {
		a.log.Info("rendered bodies written before they were rendered when written", "count", n)
	}
	schedCtx, stopSched := context.WithCancel(context.Background())
	go a.svc.RunScheduler(schedCtx, time.Second, cfg.RequestTimeout)
	go sv.RunScheduler(schedCtx, time.Second, cfg.RequestTimeout)
	go a.mail.Run(schedCtx, time.Second, cfg.RequestTimeout)
	defer stopSched()

	a.log.Info("council platform listening", "address", cfg.BaseURL, "port", cfg.Port, "database", a.store.Dialect(), "fan_out", brokerName(cfg),
		"mail", mailState(a))
	a.announceAdmin(ctx, cfg.RequestTimeout)
	errc := make(chan error, 1)
	go func() { errc <- web.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	stopSched()
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hub.Shutdown(shutCtx); err != nil {
		a.log.Warn("live connections did not close in time", "err", err)
	}
	if err := web.ShutdownWithContext(shutCtx); err != nil {
		a.log.Warn("requests did not finish in time", "err", err)
	}
	a.log.Info("stopped")
	return nil
}

func brokerName(cfg config) string {
	if cfg.RedisURL == "" {
		return "in-process"
	}
	return "redis"
}

func newBroker(ctx context.Context, cfg config, a *app) (realtime.Broker, func(), error) {
	if cfg.RedisURL == "" {
		b := realtime.NewMemoryBroker()
		return b, func() { b.Close() }, nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL is not a redis:// address: %w", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		a.log.Warn("redis does not answer yet; live updates between processes resume when it does", "err", err)
	}
	b := realtime.NewRedisBroker(client, a.log, realtime.WithChannelPrefix(cfg.RedisPrefix))
	return b, func() { b.Close(); client.Close() }, nil
}

// announceAdmin tells the operator how to create the first admin when there is none.
func (a *app) announceAdmin(ctx context.Context, limit time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	ok, err := a.svc.HasAdmin(ctx)
	if err != nil || ok {
		return
	}
	bin := "go run ./server"
	if exe, err := os.Executable(); err == nil && !isGoRun(exe) {
		bin = exe
	}
	a.log.Warn("no site admin exists yet; create one with: echo 'a-long-password' | " + bin + " admin create --email you@example.org --name 'Your Name'   (or load the demo: " + bin + " demo)")
}

// isGoRun tells a binary built by `go run` (in a temporary directory) from an installed one.
func isGoRun(exe string) bool {
	return strings.Contains(exe, "go-build") || strings.HasPrefix(exe, os.TempDir())
}
