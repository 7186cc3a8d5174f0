package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3"

	"github.com/perushtitsa/council/server/httpapi"
)

// config is the process's configuration: each field is filled by one line of settings.
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
	TrustedProxies []string

	// Limits on client connections; see server/netlimit.
	MaxConns            int
	MaxPending          int
	FirstRequestTimeout time.Duration
	// RequestTimeout is how long a request may wait for the database before it answers 503.
	RequestTimeout time.Duration
	// SurveyAnswersPerAddress bounds the public answers to one survey from one address an hour.
	SurveyAnswersPerAddress int
	// AnswerDays is the time the municipality gives itself to answer a signal.
	AnswerDays int
	// CacheMB bounds, in megabytes, each of the two caches of closed rounds: their records and
	// their anonymous pages (with the archive's first page).
	CacheMB int

	// Mail: the SMTP server and the From address; without SMTPURL nothing is mailed.
	SMTPURL  string
	MailFrom string
}

// setting is one line of the configuration: an environment variable and the flag of the same
// name in lower case with dashes (PORT, --port). The flag wins over the variable, the variable
// over the default; an empty variable counts as not set.
type setting struct {
	Name    string // the environment variable
	Default string // as it would be written in the environment; "" for none
	Value   value  // the kind of value it takes, bound to its field of config
	Help    string // one line for the usage text
}

// flag is the setting's flag name, the one ff reads the environment variable Name for.
func (s setting) flag() string {
	return strings.ReplaceAll(strings.ToLower(s.Name), "_", "-")
}

// settings is the table of every setting, bound to the fields of c. It is the one place a
// setting is declared: the flags, the environment, the usage text and their checks come from
// it, and a test holds the README's table to it.
func (c *config) settings() []setting {
	return []setting{
		{"PORT", "3000", portNumber(&c.Port), "TCP port to listen on"},
		{"DATABASE_URL", "", text(&c.DatabaseURL), "postgres://… or sqlite:PATH; empty: council.db in the working directory"},
		{"REDIS_URL", "", redisAddress(&c.RedisURL), "redis://… for fan-out between processes; empty: in-process only"},
		{"BASE_URL", "", webAddress(&c.BaseURL), "public address, e.g. https://council.example.org; empty: http://localhost:PORT"},
		{"LOG_LEVEL", "info", logLevel(&c.LogLevel), "debug, info, warn or error"},
		{"REDIS_PREFIX", "council:events:", text(&c.RedisPrefix), "prefix of the Redis channels, so deployments sharing a Redis stay apart"},
		{"PROXY_HEADER", "", text(&c.ProxyHeader), "header carrying the client address behind a trusted proxy, e.g. X-Forwarded-For"},
		{"TRUSTED_PROXIES", "127.0.0.1,::1", addressList(&c.TrustedProxies), "comma-separated IPs or CIDR ranges whose PROXY_HEADER and X-Forwarded-* are believed"},
		{"METRICS_TOKEN", "", text(&c.MetricsToken), "bearer token for /metrics; empty turns /metrics off"},
		{"LIVE_MAX_PER_SESSION", "8", positive(&c.LiveMaxPerSession), "websockets one session may hold on a process"},
		{"LIVE_MAX_PER_USER", "24", positive(&c.LiveMaxPerUser), "websockets one user may hold on a process"},
		// 30,000 connections serve 10,000 live members on one process: each holds a websocket
		// and, between requests, a keep-alive connection or two.
		{"MAX_CONNECTIONS", "30000", positive(&c.MaxConns), "client connections open at once, websockets included; also bounded by the open file limit"},
		{"MAX_PENDING_CONNECTIONS", "4096", positive(&c.MaxPending), "connections waiting for their first request at once; the oldest is closed to make room"},
		{"FIRST_REQUEST_TIMEOUT", "10s", positiveDuration(&c.FirstRequestTimeout), "time a new connection has to send its first request"},
		{"REQUEST_TIMEOUT", httpapi.DefaultRequestTimeout.String(), positiveDuration(&c.RequestTimeout), "how long a request may wait for the database before it answers 503, e.g. 10s"},
		{"SURVEY_ANSWERS_PER_ADDRESS", "30", positive(&c.SurveyAnswersPerAddress), "answers to one public survey one client address may send an hour"},
		{"ANSWER_DAYS", "30", positive(&c.AnswerDays), "days the municipality gives itself to answer a signal; the analysis publishes the share answered within them"},
		{"CACHE_MB", "64", positive(&c.CacheMB), "megabytes each for the closed rounds' records and public pages kept ready in memory (two caches)"},
		{"SMTP_URL", "", smtpAddress(&c.SMTPURL), "smtp://user:pass@host:port (STARTTLS where offered) or smtps://…; empty: nothing is mailed, mails are kept as not sent"},
		{"MAIL_FROM", "", mailAddress(&c.MailFrom), "the From address of mails; empty: council@ the host of BASE_URL"},
	}
}

// parseConfig applies the settings' defaults, then the flags of fs from args (fs may hold a
// command's own flags besides), then the environment variables of the settings no flag set. A
// value a setting refuses is an error that names the variable or flag it came from.
func parseConfig(fs *flag.FlagSet, args []string) (config, error) {
	var cfg config
	table := cfg.settings()
	for _, s := range table {
		if err := s.Value.Set(s.Default); err != nil {
			return cfg, fmt.Errorf("the default of %s %v", s.Name, err) // a fault of the table; its test catches it
		}
	}
	given, err := fromFlags(fs, table, args)
	if err != nil {
		return cfg, err
	}
	if err := fromEnvironment(table, given); err != nil {
		return cfg, err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = fmt.Sprintf("http://localhost:%d", cfg.Port)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return cfg, nil
}

// fromFlags parses args with the settings' flags added to fs and says which flags were given.
// -h and --help give flag.ErrHelp; a flag fs does not know is an error followed by the usage.
func fromFlags(fs *flag.FlagSet, table []setting, args []string) (map[string]bool, error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var bad error
	for _, s := range table {
		fs.Var(reporting{s.Value, "--" + s.flag(), &bad}, s.flag(), s.Help)
	}
	switch err := fs.Parse(args); {
	case bad != nil:
		return nil, bad
	case err == flag.ErrHelp:
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w\n\n%s", err, usage())
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q\n\n%s", fs.Arg(0), usage())
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given, nil
}

// fromEnvironment sets the settings no flag set whose variables are set and not empty. ff reads
// the variables for a flag set of the settings alone, so that a command's own flags (admin
// create --email) are never read from the environment: EMAIL is a common variable of its own.
func fromEnvironment(table []setting, given map[string]bool) error {
	fs := flag.NewFlagSet("environment", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var bad error
	for _, s := range table {
		if !given[s.flag()] {
			fs.Var(reporting{s.Value, s.Name, &bad}, s.flag(), s.Help)
		}
	}
	if err := ff.Parse(fs, nil, ff.WithEnvVars()); err != nil {
		return cmp.Or(bad, err)
	}
	return nil
}

// reporting is a setting's value as one source (a variable or a flag) sets it: the first value
// refused is kept in bad, with the source's name, for the flag package hides the error.
type reporting struct {
	value
	source string
	bad    *error
}

func (r reporting) Set(s string) error {
	err := r.value.Set(s)
	if err != nil && *r.bad == nil {
		*r.bad = fmt.Errorf("%s %v, got %q", r.source, err, s)
	}
	return err
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
