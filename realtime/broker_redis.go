package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultChannelPrefix names a council's Redis channel: DefaultChannelPrefix + council id.
const DefaultChannelPrefix = "council:events:"

// RedisBroker is the Broker between server processes: Redis pub/sub, one channel per council,
// one PubSub connection per process.
//
// go-redis reconnects the PubSub connection on its own (on read errors and when its health-check
// PING fails) and re-subscribes every channel; Redis confirms each subscription again, and the
// broker reports every confirmation through HandleSubscribed so the hub re-reads the Record for
// the time it was deaf. Messages published while Redis is down are lost, never queued.
type RedisBroker struct {
	client *redis.Client
	log    *slog.Logger
	prefix string

	mu     sync.Mutex
	ps     *redis.PubSub
	done   chan struct{}
	closed bool
}

var _ Broker = (*RedisBroker)(nil)

// RedisOption adjusts a RedisBroker.
type RedisOption func(*RedisBroker)

// WithChannelPrefix replaces DefaultChannelPrefix, so that several deployments (or test runs) can
// share one Redis without hearing each other.
func WithChannelPrefix(prefix string) RedisOption {
	return func(b *RedisBroker) { b.prefix = prefix }
}

// NewRedisBroker returns a broker over client. The caller keeps owning client: Close does not
// close it.
func NewRedisBroker(client *redis.Client, log *slog.Logger, opts ...RedisOption) *RedisBroker {
	if log == nil {
		log = slog.Default()
	}
	b := &RedisBroker{client: client, log: log, prefix: DefaultChannelPrefix}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Run opens the PubSub connection (without channels yet) and starts handing messages to h.
func (b *RedisBroker) Run(h BrokerHandler) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ps != nil || b.closed {
		return errors.New("realtime: redis broker already running or closed")
	}
	b.ps = b.client.Subscribe(context.Background(), b.controlChannel())
	ch := b.ps.ChannelWithSubscriptions(
		redis.WithChannelSize(1024),
		redis.WithChannelHealthCheckInterval(2*time.Second),
	)
	b.done = make(chan struct{})
	go b.dispatch(ch, h)
	return nil
}

// dispatch hands messages and subscription confirmations to h until the PubSub is closed.
func (b *RedisBroker) dispatch(ch <-chan any, h BrokerHandler) {
	defer close(b.done)
	for msg := range ch {
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind != "subscribe" {
				continue
			}
			if id, ok := b.councilOf(m.Channel); ok {
				h.HandleSubscribed(id)
			}
		case *redis.Message:
			if m.Channel == b.controlChannel() {
				var c Control
				if err := json.Unmarshal([]byte(m.Payload), &c); err != nil {
					b.log.Warn("realtime: undecodable redis control message", "err", err)
					continue
				}
				h.HandleControl(c)
				continue
			}
			ev, err := decodeBrokerEvent([]byte(m.Payload))
			if err != nil {
				b.log.Warn("realtime: undecodable redis message", "channel", m.Channel, "err", err)
				continue
			}
			h.HandleEvent(ev)
		}
	}
}

// Publish sends ev on the council's channel.
func (b *RedisBroker) Publish(ctx context.Context, ev Event) error {
	return b.client.Publish(ctx, b.channel(ev.CouncilID), encodeBrokerEvent(ev)).Err()
}

// PublishControl sends c on the control channel, which every process subscribes to.
func (b *RedisBroker) PublishControl(ctx context.Context, c Control) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.client.Publish(ctx, b.controlChannel(), raw).Err()
}

// Subscribe adds the council's channel. go-redis remembers it even when the SUBSCRIBE could not
// be sent, and sends it on reconnect.
func (b *RedisBroker) Subscribe(ctx context.Context, councilID int64) error {
	ps, err := b.pubsub()
	if err != nil {
		return err
	}
	return ps.Subscribe(ctx, b.channel(councilID))
}

// Unsubscribe removes the council's channel.
func (b *RedisBroker) Unsubscribe(ctx context.Context, councilID int64) error {
	ps, err := b.pubsub()
	if err != nil {
		return err
	}
	return ps.Unsubscribe(ctx, b.channel(councilID))
}

// Ready pings Redis.
func (b *RedisBroker) Ready(ctx context.Context) error {
	return b.client.Ping(ctx).Err()
}

// Close closes the PubSub connection and waits for the dispatcher to stop.
func (b *RedisBroker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	ps, done := b.ps, b.done
	b.mu.Unlock()
	if ps == nil {
		return nil
	}
	err := ps.Close()
	<-done
	return err
}

func (b *RedisBroker) pubsub() (*redis.PubSub, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ps == nil || b.closed {
		return nil, errBrokerClosed
	}
	return b.ps, nil
}

func (b *RedisBroker) channel(councilID int64) string {
	return b.prefix + strconv.FormatInt(councilID, 10)
}

// controlChannel carries Control messages to every process.
func (b *RedisBroker) controlChannel() string { return b.prefix + "control" }

func (b *RedisBroker) councilOf(channel string) (int64, bool) {
	rest, ok := strings.CutPrefix(channel, b.prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}

// Flags of a broker event's header.
const (
	flagPublic       = 1 << 0
	flagClosesPublic = 1 << 1
)

// encodeBrokerEvent frames ev as "<council> <seq> <at> <committed> <evicts> <flags>\n<json>"
// (times in Unix nanoseconds; flags flagPublic|flagClosesPublic): the header is cheap to parse
// and the JSON travels as is.
func encodeBrokerEvent(ev Event) []byte {
	buf := make([]byte, 0, len(ev.JSON)+80)
	var flags int64
	if ev.Public {
		flags |= flagPublic
	}
	if ev.ClosesPublic {
		flags |= flagClosesPublic
	}
	for i, n := range []int64{ev.CouncilID, ev.Seq, unixNano(ev.At), unixNano(ev.Committed), ev.Evicts, flags} {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = strconv.AppendInt(buf, n, 10)
	}
	buf = append(buf, '\n')
	return append(buf, ev.JSON...)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func decodeBrokerEvent(p []byte) (Event, error) {
	head, body, ok := bytes.Cut(p, []byte{'\n'})
	if !ok {
		return Event{}, errors.New("no header")
	}
	f := strings.Fields(string(head))
	if len(f) != 5 && len(f) != 6 { // five: a process from before flags, during an upgrade
		return Event{}, fmt.Errorf("header %q", head)
	}
	var n [6]int64
	for i, s := range f {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return Event{}, fmt.Errorf("header %q: %w", head, err)
		}
		n[i] = v
	}
	return Event{CouncilID: n[0], Seq: n[1], At: fromUnixNano(n[2]).UTC(), Committed: fromUnixNano(n[3]), Evicts: n[4],
		Public: n[5]&flagPublic != 0, ClosesPublic: n[5]&flagClosesPublic != 0, JSON: body}, nil
}
