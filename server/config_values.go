package main

import (
	"errors"
	"log/slog"
	"math"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/perushtitsa/council/server/mail"
)

// value is the kind of value a setting takes, bound to its field: set checks a value as written
// in the environment or on the command line and stores it, or says what it must be. It is a
// flag.Value, so that the flag package and ff both set it.
type value struct {
	kind string // what it takes: text, number, duration, …; for the table's tests
	set  func(string) error
	get  func() string
}

func (v value) Set(s string) error { return v.set(s) }

func (v value) String() string {
	if v.get == nil { // the flag package asks a zero value for its text
		return ""
	}
	return v.get()
}

// text takes any text.
func text(p *string) value {
	return value{kind: "text",
		set: func(s string) error { *p = s; return nil },
		get: func() string { return *p }}
}

// number takes a whole number from lo to hi; want says so in words.
func number(kind string, p *int, lo, hi int, want string) value {
	return value{kind: kind,
		set: func(s string) error {
			n, err := strconv.Atoi(s)
			if err != nil || n < lo || n > hi {
				return errors.New("must be " + want)
			}
			*p = n
			return nil
		},
		get: func() string { return strconv.Itoa(*p) }}
}

// positive takes a whole number of at least one.
func positive(p *int) value {
	return number("positive", p, 1, math.MaxInt32, "a positive whole number")
}

// portNumber takes a TCP port; 0 lets the system choose one.
func portNumber(p *int) value {
	return number("port", p, 0, 65535, "a port number (up to 65535)")
}

// positiveDuration takes a Go duration longer than zero: 500ms, 10s, 1m.
func positiveDuration(p *time.Duration) value {
	return value{kind: "duration",
		set: func(s string) error {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return errors.New("must be a positive duration such as 10s")
			}
			*p = d
			return nil
		},
		get: func() string { return p.String() }}
}

// logLevel takes a level slog knows: debug, info, warn or error.
func logLevel(p *string) value {
	return value{kind: "level",
		set: func(s string) error {
			var l slog.Level
			if err := l.UnmarshalText([]byte(s)); err != nil {
				return errors.New("must be debug, info, warn or error")
			}
			*p = s
			return nil
		},
		get: func() string { return *p }}
}

// webAddress takes an http:// or https:// address, or nothing.
func webAddress(p *string) value {
	return value{kind: "web address",
		set: func(s string) error {
			u, err := url.Parse(s)
			if s != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
				return errors.New("must be an http:// or https:// address")
			}
			*p = s
			return nil
		},
		get: func() string { return *p }}
}

// redisAddress takes what go-redis can dial (redis://, rediss://, unix://), or nothing.
func redisAddress(p *string) value {
	return value{kind: "redis address",
		set: func(s string) error {
			if s != "" {
				if _, err := redis.ParseURL(s); err != nil {
					return errors.New("must be a redis://, rediss:// or unix:// address")
				}
			}
			*p = s
			return nil
		},
		get: func() string { return *p }}
}

// addressList takes IPs and CIDR ranges separated by commas. Fiber would skip a bad range with
// a warning and never match a misspelt address, so a typo would quietly trust no proxy.
func addressList(p *[]string) value {
	return value{kind: "addresses",
		set: func(s string) error {
			var out []string
			for a := range strings.SplitSeq(s, ",") {
				if a = strings.TrimSpace(a); a == "" {
					continue
				}
				if ip := net.ParseIP(a); ip != nil {
					a = ip.String() // as Fiber compares it with the peer's address
				} else if _, _, err := net.ParseCIDR(a); err != nil {
					return errors.New("must be IPs or CIDR ranges separated by commas")
				}
				out = append(out, a)
			}
			*p = out
			return nil
		},
		get: func() string { return strings.Join(*p, ",") }}
}

// smtpAddress takes an smtp:// or smtps:// address, or nothing. Its password is never shown.
func smtpAddress(p *string) value {
	return value{kind: "smtp address",
		set: func(s string) error {
			if err := mail.ValidSMTPURL(s); err != nil {
				return errors.New("must be smtp://[user:password@]host[:port] or smtps://…")
			}
			*p = s
			return nil
		},
		get: func() string { return *p }}
}

// mailAddress takes an email address (a name may go with it: Council <council@example.org>),
// or nothing.
func mailAddress(p *string) value {
	return value{kind: "mail address",
		set: func(s string) error {
			if s != "" {
				if _, err := netmail.ParseAddress(s); err != nil {
					return errors.New("must be an email address")
				}
			}
			*p = s
			return nil
		},
		get: func() string { return *p }}
}
