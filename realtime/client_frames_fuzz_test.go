package realtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// FuzzIsClientPing checks the one decision about a client frame's content against the
// protocol's definition of a ping, written out independently below.
func FuzzIsClientPing(f *testing.F) {
	for _, s := range clientFrameSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if got, want := isClientPing(msg), protocolPing(msg); got != want {
			t.Fatalf("isClientPing(%q) = %v, the protocol says %v", msg, got, want)
		}
	})
}

// clientFrameSeeds are frames a browser might send: ours, near misses, junk.
var clientFrameSeeds = []string{
	`{"type":"ping"}`,
	` { "type" : "ping" , "at" : 1 } `,
	`{"at":[1,{"type":"x"}],"type":"ping"}`,
	`{"type":"Ping"}`,
	`{"type":"ping "}`,
	`{"TYPE":"ping"}`,
	`{"type":"ping","type":"pong"}`,
	`{"type":"pong","Type":"ping"}`,
	`{"type":null}`,
	`{"type":"ping","x":null,"type":null}`,
	`{"type":1}`,
	`{"type":1,"type":"ping"}`,
	`{"type":"\u0070ing"}`,
	`{"type":"ping"}{}`,
	`{"type":"ping"`,
	`["type","ping"]`,
	`"ping"`,
	`null`,
	`ping`,
	"",
	"\x00\xff\xfe",
	"{\"type\":\"ping\xff\"}",
	`{"type":"pong"}`,
	`{"type":"resync","last_seq":1}`,
	`{"seq":1,"type":"vote.cast"}`,
	strings.Repeat(`{"a":`, 500) + "1" + strings.Repeat("}", 500),
	strings.Repeat("[", 4096),
}

// protocolPing: a ping is a JSON object whose "type" member is the string "ping". As with
// encoding/json, a key matches regardless of case and the last match decides; a null member
// leaves the type unset; a member of another kind makes the frame no ping.
func protocolPing(msg []byte) bool {
	if !json.Valid(msg) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(msg))
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return false
	}
	typ := ""
	for dec.More() {
		key, _ := dec.Token()
		var v any
		if dec.Decode(&v) != nil {
			return false
		}
		if !strings.EqualFold(key.(string), "type") {
			continue
		}
		switch v := v.(type) {
		case nil:
		case string:
			typ = v
		default:
			return false
		}
	}
	return typ == "ping"
}

// Kinds of frame FuzzClientFrame sends.
const (
	kindText = iota
	kindBinary
	kindWSPing // a websocket ping control frame, payload cut to 125 bytes
	kindRaw    // bytes written straight to the socket of a fresh connection
	kinds
)

// FuzzClientFrame sends arbitrary frames to a real hub over a real websocket. A data frame
// within 4 KiB never closes the connection, a {"type":"ping"} always gets {"type":"pong"} and
// nothing else does, a bigger frame closes with 1009, a websocket ping gets its pong, and bytes
// that are no websocket at all never take the server down or leave a connection behind.
//
// The hub's ClientRate is raised so that the fuzzer is not throttled; TestClientFramesAtRate
// checks the same frames at the default rate.
func FuzzClientFrame(f *testing.F) {
	for i, s := range clientFrameSeeds {
		f.Add(uint8(i%3), []byte(s))
	}
	f.Add(uint8(kindText), bytes.Repeat([]byte("x"), 4096))
	f.Add(uint8(kindBinary), bytes.Repeat([]byte("x"), 4097))
	f.Add(uint8(kindWSPing), []byte("are you there"))
	f.Add(uint8(kindRaw), []byte("\x81\x8f\x00\x00\x00\x00{\"type\":\"ping\"}"))       // masked ping
	f.Add(uint8(kindRaw), []byte("\x81\x0f{\"type\":\"ping\"}"))                       // unmasked: refused
	f.Add(uint8(kindRaw), []byte("\x8f\x80\x00\x00\x00\x00"))                          // reserved opcode
	f.Add(uint8(kindRaw), []byte("\x01\x81\x00\x00\x00\x00x\x89\x80\x00\x00\x00\x00")) // ping between fragments
	f.Add(uint8(kindRaw), []byte("\x81\xff\x7f\xff\xff\xff\xff\xff\xff\xff"))          // 2^63-1 bytes announced
	f.Add(uint8(kindRaw), []byte("GET / HTTP/1.1\r\n\r\n"))
	s := startServer(f, newMemRecord(), NewMemoryBroker(), Options{ClientRate: 1 << 30, CloseGrace: 100 * time.Millisecond}, 0)
	var fc *frameClient
	f.Cleanup(func() {
		if fc != nil {
			fc.close()
		}
	})
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		if fc == nil {
			fc = dialFrames(t, s)
		}
		if !fc.send(t, s, kind%kinds, data) {
			fc.close()
			fc = nil
		}
	})
}

