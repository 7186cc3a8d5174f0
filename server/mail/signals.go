package mail

import (
	"context"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/web"
)

// SignalReceived mails a signal's sender, where they left an address, its tracking code:
// the platform keeps only the code's hash, so this mail is their one reminder of it. The
// tracking link is kept only until the mail is sent. It runs inside the signal's transaction.
func (o *Outbox) SignalReceived(ctx context.Context, tx *store.SiteTx, sg *model.Signal, code string) error {
	if o == nil || sg.SenderEmail == "" {
		return nil
	}
	_, err := o.Queue(ctx, tx, Letter{Kind: model.MailSignalReceived, To: sg.SenderEmail, Lang: senderLang(sg),
		Data: map[string]string{"name": sg.SenderName, "title": sg.Title, "code": code},
		Link: o.URL("/signals/track/" + code), Secret: true})
	return err
}

// SignalAnswered mails a signal's sender, where they left an address, an officer's answer,
// public or private, inside the answer's transaction.
func (o *Outbox) SignalAnswered(ctx context.Context, tx *store.SiteTx, sg *model.Signal, a *model.SignalAnswer) error {
	if o == nil || sg.SenderEmail == "" {
		return nil
	}
	lang := senderLang(sg)
	data := map[string]string{"name": sg.SenderName, "title": sg.Title, "answer": excerpt(a.Body, 4000),
		"status": o.T(lang, "signal.status."+a.Status)}
	link := o.URL("/signals/track")
	if sg.Published() {
		link = o.URL("/signals/public/" + itoa(sg.ID))
	}
	_, err := o.Queue(ctx, tx, Letter{Kind: model.MailSignalAnswered, To: sg.SenderEmail, Lang: lang, Data: data, Link: link})
	return err
}

// senderLang is the language a signal's sender gets mail in: the one they wrote the form in,
// else the one their text is in.
func senderLang(sg *model.Signal) string {
	if sg.SenderLang != "" {
		return sg.SenderLang
	}
	if l := web.LangOf(sg.Title + " " + sg.Body); l != "" {
		return l
	}
	return web.DefaultLang
}
