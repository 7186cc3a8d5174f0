package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// TestCompressedBodyIsRefused: inflating is refused before it starts. A kilobyte of gzip
// inside gzip would otherwise grow to 16 MiB here (to gigabytes with a bigger one) before any
// limit applies. The middleware is the same whatever the database, so one dialect will do.
func TestCompressedBodyIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "sqlite")
	creds, _ := json.Marshal(map[string]string{"email": e.w.Members[0].Email, "password": password(e.w.Members[0])})
	bomb := gzipped(gzipped(make([]byte, 16<<20)))
	for _, tc := range []struct {
		encoding []string
		body     []byte
	}{
		{[]string{"gzip"}, gzipped(creds)},
		{[]string{"GZIP"}, gzipped(creds)},
		{[]string{"deflate"}, creds},
		{[]string{"identity, br"}, creds},
		{[]string{"identity", "gzip"}, gzipped(creds)}, // Fiber decodes by the last header
		{[]string{"gzip, gzip"}, bomb},
	} {
		req := httptest.NewRequest("POST", "/api/v1/session", bytes.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header["Content-Encoding"] = tc.encoding
		resp, err := e.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), `"bad_request"`) || resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("Content-Encoding %q: %d %s, want 400 bad_request", tc.encoding, resp.StatusCode, trim(body))
		}
	}
	identity := &client{app: e.app, header: map[string]string{"Content-Encoding": "identity"}}
	identity.do(t, "POST", "/api/v1/session", creds).want(t, 200)
}
