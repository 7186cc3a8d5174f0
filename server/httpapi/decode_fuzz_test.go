package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/perushtitsa/council/server/council"
)

// decodeTargets are the bodies the API decodes, one constructor each, in a fixed order so that
// a corpus entry's target byte keeps naming the same type.
var decodeTargets = []func() any{
	func() any { return new(councilBody) },
	func() any { return new(roleBody) },
	func() any { return new(inviteBody) },
	func() any { return new(acceptBody) },
	func() any { return new(topicBody) },
	func() any { return new(postBody) },
	func() any { return new(bodyOnly) },
	func() any { return new(reasonBody) },
	func() any { return new(roundBody) },
	func() any { return new(openBody) },
	func() any { return new(closeBody) },
	func() any { return new(signInBody) },
	func() any { return new(proposalBody) },
	func() any { return new(voteBody) },
}

// Target numbers of the seeds below.
const (
	tCouncil, tRole, tInvite, tAccept, tTopic, tPost, tBody, tReason = 0, 1, 2, 3, 4, 5, 6, 7
	tRound, tOpen, tClose, tSignIn, tProposal, tVote                 = 8, 9, 10, 11, 12, 13
)

// FuzzDecode feeds arbitrary bodies to decode, as a request to the API would, for every type
// the handlers decode into. Whatever the body, the answer is the decoded value or a bad_request
// or validation error (400, 422; never a 500); a validation error names a field of the type;
// what decodes holds valid UTF-8 and survives encoding and decoding again unchanged.
func FuzzDecode(f *testing.F) {
	for _, s := range []struct {
		target uint8
		body   string
	}{
		{tTopic, `{"title":"Нов парк","body":"**Защо** не?"}`},
		{tPost, `{"body":"Съгласен.","reply_to":12}`},
		{tPost, `{"body":"x","reply_to":null}`},
		{tPost, `{"body":"x","reply_to":"12"}`},
		{tPost, `{"body":"x","reply_to":1.5}`},
		{tPost, `{"body":"x","reply_to":99999999999999999999}`},
		{tRound, `{"title":"Бюджет 2026","ballot":"secret","quorum_percent":50,"closes_at":"2026-06-01T18:00:00+03:00"}`},
		{tRound, `{"closes_at":"tomorrow"}`},
		{tRound, `{"closes_at":12}`},
		{tRound, `{"quorum_percent":"50"}`},
		{tRound, `{"quorum_percent":1e2}`},
		{tRound, `{"QUORUM_PERCENT":50,"Title":"case"}`},
		{tInvite, `{"email":"ivan@example.bg","name":"Иван","role":"member","group":"citizen","organisation":""}`},
		{tInvite, `{"email":"a@b.bg","admin":true}`},
		{tProposal, `{"title":"t","body":"b","topic_id":3}`},
		{tVote, `{"choice":"for"}`},
		{tVote, `{"choice":true}`},
		{tSignIn, `{"email":"a@b.bg","password":"\u0000\ud800"}`},
		{tOpen, `{"closes_at":null}`},
		{tClose, `{"outcome_summary":"Прието."}`},
		{tCouncil, `{"slug":"uslugi","name":"Съвет","description":"","constituency":"mixed"}`},
		{tAccept, `{"name":"Мария","password":"long-enough-1"}`},
		{tRole, `{"role":"moderator"}`},
		{tReason, `{"reason":"spam"}`},
		{tBody, "{\"body\":\"a\xffb\"}"},
		{tBody, "{\"body\":\"a\\\":b\xff\"}"},
		{tBody, "{\"\\u0062ody\":\"\xc3\"}"},
		{tTopic, "{\"title\":\"ok\",\"BODY\":\"\xed\xa0\x80\"}"},
		{tBody, ``},
		{tBody, `   `},
		{tBody, `[]`},
		{tBody, `null`},
		{tBody, `{}`},
		{tBody, `{} {}`},
		{tBody, `{"body":"x"}}`},
		{tBody, `{"body":"x"`},
		{tBody, `{"body":"x",}`},
		{tBody, "\xef\xbb\xbf{}"},
		{tBody, `{"body":` + strings.Repeat("[", 20000)},
	} {
		f.Add(s.target, []byte(s.body))
	}
	app := fiber.New()
	srv := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	f.Fuzz(func(t *testing.T, target uint8, body []byte) {
		newDst := decodeTargets[int(target)%len(decodeTargets)]
		dst := newDst()
		withCtx(app, body, func(c *fiber.Ctx) {
			if err := decode(c, dst); err != nil {
				checkRefusal(t, srv, c, dst, err)
				return
			}
			checkDecoded(t, app, body, dst, newDst())
		})
	})
}

