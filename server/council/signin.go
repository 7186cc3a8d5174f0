package council

import (
	"context"
	"errors"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Throttle is how failed sign-ins are held back. Failures count per client address and per
// (email, address): past those limits attempts are refused until the oldest failure leaves the
// window. Failures per email across every address only slow the answers down, with a delay that
// grows with each failure, so that strangers guessing from many addresses cannot keep a member
// out of their own account.
type Throttle struct {
	Window          time.Duration // how long a failure counts
	PerAddress      int           // failures from one address, any email
	PerEmailAddress int           // failures for one email from one address
	EmailFree       int           // failures for one email, any address, before answers slow down
	EmailDelay      time.Duration // the first delay; it doubles with each failure past EmailFree
	EmailMaxDelay   time.Duration // the longest delay
}

// DefaultThrottle is the throttle in force unless a Config says otherwise.
var DefaultThrottle = Throttle{
	Window:          15 * time.Minute,
	PerAddress:      20,
	PerEmailAddress: 5,
	EmailFree:       5,
	EmailDelay:      250 * time.Millisecond,
	EmailMaxDelay:   8 * time.Second,
}

// RateLimited is returned when an action is throttled; RetryAfter says for how long.
type RateLimited struct {
	RetryAfter time.Duration
	Message    string // for people; a default when empty
}

func (e *RateLimited) Error() string { return "rate_limited: " + e.Message }

// attempt is one sign-in's failure keys: what it is counted under, without keeping the email
// or the address themselves.
type attempt struct {
	email, address, pair string
}

func newAttempt(email, address string) attempt {
	return attempt{
		email:   "email:" + HashToken(email),
		address: "addr:" + HashToken(address),
		pair:    "pair:" + HashToken(email+"\x00"+address),
	}
}

func (a attempt) keys() []string { return []string{a.email, a.address, a.pair} }

// Authenticate checks an email and password from a client address, throttled.
func (s *Service) Authenticate(ctx context.Context, email, password, address string) (*model.User, error) {
	email = NormaliseEmail(email)
	var u *model.User
	if len(email) <= 254 && !strings.ContainsRune(email, 0) { // no account has such an email
		var err error
		if u, err = s.st.UserByEmail(ctx, email); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if err := s.checkPassword(ctx, u, password, newAttempt(email, address)); err != nil {
		return nil, err
	}
	return u, nil
}

// checkPassword counts the attempt before comparing, so that attempts made in parallel cannot
// slip past a limit together (each sees the others'); an attempt refused by a limit, or made
// with the right password, is taken back, and the right password also clears the failures of
// its email from that address. u nil always fails, at the same cost.
func (s *Service) checkPassword(ctx context.Context, u *model.User, password string, a attempt) error {
	id := RandomToken()
	if err := s.st.RecordLoginFailure(ctx, id, s.now(), a.keys()...); err != nil {
		return err
	}
	for _, l := range []struct {
		key string
		max int
	}{{a.address, s.throttle.PerAddress}, {a.pair, s.throttle.PerEmailAddress}} {
		if err := s.refuseOver(ctx, l.key, l.max); err != nil {
			// A refused attempt tried no password: it does not count against the other keys.
			s.forget(ctx, id)
			return err
		}
	}
	if err := s.slowDown(ctx, a.email); err != nil {
		return err
	}
	hash := s.dummyHash
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || u == nil {
		return Errorf(CodeUnauthenticated, "The email or the password is not right.")
	}
	s.forget(ctx, id)
	if err := s.st.ClearLoginFailures(ctx, a.pair); err != nil {
		s.log.Warn("unable to clear sign-in failures", "err", err)
	}
	return nil
}

func (s *Service) forget(ctx context.Context, attempt string) {
	if err := s.st.ForgetLoginFailure(ctx, attempt); err != nil {
		s.log.Warn("unable to take back a sign-in attempt", "err", err)
	}
}

// refuseOver refuses when the key has more failures in the window than it tolerates.
func (s *Service) refuseOver(ctx context.Context, key string, tolerated int) error {
	now := s.now()
	n, oldest, err := s.st.LoginFailures(ctx, key, now.Add(-s.throttle.Window))
	if err != nil {
		return err
	}
	if n > tolerated && oldest != nil {
		wait := max(oldest.Add(s.throttle.Window).Sub(now), time.Second)
		return &RateLimited{RetryAfter: wait, Message: "Too many failed sign-ins; try again later."}
	}
	return nil
}

// slowDown waits before an email's attempt answers, longer the more it failed lately.
func (s *Service) slowDown(ctx context.Context, key string) error {
	n, _, err := s.st.LoginFailures(ctx, key, s.now().Add(-s.throttle.Window))
	if err != nil || n <= s.throttle.EmailFree {
		return err
	}
	d := s.throttle.EmailDelay << min(n-s.throttle.EmailFree-1, 30)
	if d <= 0 || d > s.throttle.EmailMaxDelay {
		d = s.throttle.EmailMaxDelay
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
