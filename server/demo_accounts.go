package main

import (
	"context"
	"fmt"
	"io"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// demoMail adds to the demo what shows the accounts' side: an invitation still pending, in
// English, and a reply in the open round's debate, whose author is mailed about it; then it
// says how many mails the demo wrote and where to read them. Every other mail (invitations,
// rounds opened, results) was written by the demo's own steps, as in real use.
func demoMail(ctx context.Context, a *app, out io.Writer, baseURL string) error {
	svc := a.svc
	admin, err := a.store.UserByEmail(ctx, "admin@perushtitsa.example")
	if err != nil {
		return err
	}
	c, err := svc.Council(ctx, "grazhdani")
	if err != nil {
		return err
	}
	if _, _, err := svc.Invite(ctx, admin, c.ID, council.InviteInput{Email: "guest@perushtitsa.example", Name: "Guest Speaker",
		Role: model.RoleMember, Group: model.GroupCitizen, Language: "en"}); err != nil {
		return err
	}
	if err := demoReply(ctx, a); err != nil {
		return err
	}
	counts, err := a.store.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Fprintf(out, "\nThe demo wrote %d mails into the outbox. Read them, with their text, signed in as %s at %s/admin/outbox\n",
		total, admin.Email, baseURL)
	if a.mail.Enabled() {
		fmt.Fprintln(out, "SMTP_URL is set: `server serve` sends them.")
	} else {
		fmt.Fprintln(out, "No SMTP_URL is set, so they are kept there as not sent.")
	}
	return nil
}

// demoReply answers the first post of the open round's first topic, from another member.
func demoReply(ctx context.Context, a *app) error {
	replier, err := a.store.UserByEmail(ctx, "npo@perushtitsa.example")
	if err != nil {
		return err
	}
	c, err := a.svc.Council(ctx, "grazhdani")
	if err != nil {
		return err
	}
	rounds, err := a.svc.Rounds(ctx, replier, c.ID)
	if err != nil {
		return err
	}
	for _, r := range rounds {
		if r.Status != model.StatusOpen {
			continue
		}
		v, err := a.svc.RoundView(ctx, replier, r.ID, false)
		if err != nil || len(v.Topics) == 0 {
			return err
		}
		tv, err := a.svc.TopicView(ctx, replier, v.Topics[0].ID)
		if err != nil || len(tv.Topic.Posts) == 0 {
			return err
		}
		first := tv.Topic.Posts[0]
		_, err = a.svc.CreatePost(ctx, replier, tv.Topic.ID, council.PostInput{ReplyTo: &first.ID,
			Body: "Съгласна съм. Читалището може да помогне на по-възрастните хора със записването онлайн."})
		return err
	}
	return nil
}
