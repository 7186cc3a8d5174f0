// Command server runs the digital advisory council platform: pages, JSON API and live
// updates, on PostgreSQL and Redis in production or on an embedded SQLite file alone.
//
//	server [serve]                       run the platform (the default)
//	server migrate                       apply the database migrations and exit
//	server admin create --email E --name N   create a site admin; the password is read from stdin
//	server demo                          fill the database with the Perushtitsa demo
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args)
	case "migrate":
		return migrate(ctx, args)
	case "admin":
		if len(args) == 0 || args[0] != "create" {
			return fmt.Errorf("usage: server admin create --email EMAIL --name NAME (password on standard input)")
		}
		return adminCreate(ctx, args[1:], os.Stdin, os.Stdout)
	case "demo":
		return demo(ctx, args, os.Stdout)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage:
  server [serve] [flags]                      run the platform (default)
  server migrate [flags]                      apply database migrations and exit
  server admin create --email E --name N      create a site admin (password read from stdin)
  server demo [flags]                         load the Perushtitsa demo data
flags (each also an environment variable): --port PORT, --database-url DATABASE_URL,
  --redis-url REDIS_URL, --base-url BASE_URL, --log-level LOG_LEVEL, --max-connections MAX_CONNECTIONS,
  --max-pending-connections MAX_PENDING_CONNECTIONS, --first-request-timeout FIRST_REQUEST_TIMEOUT,
  --request-timeout REQUEST_TIMEOUT`

// setup reads the configuration and opens the migrated database.
func setup(ctx context.Context, name string, args []string, extra func(*flag.FlagSet)) (config, *app, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if extra != nil {
		extra(fs)
	}
	cfg, err := parseConfig(fs, args)
	if err != nil {
		return cfg, nil, err
	}
	a, err := openApp(ctx, cfg)
	return cfg, a, err
}
