package mail

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/perushtitsa/council/server/model"
)

// Retry is how long and how often a mail the SMTP server refuses for now is tried again.
type Retry struct {
	First time.Duration // the wait after the first failure; it doubles with each failure
	Most  time.Duration // the longest wait
	For   time.Duration // after this long since it was written, a mail is given up as failed
}

// DefaultRetry retries after 30 s, 1 min, 2 min … up to an hour apart, for a day.
var DefaultRetry = Retry{First: 30 * time.Second, Most: time.Hour, For: 24 * time.Hour}

// Batch is how many mails one pass of the sender claims, and Lease how long it holds them: a
// process that stops while sending leaves its mails to others once the lease ends.
const (
	Batch = 20
	Lease = 5 * time.Minute
)

// SendDue sends the mails that are due, a batch at a time, until none is left or ctx ends,
// and returns how many were sent. Each mail is claimed before it is sent, so that processes
// sending at once never send one mail twice. Without an SMTP server, mails written while
// there was one are marked not sent.
func (o *Outbox) SendDue(ctx context.Context) (int, error) {
	if o == nil {
		return 0, nil
	}
	sent := 0
	for ctx.Err() == nil {
		now := o.now()
		mails, err := o.st.ClaimMails(ctx, now, now.Add(Lease), Batch)
		if err != nil || len(mails) == 0 {
			return sent, err
		}
		n, err := o.sendBatch(ctx, mails)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, ctx.Err()
}

// sendBatch hands claimed mails to the SMTP server over one connection and records how each
// ended. A connection that cannot be made puts every mail back for later.
func (o *Outbox) sendBatch(ctx context.Context, mails []model.Mail) (int, error) {
	if !o.Enabled() {
		for _, m := range mails {
			if err := o.st.FinishMail(ctx, m.ID, model.MailNotSent, noSMTP, o.now()); err != nil {
				return 0, err
			}
		}
		return 0, nil
	}
	client, err := o.smtp.dial(ctx)
	if err != nil {
		for _, m := range mails {
			o.record(ctx, m, fmt.Errorf("connecting to the SMTP server: %w", err), true)
		}
		return 0, nil
	}
	defer client.Close()
	sent := 0
	for _, m := range mails {
		msg, err := o.message(m)
		if err != nil {
			o.record(ctx, m, err, false)
			continue
		}
		err = client.Send(msg)
		o.record(ctx, m, err, temporary(err))
		if err == nil {
			sent++
		}
	}
	return sent, nil
}

// temporary tells a refusal worth trying again (4xx, a broken connection) from a final one
// (5xx: no such mailbox, refused for good).
func temporary(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 500 && code < 600 {
			return false
		}
		return se.IsTemp() || se.ErrorCode() == 0 || (se.ErrorCode() >= 400 && se.ErrorCode() < 500)
	}
	return true
}

// record writes how a claimed mail's attempt ended: sent; back in the queue with a wait that
// doubles with each attempt; or failed, when the refusal is final or the mail has waited a day.
func (o *Outbox) record(ctx context.Context, m model.Mail, sendErr error, retry bool) {
	now := o.now()
	var err error
	switch {
	case sendErr == nil:
		err = o.st.FinishMail(ctx, m.ID, model.MailSent, "", now)
	case retry && now.Add(o.retries.wait(m.Attempts)).Before(m.CreatedAt.Add(o.retries.For)):
		err = o.st.RetryMail(ctx, m.ID, describe(sendErr), now.Add(o.retries.wait(m.Attempts)))
	default:
		msg := describe(sendErr)
		if retry {
			msg = "given up after " + o.retries.For.String() + ": " + msg
		}
		err = o.st.FinishMail(ctx, m.ID, model.MailFailed, msg, now)
		// The reason, which may name the address, is in the outbox for the admins, not in the log.
		o.log.Warn("a mail could not be delivered; the admins' outbox says why", "mail", m.ID, "kind", m.Kind)
	}
	if err != nil {
		o.log.Error("unable to record a mail's delivery", "mail", m.ID, "err", err)
	}
}

// wait is how long to wait after the attempts-th failure.
func (r Retry) wait(attempts int) time.Duration {
	d := r.First << min(max(attempts-1, 0), 30)
	if d <= 0 || d > r.Most {
		d = r.Most
	}
	return d
}

// describe keeps a delivery error short enough for the outbox, on one line.
func describe(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

// message builds the mail as it goes out: plain text in its recipient's language, with a
// Message-ID of its own (so a copy resent after a crash is recognised) and, for a
// notification, the one-click unsubscribe of RFC 8058.
func (o *Outbox) message(m model.Mail) (*gomail.Msg, error) {
	v := o.view(m)
	body, err := o.tpl.render(m.Kind, m.Lang, "body", v)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg()
	if err := msg.From(o.from); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("the address %q is not one mail can go to: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue("mail-" + strconv.FormatInt(m.ID, 10) + "." + o.sign(strconv.FormatInt(m.ID, 10), "message-id")[:12] + "@" + domainOf(o.from))
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderContentLang, m.Lang)
	if v.Unsubscribe != "" {
		msg.SetGenHeaderPreformatted("List-Unsubscribe", "<"+v.Unsubscribe+">")
		msg.SetGenHeaderPreformatted("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, body+"\n")
	return msg, nil
}

func domainOf(addr string) string {
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		return strings.Trim(addr[i+1:], "<>[] ")
	}
	return "localhost"
}

// Run sends due mails every interval, and writes the reminders of rounds closing within a
// day every minute, until ctx ends. Every process runs it; each pass waits for the database
// at most limit.
func (o *Outbox) Run(ctx context.Context, every, limit time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	lastReminders := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(lastReminders) >= time.Minute {
			lastReminders = time.Now()
			o.pass(ctx, limit, "unable to write closing-soon reminders", o.RemindClosingSoon)
		}
		o.pass(ctx, 2*Lease, "unable to send mail", o.SendDue)
	}
}

func (o *Outbox) pass(ctx context.Context, limit time.Duration, what string, f func(context.Context) (int, error)) {
	pass, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if _, err := f(pass); err != nil && ctx.Err() == nil {
		o.log.Error(what, "err", err)
	}
}
