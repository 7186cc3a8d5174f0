package httpapi_test

import (
	"strings"
	"testing"
)

var (
	topicFields    = []string{"id", "round_id", "title", "body", "author", "created_at", "post_count"}
	postFields     = []string{"id", "topic_id", "reply_to", "author", "body", "body_html", "created_at", "edited_at", "hidden", "hidden_reason"}
	proposalFields = []string{"id", "round_id", "topic_id", "title", "body", "body_html", "author", "created_at", "tally", "my_vote"}
)

func author(t *testing.T, m map[string]any, id int64, name string) {
	t.Helper()
	a, _ := m["author"].(map[string]any)
	if num(a["id"]) != id || a["name"] != name {
		t.Errorf("author = %v, want %d %s", m["author"], id, name)
	}
}

func apiDebate(t *testing.T, e *env) {
	m0 := e.w.Members[0]
	open, draft, closed := e.scene(t, "open", "open"), e.scene(t, "draft", "open"), e.scene(t, "closed", "open")
	rp := func(s scene, tail string) string { return "/api/v1/rounds/" + itoa(s.round) + tail }
	t.Run("topics", func(t *testing.T) {
		tp := e.member.do(t, "POST", rp(open, "/topics"), map[string]string{"title": "Паркинг", "body": "Къде да паркираме?"}).want(t, 201).obj(t)
		keys(t, tp, topicFields...)
		author(t, tp, m0.ID, m0.Name)
		if num(tp["round_id"]) != open.round || tp["title"] != "Паркинг" || tp["body"] != "Къде да паркираме?" || num(tp["post_count"]) != 0 {
			t.Errorf("topic = %v", tp)
		}
		g := e.mod.get(t, "/api/v1/topics/"+itoa(num(tp["id"]))).want(t, 200).obj(t)
		keys(t, g, append(topicFields, "posts")...)
		if ps, ok := g["posts"].([]any); !ok || len(ps) != 0 {
			t.Errorf("posts of a new topic = %v", g["posts"])
		}
		e.mod.do(t, "POST", rp(open, "/topics"), map[string]string{"title": "By the moderator", "body": "b"}).want(t, 201)
		for field, body := range map[string]any{
			"title": map[string]any{"body": "b"}, "body": map[string]any{"title": "t", "body": ""},
		} {
			e.member.do(t, "POST", rp(open, "/topics"), body).wantField(t, field)
		}
		e.member.do(t, "POST", rp(open, "/topics"), map[string]any{"title": strings.Repeat("т", 201), "body": "b"}).wantField(t, "title")
		e.member.do(t, "POST", rp(open, "/topics"), map[string]any{"title": "t", "body": strings.Repeat("б", 20001)}).wantField(t, "body")
		e.member.do(t, "POST", rp(open, "/topics"), map[string]any{"title": []string{"t"}, "body": "b"}).wantField(t, "title")
		e.member.do(t, "POST", rp(open, "/topics"), `{"title":"t","body":"`+"\xe2\x82"+`"}`).wantField(t, "body")
		e.member.do(t, "POST", rp(open, "/topics"), map[string]any{"title": "t", "body": "b", "pinned": true}).want(t, 400, "bad_request")
		e.member.do(t, "POST", rp(open, "/topics"), `{"title":"t","body":"b"}]`).want(t, 400, "bad_request")
		e.member.do(t, "POST", rp(draft, "/topics"), map[string]string{"title": "t", "body": "b"}).want(t, 409, "round_not_open")
		e.member.do(t, "POST", rp(closed, "/topics"), map[string]string{"title": "t", "body": "b"}).want(t, 409, "round_not_open")
		e.member.do(t, "POST", "/api/v1/rounds/abc/topics", map[string]string{"title": "t", "body": "b"}).want(t, 404, "not_found")
		e.member.do(t, "POST", "/api/v1/rounds/999999/topics", map[string]string{"title": "t", "body": "b"}).want(t, 404, "not_found")
		e.member.get(t, "/api/v1/topics/abc").want(t, 404, "not_found")
		e.member.get(t, "/api/v1/topics/999999").want(t, 404, "not_found")
	})
	t.Run("posts", func(t *testing.T) {
		path := "/api/v1/topics/" + itoa(open.topic) + "/posts"
		p := e.member.do(t, "POST", path, map[string]any{"body": "**Да**, съгласна съм."}).want(t, 201).obj(t)
		keys(t, p, postFields...)
		author(t, p, m0.ID, m0.Name)
		if num(p["topic_id"]) != open.topic || p["reply_to"] != nil || p["body"] != "**Да**, съгласна съм." || p["edited_at"] != nil ||
			p["hidden"] != false || p["hidden_reason"] != "" || !strings.Contains(p["body_html"].(string), "<strong>Да</strong>") {
			t.Errorf("post = %v", p)
		}
		pid := itoa(num(p["id"]))
		reply := e.mod.do(t, "POST", path, map[string]any{"body": "Reply", "reply_to": num(p["id"])}).want(t, 201).obj(t)
		if num(reply["reply_to"]) != num(p["id"]) {
			t.Errorf("reply_to = %v", reply["reply_to"])
		}
		g := e.member.get(t, "/api/v1/topics/"+itoa(open.topic)).want(t, 200).obj(t)
		posts := list(g["posts"])
		if len(posts) != 3 || num(g["post_count"]) != 3 || num(posts[0]["id"]) != open.post || posts[1]["body"] != "**Да**, съгласна съм." || posts[2]["body"] != "Reply" {
			t.Errorf("topic posts (oldest first) = %v", g)
		}
		for _, p := range posts {
			keys(t, p, postFields...)
		}
		e.member.do(t, "POST", path, map[string]any{"body": "x", "reply_to": closed.post}).wantField(t, "reply_to")
		e.member.do(t, "POST", path, map[string]any{"body": "x", "reply_to": "first"}).wantField(t, "reply_to")
		e.member.do(t, "POST", path, map[string]any{"body": " "}).wantField(t, "body")
		e.member.do(t, "POST", path, map[string]any{"body": strings.Repeat("x", 20001)}).wantField(t, "body")
		e.member.do(t, "POST", path, map[string]any{"body": strings.Repeat("ж", 20000)}).want(t, 201)
		e.member.do(t, "POST", path, map[string]any{"body": "x", "quote": 1}).want(t, 400, "bad_request")
		e.member.do(t, "POST", "/api/v1/topics/"+itoa(closed.topic)+"/posts", map[string]any{"body": "late"}).want(t, 409, "round_not_open")
		e.member.do(t, "POST", "/api/v1/topics/abc/posts", map[string]any{"body": "x"}).want(t, 404, "not_found")
		e.member.do(t, "POST", "/api/v1/topics/999999/posts", map[string]any{"body": "x"}).want(t, 404, "not_found")

		// Editing: the author, while the round is open; the earlier text stays in the record.
		ed := e.member.do(t, "PATCH", "/api/v1/posts/"+pid, map[string]string{"body": "Edited _text_"}).want(t, 200).obj(t)
		keys(t, ed, postFields...)
		if ed["body"] != "Edited _text_" || ed["edited_at"] == nil || !strings.Contains(ed["body_html"].(string), "<em>text</em>") {
			t.Errorf("edited = %v", ed)
		}
		rec := string(e.member.get(t, rp(open, "/record")).want(t, 200).Body)
		if !strings.Contains(rec, "**Да**, съгласна съм.") || !strings.Contains(rec, "Edited _text_") {
			t.Error("the record lacks the earlier or the current version of an edited post")
		}
		e.mod.do(t, "PATCH", "/api/v1/posts/"+pid, map[string]string{"body": "not mine"}).want(t, 403, "forbidden")
		e.member.do(t, "PATCH", "/api/v1/posts/"+pid, map[string]string{"body": ""}).wantField(t, "body")
		e.member.do(t, "PATCH", "/api/v1/posts/"+pid, map[string]any{"body": "x", "hidden": false}).want(t, 400, "bad_request")
		e.member.do(t, "PATCH", "/api/v1/posts/"+itoa(closed.post), map[string]string{"body": "rewrite history"}).want(t, 409, "round_not_open")
		e.member.do(t, "PATCH", "/api/v1/posts/abc", map[string]string{"body": "x"}).want(t, 404, "not_found")
		e.member.do(t, "PATCH", "/api/v1/posts/999999", map[string]string{"body": "x"}).want(t, 404, "not_found")

		// Hiding: moderators and admins; the text goes from everybody else's view, the place and reason stay.
		h := e.mod.do(t, "POST", "/api/v1/posts/"+pid+"/hide", map[string]string{"reason": "Лични данни"}).want(t, 200).obj(t)
		keys(t, h, postFields...)
		if h["hidden"] != true || h["hidden_reason"] != "Лични данни" {
			t.Errorf("hidden = %v", h)
		}
		e.mod.do(t, "POST", "/api/v1/posts/"+pid+"/hide", map[string]string{"reason": ""}).wantField(t, "reason")
		e.mod.do(t, "POST", "/api/v1/posts/"+pid+"/hide", map[string]any{"reason": "x", "until": 1}).want(t, 400, "bad_request")
		e.admin.do(t, "POST", "/api/v1/posts/"+itoa(num(reply["id"]))+"/hide", map[string]string{"reason": "Off topic"}).want(t, 200)
		e.mod.do(t, "POST", "/api/v1/posts/"+itoa(closed.post)+"/hide", map[string]string{"reason": "late"}).want(t, 409, "round_closed")
		e.mod.do(t, "POST", "/api/v1/posts/abc/hide", map[string]string{"reason": "x"}).want(t, 404, "not_found")
		e.member.do(t, "POST", "/api/v1/posts/"+pid+"/hide", map[string]string{"reason": "x"}).want(t, 403, "forbidden")
		e.member.do(t, "PATCH", "/api/v1/posts/"+pid, map[string]string{"body": "unhide by editing"}).want(t, 403, "forbidden")
		for _, c := range []*client{e.member, e.mod} {
			for _, p := range list(c.get(t, "/api/v1/topics/"+itoa(open.topic)).want(t, 200).obj(t)["posts"]) {
				if num(p["id"]) != num(h["id"]) {
					continue
				}
				if p["hidden"] != true || p["hidden_reason"] != "Лични данни" {
					t.Errorf("hidden post = %v", p)
				}
				if shown := p["body"] != "" || p["body_html"] != ""; shown != (c == e.mod) {
					t.Errorf("%s: hidden post body shown=%v: %v", c.user.Name, shown, p)
				}
			}
		}
	})
	t.Run("proposals", func(t *testing.T) {
		for _, s := range []scene{draft, open} {
			p := e.member.do(t, "POST", rp(s, "/proposals"), map[string]any{"title": "Нова спирка", "body": "На _ъгъла_"}).want(t, 201).obj(t)
			keys(t, p, proposalFields...)
			author(t, p, m0.ID, m0.Name)
			tally := p["tally"].(map[string]any)
			keys(t, tally, "for", "against", "abstain", "voters")
			if num(p["round_id"]) != s.round || p["topic_id"] != nil || p["title"] != "Нова спирка" || p["my_vote"] != nil ||
				num(tally["voters"]) != 0 || !strings.Contains(p["body_html"].(string), "<em>ъгъла</em>") {
				t.Errorf("proposal = %v", p)
			}
		}
		p := e.mod.do(t, "POST", rp(open, "/proposals"), map[string]any{"title": "T", "body": "B", "topic_id": open.topic}).want(t, 201).obj(t)
		if num(p["topic_id"]) != open.topic {
			t.Errorf("topic_id = %v", p["topic_id"])
		}
		g := e.member.get(t, "/api/v1/proposals/"+itoa(open.proposal)).want(t, 200).obj(t)
		keys(t, g, proposalFields...)
		if g["my_vote"] != "for" || num(g["tally"].(map[string]any)["voters"]) != 2 {
			t.Errorf("proposal = %v", g)
		}
		e.member.do(t, "POST", rp(open, "/proposals"), map[string]any{"title": "T", "body": "B", "topic_id": closed.topic}).wantField(t, "topic_id")
		e.member.do(t, "POST", rp(open, "/proposals"), map[string]any{"title": "T", "body": "B", "topic_id": "one"}).wantField(t, "topic_id")
		e.member.do(t, "POST", rp(open, "/proposals"), map[string]any{"title": "", "body": "B"}).wantField(t, "title")
		e.member.do(t, "POST", rp(open, "/proposals"), map[string]any{"title": strings.Repeat("п", 201), "body": "B"}).wantField(t, "title")
		e.member.do(t, "POST", rp(open, "/proposals"), map[string]any{"title": "T", "body": strings.Repeat("п", 20001)}).wantField(t, "body")
		e.member.do(t, "POST", rp(open, "/proposals"), map[string]any{"title": "T"}).wantField(t, "body")
		e.member.do(t, "POST", rp(open, "/proposals"), `{"title":"T","body":"`+"\xc0\xaf"+`"}`).wantField(t, "body")
		e.member.do(t, "POST", rp(open, "/proposals"), map[string]any{"title": "T", "body": "B", "tally": 5}).want(t, 400, "bad_request")
		e.member.do(t, "POST", rp(closed, "/proposals"), map[string]any{"title": "T", "body": "B"}).want(t, 409, "round_not_open")
		e.member.do(t, "POST", "/api/v1/rounds/abc/proposals", map[string]any{"title": "T", "body": "B"}).want(t, 404, "not_found")
		e.member.get(t, "/api/v1/proposals/abc").want(t, 404, "not_found")
		e.member.get(t, "/api/v1/proposals/999999").want(t, 404, "not_found")
	})
	t.Run("votes", func(t *testing.T) {
		s := e.scene(t, "open", "open")
		path := "/api/v1/proposals/" + itoa(s.proposal) + "/vote"
		m1 := e.signIn(t, e.w.Members[1])
		v := m1.do(t, "PUT", path, map[string]string{"choice": "abstain"}).want(t, 200).obj(t)
		keys(t, v, "proposal_id", "choice", "tally")
		tally := v["tally"].(map[string]any)
		if num(v["proposal_id"]) != s.proposal || v["choice"] != "abstain" || num(tally["for"]) != 1 || num(tally["against"]) != 1 ||
			num(tally["abstain"]) != 1 || num(tally["voters"]) != 3 {
			t.Errorf("vote = %v", v)
		}
		// Voting again changes the vote.
		v = m1.do(t, "PUT", path, map[string]string{"choice": "for"}).want(t, 200).obj(t)
		if tally := v["tally"].(map[string]any); num(tally["for"]) != 2 || num(tally["abstain"]) != 0 || num(tally["voters"]) != 3 {
			t.Errorf("changed vote = %v", v)
		}
		m1.do(t, "PUT", path, map[string]string{"choice": "maybe"}).wantField(t, "choice")
		m1.do(t, "PUT", path, map[string]string{"choice": ""}).wantField(t, "choice")
		m1.do(t, "PUT", path, map[string]any{"choice": 1}).wantField(t, "choice")
		m1.do(t, "PUT", path, map[string]any{"choice": "for", "weight": 2}).want(t, 400, "bad_request")
		m1.do(t, "PUT", path, "").want(t, 400, "bad_request")
		m1.do(t, "PUT", "/api/v1/proposals/abc/vote", map[string]string{"choice": "for"}).want(t, 404, "not_found")
		m1.do(t, "PUT", "/api/v1/proposals/999999/vote", map[string]string{"choice": "for"}).want(t, 404, "not_found")
		m1.do(t, "PUT", "/api/v1/proposals/"+itoa(draft.proposal)+"/vote", map[string]string{"choice": "for"}).want(t, 409, "round_not_open")
		m1.do(t, "PUT", "/api/v1/proposals/"+itoa(closed.proposal)+"/vote", map[string]string{"choice": "for"}).want(t, 409, "round_closed")

		// Open ballot: named votes for those who may see the round.
		vs := list(e.admin.get(t, "/api/v1/proposals/"+itoa(s.proposal)+"/votes").want(t, 200).obj(t)["votes"])
		if len(vs) != 3 {
			t.Fatalf("votes = %v", vs)
		}
		for _, v := range vs {
			keys(t, v, "voter", "choice", "cast_at")
			keys(t, v["voter"].(map[string]any), "id", "name", "organisation")
		}
		e.member.get(t, "/api/v1/proposals/abc/votes").want(t, 404, "not_found")

		// Withdrawing.
		m1.do(t, "DELETE", path, nil).want(t, 204)
		m1.do(t, "DELETE", path, nil).want(t, 404, "not_found")
		if g := m1.get(t, "/api/v1/proposals/"+itoa(s.proposal)).obj(t); g["my_vote"] != nil || num(g["tally"].(map[string]any)["voters"]) != 2 {
			t.Errorf("after withdrawal = %v", g)
		}
		e.member.do(t, "DELETE", "/api/v1/proposals/"+itoa(closed.proposal)+"/vote", nil).want(t, 409, "round_closed")
		e.member.do(t, "DELETE", "/api/v1/proposals/"+itoa(draft.proposal)+"/vote", nil).want(t, 409, "round_not_open")
		e.member.do(t, "DELETE", "/api/v1/proposals/abc/vote", nil).want(t, 404, "not_found")

		// A vote after the close is refused and changes nothing.
		e.mod.do(t, "POST", "/api/v1/rounds/"+itoa(s.round)+"/close", map[string]string{"outcome_summary": "done"}).want(t, 200)
		m1.do(t, "PUT", path, map[string]string{"choice": "against"}).want(t, 409, "round_closed")
		g := e.anon.get(t, "/api/v1/proposals/"+itoa(s.proposal)).want(t, 200).obj(t)
		if tally := g["tally"].(map[string]any); num(tally["for"]) != 1 || num(tally["against"]) != 1 || num(tally["voters"]) != 2 {
			t.Errorf("tally after close = %v", tally)
		}
		if len(list(e.anon.get(t, "/api/v1/proposals/"+itoa(s.proposal)+"/votes").want(t, 200).obj(t)["votes"])) != 2 {
			t.Error("open-ballot votes not public after close")
		}
	})
}

