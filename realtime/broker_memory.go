package realtime

import (
	"context"
	"errors"
	"sync"
)

// MemoryBroker is the in-process Broker of the embedded default (one process, no REDIS_URL).
// Publish loops an event back to this process's hub when the council is subscribed; the hub has
// usually delivered it already and drops the duplicate. It never fails while open.
type MemoryBroker struct {
	mu      sync.Mutex
	handler BrokerHandler
	subs    map[int64]bool
	closed  bool
}

var _ Broker = (*MemoryBroker)(nil)

// errBrokerClosed is returned by a broker used after Close.
var errBrokerClosed = errors.New("realtime: broker closed")

// NewMemoryBroker returns an in-process broker.
func NewMemoryBroker() *MemoryBroker {
	return &MemoryBroker{subs: make(map[int64]bool)}
}

// Run records the handler that receives published events.
func (b *MemoryBroker) Run(h BrokerHandler) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.handler != nil {
		return errors.New("realtime: memory broker already running")
	}
	b.handler = h
	return nil
}

// Publish hands ev to the handler when its council is subscribed.
func (b *MemoryBroker) Publish(_ context.Context, ev Event) error {
	b.mu.Lock()
	h, ok := b.handler, b.subs[ev.CouncilID] && !b.closed
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return errBrokerClosed
	}
	if ok && h != nil {
		h.HandleEvent(ev)
	}
	return nil
}

// PublishControl hands c to the handler.
func (b *MemoryBroker) PublishControl(_ context.Context, c Control) error {
	b.mu.Lock()
	h, closed := b.handler, b.closed
	b.mu.Unlock()
	if closed {
		return errBrokerClosed
	}
	if h != nil {
		h.HandleControl(c)
	}
	return nil
}

// Subscribe marks the council subscribed.
func (b *MemoryBroker) Subscribe(_ context.Context, councilID int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[councilID] = true
	return nil
}

// Unsubscribe marks the council unsubscribed.
func (b *MemoryBroker) Unsubscribe(_ context.Context, councilID int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs, councilID)
	return nil
}

// Ready answers nil until Close.
func (b *MemoryBroker) Ready(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errBrokerClosed
	}
	return nil
}

// Close stops delivery.
func (b *MemoryBroker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.handler = nil
	return nil
}
