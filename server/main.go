// Command server runs the digital advisory council platform: pages, JSON API and live
// updates, on PostgreSQL and Redis in production or on an embedded SQLite file alone.
//
//	server [serve]                       run the platform (the default)
//	server migrate                       apply the database migrations and exit
//	server admin create --email E --name N   create a site admin; the password is read from stdin
//	server admin reset-password --email E    set an account's password (read from stdin)
//	server demo                          fill the database with the Perushtitsa demo
//	server backup FILE                   copy the SQLite database to FILE while it serves
//	server help                          list the commands and every setting
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(exitCode(err))
	}
}

func run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	err := dispatch(ctx, cmd, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(usage())
		return nil
	}
	return err
}

func dispatch(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "serve":
		return serve(ctx, args)
	case "migrate":
		return migrate(ctx, args)
	case "admin":
		switch {
		case len(args) > 0 && args[0] == "create":
			return adminCreate(ctx, args[1:], os.Stdin, os.Stdout)
		case len(args) > 0 && args[0] == "reset-password":
			return adminResetPassword(ctx, args[1:], os.Stdin, os.Stdout)
		}
		return fmt.Errorf("usage: server admin create --email EMAIL --name NAME, or server admin reset-password --email EMAIL (the password on standard input)")
	case "demo":
		return demo(ctx, args, os.Stdout)
	case "backup":
		return backup(ctx, args, os.Stdout)
	case "help":
		return flag.ErrHelp
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage())
}

const commands = `usage:
  server [serve] [flags]                      run the platform (default)
  server migrate [flags]                      apply database migrations and exit
  server admin create --email E --name N [flags]
                                              create a site admin (password read from stdin)
  server admin reset-password --email E [flags]
                                              set an account's password (read from stdin) and
                                              end its sessions, for a platform without mail
  server demo [flags]                         load the Perushtitsa demo data
  server backup FILE [flags]                  copy the SQLite database to a new FILE, while it serves
  server help                                 show this text
`

// usage is the text of `server help`, -h and a bad flag: the commands, then every setting of
// the table, so that it lists each one there is.
func usage() string {
	var b strings.Builder
	b.WriteString(commands)
	b.WriteString("\nsettings, each an environment variable and a flag; the flag wins, an empty variable is not set:\n")
	for _, s := range (&config{}).settings() {
		fmt.Fprintf(&b, "  %s, --%s", s.Name, s.flag())
		if s.Default != "" {
			fmt.Fprintf(&b, " (default %s)", s.Default)
		}
		fmt.Fprintf(&b, "\n        %s\n", s.Help)
	}
	return b.String()
}

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
