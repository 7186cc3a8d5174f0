package realtime

import (
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
)

// BenchmarkFanout1000 measures one process's fan-out: an event published to a council that
// 1000 websockets follow, until every one of them has read it (the clients run in the same
// process, as the load tools' do on the same machine). ns/op is the time from Publish to the
// last client; profile it with -cpuprofile.
func BenchmarkFanout1000(b *testing.B) {
	const n = 1000
	rec := newMemRecord()
	rec.pad = padding(300) // about the size of a vote.cast event
	s := startServer(b, rec, NewMemoryBroker(), Options{}, 0)
	d := &fws.Dialer{ReadBufferSize: 1024, WriteBufferSize: 256}
	var got atomic.Int64
	for i := 0; i < n; i++ {
		ws, _, err := d.Dial("ws://"+s.addr+"/api/v1/councils/1/live", nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		go func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
				got.Add(1)
			}
		}()
	}
	for s.hub.Connections() < n {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want := got.Load() + n
		ev := rec.commit(1)
		ev.Committed = time.Now()
		s.hub.Publish(ev)
		for got.Load() < want {
			time.Sleep(50 * time.Microsecond)
		}
	}
	b.StopTimer()
	// CPU time (the server's and the clients', user and system) per fan-out: less moved by
	// other work on the machine than the wall time.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
