package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// Daily use: what moderators and authors change once things are written, with the rules that
// keep the record whole.
func TestAPIDailyUse(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		t.Run("council settings and archiving", func(t *testing.T) { apiCouncilSettings(t, e) })
		t.Run("deadline of an open round", func(t *testing.T) { apiDeadline(t, e) })
		t.Run("participation", func(t *testing.T) { apiParticipation(t, e) })
		t.Run("vote reasons and roll call", func(t *testing.T) { apiVoteReasons(t, e) })
		t.Run("authors edit and withdraw proposals", func(t *testing.T) { apiAuthorsProposals(t, e) })
		t.Run("authors delete posts, moderators unhide", func(t *testing.T) { apiPostsDeleteUnhide(t, e) })
		t.Run("preview", func(t *testing.T) { apiPreview(t, e) })
		t.Run("post numbers per topic", func(t *testing.T) { apiPostNumbers(t, e) })
	})
}

func councilPath(e *env) string { return "/api/v1/councils/" + itoa(e.w.Council.ID) }

// apiCouncilSettings: the admin renames and archives; moderators only open the rounds to the
// public; an archived council takes no new rounds, opened drafts or members, and cannot be
// archived while a round is open.
func apiCouncilSettings(t *testing.T, e *env) {
	ctx := context.Background()
	c := e.admin.do(t, "PATCH", councilPath(e), map[string]any{"name": "Граждански съвет 2", "description": "Нов опис"}).want(t, 200).obj(t)
	keys(t, c, "id", "slug", "name", "description", "archived", "open_rounds_public")
	if c["name"] != "Граждански съвет 2" || c["description"] != "Нов опис" || c["archived"] != false {
		t.Errorf("renamed council = %v", c)
	}
	e.admin.do(t, "PATCH", councilPath(e), map[string]any{"name": ""}).wantCode(t, 422, "name", council.FieldRequired)
	e.admin.do(t, "PATCH", councilPath(e), map[string]any{"slug": "new"}).want(t, 400, "bad_request") // the slug is an address: it stays
	e.mod.do(t, "PATCH", councilPath(e), map[string]any{"archived": true}).want(t, 403, "forbidden")
	c = e.mod.do(t, "PATCH", councilPath(e), map[string]any{"open_rounds_public": true}).want(t, 200).obj(t)
	if c["open_rounds_public"] != true || c["name"] != "Граждански съвет 2" {
		t.Errorf("after the moderator's change = %v", c)
	}
	e.anon.get(t, councilPath(e)).want(t, 200)
	open := e.scene(t, "open", "open")
	draft := e.scene(t, "draft", "open")
	e.admin.do(t, "PATCH", councilPath(e), map[string]any{"archived": true}).wantCode(t, 409, "archived", council.FieldInvalid)
	if _, err := e.w.Svc.CloseRound(ctx, e.w.Moderator, open.round, ""); err != nil {
		t.Fatal(err)
	}
	closeOpenRounds(t, e)
	c = e.admin.do(t, "PATCH", councilPath(e), map[string]any{"archived": true}).want(t, 200).obj(t)
	if c["archived"] != true {
		t.Fatalf("archived = %v", c["archived"])
	}
	conflict := func(r reply) {
		t.Helper()
		if r.want(t, 409, "conflict").obj(t)["reason"] != council.ReasonArchived {
			t.Errorf("reason = %v, want archived: %s", r.obj(t)["reason"], trim(r.Body))
		}
	}
	conflict(e.mod.do(t, "POST", councilPath(e)+"/rounds", map[string]any{"title": "R", "ballot": "open", "quorum_percent": 0}))
	conflict(e.mod.do(t, "POST", "/api/v1/rounds/"+itoa(draft.round)+"/open", nil))
	conflict(e.mod.do(t, "POST", councilPath(e)+"/invitations", map[string]string{"email": "late@example.org", "name": "L", "role": "member", "group": "ngo"}))
	e.anon.get(t, "/api/v1/rounds/"+itoa(open.round)).want(t, 200) // its history stays readable
	e.admin.do(t, "PATCH", councilPath(e), map[string]any{"archived": false, "open_rounds_public": false}).want(t, 200)
}

