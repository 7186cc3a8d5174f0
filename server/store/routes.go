package store

import (
	"context"
	"fmt"
	"time"

	"github.com/perushtitsa/council/server/model"
)

// NewRoute is a signal taken to the transaction's council: placed as a topic (RoundID and
// TopicID set), or waiting for the council's next round with the topic's text.
type NewRoute struct {
	SignalID   int64
	RoundID    *int64
	TopicID    *int64
	TopicTitle string
	TopicBody  string
	RoutedBy   int64
}

// AddSignalRoute records a signal's route into the transaction's council; ErrConflict when the
// signal was routed there before.
func (t *Tx) AddSignalRoute(ctx context.Context, r NewRoute) error {
	var placed *time.Time
	if r.TopicID != nil {
		placed = &t.now
	}
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`INSERT INTO signal_routes
		(signal_id, council_id, round_id, topic_id, topic_title, topic_body, routed_by, routed_at, placed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.SignalID, t.councilID, r.RoundID, r.TopicID, r.TopicTitle, r.TopicBody, r.RoutedBy, t.now, placed)
	if isUniqueViolation(err) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: unable to route signal: %w", err)
	}
	return nil
}

// PendingRoute is a signal waiting for the council's next round.
type PendingRoute struct {
	SignalID   int64  `db:"signal_id"`
	TopicTitle string `db:"topic_title"`
	TopicBody  string `db:"topic_body"`
	RoutedBy   int64  `db:"routed_by"`
	RoutedName string `db:"routed_name"`
}

// PendingRoutes lists the signals waiting for the transaction's council's next round, in the
// order they were routed.
func (t *Tx) PendingRoutes(ctx context.Context) ([]PendingRoute, error) {
	var rows []PendingRoute
	err := t.tx.SelectContext(ctx, &rows, t.store.rebind(`SELECT r.signal_id, r.topic_title, r.topic_body, r.routed_by, u.name AS routed_name
		FROM signal_routes r JOIN users u ON u.id = r.routed_by
		WHERE r.council_id = ? AND r.topic_id IS NULL ORDER BY r.routed_at, r.signal_id`), t.councilID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list pending routes: %w", err)
	}
	return rows, nil
}

// PlaceRoute records the topic a waiting signal became.
func (t *Tx) PlaceRoute(ctx context.Context, signalID, roundID, topicID int64) error {
	_, err := t.tx.ExecContext(ctx, t.store.rebind(`UPDATE signal_routes SET round_id = ?, topic_id = ?, placed_at = ?
		WHERE signal_id = ? AND council_id = ?`), roundID, topicID, t.now, signalID, t.councilID)
	if err != nil {
		return fmt.Errorf("store: unable to place a routed signal: %w", err)
	}
	return nil
}

type routeRow struct {
	SignalID   int64      `db:"signal_id"`
	RoundID    *int64     `db:"round_id"`
	TopicID    *int64     `db:"topic_id"`
	RoutedBy   int64      `db:"routed_by"`
	RoutedName string     `db:"routed_name"`
	RoutedAt   time.Time  `db:"routed_at"`
	PlacedAt   *time.Time `db:"placed_at"`
	councilRow
}

// SignalRoutes lists where a signal was taken, in the order it was.
func (s *Store) SignalRoutes(ctx context.Context, signalID int64) ([]model.SignalRoute, error) {
	var rows []routeRow
	err := s.db.SelectContext(ctx, &rows, s.rebind(`SELECT r.signal_id, r.round_id, r.topic_id, r.routed_by, u.name AS routed_name,
		r.routed_at, r.placed_at, `+councilColumns+`
		FROM signal_routes r JOIN users u ON u.id = r.routed_by JOIN councils c ON c.id = r.council_id
		WHERE r.signal_id = ? ORDER BY r.routed_at, c.id`), signalID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list routes: %w", err)
	}
	return mapRows(rows, func(r *routeRow) model.SignalRoute {
		return model.SignalRoute{SignalID: r.SignalID, Council: r.councilRow.model(), RoundID: r.RoundID, TopicID: r.TopicID,
			RoutedBy: model.Person{ID: r.RoutedBy, Name: r.RoutedName}, RoutedAt: r.RoutedAt.UTC(), PlacedAt: utcPtr(r.PlacedAt)}
	}), nil
}
