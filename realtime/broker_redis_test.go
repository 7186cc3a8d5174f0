package realtime

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

const sharedRedis = "127.0.0.1:6379"

// startRedisHubs starts n processes' worth of hubs, each with its own client and RedisBroker on
// addr, sharing rec.
func startRedisHubs(t *testing.T, n int, addr, prefix string, rec Record, opts Options) []*testServer {
	t.Helper()
	var out []*testServer
	for range n {
		b := NewRedisBroker(redisClient(t, addr), quietLog(), WithChannelPrefix(prefix))
		out = append(out, startServer(t, rec, b, opts, 0))
	}
	return out
}

func TestRedisEventReachesOtherHubs(t *testing.T) {
	rec := newMemRecord()
	hubs := startRedisHubs(t, 3, sharedRedis, uniquePrefix(t), rec, Options{PollEvery: time.Hour})
	var clients []*client
	for _, s := range hubs {
		clients = append(clients, dial(t, s, 7, "", 0, nil))
	}
	for _, s := range hubs {
		waitAttached(t, s.hub, 7, 1)
	}
	// Subscriptions are confirmed asynchronously; the first event may be repaired from the
	// record, the later ones travel through Redis only (the poll is off).
	for range 20 {
		rec.commitPublish(hubs[0].hub, 7)
	}
	for i, c := range clients {
		waitFor(t, 5*time.Second, "20 events", func() bool { return c.count() == 20 })
		wantSeqs(t, fmt.Sprintf("client on hub %d", i), c.received(), 1, 20)
	}
}

func TestRedisConcurrentWritersAllInOrder(t *testing.T) {
	rec := newMemRecord()
	hubs := startRedisHubs(t, 3, sharedRedis, uniquePrefix(t), rec, Options{})
	var clients []*client
	for _, s := range hubs {
		clients = append(clients, dial(t, s, 3, "", 0, nil), dial(t, s, 3, "", 0, nil))
	}
	for _, s := range hubs {
		waitAttached(t, s.hub, 3, 2)
	}
	const writers, each = 10, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range each {
				rec.commitPublish(hubs[w%len(hubs)].hub, 3)
			}
		})
	}
	wg.Wait()
	for i, c := range clients {
		waitFor(t, 10*time.Second, fmt.Sprintf("1000 events at client %d (%d, %v)", i, c.count(), c.closeErr()), func() bool { return c.count() >= writers*each })
		wantSeqs(t, fmt.Sprintf("client %d", i), c.received(), 1, writers*each)
	}
}

// redisProcess is a redis-server of the test's own, to stop and start again.
type redisProcess struct {
	port int
	cmd  *exec.Cmd
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (r *redisProcess) start(t *testing.T) {
	t.Helper()
	const bin = "/usr/bin/redis-server"
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("redis-server is required for this test: %v", err)
	}
	r.cmd = exec.Command(bin, "--port", fmt.Sprint(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "redis-server to listen", func() bool {
		c, err := net.Dial("tcp", r.addr())
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func (r *redisProcess) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

func (r *redisProcess) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

func TestRedisOutageLosesNothing(t *testing.T) {
	rp := &redisProcess{port: freePort(t)}
	rp.start(t)
	t.Cleanup(rp.stop)

	rec := newMemRecord()
	// The record poll is off: only the re-subscription after the outage can repair hub B.
	hubs := startRedisHubs(t, 2, rp.addr(), DefaultChannelPrefix, rec, Options{PollEvery: time.Hour})
	for _, s := range hubs { // warm up: every long-lived goroutine has started
		dial(t, s, 5, "", 0, nil).close()
		waitConnections(t, s.hub, 0)
		waitAttached(t, s.hub, 5, 0)
	}
	before := ourGoroutines()
	var clients []*client
	for _, s := range hubs {
		clients = append(clients, dial(t, s, 5, "", 0, nil), dial(t, s, 5, "", 0, nil))
	}
	for _, s := range hubs {
		waitAttached(t, s.hub, 5, 2)
	}

	stop := make(chan struct{})
	var writer sync.WaitGroup
	var slowest time.Duration
	writer.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			start := time.Now()
			rec.commitPublish(hubs[i%2].hub, 5)
			slowest = max(slowest, time.Since(start))
		}
	})

	time.Sleep(300 * time.Millisecond)
	rp.stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	if err := hubs[0].hub.Ready(ctx); err == nil {
		t.Error("Ready reports nil while Redis is down")
	}
	cancel()
	time.Sleep(time.Second)
	rp.start(t)
	waitFor(t, 10*time.Second, "Ready after Redis is back", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return hubs[0].hub.Ready(ctx) == nil && hubs[1].hub.Ready(ctx) == nil
	})
	time.Sleep(500 * time.Millisecond)
	close(stop)
	writer.Wait()

	last, _ := rec.LastSeq(context.Background(), 5)
	for i, c := range clients {
		waitFor(t, 15*time.Second, "every event", func() bool { return int64(c.count()) == last })
		wantSeqs(t, fmt.Sprintf("client %d", i), c.received(), 1, last)
		if err := c.closeErr(); err != nil {
			t.Errorf("client %d was disconnected: %v", i, err)
		}
	}
	if slowest > 100*time.Millisecond {
		t.Errorf("Publish blocked its caller for %v during the outage", slowest)
	}
	for _, c := range clients {
		c.close()
	}
	for _, s := range hubs {
		waitConnections(t, s.hub, 0)
	}
	waitBaseline(t, before)
}
