package httpapi

import (
	"testing"
	"time"
)

// The pages kept ready never take more than their bound: the least recently used go first,
// and a page larger than half the bound is not kept at all.
func TestPageCacheBound(t *testing.T) {
	const limit = 64 << 10
	pc := newPageCache(limit)
	page := func(round int64, n int) *pageEntry {
		// Bytes that do not compress, so that each page takes about 3n.
		body := make([]byte, n)
		x := uint32(round)
		for i := range body {
			x = x*1664525 + 1013904223
			body[i] = byte(x >> 24)
		}
		return &pageEntry{key: pageKey{round: round, lang: "bg"}, ready: newReadyBody(body)}
	}
	for round := int64(1); round <= 40; round++ {
		pc.put(page(round, 4<<10))
		if size := pc.pages.Size(); size > limit {
			t.Fatalf("after %d pages the cache holds %d bytes, over its %d", round, size, limit)
		}
		if _, ok := pc.get(pageKey{round: 1, lang: "bg"}); !ok && round < 4 {
			t.Fatalf("page 1 gone after %d pages", round)
		}
	}
	if _, ok := pc.get(pageKey{round: 2, lang: "bg"}); ok {
		t.Error("the least recently used page was kept past the bound")
	}
	if _, ok := pc.get(pageKey{round: 1, lang: "bg"}); !ok {
		t.Error("a page read all along was evicted")
	}
	if _, ok := pc.get(pageKey{round: 40, lang: "bg"}); !ok {
		t.Error("the newest page was not kept")
	}
	size := pc.pages.Size()
	pc.put(page(99, limit/4))
	if _, ok := pc.get(pageKey{round: 99, lang: "bg"}); ok || pc.pages.Size() > size {
		t.Error("a page over half the bound was kept")
	}
	// A page kept again under its key replaces the old one, counted once.
	old, _ := pc.get(pageKey{round: 40, lang: "bg"})
	size, pages := pc.pages.Size(), pc.pages.Len()
	again := page(40, 4<<10)
	pc.put(again)
	if e, _ := pc.get(pageKey{round: 40, lang: "bg"}); e != again {
		t.Error("the page kept again is not the one served")
	}
	if want := size - old.ready.size() + again.ready.size(); pc.pages.Size() != want || pc.pages.Len() != pages {
		t.Errorf("after the page was kept again: %d bytes in %d pages, want %d in %d", pc.pages.Size(), pc.pages.Len(), want, pages)
	}
	// A page older than pageMaxAge is still found but no longer young.
	now := time.Now()
	pc.now = func() time.Time { return now.Add(pageMaxAge) }
	if e, young := pc.get(pageKey{round: 40, lang: "bg"}); e == nil || young {
		t.Error("a page past its age is served as young")
	}
}
