package council_test

import (
	"context"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// Pending invitations are listed to the council's moderators with how their mail stands;
// revoking one stops its link, sending it again gives a new link and stops the old one.
func TestPendingInvitationsRevokedAndResent(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		server.Clear()
		in := council.InviteInput{Role: model.RoleMember, Group: model.GroupCitizen, Name: "Поканен"}
		in.Email = "a@example.org"
		a, tokA, err := w.Svc.Invite(ctx, w.Moderator, w.Council.ID, in)
		if err != nil || a.MailStatus != model.MailQueued {
			t.Fatalf("invite: %+v %v", a, err)
		}
		in.Email = "b@example.org"
		b, tokB, _ := w.Svc.Invite(ctx, w.Moderator, w.Council.ID, in)
		// An account that switched invitations off is not mailed one; the link still works.
		w.Svc.UpdateProfile(ctx, w.Outsider, council.ProfileInput{Notify: map[string]bool{model.MailInvitation: false}})
		in.Email = w.Outsider.Email
		c, _, _ := w.Svc.Invite(ctx, w.Moderator, w.Council.ID, in)
		if c.MailStatus != "off" {
			t.Fatalf("the invitation of someone who switched them off: %q", c.MailStatus)
		}
		w.Outbox.SendDue(ctx)

		if _, err := w.Svc.PendingInvitations(ctx, w.Members[0], w.Council.ID); code(err) != council.CodeForbidden {
			t.Fatalf("a member lists invitations: %v", err)
		}
		list, err := w.Svc.PendingInvitations(ctx, w.Moderator, w.Council.ID)
		if err != nil || len(list) != 3 || list[2].ID != a.ID || list[2].MailStatus != model.MailSent || list[0].MailStatus != "" {
			t.Fatalf("pending: %+v %v", list, err)
		}
		if err := w.Svc.RevokeInvitation(ctx, w.Outsider, a.ID); code(err) != council.CodeNotFound {
			t.Fatalf("revoked by another council's member: %v", err)
		}
		if err := w.Svc.RevokeInvitation(ctx, w.Moderator, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.Svc.InvitationByToken(ctx, tokA); code(err) != council.CodeNotFound {
			t.Fatalf("a revoked invitation's link: %v", err)
		}
		if err := w.Svc.RevokeInvitation(ctx, w.Moderator, a.ID); code(err) != council.CodeNotFound {
			t.Fatalf("revoked twice: %v", err)
		}
		w.Clock.Advance(6 * 24 * time.Hour)
		again, tokB2, err := w.Svc.ResendInvitation(ctx, w.Admin, b.ID)
		if err != nil || !again.ExpiresAt.After(b.ExpiresAt) || again.MailStatus != model.MailQueued {
			t.Fatalf("resend: %+v %v", again, err)
		}
		if _, _, err := w.Svc.InvitationByToken(ctx, tokB); code(err) != council.CodeNotFound {
			t.Fatalf("the old link after a resend: %v", err)
		}
		w.Outbox.SendDue(ctx)
		if got := mailedToken(t, w, server, "b@example.org", "/invitations/"); got != tokB2 {
			t.Fatal("the mail sent again does not carry the new link")
		}
		if _, err := w.Svc.AcceptInvitation(ctx, tokB2, "Б", "a-long-enough-pass", ""); err != nil {
			t.Fatalf("accepting with the new link: %v", err)
		}
		if list, _ := w.Svc.PendingInvitations(ctx, w.Moderator, w.Council.ID); len(list) != 1 {
			t.Fatalf("%d still pending, want only the one never mailed", len(list))
		}
	})
}
