package council

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/perushtitsa/council/server/mail"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// ResetTTL is how long a password-reset link works.
const ResetTTL = time.Hour

// ResetLimits bound the reset links asked for: per email and per client address, within
// Window. Every request counts, for an unknown email too, so that the answer tells nothing.
var ResetLimits = struct {
	Window     time.Duration
	PerEmail   int
	PerAddress int
}{Window: time.Hour, PerEmail: 3, PerAddress: 10}

// errResetLink answers a reset link that is unknown, used or expired.
var errResetLink = Errorf(CodeNotFound, "This link is unknown, used or expired; ask for a new one.")

// RequestPasswordReset mails a link /reset/{token}, valid ResetTTL and once, to the account
// of an email. The answer is the same whether or not the email has an account.
func (s *Service) RequestPasswordReset(ctx context.Context, email, address string) error {
	email = NormaliseEmail(email)
	if err := s.countRequest(ctx, ResetLimits.Window, limit{"reset-email:" + HashToken(email), ResetLimits.PerEmail},
		limit{"reset-addr:" + HashToken(address), ResetLimits.PerAddress}); err != nil {
		return err
	}
	if len(email) > 254 || strings.ContainsRune(email, 0) {
		return nil
	}
	u, err := s.st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Erased()) {
		return nil
	}
	if err != nil {
		return err
	}
	token := RandomToken()
	return s.st.InTx(ctx, s.now, func(tx *store.WriteTx) error {
		if err := tx.CreatePasswordReset(ctx, HashToken(token), u.ID, tx.Now().Add(ResetTTL)); err != nil {
			return err
		}
		_, err := s.mail.Queue(ctx, tx, mail.Letter{Kind: model.MailPasswordReset, User: u, Link: s.ResetURL(token), Secret: true})
		return err
	})
}

// ResetURL is the link a reset mail carries.
func (s *Service) ResetURL(token string) string { return s.baseURL + "/reset/" + token }

// limit is how many requests one key may count within a window.
type limit struct {
	key string
	max int
}

// countRequest counts a request under each limit's key and refuses it when one of them has
// counted more than its limit within window.
func (s *Service) countRequest(ctx context.Context, window time.Duration, limits ...limit) error {
	now := s.now()
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.key
	}
	if err := s.st.RecordLoginFailure(ctx, RandomToken(), now, keys...); err != nil {
		return err
	}
	for _, l := range limits {
		n, oldest, err := s.st.LoginFailures(ctx, l.key, now.Add(-window))
		if err != nil {
			return err
		}
		if n > l.max && oldest != nil {
			return &RateLimited{RetryAfter: max(oldest.Add(window).Sub(now), time.Second), Message: "Too many requests; try again later."}
		}
	}
	return nil
}

// PasswordResetUser returns the account a reset link is for, while the link can be used.
func (s *Service) PasswordResetUser(ctx context.Context, token string) (*model.User, error) {
	u, err := s.st.PasswordResetUser(ctx, HashToken(token), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, errResetLink
	}
	return u, err
}

// ResetPassword sets a new password with a reset link, which is then used up, and ends every
// session of the account (closing their live connections). The caller signs the owner in at
// once: a valid link lets them in whatever the sign-in throttle says, and clears the failed
// sign-ins counted against their email, so that strangers' guesses no longer slow them down.
func (s *Service) ResetPassword(ctx context.Context, token, password, address string) (*model.User, error) {
	u, err := s.PasswordResetUser(ctx, token)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	checkNewPassword(v, "password", password, u.Email, u.Name)
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return nil, err
	}
	var ended []string
	err = s.st.InTx(ctx, s.now, func(tx *store.WriteTx) error {
		userID, err := tx.UsePasswordReset(ctx, HashToken(token))
		if errors.Is(err, store.ErrNotFound) || (err == nil && userID != u.ID) {
			return errResetLink // used by a request that came first
		}
		if err != nil {
			return err
		}
		ended, err = tx.SetPassword(ctx, u.ID, hash, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	s.sessionsEnded(ctx, ended...)
	a := newAttempt(u.Email, address)
	for _, key := range []string{a.email, a.pair} {
		if err := s.st.ClearLoginFailures(ctx, key); err != nil {
			s.log.Warn("unable to clear sign-in failures after a reset", "err", err)
		}
	}
	u.PasswordHash = hash
	return u, nil
}

// SetPasswordByOperator sets an account's password from the command line (server admin
// reset-password), for a platform without mail, and ends its sessions.
func (s *Service) SetPasswordByOperator(ctx context.Context, email, password string) (*model.User, error) {
	u, err := s.st.UserByEmail(ctx, NormaliseEmail(email))
	if errors.Is(err, store.ErrNotFound) {
		return nil, Errorf(CodeNotFound, "No account has the email %s.", NormaliseEmail(email))
	}
	if err != nil {
		return nil, err
	}
	v := Validation{}
	checkNewPassword(v, "password", password, u.Email, u.Name)
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return nil, err
	}
	var ended []string
	err = s.st.InTx(ctx, s.now, func(tx *store.WriteTx) error {
		ended, err = tx.SetPassword(ctx, u.ID, hash, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	s.sessionsEnded(ctx, ended...)
	if err := s.st.ClearLoginFailures(ctx, newAttempt(u.Email, "").email); err != nil {
		s.log.Warn("unable to clear sign-in failures after a reset", "err", err)
	}
	return u, nil
}

// ChangePassword replaces the password of a signed-in user who gives the current one
// (throttled like a sign-in from address), and ends every other session of theirs.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, current, next, address string) error {
	if sess == nil {
		return errUnauth
	}
	u := sess.User
	if err := s.checkCurrentPassword(ctx, u, "current_password", current, address); err != nil {
		return err
	}
	v := Validation{}
	checkNewPassword(v, "new_password", next, u.Email, u.Name)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := s.hashPassword(next)
	if err != nil {
		return err
	}
	var ended []string
	err = s.st.InTx(ctx, s.now, func(tx *store.WriteTx) error {
		ended, err = tx.SetPassword(ctx, u.ID, hash, HashToken(sess.Token))
		return err
	})
	if err != nil {
		return err
	}
	s.sessionsEnded(ctx, ended...)
	return nil
}

// checkCurrentPassword checks the password a signed-in user gives to confirm a change, under
// the sign-in throttle; a wrong one is a field error (mismatch) of field.
func (s *Service) checkCurrentPassword(ctx context.Context, u *model.User, field, password, address string) error {
	err := s.checkPassword(ctx, u, password, newAttempt(u.Email, address))
	if ce, ok := AsError(err); ok && ce.Code == CodeUnauthenticated {
		return FieldError(CodeValidation, "The password is not right.", field, FieldMismatch, "is not right")
	}
	return err
}
