// Package bytecache keeps values in memory up to a bound on the bytes they take, least
// recently used out first. The pages kept ready (httpapi) and the frozen records (council)
// are kept in it; it imports nothing of ours.
package bytecache

import (
	"container/list"
	"sync"
)

// Cache keeps values under comparable keys while their summed size stays within a bound,
// evicting the least recently used to make room. A value that would take more than half the
// bound is not kept, so that one large value never empties the cache for itself. A Cache is
// safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	limit int
	size  func(V) int
	used  int
	order *list.List // of *entry[K, V], most recent first
	byKey map[K]*list.Element
}

// entry is a value kept, with its key (to forget it on eviction) and the size counted for it
// when it was kept, which is the size taken off when it goes.
type entry[K comparable, V any] struct {
	key   K
	value V
	size  int
}

// New returns an empty cache whose values take at most limit bytes in all, as size counts
// them. size must give the same answer for a value as long as it is kept. A limit of zero or
// less keeps only values of size zero.
func New[K comparable, V any](limit int, size func(V) int) *Cache[K, V] {
	return &Cache[K, V]{limit: max(limit, 0), size: size, order: list.New(), byKey: map[K]*list.Element{}}
}

// Get returns the value under k, if one is kept, and makes it the most recently used.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry[K, V]).value, true
}

// Put keeps v under k in place of what was there. The old value goes even when v is too large
// to keep: it is never served again once a newer one was put.
func (c *Cache[K, V]) Put(k K, v V) {
	n := c.size(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[k]; ok {
		c.remove(el)
	}
	c.insert(k, v, n)
}

// Add keeps v under k unless a value is kept there already, which then stays as it is (for
// values that never change, where the first one kept is as good as any).
func (c *Cache[K, V]) Add(k K, v V) {
	n := c.size(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[k]; !ok {
		c.insert(k, v, n)
	}
}

// Size returns the bytes the values kept take, as size counted them.
func (c *Cache[K, V]) Size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// Len returns how many values are kept.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// insert keeps v, of size n, under k, which holds nothing, unless it takes more than half the
// bound, then evicts the least recently used values until the rest fit. c.mu is held.
func (c *Cache[K, V]) insert(k K, v V, n int) {
	if n > c.limit/2 {
		return
	}
	c.byKey[k] = c.order.PushFront(&entry[K, V]{key: k, value: v, size: n})
	c.used += n
	for c.used > c.limit {
		c.remove(c.order.Back())
	}
}

// remove forgets the value of el. c.mu is held.
func (c *Cache[K, V]) remove(el *list.Element) {
	e := c.order.Remove(el).(*entry[K, V])
	delete(c.byKey, e.key)
	c.used -= e.size
}
