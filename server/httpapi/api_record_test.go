package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

func apiEvents(t *testing.T, e *env) {
	e.scene(t, "closed", "open")
	path := "/api/v1/councils/citizens/events"
	all := e.member.get(t, path+"?limit=1000").want(t, 200).obj(t)
	keys(t, all, "events", "last_seq")
	evs := list(all["events"])
	if len(evs) < 10 || num(all["last_seq"]) != int64(len(evs)) {
		t.Fatalf("%d events, last_seq %v", len(evs), all["last_seq"])
	}
	types := map[string]bool{}
	for i, ev := range evs {
		keys(t, ev, "seq", "council_id", "round_id", "type", "at", "actor", "data")
		if num(ev["seq"]) != int64(i+1) || num(ev["council_id"]) != e.w.Council.ID {
			t.Errorf("event %d = %v", i, ev)
		}
		types[ev["type"].(string)] = true
		if data, _ := ev["data"].(map[string]any); ev["type"] == "vote.cast" { // an open ballot names the voter
			keys(t, data, "proposal_id", "tally", "voter", "choice")
		}
	}
	for _, ty := range []string{"member.joined", "round.created", "round.opened", "round.closed", "topic.created", "post.created", "proposal.created", "vote.cast"} {
		if !types[ty] {
			t.Errorf("no %s event in %v", ty, types)
		}
	}
	page := list(e.admin.get(t, path+"?after=3&limit=2").want(t, 200).obj(t)["events"])
	if len(page) != 2 || num(page[0]["seq"]) != 4 || num(page[1]["seq"]) != 5 {
		t.Errorf("after=3&limit=2: %v", page)
	}
	if evs := e.member.get(t, path+"?after=999").want(t, 200).obj(t)["events"].([]any); len(evs) != 0 {
		t.Errorf("after the last: %v", evs)
	}
	if n := len(list(e.mod.get(t, path).want(t, 200).obj(t)["events"])); n != len(evs) && n != 200 {
		t.Errorf("default page = %d events", n)
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?limit=x", "?after=-1", "?after=abc"} {
		e.member.get(t, path+q).want(t, 400, "bad_request")
	}
	e.outsider.get(t, path).want(t, 403, "forbidden")
	e.anon.get(t, path).want(t, 401, "unauthenticated")

	// A hidden post's text is not readable from the events either, except by moderators and admins.
	s := e.scene(t, "open", "open")
	p := e.member.do(t, "POST", "/api/v1/topics/"+itoa(s.topic)+"/posts", map[string]string{"body": "Original secret"}).want(t, 201).obj(t)
	pid := itoa(num(p["id"]))
	e.member.do(t, "PATCH", "/api/v1/posts/"+pid, map[string]string{"body": "Edited secret"}).want(t, 200)
	e.mod.do(t, "POST", "/api/v1/posts/"+pid+"/hide", map[string]string{"reason": "Лични данни"}).want(t, 200)
	for _, c := range []*client{e.member, e.mod, e.admin} {
		body := string(c.get(t, path+"?limit=1000").want(t, 200).Body)
		shown := strings.Contains(body, "Original secret") || strings.Contains(body, "Edited secret")
		if shown != (c != e.member) {
			t.Errorf("%s: hidden post text in the events: %v", c.user.Name, shown)
		}
		if !strings.Contains(body, "Лични данни") && !strings.Contains(body, `\u041b`) {
			t.Errorf("%s: the hiding and its reason are not in the events", c.user.Name)
		}
	}
	e.member.get(t, "/api/v1/councils/999999/events").want(t, 404, "not_found")
}

