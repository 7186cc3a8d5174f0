package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// smtpServer is where mail is handed over, as SMTP_URL names it.
type smtpServer struct {
	host     string
	port     int
	tls      bool // smtps: TLS from the start; smtp: STARTTLS where the server offers it
	user     string
	password string
}

// parseSMTP reads smtp://user:pass@host:port or smtps://…; the port defaults to 25 and 465.
func parseSMTP(raw string) (*smtpServer, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…")
	}
	s := &smtpServer{host: u.Hostname(), port: 25, tls: u.Scheme == "smtps"}
	if s.tls {
		s.port = 465
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, errors.New("SMTP_URL has a port that is not a number up to 65535")
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	return s, nil
}

// ValidSMTPURL reports what is wrong with an SMTP_URL, or nil; "" is valid (mail off).
func ValidSMTPURL(raw string) error {
	if raw == "" {
		return nil
	}
	_, err := parseSMTP(raw)
	return err
}

// dial connects to the server, ready to send.
func (s *smtpServer) dial(ctx context.Context) (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(30 * time.Second)}
	if s.tls {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.user),
			gomail.WithPassword(s.password))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: unable to set up the SMTP client: %w", err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// fromAddress is the From of every mail: the one configured, else council@ the site's host
// (council@localhost when the site is reached by an IP address).
func fromAddress(from, base string) (string, error) {
	if from != "" {
		if err := gomail.NewMsg().From(from); err != nil {
			return "", fmt.Errorf("MAIL_FROM is not an address: %w", err)
		}
		return from, nil
	}
	host := "localhost"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" && net.ParseIP(u.Hostname()) == nil {
		host = u.Hostname()
	}
	return "council@" + host, nil
}
