package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/httpapi"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/server/testenv"
)

// sigEnv is an env with the municipality's staff and services: an officer (who also sits on
// the other council, not on the world's), two services, and the signals service the app uses,
// unthrottled unless a test says otherwise.
type sigEnv struct {
	*env
	sig      *signals.Service
	officer  *client
	services []*model.MunicipalService
}

func newSigEnv(t *testing.T, dialect string, throttle []signals.Window, proxyHeader string) *sigEnv {
	t.Helper()
	w := testenv.NewWorldWith(t, testenv.Store(t, dialect), council.Config{Limits: testenv.NoWriteLimits})
	sig := signals.New(signals.Config{Store: w.Store, Councils: w.Svc, Clock: w.Clock.Now, Throttle: throttle})
	app := mustApp(httpapi.Config{Service: w.Svc, Signals: sig, BaseURL: "http://council.test", Log: quietLog(),
		ProxyHeader: proxyHeader, TrustedProxies: []string{"0.0.0.0", "127.0.0.1"}, MetricsToken: testMetricsToken})
	e := &sigEnv{env: &env{w: w, app: app}, sig: sig}
	e.anon = &client{app: app}
	e.outsider = e.signIn(t, w.Outsider)
	e.member = e.signIn(t, w.Members[0])
	e.mod = e.signIn(t, w.Moderator)
	e.admin = e.signIn(t, w.Admin)
	officer := w.Join(t, w.Other.ID, "officer@example.org", "Служител", model.RoleMember, model.GroupCitizen)
	ctx := context.Background()
	var err error
	if officer, err = w.Svc.SetSiteRole(ctx, w.Admin, officer.ID, model.SiteOfficer); err != nil {
		t.Fatal(err)
	}
	e.officer = e.signIn(t, officer)
	for _, sv := range [][2]string{{"local-taxes", "Местни данъци и такси"}, {"civil-registration", "Гражданска регистрация"}} {
		name := sv[1]
		created, err := sig.CreateService(ctx, w.Admin, signals.ServiceInput{Slug: sv[0], Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		e.services = append(e.services, created)
	}
	return e
}

// sigDialects runs f once per database, each on a fresh unthrottled sigEnv, like dialects.
func sigDialects(t *testing.T, f func(t *testing.T, e *sigEnv)) {
	t.Parallel()
	var wg sync.WaitGroup
	for _, d := range testenv.Dialects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(d, func(t *testing.T) { f(t, newSigEnv(t, d, []signals.Window{}, "")) })
		}()
	}
	wg.Wait()
}

// signal sends a signal through the service (no throttle) and returns it with its code.
func (e *sigEnv) signal(t testing.TB, kind, title string) (*model.Signal, string) {
	t.Helper()
	sg, code, err := e.sig.Submit(context.Background(), nil, signals.Input{Kind: kind, Service: e.services[0].Slug,
		Title: title, Body: "Текст на сигнала: " + title, Name: "Гражданин", Email: "sender@example.org"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return sg, code
}

// adopted closes a round of the world's council with one proposal adopted (and one rejected),
// tabled in a topic, and returns the round, the topic and both proposals' ids.
func (e *sigEnv) adopted(t testing.TB) (round, topic, adopted, rejected int64) {
	t.Helper()
	ctx, w := context.Background(), e.w
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	title, ballot, quorum := fmt.Sprintf("Decided %d", e.uniq()), model.BallotOpen, 0
	r, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
	must(err)
	_, err = w.Svc.OpenRound(ctx, w.Moderator, r.ID, nil)
	must(err)
	tp, err := w.Svc.CreateTopic(ctx, w.Members[0], r.ID, council.TopicInput{Title: "Topic", Body: "Body"})
	must(err)
	yes, err := w.Svc.CreateProposal(ctx, w.Members[0], r.ID, council.ProposalInput{Title: "Yes", Body: "B", TopicID: &tp.ID})
	must(err)
	no, err := w.Svc.CreateProposal(ctx, w.Members[0], r.ID, council.ProposalInput{Title: "No", Body: "B"})
	must(err)
	_, err = w.Svc.CastVote(ctx, w.Members[0], yes.ID, model.ChoiceFor, "")
	must(err)
	_, err = w.Svc.CastVote(ctx, w.Members[0], no.ID, model.ChoiceAgainst, "")
	must(err)
	_, err = w.Svc.CloseRound(ctx, w.Moderator, r.ID, "Decided")
	must(err)
	return r.ID, tp.ID, yes.ID, no.ID
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func councilRound(title, ballot *string, quorum *int) council.RoundInput {
	return council.RoundInput{Title: title, Ballot: ballot, QuorumPercent: quorum}
}
