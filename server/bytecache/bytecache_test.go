package bytecache

import (
	"strconv"
	"sync"
	"testing"
)

// newBytes returns a cache of byte slices, each counted as its length.
func newBytes(limit int) *Cache[string, []byte] {
	return New[string](limit, func(b []byte) int { return len(b) })
}

// kept returns the keys among keys that c holds, in the order given.
func kept(c *Cache[string, []byte], keys ...string) []string {
	var got []string
	for _, k := range keys {
		c.mu.Lock()
		_, ok := c.byKey[k] // not Get: looking must not change the order
		c.mu.Unlock()
		if ok {
			got = append(got, k)
		}
	}
	return got
}

// checkCounts fails unless the bytes counted are the sizes of the values held, within the
// bound, and every key names one value held.
func checkCounts(t *testing.T, c *Cache[string, []byte]) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for el := c.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*entry[string, []byte])
		total += len(e.value)
		if c.byKey[e.key] != el {
			t.Errorf("the value under %q is not the one its key names", e.key)
		}
	}
	if total != c.used || total > c.limit || len(c.byKey) != c.order.Len() {
		t.Errorf("%d bytes counted, %d held, bound %d; %d keys, %d values", c.used, total, c.limit, len(c.byKey), c.order.Len())
	}
}

// The least recently used value goes first, and reading a value makes it recent.
func TestEvictsLeastRecentlyUsed(t *testing.T) {
	c := newBytes(100)
	for _, k := range []string{"a", "b", "c"} {
		c.Put(k, make([]byte, 30))
	}
	if _, ok := c.Get("a"); !ok {
		t.Fatal("a value within the bound was not kept")
	}
	c.Put("d", make([]byte, 30)) // 120 bytes: b, now the least recently used, goes
	if got := kept(c, "a", "b", "c", "d"); len(got) != 3 || got[0] != "a" || got[1] != "c" || got[2] != "d" {
		t.Errorf("kept %v, want [a c d]", got)
	}
	c.Put("e", make([]byte, 50)) // 140 bytes: c then a go, d stays
	if got := kept(c, "a", "c", "d", "e"); len(got) != 2 || got[0] != "d" || got[1] != "e" {
		t.Errorf("kept %v, want [d e]", got)
	}
	if c.Size() != 80 || c.Len() != 2 {
		t.Errorf("%d bytes in %d values, want 80 in 2", c.Size(), c.Len())
	}
	checkCounts(t, c)
}

// The bytes held never pass the bound, whatever the order of puts and reads.
func TestStaysWithinBound(t *testing.T) {
	c := newBytes(1000)
	for i := range 500 {
		c.Put(strconv.Itoa(i%37), make([]byte, (i*7919)%500))
		c.Get(strconv.Itoa(i % 11))
		if c.Size() > 1000 {
			t.Fatalf("after %d puts the cache holds %d bytes, over its 1000", i+1, c.Size())
		}
	}
	checkCounts(t, c)
}

// A value over half the bound is not kept, by Put or by Add; one of exactly half is.
func TestRefusesValueOverHalfTheBound(t *testing.T) {
	c := newBytes(100)
	c.Put("small", make([]byte, 10))
	c.Put("big", make([]byte, 51))
	c.Add("big too", make([]byte, 51))
	if got := kept(c, "small", "big", "big too"); len(got) != 1 {
		t.Errorf("kept %v, want only the small value", got)
	}
	c.Put("half", make([]byte, 50))
	if _, ok := c.Get("half"); !ok || c.Size() != 60 {
		t.Errorf("a value of half the bound was not kept (%d bytes held)", c.Size())
	}
	checkCounts(t, c)
}

// Put replaces the value under its key, counted once; a replacement too large to keep takes
// the old value away all the same.
func TestPutReplaces(t *testing.T) {
	c := newBytes(100)
	c.Put("k", make([]byte, 10))
	c.Put("other", make([]byte, 5))
	newer := make([]byte, 30)
	c.Put("k", newer)
	if v, _ := c.Get("k"); len(v) != 30 || &v[0] != &newer[0] {
		t.Error("the value put again is not the one returned")
	}
	if c.Size() != 35 || c.Len() != 2 {
		t.Errorf("%d bytes in %d values, want 35 in 2", c.Size(), c.Len())
	}
	c.Put("k", make([]byte, 60))
	if _, ok := c.Get("k"); ok || c.Size() != 5 {
		t.Errorf("the old value stayed under a replacement too large to keep (%d bytes held)", c.Size())
	}
	checkCounts(t, c)
}

// Add keeps the value already under its key, and the count with it.
func TestAddKeepsFirst(t *testing.T) {
	c := newBytes(100)
	first := make([]byte, 10)
	c.Add("k", first)
	c.Add("k", make([]byte, 30))
	if v, _ := c.Get("k"); len(v) != 10 || &v[0] != &first[0] {
		t.Error("Add replaced the value already kept")
	}
	if c.Size() != 10 || c.Len() != 1 {
		t.Errorf("%d bytes in %d values, want 10 in 1", c.Size(), c.Len())
	}
	checkCounts(t, c)
}

// A bound of zero or less keeps only empty values, and never fails.
func TestZeroBound(t *testing.T) {
	for _, limit := range []int{0, -1} {
		c := newBytes(limit)
		c.Put("empty", nil)
		c.Put("full", []byte("x"))
		if got := kept(c, "empty", "full"); len(got) != 1 || got[0] != "empty" {
			t.Errorf("bound %d: kept %v, want [empty]", limit, got)
		}
		checkCounts(t, c)
	}
}

// Goroutines putting, adding and reading the same keys at once leave the counts right (and
// the race detector quiet).
func TestConcurrentUse(t *testing.T) {
	c := newBytes(4 << 10)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := strconv.Itoa((g*31 + i) % 64)
				switch i % 3 {
				case 0:
					c.Put(k, make([]byte, (g*i)%300))
				case 1:
					c.Add(k, make([]byte, i%200))
				default:
					if v, ok := c.Get(k); ok && len(v) > 2<<10 {
						t.Errorf("a value of %d bytes was kept, over half the bound", len(v))
					}
				}
				if n := c.Size(); n > 4<<10 {
					t.Errorf("%d bytes held, over the bound", n)
				}
			}
		})
	}
	wg.Wait()
	checkCounts(t, c)
	if c.Len() == 0 {
		t.Error("nothing was kept")
	}
}
