package realtime

import (
	"encoding/binary"
	"strconv"
	"time"
)

// outFrame is one queued server-to-client text frame. Event frames are encoded once per process
// and the same value is queued to every connection of the council, so nothing is copied per
// client.
type outFrame struct {
	seq       int64     // the event's seq; 0 for frames that are not events
	committed time.Time // when the event was committed, for the latency of live deliveries (zero: a replay)
	isResync  bool      // a resync frame: the connection continues after seq resync
	resync    int64
	public    bool   // anyone may read the event
	wire      []byte // the complete websocket frame (header and payload)
	skip      []byte // for an event that is not public: the skip frame public-only connections get
}

// outBatch is one queue item: frames delivered together (consecutive events, or one resync).
type outBatch []*outFrame

// eventFrame encodes ev once for every connection.
func eventFrame(ev Event) *outFrame {
	f := &outFrame{seq: ev.Seq, committed: ev.Committed, public: ev.Public, wire: textFrame(ev.JSON)}
	if !ev.Public {
		f.skip = skipFrame(ev.Seq, ev.At)
	}
	return f
}

// skipFrame stands, for a public-only connection, for an event it may not read: the client
// moves its position past seq (whose "at" it keeps for resuming) and shows nothing.
func skipFrame(seq int64, at time.Time) []byte {
	p := strconv.AppendInt([]byte(`{"type":"skip","seq":`), seq, 10)
	p = append(p, `,"at":"`...)
	p = at.UTC().AppendFormat(p, time.RFC3339Nano)
	return textFrame(append(p, `"}`...))
}

// resyncFrame tells the client to reload over HTTP; live events continue after lastSeq.
func resyncFrame(lastSeq int64) *outFrame {
	p := strconv.AppendInt([]byte(`{"type":"resync","last_seq":`), lastSeq, 10)
	return &outFrame{isResync: true, resync: lastSeq, wire: textFrame(append(p, '}'))}
}

// pongFrame answers a client's {"type":"ping"}.
var pongFrame = textFrame([]byte(`{"type":"pong"}`))

// pingFrame is the websocket ping of the shared schedule: final, opcode 9, no payload.
var pingFrame = []byte{0x89, 0}

// controlFrame is a final, unmasked control frame with opcode op (0x80|op given whole) and
// data, which the protocol bounds to 125 bytes (a longer one is cut there).
func controlFrame(op byte, data string) []byte {
	if len(data) > 125 {
		data = data[:125]
	}
	return append([]byte{op, byte(len(data))}, data...)
}

// textFrame encodes payload as one final, unmasked text frame (RFC 6455 section 5.2), the form
// every server-to-client frame takes when compression is off. Writing ready-made frames lets a
// connection's writer send everything queued in one write call instead of one per event.
func textFrame(payload []byte) []byte {
	n := len(payload)
	var hdr []byte
	switch {
	case n <= 125:
		hdr = []byte{0x81, byte(n)}
	case n <= 0xFFFF:
		hdr = []byte{0x81, 126, 0, 0}
		binary.BigEndian.PutUint16(hdr[2:], uint16(n))
	default:
		hdr = make([]byte, 10)
		hdr[0], hdr[1] = 0x81, 127
		binary.BigEndian.PutUint64(hdr[2:], uint64(n))
	}
	return append(append(make([]byte, 0, len(hdr)+n), hdr...), payload...)
}
