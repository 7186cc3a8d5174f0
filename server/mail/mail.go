// Package mail writes the platform's mail and sends it. Every mail goes into the outbox table
// in the same transaction as the change that causes it, in the language of its recipient; a
// sender in every process delivers what is due over SMTP, each mail once, retrying for a day
// while the server refuses it for now. Notifications of a council's events are derived in one
// place (Notify) from the events a council transaction appends; reminders before a round
// closes are written by a job that every process runs (RemindClosingSoon). Without an SMTP
// server nothing is mailed, and every mail is still kept, as not sent, for the admins to see.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/web"
)

// Config wires the outbox and its sender.
type Config struct {
	Store *store.Store
	// SMTPURL is the SMTP server: smtp://user:pass@host:port (STARTTLS where offered) or
	// smtps://… (TLS from the start). Empty: nothing is mailed, and mails are kept as not sent.
	SMTPURL string
	From    string // the From address; empty: council@ and BaseURL's host
	BaseURL string // the links in mails point here
	Log     *slog.Logger
	Clock   func() time.Time // the rules' time; nil: time.Now
}

// Outbox writes mails and sends them.
type Outbox struct {
	st      *store.Store
	tpl     *templates
	tr      *web.Translator
	base    string
	from    string
	smtp    *smtpServer // nil: mail is off
	key     []byte      // signs unsubscribe links
	log     *slog.Logger
	now     func() time.Time
	retries Retry
}

// New builds the outbox; it reads (or, the first time, stores) the key unsubscribe links are
// signed with, so that every process signs alike.
func New(ctx context.Context, cfg Config) (*Outbox, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	tpl, err := loadTemplates()
	if err != nil {
		return nil, err
	}
	tr, err := web.Translations()
	if err != nil {
		return nil, err
	}
	o := &Outbox{st: cfg.Store, tpl: tpl, tr: tr, base: strings.TrimRight(cfg.BaseURL, "/"), log: cfg.Log,
		now: cfg.Clock, retries: DefaultRetry}
	if cfg.SMTPURL != "" {
		if o.smtp, err = parseSMTP(cfg.SMTPURL); err != nil {
			return nil, err
		}
	}
	if o.from, err = fromAddress(cfg.From, o.base); err != nil {
		return nil, err
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	key, err := cfg.Store.SigningKey(ctx, "unsubscribe", base64.RawURLEncoding.EncodeToString(fresh))
	if err != nil {
		return nil, err
	}
	if o.key, err = base64.RawURLEncoding.DecodeString(key); err != nil {
		return nil, fmt.Errorf("mail: the stored unsubscribe key is not readable: %w", err)
	}
	return o, nil
}

// Enabled reports whether mail is sent at all (an SMTP server is configured).
func (o *Outbox) Enabled() bool { return o != nil && o.smtp != nil }

// Letter is a mail to write.
type Letter struct {
	Kind string
	To   string      // the address; the user's own when User is set and To is empty
	User *model.User // the recipient's account; nil for someone without one (an invitation)
	Lang string      // the language when there is no account
	Data map[string]string
	// Link is what the mail points to: a page, or — Secret — a link that lets its holder in,
	// kept only until the mail is sent.
	Link   string
	Secret bool
	// RoundID makes the mail wait for the round's record, whose digest it carries.
	RoundID      *int64
	InvitationID *int64
}

// Mail statuses beyond the outbox's own: a mail its recipient switched off was not written.
const StatusOff = "off"

// noSMTP is why a mail is not sent without an SMTP server.
const noSMTP = "no SMTP server is configured (SMTP_URL)"

// queuer is a transaction the outbox writes into: a council's, or an account's.
type queuer interface {
	QueueMails(ctx context.Context, ms []*model.Mail) error
}

// Queue writes a letter into the outbox inside q's transaction and returns the status it was
// written with: queued, not_sent when mail is off, or StatusOff (nothing written) when its
// recipient switched that kind of mail off or has been erased.
func (o *Outbox) Queue(ctx context.Context, q queuer, l Letter) (string, error) {
	if o == nil {
		return "", nil
	}
	m, err := o.prepare(l)
	if err != nil || m == nil {
		return StatusOff, err
	}
	if err := q.QueueMails(ctx, []*model.Mail{m}); err != nil {
		return "", err
	}
	return m.Status, nil
}

// queueAll writes letters into the outbox inside q's transaction in one statement (a batch of
// them), skipping those whose recipients do not want them: a council's lock is held for one
// round trip, not one per member.
func (o *Outbox) queueAll(ctx context.Context, q queuer, letters []Letter) error {
	ms := make([]*model.Mail, 0, len(letters))
	for _, l := range letters {
		m, err := o.prepare(l)
		if err != nil {
			return err
		}
		if m != nil {
			ms = append(ms, m)
		}
	}
	return q.QueueMails(ctx, ms)
}

// prepare makes the outbox row of a letter, its subject rendered; nil when its recipient
// switched that kind of mail off or has been erased.
func (o *Outbox) prepare(l Letter) (*model.Mail, error) {
	m := &model.Mail{Kind: l.Kind, To: l.To, Lang: web.Lang(l.Lang), Data: map[string]string{}, RoundID: l.RoundID,
		InvitationID: l.InvitationID, Status: model.MailNotSent}
	for k, v := range l.Data {
		m.Data[k] = v
	}
	if u := l.User; u != nil {
		if u.Erased() || !u.Notify.Wants(l.Kind) {
			return nil, nil
		}
		m.UserID, m.Lang, m.Data["name"] = &u.ID, web.Lang(u.Language), u.Name
		if m.To == "" {
			m.To = u.Email
		}
	}
	if l.Secret {
		m.Secret = l.Link
	} else if l.Link != "" {
		m.Data["link"] = l.Link
	}
	if o.Enabled() {
		m.Status = model.MailQueued
	} else {
		m.LastError = noSMTP
	}
	var err error
	if m.Subject, err = o.tpl.render(m.Kind, m.Lang, "subject", view{Data: m.Data}); err != nil {
		return nil, err
	}
	return m, nil
}

// URL is a path of the site as mails link to it.
func (o *Outbox) URL(path string) string { return o.base + path }

// T translates a key into a language, for the words a caller puts in a letter's data.
func (o *Outbox) T(lang, key string, args ...any) string { return o.tr.T(web.Lang(lang), key, args...) }

// When writes a moment as the mails of a language do: "5 юни 2025 г., 14:30 ч.".
func (o *Outbox) When(lang string, t time.Time) string {
	return web.FormatDateTime(o.tr, web.Lang(lang), t)
}

// Body renders the text of a mail as it is (or was) sent, its secret link withheld when it
// is no longer kept: for the admins' view of the outbox.
func (o *Outbox) Body(m model.Mail) (string, error) {
	return o.tpl.render(m.Kind, m.Lang, "body", o.view(m))
}

// view is what a stored mail's template fills in.
func (o *Outbox) view(m model.Mail) view {
	v := view{Data: m.Data, Link: m.Data["link"], SHA256: m.RecordSHA256}
	if m.Secret != "" {
		v.Link = m.Secret
	} else if v.Link == "" {
		v.Link = "…"
	}
	if pref := model.PreferenceOf(m.Kind); m.UserID != nil && isNotification(pref) {
		v.Unsubscribe = o.UnsubscribeURL(*m.UserID, pref)
	}
	return v
}

func isNotification(kind string) bool {
	for _, k := range model.NotifyKinds {
		if k == kind {
			return true
		}
	}
	return false
}
