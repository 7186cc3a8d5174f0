package testenv

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// SMTP is a real SMTP server run inside the test (github.com/emersion/go-smtp): the mail the
// platform sends arrives in it, and it can refuse mail for a while, as servers do.
type SMTP struct {
	addr    string
	mu      sync.Mutex
	mails   []Mail
	refuse  *smtp.SMTPError
	refused int
	arrived chan struct{}
}

// Mail is one mail the test server accepted, its headers parsed and its text decoded.
type Mail struct {
	From    string
	To      []string
	Header  mail.Header
	Subject string
	Body    string
	Raw     []byte
}

// NewSMTP starts an SMTP server on a free loopback port until the test ends.
func NewSMTP(t testing.TB) *SMTP {
	t.Helper()
	s := &SMTP{arrived: make(chan struct{}, 1)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = nopLogger{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

// URL is the SMTP_URL that hands mail to this server.
func (s *SMTP) URL() string { return "smtp://" + s.addr }

// Refuse makes the server refuse every mail for now with code (451: try again later; 550:
// never), or accept them again with 0.
func (s *SMTP) Refuse(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		s.refuse = nil
		return
	}
	s.refuse = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: "not now"}
}

// Refused counts the mails the server refused.
func (s *SMTP) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Mails returns the mails accepted so far.
func (s *SMTP) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// WaitFor waits until at least n mails have arrived and returns them all; it fails the test
// after timeout.
func (s *SMTP) WaitFor(t testing.TB, n int, timeout time.Duration) []Mail {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if ms := s.Mails(); len(ms) >= n {
			return ms
		}
		select {
		case <-s.arrived:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("%d mails arrived, want %d", len(s.Mails()), n)
		}
	}
}

// To returns the mails accepted for an address.
func (s *SMTP) To(addr string) []Mail {
	var out []Mail
	for _, m := range s.Mails() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// Link returns the first link in the mail's text that contains part, or "".
func (m Mail) Link(part string) string {
	for _, l := range linkPattern.FindAllString(m.Body, -1) {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}

type smtpSession struct {
	s    *SMTP
	from string
	to   []string
}

func (c *smtpSession) Reset()        { c.from, c.to = "", nil }
func (c *smtpSession) Logout() error { return nil }

func (c *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	c.from = from
	return nil
}

func (c *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.refuse != nil {
		c.s.refused++
		return c.s.refuse
	}
	c.to = append(c.to, to)
	return nil
}

func (c *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Mail{From: c.from, To: c.to, Raw: raw}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = msg.Header
		m.Subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		body := io.Reader(msg.Body)
		if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		text, _ := io.ReadAll(body)
		m.Body = string(text)
	}
	c.s.mu.Lock()
	c.s.mails = append(c.s.mails, m)
	c.s.mu.Unlock()
	select {
	case c.s.arrived <- struct{}{}:
	default:
	}
	return nil
}

// Clear forgets the mails accepted so far.
func (s *SMTP) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mails = nil
}
