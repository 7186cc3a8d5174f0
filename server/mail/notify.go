package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
	"github.com/perushtitsa/council/web"
)

// Notify writes, inside a council's transaction, the notifications its appended events call
// for: a round opened (to the council's members), a round's results (to its members, sent
// once the record is stored, with its SHA-256), a reply (to the author of the post replied
// to). It is the one place notifications come from; the rules only append events.
func (o *Outbox) Notify(ctx context.Context, tx *store.Tx, evs []model.Event) error {
	if o == nil {
		return nil
	}
	for _, ev := range evs {
		var err error
		switch ev.Type {
		case events.RoundOpened:
			err = o.roundOpened(ctx, tx, ev)
		case events.RoundClosed:
			err = o.roundClosed(ctx, tx, ev)
		case events.PostCreated:
			err = o.reply(ctx, tx, ev)
		case events.FollowUpAdded:
			err = o.followUp(ctx, tx, ev)
		}
		if err != nil {
			return fmt.Errorf("mail: unable to notify %s: %w", ev.Type, err)
		}
	}
	return nil
}

// roundOf reads the round an event carries, with its council's name.
func roundOf(ctx context.Context, tx *store.Tx, ev model.Event) (*model.Round, *model.Council, error) {
	var p events.Round
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return nil, nil, err
	}
	r, err := tx.Reader().Round(ctx, p.ID)
	if err != nil {
		return nil, nil, err
	}
	c, err := tx.Reader().CouncilByID(ctx, r.CouncilID)
	return r, c, err
}

func (o *Outbox) roundOpened(ctx context.Context, tx *store.Tx, ev model.Event) error {
	r, c, err := roundOf(ctx, tx, ev)
	if err != nil {
		return err
	}
	return o.toMembers(ctx, tx, model.MailRoundOpened, func(lang string) Letter {
		data := map[string]string{"council": c.Name, "round": r.Title}
		if r.ClosesAt != nil {
			data["closes"] = o.When(lang, *r.ClosesAt)
		}
		return Letter{Kind: model.MailRoundOpened, Data: data, Link: o.URL("/rounds/" + itoa(r.ID))}
	})
}

func (o *Outbox) roundClosed(ctx context.Context, tx *store.Tx, ev model.Event) error {
	r, c, err := roundOf(ctx, tx, ev)
	if err != nil {
		return err
	}
	proposals, err := tx.Reader().Proposals(ctx, r.ID)
	if err != nil {
		return err
	}
	return o.toMembers(ctx, tx, model.MailRoundClosed, func(lang string) Letter {
		data := map[string]string{"council": c.Name, "round": r.Title, "results": o.results(lang, r, proposals),
			"summary": r.OutcomeSummary}
		return Letter{Kind: model.MailRoundClosed, Data: data, Link: o.URL("/rounds/" + itoa(r.ID)), RoundID: &r.ID}
	})
}

// results writes a closed round's results as lines of text: each proposal, its outcome and
// its counts.
func (o *Outbox) results(lang string, r *model.Round, proposals []model.Proposal) string {
	title := map[int64]string{}
	for _, p := range proposals {
		title[p.ID] = p.Title
	}
	var b strings.Builder
	for _, res := range r.Results {
		fmt.Fprintf(&b, "- %s: %s (%s)\n", title[res.ProposalID], o.T(lang, "outcome."+res.Outcome),
			o.T(lang, "mail.counts", res.For, res.Against, res.Abstain, res.Voters, res.Eligible))
	}
	if b.Len() == 0 {
		return o.T(lang, "mail.no_proposals")
	}
	return strings.TrimRight(b.String(), "\n")
}

// toMembers writes a letter of kind to every member of the council who wants it, in each
// one's language.
func (o *Outbox) toMembers(ctx context.Context, tx *store.Tx, kind string, letter func(lang string) Letter) error {
	members, err := tx.Recipients(ctx, kind)
	if err != nil {
		return err
	}
	byLang := map[string]Letter{}
	letters := make([]Letter, 0, len(members))
	for i := range members {
		u := &members[i]
		lang := web.Lang(u.Language)
		l, ok := byLang[lang]
		if !ok {
			l = letter(lang)
			byLang[lang] = l
		}
		l.User = u
		letters = append(letters, l)
	}
	return o.queueAll(ctx, tx, letters)
}

// reply tells the author of a post that someone else answered it.
func (o *Outbox) reply(ctx context.Context, tx *store.Tx, ev model.Event) error {
	var p events.Post
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	if p.ReplyTo == nil {
		return nil
	}
	rd := tx.Reader()
	parent, err := rd.Post(ctx, *p.ReplyTo)
	if err != nil {
		return err
	}
	if parent.Author.ID == p.Author.ID {
		return nil
	}
	author, err := tx.UserByID(ctx, parent.Author.ID)
	if err != nil {
		return err
	}
	if _, err := tx.Membership(ctx, author.ID); errors.Is(err, store.ErrNotFound) {
		return nil // no longer on the council: the round is not theirs to read
	} else if err != nil {
		return err
	}
	topic, err := rd.Topic(ctx, p.TopicID)
	if err != nil {
		return err
	}
	_, err = o.Queue(ctx, tx, Letter{Kind: model.MailReply, User: author,
		Data: map[string]string{"author": p.Author.Name, "topic": topic.Title, "excerpt": excerpt(p.Body, 600)},
		Link: o.URL("/topics/" + itoa(topic.ID) + "#post-" + itoa(p.ID))})
	return err
}

// followUp tells the council's members, who want results, what the municipality did with a
// proposal they adopted.
func (o *Outbox) followUp(ctx context.Context, tx *store.Tx, ev model.Event) error {
	var f events.FollowUp
	if err := json.Unmarshal(ev.Data, &f); err != nil {
		return err
	}
	rd := tx.Reader()
	p, err := rd.Proposal(ctx, f.ProposalID)
	if err != nil {
		return err
	}
	r, err := rd.Round(ctx, f.RoundID)
	if err != nil {
		return err
	}
	return o.toMembers(ctx, tx, model.MailFollowUp, func(lang string) Letter {
		data := map[string]string{"round": r.Title, "proposal": p.Title, "status": o.T(lang, "followup.status."+f.Status),
			"body": excerpt(f.Body, 2000), "unit": f.ResponsibleUnit}
		if f.DueDate != nil {
			data["due"] = *f.DueDate
		}
		return Letter{Kind: model.MailFollowUp, Data: data, Link: o.URL("/rounds/" + itoa(r.ID) + "#proposal-" + itoa(p.ID))}
	})
}

// excerpt cuts a text to at most n characters, at a word where it can.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \n"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + " …"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