// TestClientFramesAtRate sends the seed frames at the default limit, 20 frames a second (the
// ping that follows each batch included): none closes the connection, every ping is answered.
func TestClientFramesAtRate(t *testing.T) {
	s := startServer(t, newMemRecord(), NewMemoryBroker(), Options{}, 0)
	fc := dialFrames(t, s)
	defer fc.close()
	for start := 0; start < len(clientFrameSeeds); start += 19 {
		began := time.Now()
		for _, msg := range clientFrameSeeds[start:min(start+19, len(clientFrameSeeds))] {
			fc.sendData(t, fws.TextMessage, []byte(msg))
		}
		fc.ping(t)
		time.Sleep(time.Second - time.Since(began) + 50*time.Millisecond)
	}
	if err := fc.closed(); err != nil {
		t.Fatalf("connection closed at the allowed rate: %v", err)
	}
}

// frameClient is a websocket client that counts the pongs it receives.
type frameClient struct {
	ws      *fws.Conn
	mu      sync.Mutex
	pongs   int    // {"type":"pong"} frames
	other   []byte // the first other frame, if any
	wsPongs int    // websocket pongs
	wsLast  string // the payload of the last one
	err     error  // why reading stopped
	changed chan struct{}
	done    chan struct{}
	want    int // pongs expected so far
}