// closeOpenRounds closes what other subtests left open in the council, so it can be archived.
func closeOpenRounds(t *testing.T, e *env) {
	t.Helper()
	rounds, err := e.w.Svc.Rounds(context.Background(), e.w.Admin, e.w.Council.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rounds {
		if r.Status == model.StatusOpen {
			if _, err := e.w.Svc.CloseRound(context.Background(), e.w.Moderator, r.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// apiDeadline: while open only closes_at changes, forward or back, never into the past; the
// round then closes at the new time, and says how many may vote.
func apiDeadline(t *testing.T, e *env) {
	s := e.scene(t, "open", "open")
	path := "/api/v1/rounds/" + itoa(s.round)
	now := e.w.Clock.Now().UTC()
	later := now.Add(48 * time.Hour).Truncate(time.Second)
	r := e.mod.do(t, "PATCH", path, map[string]any{"closes_at": later.Format(time.RFC3339)}).want(t, 200).obj(t)
	if r["closes_at"] != later.Format(time.RFC3339) || r["status"] != "open" {
		t.Errorf("extended round = %v", r)
	}
	if num(r["eligible"]) != 4 { // the moderator and three members
		t.Errorf("eligible = %v, want 4", r["eligible"])
	}
	sooner := now.Add(time.Hour).Truncate(time.Second)
	e.mod.do(t, "PATCH", path, map[string]any{"closes_at": sooner.Format(time.RFC3339)}).want(t, 200)
	e.mod.do(t, "PATCH", path, map[string]any{"closes_at": now.Add(-time.Minute).Format(time.RFC3339)}).wantCode(t, 422, "closes_at", council.FieldInPast)
	if e.mod.do(t, "PATCH", path, map[string]any{"title": "New"}).want(t, 409, "conflict").obj(t)["reason"] != council.ReasonRoundOpen {
		t.Error("a title change of an open round does not say why it is refused")
	}
	e.w.Clock.Advance(61 * time.Minute)
	if n, err := e.w.Svc.CloseDue(context.Background()); err != nil || n < 1 {
		t.Fatalf("the scheduler closed %d rounds: %v", n, err)
	}
	got := e.member.get(t, path).want(t, 200).obj(t)
	if got["status"] != "closed" || !strings.HasPrefix(fmt.Sprint(got["closed_at"]), sooner.Format("2006-01-02")) {
		t.Errorf("after the new deadline: %v", got)
	}
}

// apiParticipation: moderators see turnout per group and who has not voted, by name, in a
// secret ballot as well — never a choice.
func apiParticipation(t *testing.T, e *env) {
	s := e.scene(t, "open", "secret") // Members[0] and the moderator voted
	p := e.mod.get(t, "/api/v1/rounds/"+itoa(s.round)+"/participation").want(t, 200).obj(t)
	keys(t, p, "eligible", "voted", "proposals", "by_group", "not_voted")
	if num(p["eligible"]) != 4 || num(p["voted"]) != 2 || num(p["proposals"]) != 1 {
		t.Errorf("participation = %v", p)
	}
	groups, _ := p["by_group"].(map[string]any)
	citizens, _ := groups[model.GroupCitizen].(map[string]any)
	if num(citizens["members"]) != 2 || num(citizens["voted"]) != 2 {
		t.Errorf("citizens' turnout = %v", citizens)
	}
	names := map[string]bool{}
	for _, m := range list(p["not_voted"]) {
		names[fmt.Sprint(m["name"])] = true
		keys(t, m, "user_id", "name", "group", "pending")
		if _, ok := m["choice"]; ok {
			t.Errorf("a choice in the participation: %v", m)
		}
	}
	if len(names) != 2 || !names[e.w.Members[1].Name] || !names[e.w.Members[2].Name] {
		t.Errorf("not voted = %v, want Members[1] and [2]", names)
	}
	e.member.get(t, "/api/v1/rounds/"+itoa(s.round)+"/participation").want(t, 403, "forbidden")
}

// apiVoteReasons: a reason goes with an open ballot's vote, into the roll call and the record;
// a secret ballot takes none; at most 500 characters.
func apiVoteReasons(t *testing.T, e *env) {
	s := e.scene(t, "open", "open")
	vote := "/api/v1/proposals/" + itoa(s.proposal) + "/vote"
	m1 := e.signIn(t, e.w.Members[1])
	m1.do(t, "PUT", vote, map[string]string{"choice": "for", "reason": "  Удобно след работа.  "}).want(t, 200)
	m1.do(t, "PUT", vote, map[string]string{"choice": "for", "reason": strings.Repeat("д", 501)}).wantCode(t, 422, "reason", council.FieldTooLong)
	got := list(e.member.get(t, "/api/v1/proposals/"+itoa(s.proposal)+"/votes").want(t, 200).obj(t)["votes"])
	found := false
	for _, v := range got {
		if voter, _ := v["voter"].(map[string]any); num(voter["id"]) == e.w.Members[1].ID {
			found = v["reason"] == "Удобно след работа." && v["choice"] == "for"
		}
	}
	if !found {
		t.Errorf("the roll call lacks the reason, trimmed: %v", got)
	}
	if _, err := e.w.Svc.CloseRound(context.Background(), e.w.Moderator, s.round, ""); err != nil {
		t.Fatal(err)
	}
	reasons := []any{}
	for _, p := range list(e.anon.get(t, "/api/v1/rounds/"+itoa(s.round)+"/record").want(t, 200).obj(t)["proposals"]) {
		for _, v := range list(p["votes"]) {
			reasons = append(reasons, v["reason"])
		}
	}
	if !strings.Contains(fmt.Sprint(reasons), "Удобно след работа.") {
		t.Errorf("the record's votes lack the reason: %v", reasons)
	}
	secret := e.scene(t, "open", "secret")
	m1.do(t, "PUT", "/api/v1/proposals/"+itoa(secret.proposal)+"/vote", map[string]string{"choice": "for", "reason": "Защото"}).
		wantCode(t, 422, "reason", council.FieldInvalid)
}

// apiAuthorsProposals: an author edits or withdraws a proposal until somebody votes on it; a
// withdrawn one stays listed, takes no vote and reaches no result.
func apiAuthorsProposals(t *testing.T, e *env) {
	r := e.mod.do(t, "POST", councilPath(e)+"/rounds", map[string]any{"title": "Authors", "ballot": "open", "quorum_percent": 0}).want(t, 201).obj(t)
	rid := itoa(num(r["id"]))
	keep := e.member.do(t, "POST", "/api/v1/rounds/"+rid+"/proposals", map[string]string{"title": "Keep", "body": "K"}).want(t, 201).obj(t)
	drop := e.member.do(t, "POST", "/api/v1/rounds/"+rid+"/proposals", map[string]string{"title": "Drop", "body": "D"}).want(t, 201).obj(t)
	keepPath, dropPath := "/api/v1/proposals/"+itoa(num(keep["id"])), "/api/v1/proposals/"+itoa(num(drop["id"]))
	ed := e.member.do(t, "PATCH", keepPath, map[string]string{"title": "Kept", "body": "**K2**"}).want(t, 200).obj(t)
	if ed["title"] != "Kept" || !strings.Contains(fmt.Sprint(ed["body_html"]), "<strong>K2</strong>") || ed["edited_at"] == nil {
		t.Errorf("edited proposal = %v", ed)
	}
	e.member.do(t, "PATCH", keepPath, map[string]string{"title": "", "body": "x"}).wantCode(t, 422, "title", council.FieldRequired)
	e.mod.do(t, "PATCH", keepPath, map[string]string{"title": "Mine now", "body": "x"}).want(t, 403, "forbidden")
	e.member.do(t, "DELETE", dropPath, nil).want(t, 204)
	e.mod.do(t, "POST", "/api/v1/rounds/"+rid+"/open", nil).want(t, 200)
	d := e.member.get(t, dropPath).want(t, 200).obj(t)
	if d["withdrawn_at"] == nil {
		t.Errorf("withdrawn proposal = %v", d)
	}
	if e.mod.do(t, "PUT", dropPath+"/vote", map[string]string{"choice": "for"}).want(t, 409, "conflict").obj(t)["reason"] != council.ReasonProposalWithdrawn {
		t.Error("a vote on a withdrawn proposal does not say why it is refused")
	}
	e.mod.do(t, "PUT", keepPath+"/vote", map[string]string{"choice": "for"}).want(t, 200)
	if e.member.do(t, "PATCH", keepPath, map[string]string{"title": "Late", "body": "x"}).want(t, 409, "conflict").obj(t)["reason"] != council.ReasonProposalVoted {
		t.Error("an edit after a vote does not say why it is refused")
	}
	e.member.do(t, "DELETE", keepPath, nil).want(t, 409, "conflict")
	closed := e.mod.do(t, "POST", "/api/v1/rounds/"+rid+"/close", map[string]string{"outcome_summary": ""}).want(t, 200).obj(t)
	results := list(closed["results"])
	if len(results) != 1 || num(results[0]["proposal_id"]) != num(keep["id"]) {
		t.Errorf("results = %v, want the kept proposal's alone", results)
	}
	if ps := list(e.anon.get(t, "/api/v1/rounds/"+rid+"/record").want(t, 200).obj(t)["proposals"]); len(ps) != 2 {
		t.Errorf("the record lists %d proposals, want both (the withdrawn one marked)", len(ps))
	}
}

// apiPostsDeleteUnhide: an author deletes a post (its place and the mark stay, its text is
// gone everywhere); a moderator shows a hidden post again.
func apiPostsDeleteUnhide(t *testing.T, e *env) {
	s := e.scene(t, "open", "open")
	topic := "/api/v1/topics/" + itoa(s.topic)
	p := e.member.do(t, "POST", topic+"/posts", map[string]string{"body": "Грешка, ще го изтрия."}).want(t, 201).obj(t)
	pid := itoa(num(p["id"]))
	e.mod.do(t, "DELETE", "/api/v1/posts/"+pid, nil).want(t, 403, "forbidden")
	e.member.do(t, "DELETE", "/api/v1/posts/"+pid, nil).want(t, 204)
	if e.member.do(t, "DELETE", "/api/v1/posts/"+pid, nil).want(t, 409, "conflict").obj(t)["reason"] != council.ReasonPostDeleted {
		t.Error("deleting twice does not say why")
	}
	e.member.do(t, "PATCH", "/api/v1/posts/"+pid, map[string]string{"body": "again"}).want(t, 409, "conflict")
	for _, post := range list(e.mod.get(t, topic).want(t, 200).obj(t)["posts"]) {
		if itoa(num(post["id"])) == pid && (post["deleted_at"] == nil || post["body"] != "" || post["body_html"] != "") {
			t.Errorf("deleted post as a moderator reads it = %v", post)
		}
	}
	evs := e.mod.get(t, councilPath(e)+"/events?limit=1000").want(t, 200)
	if strings.Contains(string(evs.Body), "ще го изтрия") {
		t.Error("the deleted post's text is still in the council's events")
	}
	if !strings.Contains(string(evs.Body), `"post.deleted"`) {
		t.Error("no post.deleted event")
	}
	e.mod.do(t, "POST", "/api/v1/posts/"+itoa(s.post)+"/hide", map[string]string{"reason": "Лични данни"}).want(t, 200)
	e.member.do(t, "POST", "/api/v1/posts/"+itoa(s.post)+"/unhide", nil).want(t, 403, "forbidden")
	u := e.mod.do(t, "POST", "/api/v1/posts/"+itoa(s.post)+"/unhide", nil).want(t, 200).obj(t)
	if u["hidden"] != false || u["body"] != "First post" {
		t.Errorf("unhidden post = %v", u)
	}
	if e.mod.do(t, "POST", "/api/v1/posts/"+itoa(s.post)+"/unhide", nil).want(t, 409, "conflict").obj(t)["reason"] != council.ReasonNotHidden {
		t.Error("unhiding a shown post does not say why")
	}
	seen := false
	for _, post := range list(e.member.get(t, topic).want(t, 200).obj(t)["posts"]) {
		seen = seen || (num(post["id"]) == s.post && post["body"] == "First post")
	}
	if !seen {
		t.Error("members do not read the unhidden post again")
	}
}

// apiPreview renders Markdown as a post would be, sanitised.
func apiPreview(t *testing.T, e *env) {
	r := e.member.do(t, "POST", "/api/v1/preview", map[string]string{"body": "**Да** <script>alert(1)</script> [x](javascript:alert(1))"}).want(t, 200).obj(t)
	html := fmt.Sprint(r["body_html"])
	if !strings.Contains(html, "<strong>Да</strong>") || strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
		t.Errorf("preview = %q", html)
	}
	e.member.do(t, "POST", "/api/v1/preview", map[string]string{"body": strings.Repeat("б", 20001)}).wantCode(t, 422, "body", council.FieldTooLong)
	e.anon.do(t, "POST", "/api/v1/preview", map[string]string{"body": "x"}).want(t, 401)
}

// apiPostNumbers: posts are numbered 1, 2, … in each topic, for people to cite.
func apiPostNumbers(t *testing.T, e *env) {
	s := e.scene(t, "open", "open") // its topic has one post already
	tp := e.member.do(t, "POST", "/api/v1/rounds/"+itoa(s.round)+"/topics", map[string]string{"title": "Second", "body": "B"}).want(t, 201).obj(t)
	for i, topic := range []int64{s.topic, num(tp["id"])} {
		path := "/api/v1/topics/" + itoa(topic) + "/posts"
		first := e.member.do(t, "POST", path, map[string]string{"body": "a"}).want(t, 201).obj(t)
		second := e.mod.do(t, "POST", path, map[string]string{"body": "b"}).want(t, 201).obj(t)
		if want := int64(2 - i); num(first["number"]) != want || num(second["number"]) != want+1 {
			t.Errorf("topic %d: numbers %v, %v, want %d, %d", i, first["number"], second["number"], want, want+1)
		}
	}
}