// withCtx runs fn with a Fiber context for a JSON POST of body, the way the app hands one to
// a handler.
func withCtx(app *fiber.App, body []byte, fn func(c *fiber.Ctx)) {
	var rc fasthttp.RequestCtx
	rc.Request.Header.SetMethod(fiber.MethodPost)
	rc.Request.Header.SetContentType(fiber.MIMEApplicationJSON)
	rc.Request.SetBody(body)
	c := app.AcquireCtx(&rc)
	defer app.ReleaseCtx(c)
	fn(c)
}

// checkRefusal: a refused body is the client's fault, answered 400 or 422 with a message, and
// a 422 names the fields of dst that are wrong.
func checkRefusal(t *testing.T, srv *Server, c *fiber.Ctx, dst any, err error) {
	t.Helper()
	ce, ok := err.(*council.Error)
	if !ok {
		t.Fatalf("decode returned %T %v, not a *council.Error", err, err)
	}
	body, status := srv.errorBody(c, err)
	switch {
	case ce.Code == council.CodeBadRequest && status == fiber.StatusBadRequest:
	case ce.Code == council.CodeValidation && status == fiber.StatusUnprocessableEntity:
		if len(ce.Fields) == 0 {
			t.Fatalf("validation error names no field: %v", ce)
		}
	default:
		t.Fatalf("decode error %v answers %d %q", ce, status, body.Error)
	}
	if ce.Message == "" || !utf8.ValidString(ce.Message) {
		t.Fatalf("message %q is empty or not UTF-8", ce.Message)
	}
	fields := jsonFields(reflect.TypeOf(dst).Elem())
	for k, v := range ce.Fields {
		if !fields[k] || v == "" {
			t.Fatalf("validation error names %q (%q), which is no field of %T", k, v, dst)
		}
	}
}

// checkDecoded: what was accepted is valid UTF-8 and round-trips through JSON unchanged.
func checkDecoded(t *testing.T, app *fiber.App, body []byte, dst, again any) {
	t.Helper()
	if !utf8.Valid(body) {
		t.Fatalf("accepted a body that is not UTF-8: %q", body)
	}
	if s, ok := invalidString(reflect.ValueOf(dst)); ok {
		t.Fatalf("decoded text %q is not UTF-8", s)
	}
	js, err := json.Marshal(dst)
	if err != nil {
		t.Fatalf("decoded %#v does not encode: %v", dst, err)
	}
	withCtx(app, js, func(c *fiber.Ctx) { err = decode(c, again) })
	if err != nil {
		t.Fatalf("re-encoded %s is refused: %v", js, err)
	}
	if !sameValue(reflect.ValueOf(dst), reflect.ValueOf(again)) {
		t.Fatalf("%s decoded to %#v, its re-encoding %s to %#v", body, dst, js, again)
	}
}

// jsonFields lists the JSON names of a struct's fields.
func jsonFields(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names[name] = true
	}
	return names
}

// invalidString finds a string inside v that is not UTF-8.
func invalidString(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return invalidString(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if s, ok := invalidString(v.Field(i)); ok {
				return s, true
			}
		}
	case reflect.String:
		return v.String(), !utf8.ValidString(v.String())
	}
	return "", false
}

// sameValue compares two decoded values, times by instant and offset (a time's *Location
// pointer differs between two parses of the same text).
func sameValue(a, b reflect.Value) bool {
	if ta, ok := a.Interface().(time.Time); ok {
		tb := b.Interface().(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		return ta.Equal(tb) && oa == ob
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Interface() == b.Interface()
}
