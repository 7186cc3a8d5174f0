package httpapi_test

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var hostile = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`[x](javascript:alert(1))`,
	`[x](JaVaScRiPt:alert(1)) <a href="javascript:alert(1)">y</a> <svg onload=alert(1)>`,
	"<scr<script>ipt>alert(1)</script> `<script>` ```\n<script>alert(1)</script>\n```",
	strings.Repeat("ж", 5000),
	strings.Repeat("w", 5000),
	"\u202Eevil\u202C txt.exe \u200F\u200E",
	"Предлагаме по-дълго работно време на приемната — „за всички“.",
}

// safeHTML fails when rendered HTML could run script.
func safeHTML(t *testing.T, what string, v any) {
	t.Helper()
	html, ok := v.(string)
	if !ok {
		t.Errorf("%s: body_html missing: %v", what, v)
		return
	}
	low := strings.ToLower(html)
	for _, bad := range []string{"<script", "onerror", "onload", "javascript:"} {
		if strings.Contains(low, bad) {
			t.Errorf("%s: body_html contains %q: %s", what, bad, html)
		}
	}
}

func title(s string) string {
	for utf8.RuneCountInString(s) > 200 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

func TestHostileText(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		s := e.scene(t, "open", "open")
		rp := "/api/v1/rounds/" + itoa(s.round)
		type made struct{ topic, post, proposal int64 }
		var ids []made
		for _, h := range hostile {
			tp := e.member.do(t, "POST", rp+"/topics", map[string]string{"title": title(h), "body": h}).want(t, 201).obj(t)
			if tp["title"] != title(h) || tp["body"] != h {
				t.Errorf("topic changed the text: %q", tp["title"])
			}
			p := e.member.do(t, "POST", "/api/v1/topics/"+itoa(num(tp["id"]))+"/posts", map[string]string{"body": h}).want(t, 201).obj(t)
			if p["body"] != h {
				t.Errorf("post body changed: %q", p["body"])
			}
			safeHTML(t, "created post", p["body_html"])
			pr := e.member.do(t, "POST", rp+"/proposals", map[string]string{"title": title(h), "body": h}).want(t, 201).obj(t)
			if pr["title"] != title(h) || pr["body"] != h {
				t.Errorf("proposal changed the text: %q", pr["title"])
			}
			safeHTML(t, "created proposal", pr["body_html"])
			ids = append(ids, made{num(tp["id"]), num(p["id"]), num(pr["id"])})
		}
		// Edited posts too.
		ed := e.member.do(t, "PATCH", "/api/v1/posts/"+itoa(s.post), map[string]string{"body": hostile[1]}).want(t, 200).obj(t)
		if ed["body"] != hostile[1] {
			t.Errorf("edited body = %q", ed["body"])
		}
		safeHTML(t, "edited post", ed["body_html"])

		check := func(c *client) {
			t.Helper()
			for i, h := range hostile {
				tp := c.get(t, "/api/v1/topics/"+itoa(ids[i].topic)).want(t, 200).obj(t)
				if tp["title"] != title(h) || tp["body"] != h {
					t.Errorf("stored topic %d differs", i)
				}
				if v, ok := tp["body_html"]; ok {
					safeHTML(t, "topic", v)
				}
				ps := list(tp["posts"])
				if len(ps) != 1 || ps[0]["body"] != h {
					t.Errorf("stored post %d differs: %v", i, ps)
					continue
				}
				safeHTML(t, "stored post", ps[0]["body_html"])
				pr := c.get(t, "/api/v1/proposals/"+itoa(ids[i].proposal)).want(t, 200).obj(t)
				if pr["title"] != title(h) || pr["body"] != h {
					t.Errorf("stored proposal %d differs", i)
				}
				safeHTML(t, "stored proposal", pr["body_html"])
			}
			for _, p := range list(c.get(t, rp).want(t, 200).obj(t)["proposals"]) {
				safeHTML(t, "round proposal", p["body_html"])
			}
		}
		// Byte-identical in the database as well.
		db := e.w.Store.DB()
		for i, h := range hostile {
			var body string
			if err := db.Get(&body, db.Rebind(`SELECT body FROM posts WHERE id = ?`), ids[i].post); err != nil || body != h {
				t.Errorf("post %d stored as %q (%v)", i, trim([]byte(body)), err)
			}
		}
		e.mod.do(t, "POST", rp+"/close", map[string]string{"outcome_summary": hostile[0]}).want(t, 200)
		check(e.anon)
		rec := e.anon.get(t, rp+"/record").want(t, 200).obj(t)
		for _, p := range list(rec["proposals"]) {
			safeHTML(t, "record proposal", p["body_html"])
		}
		for _, tp := range list(rec["topics"]) {
			for _, p := range list(tp["posts"]) {
				safeHTML(t, "record post", p["body_html"])
			}
		}
	})
}
