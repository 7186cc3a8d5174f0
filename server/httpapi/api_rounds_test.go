package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

var roundFields = []string{"id", "council_id", "title", "description", "status", "ballot", "quorum_percent",
	"closes_at", "opened_at", "closed_at", "outcome_summary", "record_sha256", "created_at"}

func apiRounds(t *testing.T, e *env) {
	cid := itoa(e.w.Council.ID)
	create := "/api/v1/councils/" + cid + "/rounds"
	t.Run("lifecycle", func(t *testing.T) {
		closes := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		r := e.mod.do(t, "POST", create, map[string]any{"title": "Бюджет 2027", "description": "Какво да финансираме?",
			"ballot": "secret", "quorum_percent": 50, "closes_at": closes}).want(t, 201).obj(t)
		keys(t, r, roundFields...)
		if r["status"] != "draft" || r["title"] != "Бюджет 2027" || r["ballot"] != "secret" || num(r["quorum_percent"]) != 50 ||
			num(r["council_id"]) != e.w.Council.ID || r["opened_at"] != nil || r["closed_at"] != nil || r["record_sha256"] != nil {
			t.Errorf("round = %v", r)
		}
		if at, err := time.Parse(time.RFC3339, r["closes_at"].(string)); err != nil || !at.Equal(closes) {
			t.Errorf("closes_at = %v", r["closes_at"])
		}
		id := itoa(num(r["id"]))
		p := e.mod.do(t, "PATCH", "/api/v1/rounds/"+id, map[string]any{"title": "Бюджет 2028", "ballot": "open"}).want(t, 200).obj(t)
		keys(t, p, roundFields...)
		if p["title"] != "Бюджет 2028" || p["ballot"] != "open" || p["description"] != "Какво да финансираме?" || num(p["quorum_percent"]) != 50 {
			t.Errorf("patched = %v", p)
		}
		e.admin.do(t, "PATCH", "/api/v1/rounds/"+id, map[string]any{"quorum_percent": 25}).want(t, 200)
		e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/close", map[string]string{"outcome_summary": "x"}).want(t, 409, "conflict")
		o := e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/open", nil).want(t, 200).obj(t)
		keys(t, o, roundFields...)
		if o["status"] != "open" || o["opened_at"] == nil || num(o["quorum_percent"]) != 25 {
			t.Errorf("opened = %v", o)
		}
		e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/open", nil).want(t, 409, "conflict")
		e.mod.do(t, "PATCH", "/api/v1/rounds/"+id, map[string]any{"title": "Late"}).want(t, 409, "conflict")
		c := e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/close", map[string]string{"outcome_summary": "Приет бюджет"}).want(t, 200).obj(t)
		keys(t, c, append(roundFields, "results")...)
		if c["status"] != "closed" || c["closed_at"] == nil || c["outcome_summary"] != "Приет бюджет" || len(c["record_sha256"].(string)) != 64 {
			t.Errorf("closed = %v", c)
		}
		e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/close", map[string]string{"outcome_summary": "x"}).want(t, 409, "conflict")
		e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/open", nil).want(t, 409, "conflict")
		e.mod.do(t, "PATCH", "/api/v1/rounds/"+id, map[string]any{"title": "Late"}).want(t, 409, "conflict")
	})
	t.Run("open with closes_at", func(t *testing.T) {
		id := itoa(e.scene(t, "draft", "open").round)
		e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/open", map[string]any{"closes_at": time.Now().Add(-time.Hour)}).wantField(t, "closes_at")
		e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/open", map[string]any{"closes_at": "soon"}).want(t, 422, "validation")
		e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/open", map[string]any{"at": 1}).want(t, 400, "bad_request")
		at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		o := e.mod.do(t, "POST", "/api/v1/rounds/"+id+"/open", map[string]any{"closes_at": at}).want(t, 200).obj(t)
		if got, _ := time.Parse(time.RFC3339, o["closes_at"].(string)); !got.Equal(at) {
			t.Errorf("closes_at = %v, want %v", o["closes_at"], at)
		}
	})
	t.Run("validation", func(t *testing.T) {
		valid := func(k string, v any) map[string]any {
			m := map[string]any{"title": "T", "description": "D", "ballot": "open", "quorum_percent": 10}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		draft := "/api/v1/rounds/" + itoa(e.scene(t, "draft", "open").round)
		cases := []struct {
			field string
			body  any
		}{
			{"title", valid("title", nil)},
			{"title", valid("title", "")},
			{"title", valid("title", "   ")},
			{"title", valid("title", strings.Repeat("ж", 201))},
			{"title", valid("title", 42)},
			{"title", `{"title":"bad ` + "\xc3\x28" + ` byte","ballot":"open"}`},
			{"description", valid("description", strings.Repeat("d", 20001))},
			{"description", `{"title":"T","description":"` + "\xff" + `"}`},
			{"ballot", valid("ballot", "public")},
			{"ballot", valid("ballot", false)},
			{"quorum_percent", valid("quorum_percent", 101)},
			{"quorum_percent", valid("quorum_percent", -1)},
			{"quorum_percent", valid("quorum_percent", "fifty")},
			{"quorum_percent", valid("quorum_percent", 12.5)},
			{"closes_at", valid("closes_at", time.Now().Add(-time.Minute))},
			{"closes_at", valid("closes_at", 7)},
		}
		for _, c := range cases {
			e.mod.do(t, "POST", create, c.body).wantField(t, c.field)
		}
		for _, c := range cases[1:] { // a PATCH may leave title out, nothing else
			e.mod.do(t, "PATCH", draft, c.body).wantField(t, c.field)
		}
		e.mod.do(t, "POST", create, valid("title", strings.Repeat("ж", 200))).want(t, 201)
		e.mod.do(t, "POST", create, valid("description", strings.Repeat("ж", 20000))).want(t, 201)
		e.mod.do(t, "POST", create, valid("mode", "x")).want(t, 400, "bad_request")
		e.mod.do(t, "POST", create, `{"title":"T"} x`).want(t, 400, "bad_request")
		e.mod.do(t, "POST", create, `{"title":"T",}`).want(t, 400, "bad_request")
		e.mod.do(t, "PATCH", draft, `{"status":"open"}`).want(t, 400, "bad_request")
		e.mod.do(t, "POST", "/api/v1/councils/999999/rounds", valid("x", nil)).want(t, 404, "not_found")
		for _, p := range []string{"/api/v1/rounds/abc", "/api/v1/rounds/0", "/api/v1/rounds/999999", "/api/v1/rounds/-1"} {
			e.mod.do(t, "PATCH", p, map[string]any{"title": "x"}).want(t, 404, "not_found")
			e.mod.do(t, "POST", p+"/open", nil).want(t, 404, "not_found")
			e.mod.do(t, "POST", p+"/close", nil).want(t, 404, "not_found")
			e.mod.get(t, p).want(t, 404, "not_found")
		}
		open := "/api/v1/rounds/" + itoa(e.scene(t, "open", "open").round)
		e.mod.do(t, "POST", open+"/close", map[string]string{"outcome_summary": strings.Repeat("s", 20001)}).wantField(t, "outcome_summary")
		e.mod.do(t, "POST", open+"/close", map[string]any{"outcome_summary": 1}).wantField(t, "outcome_summary")
		e.mod.do(t, "POST", open+"/close", map[string]any{"summary": "x"}).want(t, 400, "bad_request")
	})
	t.Run("list and read", func(t *testing.T) {
		d, o, c := e.scene(t, "draft", "open"), e.scene(t, "open", "open"), e.scene(t, "closed", "open")
		ids := func(cl *client) map[int64]string {
			out := map[int64]string{}
			for _, r := range list(cl.get(t, "/api/v1/councils/citizens/rounds").want(t, 200).obj(t)["rounds"]) {
				keys(t, r, roundFields...)
				out[num(r["id"])] = r["status"].(string)
			}
			return out
		}
		for _, cl := range []*client{e.member, e.mod, e.admin} {
			if got := ids(cl); got[d.round] != "draft" || got[o.round] != "open" || got[c.round] != "closed" {
				t.Errorf("%s sees %v", cl.user.Name, got)
			}
		}
		for _, cl := range []*client{e.anon, e.outsider} {
			for id, status := range ids(cl) {
				if status != "closed" {
					t.Errorf("round %d (%s) listed to the public", id, status)
				}
			}
			if ids(cl)[c.round] != "closed" {
				t.Error("closed round not listed to the public")
			}
		}
		if rs, ok := e.anon.get(t, "/api/v1/councils/other/rounds").want(t, 200).obj(t)["rounds"].([]any); !ok || len(rs) != 0 {
			t.Errorf("empty list should be []: %v", rs)
		}
		e.anon.get(t, "/api/v1/councils/999999/rounds").want(t, 404, "not_found")

		g := e.member.get(t, "/api/v1/rounds/"+itoa(o.round)).want(t, 200).obj(t)
		keys(t, g, append(roundFields, "topics", "proposals")...)
		if _, ok := g["results"]; ok {
			t.Error("an open round shows results")
		}
		ts, ps := list(g["topics"]), list(g["proposals"])
		if len(ts) != 1 || len(ps) != 1 {
			t.Fatalf("topics %v proposals %v", ts, ps)
		}
		keys(t, ts[0], "id", "round_id", "title", "body", "author", "created_at", "post_count")
		if _, ok := ts[0]["posts"]; ok {
			t.Error("round topics carry posts")
		}
		if num(ts[0]["post_count"]) != 1 {
			t.Errorf("post_count = %v", ts[0]["post_count"])
		}
		keys(t, ps[0], "id", "round_id", "topic_id", "title", "body", "body_html", "author", "created_at", "tally", "my_vote")
		tally := ps[0]["tally"].(map[string]any)
		if num(tally["for"]) != 1 || num(tally["against"]) != 1 || num(tally["abstain"]) != 0 || num(tally["voters"]) != 2 || ps[0]["my_vote"] != "for" {
			t.Errorf("proposal = %v", ps[0])
		}
		cr := e.anon.get(t, "/api/v1/rounds/"+itoa(c.round)).want(t, 200).obj(t)
		keys(t, cr, append(roundFields, "topics", "proposals", "results")...)
	})
	t.Run("results", func(t *testing.T) {
		// 4 members (citizen: moderator and Members[0]; ngo: Members[1]; business: Members[2]), quorum 50%.
		r := e.mod.do(t, "POST", create, map[string]any{"title": "Results", "ballot": "open", "quorum_percent": 50}).want(t, 201).obj(t)
		rid := itoa(num(r["id"]))
		var props []string
		for _, title := range []string{"adopted", "no quorum", "rejected", "tie"} {
			p := e.member.do(t, "POST", "/api/v1/rounds/"+rid+"/proposals", map[string]string{"title": title, "body": "b"}).want(t, 201).obj(t)
			props = append(props, itoa(num(p["id"])))
		}
		e.mod.do(t, "POST", "/api/v1/rounds/"+rid+"/open", nil).want(t, 200)
		m1, m2 := e.signIn(t, e.w.Members[1]), e.signIn(t, e.w.Members[2])
		vote := func(c *client, p, choice string) {
			c.do(t, "PUT", "/api/v1/proposals/"+p+"/vote", map[string]string{"choice": choice}).want(t, 200)
		}
		vote(e.member, props[0], "for")
		vote(m1, props[0], "for")
		vote(e.mod, props[0], "against")
		vote(e.member, props[1], "for")
		vote(e.member, props[2], "for")
		vote(m1, props[2], "against")
		vote(m2, props[2], "abstain")
		vote(e.member, props[3], "for")
		vote(m1, props[3], "against")
		c := e.mod.do(t, "POST", "/api/v1/rounds/"+rid+"/close", map[string]string{"outcome_summary": ""}).want(t, 200).obj(t)
		res := list(c["results"])
		if len(res) != 4 {
			t.Fatalf("results = %v", c["results"])
		}
		want := []struct {
			outcome                      string
			for_, against, abstain, vtrs int64
		}{{"adopted", 2, 1, 0, 3}, {"no_quorum", 1, 0, 0, 1}, {"rejected", 1, 1, 1, 3}, {"rejected", 1, 1, 0, 2}}
		for i, x := range res {
			keys(t, x, "proposal_id", "for", "against", "abstain", "voters", "eligible", "outcome", "by_group")
			w := want[i]
			if itoa(num(x["proposal_id"])) != props[i] || x["outcome"] != w.outcome || num(x["for"]) != w.for_ || num(x["against"]) != w.against ||
				num(x["abstain"]) != w.abstain || num(x["voters"]) != w.vtrs || num(x["eligible"]) != 4 {
				t.Errorf("result %d = %v, want %+v", i, x, w)
			}
		}
		bg := res[0]["by_group"].(map[string]any)
		cit, ngo, biz := bg["citizen"].(map[string]any), bg["ngo"].(map[string]any), bg["business"].(map[string]any)
		if num(cit["for"]) != 1 || num(cit["against"]) != 1 || num(cit["voters"]) != 2 || num(cit["eligible"]) != 2 ||
			num(ngo["for"]) != 1 || num(ngo["eligible"]) != 1 || num(biz["voters"]) != 0 || num(biz["eligible"]) != 1 {
			t.Errorf("by_group = %v", bg)
		}
		// The same results, publicly, on the round.
		g := e.anon.get(t, "/api/v1/rounds/"+rid).want(t, 200).obj(t)
		if len(list(g["results"])) != 4 || list(g["results"])[0]["outcome"] != "adopted" {
			t.Errorf("public round results = %v", g["results"])
		}
	})
}
