package council_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// mailedToken sends what is due and returns the token at the end of the link containing part
// in the latest mail to addr.
func mailedToken(t *testing.T, w *testenv.World, server *testenv.SMTP, addr, part string) string {
	t.Helper()
	if _, err := w.Outbox.SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	mails := server.To(addr)
	if len(mails) == 0 {
		t.Fatalf("no mail to %s", addr)
	}
	link := mails[len(mails)-1].Link(part)
	if link == "" {
		t.Fatalf("no %s link in the mail to %s:\n%s", part, addr, mails[len(mails)-1].Body)
	}
	return link[strings.LastIndex(link, "/")+1:]
}

// A reset link arrives by mail, works once, ends every session of the account, and lets the
// owner in even while strangers' guesses have sign-ins from their address refused.
func TestPasswordResetByMail(t *testing.T) {
	testenv.EachDialect(t, func(t *testing.T, st *testenv.StoreT) {
		ctx := context.Background()
		server := testenv.NewSMTP(t)
		w := testenv.NewMailWorld(t, st, server.URL())
		m := w.Members[0]
		old, err := w.Svc.StartSession(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		for range 6 { // the owner's own address is now refused sign-ins
			w.Svc.Authenticate(ctx, m.Email, "not the password", "192.0.2.7")
		}
		if _, err := w.Svc.Authenticate(ctx, m.Email, testenv.Password(m.Email), "192.0.2.7"); code(err) != council.CodeRateLimited {
			t.Fatalf("sign-in after failures: %v", err)
		}
		if err := w.Svc.RequestPasswordReset(ctx, strings.ToUpper(m.Email), "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		if err := w.Svc.RequestPasswordReset(ctx, "nobody@example.org", "192.0.2.7"); err != nil {
			t.Fatalf("an unknown address answers differently: %v", err)
		}
		token := mailedToken(t, w, server, m.Email, "/reset/")
		if len(server.To("nobody@example.org")) != 0 {
			t.Fatal("a reset was mailed to an address without an account")
		}
		if _, err := w.Svc.ResetPassword(ctx, token, "1234567890", "192.0.2.7"); code(err) != council.CodeValidation {
			t.Fatalf("a weak password: %v", err)
		}
		u, err := w.Svc.ResetPassword(ctx, token, "a fresh pass phrase", "192.0.2.7")
		if err != nil || u.ID != m.ID {
			t.Fatalf("reset: %v %v", u, err)
		}
		if s, _ := w.Svc.SessionByToken(ctx, old.Token); s != nil {
			t.Fatal("the session from before the reset still works")
		}
		if _, err := w.Svc.ResetPassword(ctx, token, "another pass phrase", ""); code(err) != council.CodeNotFound {
			t.Fatalf("the link worked twice: %v", err)
		}
		if _, err := w.Svc.Authenticate(ctx, m.Email, "a fresh pass phrase", "192.0.2.7"); err != nil {
			t.Fatalf("signing in with the new password from the throttled address: %v", err)
		}
		if _, err := w.Svc.Authenticate(ctx, m.Email, testenv.Password(m.Email), "192.0.2.8"); code(err) != council.CodeUnauthenticated {
			t.Fatalf("the old password: %v", err)
		}
	})
}

// A reset link lasts an hour, and asking for links is throttled per email and per address,
// known or not, the same way.
func TestResetLinksExpireAndAreThrottled(t *testing.T) {
	ctx := context.Background()
	server := testenv.NewSMTP(t)
	w := testenv.NewMailWorld(t, testenv.Store(t, "sqlite"), server.URL())
	m := w.Members[1]
	if err := w.Svc.RequestPasswordReset(ctx, m.Email, "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	token := mailedToken(t, w, server, m.Email, "/reset/")
	w.Clock.Advance(council.ResetTTL + time.Second)
	if _, err := w.Svc.PasswordResetUser(ctx, token); code(err) != council.CodeNotFound {
		t.Fatalf("a link an hour old: %v", err)
	}
	for _, email := range []string{m.Email, "nobody@example.org"} {
		var err error
		for i := 0; i <= council.ResetLimits.PerEmail && err == nil; i++ {
			err = w.Svc.RequestPasswordReset(ctx, email, "198.51.100.2")
		}
		if code(err) != council.CodeRateLimited {
			t.Fatalf("%s: asking again and again: %v", email, err)
		}
	}
}

// The operator's command sets a password and ends the account's sessions.
func TestPasswordSetByOperator(t *testing.T) {
	ctx := context.Background()
	w := testenv.NewWorld(t, testenv.Store(t, "sqlite"))
	m := w.Members[2]
	sess, _ := w.Svc.StartSession(ctx, m)
	if _, err := w.Svc.SetPasswordByOperator(ctx, "nobody@example.org", "a fresh pass phrase"); code(err) != council.CodeNotFound {
		t.Fatalf("unknown email: %v", err)
	}
	if _, err := w.Svc.SetPasswordByOperator(ctx, m.Email, "aaaaaaaaaaaa"); code(err) != council.CodeValidation {
		t.Fatalf("weak password: %v", err)
	}
	if _, err := w.Svc.SetPasswordByOperator(ctx, m.Email, "a fresh pass phrase"); err != nil {
		t.Fatal(err)
	}
	if s, _ := w.Svc.SessionByToken(ctx, sess.Token); s != nil {
		t.Fatal("the session survived")
	}
	if _, err := w.Svc.Authenticate(ctx, m.Email, "a fresh pass phrase", ""); err != nil {
		t.Fatal(err)
	}
}

// Changing one's password needs the current one and ends every other session, not this one.
func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	w := testenv.NewWorld(t, testenv.Store(t, "postgres"))
	m := w.Members[0]
	here, _ := w.Svc.StartSession(ctx, m)
	there, _ := w.Svc.StartSession(ctx, m)
	err := w.Svc.ChangePassword(ctx, here, "wrong", "a fresh pass phrase", "")
	if ce, ok := council.AsError(err); !ok || ce.FieldCodes["current_password"] != council.FieldMismatch {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := w.Svc.ChangePassword(ctx, here, testenv.Password(m.Email), m.Email, ""); code(err) != council.CodeValidation {
		t.Fatalf("the email as a password: %v", err)
	}
	if err := w.Svc.ChangePassword(ctx, here, testenv.Password(m.Email), "a fresh pass phrase", ""); err != nil {
		t.Fatal(err)
	}
	if s, _ := w.Svc.SessionByToken(ctx, here.Token); s == nil {
		t.Fatal("the session that changed the password ended")
	}
	if s, _ := w.Svc.SessionByToken(ctx, there.Token); s != nil {
		t.Fatal("another session survived the change")
	}
}

// Sessions are listed with their browser and last use (noted at most once a minute), and
// each can be ended by its owner alone.
func TestSessionsListedAndRevoked(t *testing.T) {
	ctx := context.Background()
	w := testenv.NewWorld(t, testenv.Store(t, "sqlite"))
	m := w.Members[0]
	a, _ := w.Svc.StartSessionFrom(ctx, m, "Firefox\x00 on\n Linux")
	w.Clock.Advance(time.Hour)
	b, _ := w.Svc.StartSessionFrom(ctx, m, strings.Repeat("ж", 500))
	w.Clock.Advance(30 * time.Second)
	w.Svc.SessionByToken(ctx, a.Token) // too soon after its start to be noted
	list, err := w.Svc.Sessions(ctx, m)
	if err != nil || len(list) != 2 {
		t.Fatalf("sessions: %v %v", list, err)
	}
	byID := map[int64]model.Session{list[0].ID: list[0], list[1].ID: list[1]}
	sa, _ := w.Svc.SessionByToken(ctx, a.Token)
	if byID[sa.ID].UserAgent != "Firefox on Linux" || len([]rune(list[0].UserAgent+list[1].UserAgent)) > 2*council.MaxUserAgent {
		t.Fatalf("user agents kept: %q %q", list[0].UserAgent, list[1].UserAgent)
	}
	w.Clock.Advance(2 * time.Minute)
	w.Svc.SessionByToken(ctx, a.Token)
	list, _ = w.Svc.Sessions(ctx, m)
	if list[0].ID != sa.ID || !list[0].LastSeenAt.After(list[1].LastSeenAt) {
		t.Fatalf("the session used last is not first: %+v", list)
	}
	if err := w.Svc.RevokeSession(ctx, w.Members[1], sa.ID); code(err) != council.CodeNotFound {
		t.Fatalf("revoking another's session: %v", err)
	}
	if err := w.Svc.RevokeSession(ctx, m, sa.ID); err != nil {
		t.Fatal(err)
	}
	if s, _ := w.Svc.SessionByToken(ctx, a.Token); s != nil {
		t.Fatal("a revoked session still works")
	}
	if s, _ := w.Svc.SessionByToken(ctx, b.Token); s == nil {
		t.Fatal("revoking one session ended another")
	}
}
