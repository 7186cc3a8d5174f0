package council

import (
	"context"
	"errors"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Agenda lists the open rounds of the viewer's councils, the soonest closing first, each with
// the proposals still waiting for the viewer's vote.
func (s *Service) Agenda(ctx context.Context, viewer *model.User) ([]model.AgendaItem, error) {
	if viewer == nil {
		return nil, errUnauth
	}
	return s.st.Agenda(ctx, viewer.ID)
}

// PersonalData is everything the platform holds about one person: what they gave, what they
// wrote, how they voted where the ballot was open, how they are signed in, what was mailed to
// them.
type PersonalData struct {
	User        *model.User
	Memberships []model.Membership
	Councils    map[int64]model.Council
	Topics      []model.Topic
	Posts       []model.Post
	Proposals   []model.Proposal
	Votes       []model.MyVote
	Sessions    []model.Session
	Mails       []model.Mail
}

// Export gathers the viewer's personal data.
func (s *Service) Export(ctx context.Context, viewer *model.User) (*PersonalData, error) {
	if viewer == nil {
		return nil, errUnauth
	}
	d := &PersonalData{User: viewer, Councils: map[int64]model.Council{}}
	var err error
	if d.Memberships, err = s.st.Memberships(ctx, viewer.ID); err != nil {
		return nil, err
	}
	for _, m := range d.Memberships {
		c, err := s.st.Council(ctx, itoa(m.CouncilID))
		if err != nil {
			return nil, err
		}
		d.Councils[c.ID] = *c
	}
	steps := []func() error{
		func() (err error) { d.Topics, err = s.st.TopicsBy(ctx, viewer.ID); return },
		func() (err error) { d.Posts, err = s.st.PostsBy(ctx, viewer.ID); return },
		func() (err error) { d.Proposals, err = s.st.ProposalsBy(ctx, viewer.ID); return },
		func() (err error) { d.Votes, err = s.st.OpenBallotVotesBy(ctx, viewer.ID); return },
		func() (err error) { d.Sessions, err = s.st.Sessions(ctx, viewer.ID, s.now()); return },
		func() (err error) { d.Mails, err = s.st.MailsTo(ctx, viewer.ID); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Erase erases the viewer's account at their request, once they confirm with their password
// (throttled like a sign-in from address): their seats are given up (member.left in each
// council), every session ends with its live connections, their email, password and
// organisation are deleted, and from then on they go by model.ErasedName wherever the
// platform renders their name — in the events of the record too, except the frozen records of
// rounds already closed, which keep their bytes as published.
func (s *Service) Erase(ctx context.Context, sess *Session, password, address string) error {
	if sess == nil {
		return errUnauth
	}
	u := sess.User
	if err := s.checkCurrentPassword(ctx, u, "password", password, address); err != nil {
		return err
	}
	if u.IsAdmin() {
		if n, err := s.st.CountUsersWithRole(ctx, model.SiteAdmin); err != nil {
			return err
		} else if n <= 1 {
			return Errorf(CodeConflict, "The platform's last admin cannot erase their account; make another admin first.")
		}
	}
	ms, err := s.st.Memberships(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.leave(ctx, u, m.CouncilID); err != nil {
			return err
		}
	}
	name := model.ErasedName(u.ID)
	var ended []string
	err = s.st.InTx(ctx, s.now, func(tx *store.WriteTx) error {
		if ended, err = tx.EraseUser(ctx, u, name); err != nil {
			return err
		}
		return s.renameInRecord(ctx, tx, u.ID, name)
	})
	if err != nil {
		return err
	}
	s.versions.changedAll() // the new name shows on the pages of closed rounds too
	s.sessionsEnded(ctx, ended...)
	return nil
}

// leave gives up the user's seat in a council, as its own act.
func (s *Service) leave(ctx context.Context, u *model.User, councilID int64) error {
	return s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		if _, err := tx.Membership(ctx, u.ID); errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if err := tx.RemoveMember(ctx, u.ID); err != nil {
			return err
		}
		_, err := emit(ctx, tx, nil, u.Person(), events.Left{UserID: u.ID})
		return err
	})
}

// renameInRecord gives an erased user their new name in the events they acted in: the only
// events whose payloads name them.
func (s *Service) renameInRecord(ctx context.Context, tx *store.WriteTx, userID int64, name string) error {
	evs, err := tx.ActedEvents(ctx, userID)
	if err != nil {
		return err
	}
	var changed []store.EventText
	for _, ev := range evs {
		data, redacted, ok, err := events.Rename(ev.Type, ev.Data, userID, name)
		if err != nil {
			return err
		}
		if ok {
			changed = append(changed, store.EventText{CouncilID: ev.CouncilID, Seq: ev.Seq, Data: data, Redacted: redacted})
		}
	}
	return tx.RenameActor(ctx, userID, name, changed)
}

// Users lists every account, for the admins.
func (s *Service) Users(ctx context.Context, viewer *model.User) ([]model.UserSummary, error) {
	if err := requireAdmin(viewer); err != nil {
		return nil, err
	}
	return s.st.Users(ctx, s.now())
}

// UsersPage lists one page (from 1, PageSize accounts) of every account, for the admins, with
// how many there are in all.
func (s *Service) UsersPage(ctx context.Context, viewer *model.User, page int) ([]model.UserSummary, int, error) {
	if err := requireAdmin(viewer); err != nil {
		return nil, 0, err
	}
	limit, offset := pageBounds(page)
	return s.st.UsersPage(ctx, s.now(), limit, offset)
}

// MaxOutbox is how many mails the admins' view of the outbox lists at once.
const MaxOutbox = 500

// Outbox lists the outbox for the admins, newest first, of one status or ("") all, with the
// count of mails in each status.
func (s *Service) Outbox(ctx context.Context, viewer *model.User, status string) ([]model.Mail, map[string]int, error) {
	if err := requireAdmin(viewer); err != nil {
		return nil, nil, err
	}
	if status != "" {
		v := Validation{}
		checkChoice(v, "status", status, model.MailStatuses...)
		if err := v.Err(); err != nil {
			return nil, nil, Errorf(CodeBadRequest, "status must be %s.", orList(model.MailStatuses))
		}
	}
	mails, err := s.st.Outbox(ctx, status, MaxOutbox)
	if err != nil {
		return nil, nil, err
	}
	for i := range mails {
		mails[i].Secret = "" // a link that lets its holder in is its recipient's alone
	}
	counts, err := s.st.OutboxCounts(ctx)
	return mails, counts, err
}

// MailBody renders a mail of the outbox as it was (or will be) sent, its secret link withheld
// once it is no longer kept, for the admins.
func (s *Service) MailBody(m model.Mail) string {
	if s.mail == nil {
		return ""
	}
	m.Secret = ""
	body, err := s.mail.Body(m)
	if err != nil {
		return ""
	}
	return body
}

// MailEnabled reports whether mail is sent (an SMTP server is configured).
func (s *Service) MailEnabled() bool { return s.mail.Enabled() }
