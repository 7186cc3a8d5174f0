package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/perushtitsa/council/realtime"
)

// adminResetPassword sets an account's password from the command line, reading it as one line
// from in, and ends the account's sessions. With REDIS_URL it also tells the serving processes
// to close those sessions' live connections; without it, they close when they next check.
func adminResetPassword(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	var email string
	cfg, a, err := setup(ctx, "admin reset-password", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account's email (required)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if email == "" {
		return errors.New("--email is required")
	}
	password, err := readPassword(in, "server admin reset-password --email E")
	if err != nil {
		return err
	}
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return err
		}
		client := redis.NewClient(opts)
		defer client.Close()
		a.pub.control = realtime.NewRedisBroker(client, a.log, realtime.WithChannelPrefix(cfg.RedisPrefix))
	}
	u, err := a.svc.SetPasswordByOperator(ctx, email, password)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(out, "set a new password for %s <%s> (id %d); every session of the account has ended\n", u.Name, u.Email, u.ID)
	return nil
}

// readPassword reads a password given as one line on standard input.
func readPassword(in io.Reader, example string) (string, error) {
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("give the password as one line on standard input, e.g. echo 'long-password' | %s", example)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// mailState says in the start-up log whether and where mail goes, never with a password.
func mailState(a *app) string {
	if a.mail.Enabled() {
		return "smtp"
	}
	return "off (no SMTP_URL): mails are kept in the outbox as not sent"
}