func dialFrames(t testing.TB, s *testServer) *frameClient {
	t.Helper()
	// A small write buffer makes the client fragment frames over 256 bytes.
	d := fws.Dialer{HandshakeTimeout: 5 * time.Second, WriteBufferSize: 256}
	ws, _, err := d.Dial(s.url(1, ""), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	fc := &frameClient{ws: ws, changed: make(chan struct{}, 1), done: make(chan struct{})}
	ws.SetPongHandler(func(data string) error {
		fc.update(func() { fc.wsPongs, fc.wsLast = fc.wsPongs+1, data })
		return nil
	})
	go fc.read()
	return fc
}

func (fc *frameClient) read() {
	defer close(fc.done)
	for {
		_, p, err := fc.ws.ReadMessage()
		fc.update(func() {
			switch {
			case err != nil:
				fc.err = err
			case string(p) == `{"type":"pong"}`:
				fc.pongs++
			case fc.other == nil:
				fc.other = p
			}
		})
		if err != nil {
			return
		}
	}
}

// update changes the client's state and wakes await.
func (fc *frameClient) update(change func()) {
	fc.mu.Lock()
	change()
	fc.mu.Unlock()
	signal(fc.changed)
}

// await waits up to 5 s for done to say true; done runs under the client's lock.
func (fc *frameClient) await(t *testing.T, what string, done func() bool) {
	t.Helper()
	timeout := time.NewTimer(5 * time.Second)
	defer timeout.Stop()
	check := func() bool {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		return done()
	}
	for !check() {
		select {
		case <-fc.changed:
		case <-timeout.C:
			t.Fatalf("no %s within 5 s", what)
		}
	}
}

func (fc *frameClient) close() {
	_ = fc.ws.Close()
	<-fc.done
}

// closed is why the connection ended, or nil while it is open.
func (fc *frameClient) closed() error {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.err
}

// send sends one fuzzed frame and checks the answer, then that a ping is still answered;
// false means the connection has ended, as it should.
func (fc *frameClient) send(t *testing.T, s *testServer, kind uint8, data []byte) bool {
	t.Helper()
	switch kind {
	case kindWSPing:
		fc.wsPing(t, data[:min(len(data), 125)])
	case kindRaw:
		sendRaw(t, s, data)
	case kindText, kindBinary:
		mt := fws.TextMessage
		if kind == kindBinary {
			mt = fws.BinaryMessage
		}
		if len(data) > 4096 {
			_ = fc.ws.WriteMessage(mt, data) // fails once the server has closed
			fc.wantClose(t, fws.CloseMessageTooBig)
			return false
		}
		fc.sendData(t, mt, data)
	}
	fc.ping(t)
	return true
}

// sendData sends a data frame of at most 4 KiB; if it is a ping, its pong must come.
func (fc *frameClient) sendData(t *testing.T, mt int, data []byte) {
	t.Helper()
	if err := fc.ws.WriteMessage(mt, data); err != nil {
		t.Fatalf("write %d bytes: %v", len(data), err)
	}
	if isClientPing(data) {
		fc.want++
	}
	fc.waitPongs(t)
}

// ping sends {"type":"ping"} and waits for the pong: the connection is open and answers, and
// nothing before it was answered that should not have been.
func (fc *frameClient) ping(t *testing.T) {
	t.Helper()
	if err := fc.ws.WriteMessage(fws.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatalf("ping: %v", err)
	}
	fc.want++
	fc.waitPongs(t)
}

// wsPing sends a websocket ping and waits for the pong that carries its payload.
func (fc *frameClient) wsPing(t *testing.T, data []byte) {
	t.Helper()
	fc.mu.Lock()
	before := fc.wsPongs
	fc.mu.Unlock()
	if err := fc.ws.WriteControl(fws.PingMessage, data, time.Now().Add(5*time.Second)); err != nil {
		t.Fatalf("websocket ping: %v", err)
	}
	fc.await(t, "websocket pong", func() bool { return fc.wsPongs > before && fc.wsLast == string(data) })
}

// waitPongs waits until the pongs expected so far have come, and fails on any other frame, on
// a pong too many, and on the connection ending.
func (fc *frameClient) waitPongs(t *testing.T) {
	t.Helper()
	fc.await(t, fmt.Sprintf("pong %d", fc.want), func() bool {
		switch {
		case fc.other != nil:
			t.Fatalf("unexpected frame from the server: %q", fc.other)
		case fc.pongs > fc.want:
			t.Fatalf("%d pongs, want %d: a frame that is no ping was answered", fc.pongs, fc.want)
		case fc.pongs < fc.want && fc.err != nil:
			t.Fatalf("connection ended waiting for pong %d: %v", fc.want, fc.err)
		}
		return fc.pongs == fc.want
	})
}

// wantClose waits for the server to close the connection with code.
func (fc *frameClient) wantClose(t *testing.T, code int) {
	t.Helper()
	select {
	case <-fc.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("connection not closed with %d", code)
	}
	var ce *fws.CloseError
	if err := fc.closed(); !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("want close %d, got %v", code, err)
	}
}

// sendRaw writes data to the socket of a fresh websocket and hangs up its side, reads
// whatever the server answers until it closes too, and waits for the hub to let the connection go.
func sendRaw(t *testing.T, s *testServer, data []byte) {
	t.Helper()
	ws, _, err := fws.DefaultDialer.Dial(s.url(1, ""), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	nc := ws.NetConn().(*net.TCPConn)
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Write(data); err != nil {
		t.Fatalf("raw write: %v", err)
	}
	_ = nc.CloseWrite()
	buf := make([]byte, 4096)
	for {
		if _, err := nc.Read(buf); err != nil {
			if isTimeout(err) {
				t.Fatalf("the server kept the connection open after the client hung up")
			}
			break
		}
	}
	// The fuzzing client's connection alone remains.
	for deadline := time.Now().Add(5 * time.Second); s.hub.Connections() != 1; time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections after the raw one ended, want 1", s.hub.Connections())
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
