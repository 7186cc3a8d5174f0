package signals

import (
	"context"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// DeskQuery selects signals for the officers' desk.
type DeskQuery struct {
	Status  string
	Kind    string
	Service string
	Page    int
}

// Desk lists signals for officers and admins, newest first, with their senders, and how many
// the filters select in all.
func (s *Service) Desk(ctx context.Context, actor *model.User, q DeskQuery) ([]model.Signal, int, error) {
	if err := council.RequireStaff(actor); err != nil {
		return nil, 0, err
	}
	if err := checkFilters(q.Status, q.Kind, q.Service); err != nil {
		return nil, 0, err
	}
	limit, off := offset(q.Page)
	return s.st.Signals(ctx, store.SignalQuery{Status: q.Status, Kind: q.Kind, Service: q.Service, Limit: limit, Offset: off})
}

// checkFilters refuses a filter no signal could match: 400, for it is a query, not a body.
func checkFilters(status, kind, service string) error {
	v := council.Validation{}
	if status != "" {
		checkChoice(v, "status", status, model.SignalStatuses...)
	}
	if kind != "" {
		checkChoice(v, "kind", kind, model.SignalKinds...)
	}
	if service != "" && (!slugPattern.MatchString(service) || len(service) > MaxSlug) {
		v.Add("service", council.FieldInvalid, "must be a service's slug")
	}
	for field, p := range v {
		return council.Errorf(council.CodeBadRequest, "The filter %s %s.", field, p.Text)
	}
	return nil
}

// Signal reads one signal for officers and admins: its sender, every answer and its routes.
func (s *Service) Signal(ctx context.Context, actor *model.User, id int64) (*model.Signal, error) {
	if err := council.RequireStaff(actor); err != nil {
		return nil, err
	}
	sg, err := s.st.Signal(ctx, id)
	if err != nil {
		return nil, translate(err)
	}
	return sg, s.fill(ctx, sg, false, !actor.IsAdmin())
}

// fill reads a signal's answers (only the public ones when public) and its routes, each with
// its round and, once that has closed, what the council decided. With hideOpen (the public, and
// officers, who hold no seat), a route into a round still in progress names the council alone:
// such a round is its council's members' (and admins') alone.
func (s *Service) fill(ctx context.Context, sg *model.Signal, public, hideOpen bool) error {
	answers, err := s.st.Answers(ctx, []int64{sg.ID})
	if err != nil {
		return err
	}
	for _, a := range answers[sg.ID] {
		if a.Public || !public {
			sg.Answers = append(sg.Answers, a)
		}
	}
	if sg.Routes, err = s.st.SignalRoutes(ctx, sg.ID); err != nil {
		return err
	}
	rd := s.st.Reader()
	for i := range sg.Routes {
		rt := &sg.Routes[i]
		if rt.RoundID == nil || rt.TopicID == nil {
			continue
		}
		if rt.Round, err = rd.Round(ctx, *rt.RoundID); err != nil {
			return err
		}
		if hideOpen && rt.Round.Status != model.StatusClosed {
			// Placed, with no round to show: the signal is being debated.
			rt.RoundID, rt.TopicID, rt.Round = nil, nil, nil
			continue
		}
		if rt.Decisions, err = s.councils.TopicDecisions(ctx, rt.Round, *rt.TopicID); err != nil {
			return err
		}
	}
	return nil
}

// AnswerInput is an officer's answer: its text, the status it sets, and whether it is public
// (shown on the tracking page and in the register) or only mailed to the sender.
type AnswerInput struct {
	Body   string
	Status string
	Public bool
}

// Answer records an officer's answer, sets the signal's status and, where the sender gave an
// email, queues the mail to them in the same transaction.
func (s *Service) Answer(ctx context.Context, actor *model.User, id int64, in AnswerInput) (*model.SignalAnswer, error) {
	if err := council.RequireStaff(actor); err != nil {
		return nil, err
	}
	if _, err := s.st.Signal(ctx, id); err != nil {
		return nil, translate(err)
	}
	v := council.Validation{}
	checkText(v, "body", in.Body, true, MaxAnswer)
	checkChoice(v, "status", in.Status, model.AnswerStatuses...)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := &model.SignalAnswer{SignalID: id, Author: *actor.Person(), Body: in.Body, Status: in.Status, Public: in.Public}
	err := s.st.InSite(ctx, s.now, func(tx *store.SiteTx) error {
		sg, err := tx.LockSignal(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.AddAnswer(ctx, a, model.IsFirstAnswer(a.Status)); err != nil {
			return err
		}
		if s.notifier != nil && sg.SenderEmail != "" {
			sg.Status = a.Status
			return s.notifier.SignalAnswered(ctx, tx, sg, a)
		}
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	return a, nil
}

// Publish puts a signal, without its sender's name or email, with its public answers, into the
// public register. Publishing it again changes nothing.
func (s *Service) Publish(ctx context.Context, actor *model.User, id int64) (*model.Signal, error) {
	if err := council.RequireStaff(actor); err != nil {
		return nil, err
	}
	err := s.st.InSite(ctx, s.now, func(tx *store.SiteTx) error {
		if _, err := tx.LockSignal(ctx, id); err != nil {
			return err
		}
		return tx.PublishSignal(ctx, id, actor.ID)
	})
	if err != nil {
		return nil, translate(err)
	}
	return s.Signal(ctx, actor, id)
}