func apiRecord(t *testing.T, e *env) {
	s := e.scene(t, "open", "open")
	rp := "/api/v1/rounds/" + itoa(s.round)
	// In progress: members read the record so far.
	live := e.member.get(t, rp+"/record").want(t, 200).obj(t)
	keys(t, live, "round", "results", "proposals", "participants", "topics", "events")
	e.mod.do(t, "POST", "/api/v1/posts/"+itoa(s.post)+"/hide", map[string]string{"reason": "spam"}).want(t, 200)
	closed := e.mod.do(t, "POST", rp+"/close", map[string]string{"outcome_summary": "Summary"}).want(t, 200).obj(t)
	sha, _ := closed["record_sha256"].(string)
	first := e.anon.get(t, rp+"/record").want(t, 200)
	if ct := first.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	sum := sha256.Sum256(first.Body)
	if hex.EncodeToString(sum[:]) != sha {
		t.Fatalf("sha256 of the record %x, the round publishes %s", sum, sha)
	}
	if got := e.anon.get(t, rp).obj(t)["record_sha256"]; got != sha {
		t.Errorf("GET round record_sha256 = %v", got)
	}
	rec := first.obj(t)
	keys(t, rec, "round", "results", "proposals", "participants", "topics", "events")
	if r := rec["round"].(map[string]any); num(r["id"]) != s.round || r["status"] != "closed" || r["outcome_summary"] != "Summary" {
		t.Errorf("record round = %v", r)
	}
	ps := list(rec["proposals"])
	if len(ps) != 1 || len(list(ps[0]["votes"])) != 2 || len(list(rec["results"])) != 1 || len(list(rec["participants"])) != 2 {
		t.Errorf("record proposals/results/participants: %s", trim(first.Body))
	}
	if ts := list(rec["topics"]); len(ts) != 1 || len(list(ts[0]["posts"])) != 1 {
		t.Errorf("record topics = %v", rec["topics"])
	} else if p := list(ts[0]["posts"])[0]; p["hidden"] != true || p["hidden_reason"] != "spam" || p["body"] != "" {
		t.Errorf("hidden post in the record = %v", p)
	}
	if bytes.Contains(first.Body, []byte("First post")) {
		t.Error("the record shows a hidden post's text")
	}
	var types []string
	for _, ev := range list(rec["events"]) {
		types = append(types, ev["type"].(string))
	}
	if len(types) == 0 || types[0] != "round.created" || types[len(types)-1] != "round.closed" {
		t.Errorf("record events = %v", types)
	}

	// Later activity in the council changes nothing in the closed record.
	later := e.scene(t, "closed", "secret")
	e.mod.do(t, "DELETE", "/api/v1/councils/citizens/members/"+itoa(e.w.Members[2].ID), nil).want(t, 204)
	e.admin.do(t, "PATCH", "/api/v1/councils/citizens/members/"+itoa(e.w.Members[1].ID), map[string]string{"role": "moderator"}).want(t, 200)
	for _, c := range []*client{e.anon, e.member, e.admin, e.outsider} {
		if again := c.get(t, rp+"/record").want(t, 200); !bytes.Equal(again.Body, first.Body) {
			t.Errorf("the record changed for %v", c.user)
		}
	}
	if !bytes.Equal(e.anon.get(t, rp+"/record?download=1").want(t, 200).Body, first.Body) {
		t.Error("the downloaded record differs")
	}
	other := e.anon.get(t, "/api/v1/rounds/"+itoa(later.round)+"/record").want(t, 200)
	if s := sha256.Sum256(other.Body); hex.EncodeToString(s[:]) != e.anon.get(t, "/api/v1/rounds/"+itoa(later.round)).obj(t)["record_sha256"] {
		t.Error("second round's digest does not match")
	}

	// CSV: one row per proposal with its results.
	c := e.anon.get(t, rp+"/record.csv").want(t, 200)
	if ct := c.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	rows, err := csv.NewReader(bytes.NewReader(c.Body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv (%v): %s", err, c.Body)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"proposal_id", "for", "against", "abstain", "voters", "eligible", "outcome"} {
		if _, ok := col[h]; !ok {
			t.Errorf("csv lacks column %s: %v", h, rows[0])
		}
	}
	if r := rows[1]; r[col["proposal_id"]] != itoa(s.proposal) || r[col["for"]] != "1" || r[col["against"]] != "1" || r[col["voters"]] != "2" || r[col["eligible"]] != "4" || r[col["outcome"]] != "rejected" {
		t.Errorf("csv row = %v", r)
	}
	e.member.get(t, "/api/v1/rounds/"+itoa(e.scene(t, "open", "open").round)+"/record.csv").want(t, 200)
	for _, p := range []string{"/api/v1/rounds/abc", "/api/v1/rounds/999999", "/api/v1/rounds/0"} {
		e.admin.get(t, p+"/record").want(t, 404, "not_found")
		e.admin.get(t, p+"/record.csv").want(t, 404, "not_found")
	}
}

func apiOutcomes(t *testing.T, e *env) {
	cid := itoa(e.w.Council.ID)
	base := num(e.anon.get(t, "/api/v1/outcomes").want(t, 200).obj(t)["total"]) // closed rounds of earlier tests
	r := e.mod.do(t, "POST", "/api/v1/councils/"+cid+"/rounds", map[string]any{"title": "Общинска администрация", "ballot": "open", "quorum_percent": 0}).want(t, 201).obj(t)
	rid := itoa(num(r["id"]))
	e.member.do(t, "POST", "/api/v1/rounds/"+rid+"/proposals", map[string]string{"title": "Удължено приемно време", "body": "До 19 часа."}).want(t, 201)
	e.mod.do(t, "POST", "/api/v1/rounds/"+rid+"/open", nil).want(t, 200)
	e.mod.do(t, "POST", "/api/v1/rounds/"+rid+"/close", map[string]string{"outcome_summary": "Съветът препоръчва съботен график."}).want(t, 200)
	e.scene(t, "closed", "open")
	e.scene(t, "open", "open")
	get := func(q string) map[string]any {
		t.Helper()
		o := e.anon.get(t, "/api/v1/outcomes"+q).want(t, 200).obj(t)
		keys(t, o, "rounds", "page", "total")
		if _, ok := o["rounds"].([]any); !ok {
			t.Fatalf("rounds is not a list: %v", o)
		}
		return o
	}
	all := get("")
	if num(all["total"]) != base+2 || num(all["page"]) != 1 || int64(len(list(all["rounds"]))) != min(base+2, 20) {
		t.Errorf("outcomes = %v", all)
	}
	for _, r := range list(all["rounds"]) {
		keys(t, r, append(roundFields, "results")...)
		if r["status"] != "closed" {
			t.Errorf("outcome not closed: %v", r)
		}
	}
	if first := list(all["rounds"])[0]; first["title"] == "Общинска администрация" {
		t.Error("outcomes are not newest first")
	}
	for _, q := range []string{"приемно", "ПРИЕМНО", "съботен", "приемно време", "администрация"} {
		o := get("?q=" + url.QueryEscape(q))
		if rs := list(o["rounds"]); num(o["total"]) != 1 || len(rs) != 1 || itoa(num(rs[0]["id"])) != rid || len(list(rs[0]["results"])) != 1 {
			t.Errorf("q=%s: %v", q, o)
		}
	}
	if o := get("?q=" + url.QueryEscape("несъществуваща")); num(o["total"]) != 0 || len(list(o["rounds"])) != 0 {
		t.Errorf("no match: %v", o)
	}
	if o := get("?council=other"); num(o["total"]) != 0 {
		t.Errorf("council=other: %v", o)
	}
	if o := get("?council=citizens&page=99"); num(o["total"]) != base+2 || num(o["page"]) != 99 || len(list(o["rounds"])) != 0 {
		t.Errorf("page 99: %v", o)
	}
	for _, q := range []string{"?page=0", "?page=abc", "?page=-1"} {
		e.anon.get(t, "/api/v1/outcomes"+q).want(t, 400, "bad_request")
	}
	e.anon.get(t, "/api/v1/outcomes?council=nowhere").want(t, 404, "not_found")
}
