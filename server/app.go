package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/mail"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/server/store"
)

// app is what every command shares: logger, migrated store, service, outbox.
type app struct {
	log   *slog.Logger
	store *store.Store
	svc   *council.Service
	sig   *signals.Service
	pub   *publisher
	mail  *mail.Outbox
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
	out, err := mail.New(ctx, mail.Config{Store: st, SMTPURL: cfg.SMTPURL, From: cfg.MailFrom, BaseURL: cfg.BaseURL, Log: log})
	if err != nil {
		st.Close()
		return nil, err
	}
	pub := &publisher{}
	svc := council.NewService(council.Config{Store: st, Publisher: pub, Sessions: pub, Log: log, BaseURL: cfg.BaseURL, Mail: out,
		RecordCacheBytes: cfg.CacheMB << 20})
	sig := signals.New(signals.Config{Store: st, Councils: svc, Notifier: mailer(out), Log: log, AnswerDays: cfg.AnswerDays})
	return &app{log: log, store: st, svc: svc, sig: sig, pub: pub, mail: out}, nil
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

// mailer is the outbox as signals' notifier: none when there is no outbox, so that signals
// see a nil interface rather than a nil outbox in one.
func mailer(out *mail.Outbox) signals.Notifier {
	if out == nil {
		return nil
	}
	return out
}
