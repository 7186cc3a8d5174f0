package realtime

import "context"

// Broker carries committed events between server processes.
//
// Delivery is at most once and may drop messages, duplicate them or reorder them, most of all
// while the transport is down or reconnecting. That is acceptable because the event is in the
// Record before it is published: the hub drops duplicates by seq, fills gaps from the Record and
// re-reads the Record whenever the broker reports that a subscription was (re)established.
// A Broker therefore never needs to buffer or retry on its own.
type Broker interface {
	// Run starts delivering what the broker receives to h. The Hub calls it once, from
	// NewHub, before any Subscribe.
	Run(h BrokerHandler) error
	// Publish sends ev to every process subscribed to ev.CouncilID (the publishing process
	// included, if subscribed). It returns promptly with an error when the transport is down.
	Publish(ctx context.Context, ev Event) error
	// PublishControl sends c to every process, the publishing one included. Like events, it may
	// be lost while the transport is down; the hub re-checks sessions when a connection starts.
	PublishControl(ctx context.Context, c Control) error
	// Subscribe starts receiving the council's events. An error is not fatal: the broker keeps
	// the subscription and establishes it once the transport is back.
	Subscribe(ctx context.Context, councilID int64) error
	// Unsubscribe stops receiving the council's events.
	Unsubscribe(ctx context.Context, councilID int64) error
	// Ready reports whether the transport answers (for /readyz).
	Ready(ctx context.Context) error
	// Close stops delivery and releases the broker's own resources (not a client it was given).
	Close() error
}

// BrokerHandler receives what a Broker hears. The Hub implements it; both methods must return
// quickly and are safe to call from any goroutine.
type BrokerHandler interface {
	// HandleEvent receives one event of a subscribed council, possibly a duplicate or out of
	// order.
	HandleEvent(ev Event)
	// HandleControl receives a control message from any process, this one included.
	HandleControl(c Control)
	// HandleSubscribed reports that the subscription to the council was established or
	// re-established (after a reconnect): anything published before may have been missed, so
	// the hub re-reads the Record.
	HandleSubscribed(councilID int64)
}

// Control is a message to every process's hub rather than to one council's connections.
type Control struct {
	EndSessions []string `json:"end_sessions,omitempty"` // close the connections of these sessions
}
