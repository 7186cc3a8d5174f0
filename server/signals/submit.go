package signals

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Input is what a resident sends: the kind, the service it is about, a title and the text;
// a name and an email optionally (the email only so that answers reach them).
type Input struct {
	Kind    string
	Service string // the service's slug
	Title   string
	Body    string
	Name    string
	Email   string
	Lang    string // the language answers are mailed in: bg or en
}

// Submit receives a signal from anyone, with or without an account (sender nil), from a client
// address (throttled; "" for none, as the demo loads). It returns the signal and its tracking
// code, which is never kept: only its hash is.
func (s *Service) Submit(ctx context.Context, sender *model.User, in Input, address string) (*model.Signal, string, error) {
	sg, err := s.checkInput(ctx, in)
	if err != nil {
		return nil, "", err
	}
	if sender != nil {
		sg.UserID = &sender.ID
	}
	attempt := council.RandomToken()
	if address != "" {
		if err := s.admit(ctx, attempt, address); err != nil {
			return nil, "", err
		}
	}
	code, err := s.insert(ctx, sg)
	if err != nil && address != "" {
		s.forgetHit(ctx, attempt)
	}
	return sg, code, err
}

// checkInput validates what a resident sent and makes the signal of it.
func (s *Service) checkInput(ctx context.Context, in Input) (*model.Signal, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	v := council.Validation{}
	checkChoice(v, "kind", in.Kind, model.SignalKinds...)
	checkText(v, "title", in.Title, true, MaxTitle)
	checkText(v, "body", in.Body, true, MaxBody)
	checkText(v, "name", in.Name, false, MaxName)
	if in.Email != "" {
		checkEmail(v, "email", in.Email)
	}
	var service *model.MunicipalService
	switch {
	case in.Service == "":
		v.Add("service", council.FieldRequired, "must name a service")
	case !slugPattern.MatchString(in.Service) || len(in.Service) > MaxSlug:
		v.Add("service", council.FieldInvalid, "must be one of the services offered")
	default:
		var err error
		service, err = s.st.ServiceBySlug(ctx, in.Service)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if service == nil || service.Archived {
			v.Add("service", council.FieldInvalid, "must be one of the services offered")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	lang := in.Lang
	if lang != "en" {
		lang = "bg"
	}
	return &model.Signal{Kind: in.Kind, Service: *service, Title: in.Title, Body: in.Body, SenderName: in.Name,
		SenderEmail: in.Email, SenderLang: lang, Status: model.SignalReceived}, nil
}

// insert writes the signal with a fresh tracking code and tells the notifier, in one
// transaction; a code that happens to be taken is drawn again.
func (s *Service) insert(ctx context.Context, sg *model.Signal) (string, error) {
	search := strings.ToLower(sg.Title + "\n" + sg.Body)
	for range 3 {
		code := newCode()
		err := s.st.InSite(ctx, s.now, func(tx *store.SiteTx) error {
			if err := tx.CreateSignal(ctx, sg, codeHash(code), search); err != nil {
				return err
			}
			if s.notifier != nil && sg.SenderEmail != "" {
				return s.notifier.SignalReceived(ctx, tx, sg, code)
			}
			return nil
		})
		if !errors.Is(err, store.ErrConflict) {
			return code, err
		}
	}
	return "", errors.New("signals: no free tracking code after three draws")
}

// admit counts a signal from an address against each throttle window, before it is written,
// so that signals sent all at once cannot slip past a limit together; one over a limit is
// refused with the time until the oldest in that window leaves it.
func (s *Service) admit(ctx context.Context, attempt, address string) error {
	if len(s.throttle) == 0 {
		return nil
	}
	key := council.HashToken("addr:" + address)
	now := s.now()
	if err := s.st.Hit(ctx, store.ThrottleSignals, key, attempt, now); err != nil {
		return err
	}
	longest := time.Duration(0)
	for _, w := range s.throttle {
		longest = max(longest, w.Per)
		n, oldest, err := s.st.Hits(ctx, store.ThrottleSignals, key, now.Add(-w.Per))
		if err != nil {
			return err
		}
		if n > w.Max && oldest != nil {
			s.forgetHit(ctx, attempt)
			wait := max(oldest.Add(w.Per).Sub(now), time.Second)
			return &council.RateLimited{RetryAfter: wait,
				Message: fmt.Sprintf("At most %d signals may be sent from one address within %s; try again later.", w.Max, w.Per)}
		}
	}
	if err := s.st.PruneHits(ctx, store.ThrottleSignals, now.Add(-longest)); err != nil {
		s.log.Warn("unable to forget old throttle hits", "err", err)
	}
	return nil
}

func (s *Service) forgetHit(ctx context.Context, attempt string) {
	if err := s.st.ForgetHit(ctx, attempt); err != nil {
		s.log.Warn("unable to take back a throttle hit", "err", err)
	}
}
