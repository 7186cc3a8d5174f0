package council

import (
	"bytes"
	"io"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/perushtitsa/council/server/model"
)

// The records kept ready never take more than their bound (Config.RecordCacheBytes), brotli
// copy included, and that copy decodes to the record.
func TestRecordCacheBound(t *testing.T) {
	const limit = 32 << 10
	c := newRecordCache(limit)
	for id := int64(1); id <= 30; id++ {
		body := bytes.Repeat([]byte(`{"round":`+itoa(id)+`,"events":[]}`), 200)
		c.put(id, &model.RecordFile{Body: body, Gzip: []byte("gz"), SHA256: "x"})
		if size := c.files.Size(); size > limit {
			t.Fatalf("after %d records the cache holds %d bytes, over its %d", id, size, limit)
		}
	}
	if _, ok := c.get(1); ok {
		t.Error("the least recently used record was kept past the bound")
	}
	f, ok := c.get(30)
	if !ok {
		t.Fatal("the newest record was not kept")
	}
	got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(f.Brotli)))
	if err != nil || !bytes.Equal(got, f.Body) || len(f.Brotli) >= len(f.Body) {
		t.Errorf("the brotli copy (%d bytes) does not decode to the record (%d bytes): %v", len(f.Brotli), len(f.Body), err)
	}
	c.put(99, &model.RecordFile{Body: make([]byte, limit/2+1), SHA256: "y"})
	if _, ok := c.get(99); ok {
		t.Error("a record over half the bound was kept")
	}
}
