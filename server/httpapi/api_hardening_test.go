package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/testenv"
)

// A frozen record is served from its stored bytes: named by its digest (304 to a client that
// has it), compressed for a client that accepts gzip, cacheable by anyone.
func TestAPIFrozenRecordServing(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		s := e.scene(t, "closed", "open")
		path := "/api/v1/rounds/" + itoa(s.round) + "/record"
		plain := e.anon.get(t, path).want(t, 200)
		sum := sha256.Sum256(plain.Body)
		digest := hex.EncodeToString(sum[:])
		round := e.anon.get(t, "/api/v1/rounds/"+itoa(s.round)).want(t, 200).obj(t)
		if round["record_sha256"] != digest {
			t.Fatalf("record digest %s, round publishes %v", digest, round["record_sha256"])
		}
		if got := plain.Header.Get("ETag"); got != `"`+digest+`"` {
			t.Errorf("ETag %q", got)
		}
		if cc := plain.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("Cache-Control %q", cc)
		}
		if enc := plain.Header.Get("Content-Encoding"); enc != "" {
			t.Errorf("a client that accepts no encoding got %q", enc)
		}

		br := &client{app: e.app, header: map[string]string{"Accept-Encoding": "br, gzip;q=0.8"}}
		if r := br.get(t, path).want(t, 200); r.Header.Get("Content-Encoding") != "br" || len(r.Body) >= len(plain.Body) {
			t.Fatalf("brotli: encoding %q, %d bytes against %d", r.Header.Get("Content-Encoding"), len(r.Body), len(plain.Body))
		}
		gz := &client{app: e.app, header: map[string]string{"Accept-Encoding": "gzip, deflate"}}
		zipped := gz.get(t, path).want(t, 200)
		if zipped.Header.Get("Content-Encoding") != "gzip" || len(zipped.Body) >= len(plain.Body) {
			t.Fatalf("gzip: encoding %q, %d bytes against %d", zipped.Header.Get("Content-Encoding"), len(zipped.Body), len(plain.Body))
		}
		zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
		if err != nil {
			t.Fatal(err)
		}
		if unzipped, err := io.ReadAll(zr); err != nil || !bytes.Equal(unzipped, plain.Body) {
			t.Fatalf("the compressed record is not the record (%v)", err)
		}
		refused := &client{app: e.app, header: map[string]string{"Accept-Encoding": "gzip;q=0"}}
		if enc := refused.get(t, path).want(t, 200).Header.Get("Content-Encoding"); enc != "" {
			t.Errorf("gzip;q=0 got %q", enc)
		}

		cached := &client{app: e.app, header: map[string]string{"If-None-Match": `W/"other", "` + digest + `"`}}
		if r := cached.get(t, path); r.Status != 304 || len(r.Body) != 0 {
			t.Errorf("If-None-Match with the digest: %d, %d bytes", r.Status, len(r.Body))
		}

		// A round in progress is rendered for its members on each request and never cached.
		open := e.scene(t, "open", "open")
		r := e.member.get(t, "/api/v1/rounds/"+itoa(open.round)+"/record").want(t, 200)
		if r.Header.Get("ETag") != "" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("a record in progress: ETag %q, Cache-Control %q", r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
		}
	})
}

// A member writing past their rate is answered 429 rate_limited with the seconds to wait.
func TestAPIWriteRate(t *testing.T) {
	w := testenv.NewWorldWith(t, testenv.Store(t, "sqlite"), council.Config{})
	e := &env{w: w, app: newApp(w, "")}
	member := e.signIn(t, w.Members[0])
	r := w.Round(t, model.StatusOpen, model.BallotOpen, 0)
	topic := member.do(t, "POST", "/api/v1/rounds/"+itoa(r.ID)+"/topics", map[string]string{"title": "T", "body": "B"}).want(t, 201).obj(t)
	posts := "/api/v1/topics/" + itoa(num(topic["id"])) + "/posts"
	for i := 0; i < 10; i++ {
		member.do(t, "POST", posts, map[string]string{"body": "post " + strconv.Itoa(i)}).want(t, 201)
	}
	limited := member.do(t, "POST", posts, map[string]string{"body": "one too many"}).want(t, 429, "rate_limited")
	if after, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || after < 1 || after > 60 {
		t.Errorf("Retry-After %q", limited.Header.Get("Retry-After"))
	}
}
