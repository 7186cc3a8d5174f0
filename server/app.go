package main

import (
	"context"
	"fmt"
	"log/slog"

	"council/server/council"
	"council/server/signals"
	"council/server/store"
)

// app is what every command shares: logger, migrated store, service.
type app struct {
	log   *slog.Logger
	store *store.Store
	svc   *council.Service
	sig   *signals.Service
	pub   *publisher
}

func openApp(ctx context.Context, cfg config) (*app, error) {
	log, err := newLogger(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	version, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	log.Debug("database ready", "dialect", st.Dialect(), "schema_version", version)
	pub := &publisher{}
	svc := council.NewService(council.Config{Store: st, Publisher: pub, Sessions: pub, Log: log, BaseURL: cfg.BaseURL})
	sig := signals.New(signals.Config{Store: st, Councils: svc, Log: log, AnswerDays: cfg.AnswerDays})
	return &app{log: log, store: st, svc: svc, sig: sig, pub: pub}, nil
}

func (a *app) Close() error { return a.store.Close() }

func migrate(ctx context.Context, args []string) error {
	_, a, err := setup(ctx, "migrate", args, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Printf("database (%s) is up to date\n", a.store.Dialect())
	return nil
}
