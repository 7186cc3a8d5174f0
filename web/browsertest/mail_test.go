package browsertest

import (
	"bytes"
	"io"
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

// mailbox is an SMTP server run inside the test: the mail the program sends arrives in it.
type mailbox struct {
	addr  string
	mu    sync.Mutex
	mails []sentMail
}

type sentMail struct {
	to, subject, body string
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	mb := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailboxSession{mb: mb}, nil }))
	srv.Domain, srv.ReadTimeout, srv.WriteTimeout = "localhost", 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mb.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return mb
}

// setting is the SMTP_URL that sends the program's mail here.
func (mb *mailbox) setting() string { return "SMTP_URL=smtp://" + mb.addr }

// link waits for a mail to addr with a link containing part and returns the link's path.
func (mb *mailbox) link(t *testing.T, addr, part string) string {
	t.Helper()
	re := regexp.MustCompile(`https?://[^/\s]+(/[^\s<>"]*)`)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		mb.mu.Lock()
		for i := len(mb.mails) - 1; i >= 0; i-- {
			if m := mb.mails[i]; m.to == addr {
				for _, l := range re.FindAllStringSubmatch(m.body, -1) {
					if strings.Contains(l[1], part) {
						mb.mu.Unlock()
						return l[1]
					}
				}
			}
		}
		mb.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no mail to %s with a %s link arrived", addr, part)
	return ""
}

type mailboxSession struct {
	mb *mailbox
	to string
}

func (s *mailboxSession) Reset()                                    {}
func (s *mailboxSession) Logout() error                             { return nil }
func (s *mailboxSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailboxSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }

func (s *mailboxSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	s.mb.mu.Lock()
	s.mb.mails = append(s.mb.mails, sentMail{to: s.to, subject: msg.Header.Get("Subject"), body: string(body)})
	s.mb.mu.Unlock()
	return nil
}
