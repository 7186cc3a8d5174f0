package council

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// MaxUserAgent is how much of a browser's User-Agent a session keeps, to tell sessions apart.
const MaxUserAgent = 200

// StartSessionFrom signs a user in from a browser, keeping its User-Agent for the list of the
// user's sessions.
func (s *Service) StartSessionFrom(ctx context.Context, u *model.User, userAgent string) (*Session, error) {
	sess := &Session{Token: RandomToken(), CSRF: RandomToken(), User: u}
	now := s.now()
	if err := s.st.CreateSessionFrom(ctx, HashToken(sess.Token), u.ID, sess.CSRF, cleanAgent(userAgent), now, now.Add(SessionTTL)); err != nil {
		return nil, err
	}
	return sess, nil
}

// cleanAgent keeps a User-Agent short, valid UTF-8 and on one line.
func cleanAgent(ua string) string {
	ua = strings.ToValidUTF8(strings.Join(strings.Fields(strings.ReplaceAll(ua, "\x00", "")), " "), "")
	if utf8.RuneCountInString(ua) > MaxUserAgent {
		ua = string([]rune(ua)[:MaxUserAgent])
	}
	return ua
}

// seen notes a session's use when the last one noted is a minute old or more: reading a
// session writes only then. A failure to note it is no reason to refuse the request.
func (s *Service) seen(ctx context.Context, rec *model.Session) {
	now := s.now()
	if now.Sub(rec.LastSeenAt) < store.SessionSeenEvery {
		return
	}
	if err := s.st.TouchSession(ctx, rec.Key, now); err != nil && ctx.Err() == nil {
		s.log.Debug("unable to note a session's use", "err", err)
	}
}

// Sessions lists the viewer's sessions, the latest used first.
func (s *Service) Sessions(ctx context.Context, viewer *model.User) ([]model.Session, error) {
	if viewer == nil {
		return nil, errUnauth
	}
	return s.st.Sessions(ctx, viewer.ID, s.now())
}

// RevokeSession ends one of the viewer's sessions, and its live connections on every process.
func (s *Service) RevokeSession(ctx context.Context, viewer *model.User, id int64) error {
	if viewer == nil {
		return errUnauth
	}
	key, err := s.st.DeleteUserSession(ctx, viewer.ID, id)
	if err != nil {
		return translate(err)
	}
	s.sessionsEnded(ctx, key)
	return nil
}