func apiSecretBallot(t *testing.T, e *env) {
	s := e.scene(t, "open", "secret")
	pid := itoa(s.proposal)
	m1 := e.signIn(t, e.w.Members[1])
	if ans := m1.do(t, "PUT", "/api/v1/proposals/"+pid+"/vote", map[string]string{"choice": "abstain"}).want(t, 200).obj(t); ans["tally"] != nil {
		t.Errorf("a secret vote is answered with the tally it moved: %v", ans)
	}
	// No tally while the ballot is open, for anybody.
	for _, c := range []*client{e.member, e.mod, e.admin} {
		if g := c.get(t, "/api/v1/proposals/"+pid).want(t, 200).obj(t); g["tally"] != nil {
			t.Errorf("%s sees a tally while the secret ballot is open: %v", c.user.Name, g["tally"])
		}
	}
	// Nobody reads who voted how: not the voters, not the moderator, not an admin.
	for _, c := range []*client{e.member, m1, e.mod, e.admin} {
		c.get(t, "/api/v1/proposals/"+pid+"/votes").want(t, 403, "forbidden")
	}
	// Only the voter sees their own vote.
	mine := map[*client]any{e.member: "for", m1: "abstain", e.mod: "against", e.admin: nil, e.signIn(t, e.w.Members[2]): nil}
	for c, want := range mine {
		if got := c.get(t, "/api/v1/proposals/"+pid).want(t, 200).obj(t)["my_vote"]; got != want {
			t.Errorf("%s: my_vote = %v, want %v", c.user.Name, got, want)
		}
		if got := list(c.get(t, "/api/v1/rounds/"+itoa(s.round)).want(t, 200).obj(t)["proposals"])[0]["my_vote"]; got != want {
			t.Errorf("%s: my_vote in round = %v, want %v", c.user.Name, got, want)
		}
	}
	// The events of a secret ballot name nobody.
	for _, ev := range list(e.admin.get(t, "/api/v1/councils/citizens/events?limit=1000").want(t, 200).obj(t)["events"]) {
		if ev["type"] == "vote.cast" && num(ev["round_id"]) == s.round {
			if ev["actor"] != nil || ev["data"].(map[string]any)["voter"] != nil || ev["data"].(map[string]any)["choice"] != nil {
				t.Errorf("secret vote event names its voter: %v", ev)
			}
			if d := ev["data"].(map[string]any); d["tally"] != nil || d["voters"] == nil {
				t.Errorf("secret vote event carries a tally, or not the voters: %v", ev)
			}
		}
	}
	c := e.mod.do(t, "POST", "/api/v1/rounds/"+itoa(s.round)+"/close", map[string]string{"outcome_summary": "Тайно"}).want(t, 200).obj(t)
	// The link between voter and choice is gone from the database; the tallies stay.
	db := e.w.Store.DB()
	var n int
	if err := db.Get(&n, db.Rebind(`SELECT COUNT(*) FROM votes WHERE proposal_id IN (SELECT id FROM proposals WHERE round_id = ?)`), s.round); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d vote rows survive the close of a secret ballot", n)
	}
	res := list(c["results"])
	if len(res) != 1 || num(res[0]["for"]) != 1 || num(res[0]["against"]) != 1 || num(res[0]["abstain"]) != 1 || num(res[0]["voters"]) != 3 {
		t.Errorf("results = %v", c["results"])
	}
	for _, cl := range []*client{e.anon, e.member, e.admin} {
		cl.get(t, "/api/v1/proposals/"+pid+"/votes").want(t, 403, "forbidden")
		g := cl.get(t, "/api/v1/proposals/"+pid).want(t, 200).obj(t)
		if tally := g["tally"].(map[string]any); num(tally["voters"]) != 3 || num(tally["for"]) != 1 || g["my_vote"] != nil {
			t.Errorf("proposal after close = %v", g)
		}
		if r := list(cl.get(t, "/api/v1/rounds/"+itoa(s.round)).want(t, 200).obj(t)["results"]); len(r) != 1 || num(r[0]["voters"]) != 3 {
			t.Errorf("round results after close = %v", r)
		}
	}
	// The record keeps the tallies and who took part, not who chose what.
	rec := e.anon.get(t, "/api/v1/rounds/"+itoa(s.round)+"/record").want(t, 200).obj(t)
	if len(list(rec["participants"])) != 3 {
		t.Errorf("participants = %v", rec["participants"])
	}
	for _, p := range list(rec["proposals"]) {
		if p["votes"] != nil {
			t.Errorf("secret ballot record names votes: %v", p)
		}
	}
}
