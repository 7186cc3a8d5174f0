package council

import (
	"context"
	"errors"

	"github.com/perushtitsa/council/server/events"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// RoutedTopic is a signal an officer takes to a council: the topic's title and its body, which
// quotes the signal without its sender.
type RoutedTopic struct {
	SignalID int64
	Title    string
	Body     string // Markdown
}

// RouteTopic opens a topic quoting a signal in one of a council's rounds: the round named, which
// must be a draft or open; else the council's open round; else its newest draft. Without any,
// the topic waits for the council's next round, which it joins when created (the topic is then
// nil). The route is recorded with the topic, in the council's transaction; a signal goes to a
// council once (409 conflict after).
func (s *Service) RouteTopic(ctx context.Context, actor *model.User, councilID int64, roundID *int64, in RoutedTopic) (*model.Topic, error) {
	if err := RequireStaff(actor); err != nil {
		return nil, err
	}
	var topic *model.Topic
	err := s.inCouncil(ctx, councilID, func(tx *store.Tx) error {
		r, err := s.routeRound(ctx, tx, roundID)
		if err != nil {
			return err
		}
		route := store.NewRoute{SignalID: in.SignalID, TopicTitle: in.Title, TopicBody: in.Body, RoutedBy: actor.ID}
		if r != nil {
			if topic, err = s.placeTopic(ctx, tx, r, actor.Person(), in.Title, in.Body); err != nil {
				return err
			}
			route.RoundID, route.TopicID = &r.ID, &topic.ID
		}
		err = tx.AddSignalRoute(ctx, route)
		if errors.Is(err, store.ErrConflict) {
			return FieldError(CodeConflict, "The signal was taken to this council before.", "council_id", FieldTaken, "already has this signal")
		}
		return err
	})
	return topic, err
}

// routeRound picks the round a routed signal goes into (nil: none yet), under the council's lock.
func (s *Service) routeRound(ctx context.Context, tx *store.Tx, roundID *int64) (*model.Round, error) {
	if roundID != nil {
		r, err := tx.LockRound(ctx, *roundID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, FieldError(CodeValidation, "No such round in this council.", "round_id", FieldInvalid, "must be a round of this council")
		}
		if err != nil {
			return nil, err
		}
		if !takesTopics(r, tx) {
			return nil, errRoundNotOpen
		}
		return r, nil
	}
	rounds, err := tx.Reader().Rounds(ctx, tx.CouncilID(), model.StatusOpen, model.StatusDraft)
	if err != nil {
		return nil, err
	}
	var draft *model.Round
	for i := range rounds {
		switch r := &rounds[i]; {
		case r.Status == model.StatusOpen && takesTopics(r, tx):
			return r, nil
		case r.Status == model.StatusDraft && draft == nil:
			draft = r
		}
	}
	return draft, nil
}

// takesTopics tells whether a round can still take a routed topic: a draft, or open and not
// past its closing time.
func takesTopics(r *model.Round, tx *store.Tx) bool {
	switch r.Status {
	case model.StatusDraft:
		return true
	case model.StatusOpen:
		return r.ClosesAt == nil || tx.Now().Before(*r.ClosesAt)
	}
	return false
}

// placeTopic writes a routed signal's topic into a round, within the round's bound on text
// (routed topics have no write rate: an officer may route many signals), with its event.
func (s *Service) placeTopic(ctx context.Context, tx *store.Tx, r *model.Round, author *model.Person, title, body string) (*model.Topic, error) {
	t := &model.Topic{RoundID: r.ID, Title: title, Body: body, BodyHTML: s.md.Render(body), Author: *author}
	if err := s.checkWrite(ctx, tx, author.ID, r, "", len(title)+len(body)); err != nil {
		return nil, err
	}
	if err := tx.CreateTopic(ctx, t); err != nil {
		return nil, err
	}
	_, err := emit(ctx, tx, r, author, events.NewTopic(t))
	return t, err
}

// placeRouted gives a round just created the topics of the signals routed to its council while
// it had no round, inside the transaction that creates it.
func (s *Service) placeRouted(ctx context.Context, tx *store.Tx, r *model.Round) error {
	pending, err := tx.PendingRoutes(ctx)
	if err != nil {
		return err
	}
	for _, p := range pending {
		t, err := s.placeTopic(ctx, tx, r, &model.Person{ID: p.RoutedBy, Name: p.RoutedName}, p.TopicTitle, p.TopicBody)
		if err != nil {
			return err
		}
		if err := tx.PlaceRoute(ctx, p.SignalID, r.ID, t.ID); err != nil {
			return err
		}
		r.TextBytes += int64(len(p.TopicTitle) + len(p.TopicBody))
	}
	return nil
}
