package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// TestAPILists pages the lists that grow with time: a council's rounds, its members and a
// topic's posts, in the API and on their pages.
func TestAPILists(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		t.Run("rounds", func(t *testing.T) { apiListRounds(t, e) })
		t.Run("members", func(t *testing.T) { apiListMembers(t, e) })
		t.Run("posts", func(t *testing.T) { apiListPosts(t, e) })
		t.Run("users", func(t *testing.T) { apiListUsers(t, e) })
		t.Run("bad pages", func(t *testing.T) { apiListBadPages(t, e) })
	})
}

// pageIDs reads the ids of one page of a list and checks its page and total.
func pageIDs(t *testing.T, c *client, path, key, idKey string, page, total int) []int64 {
	t.Helper()
	m := c.get(t, path).want(t, 200).obj(t)
	if int(num(m["page"])) != page || int(num(m["total"])) != total {
		t.Fatalf("%s: page %v total %v, want %d %d", path, m["page"], m["total"], page, total)
	}
	var ids []int64
	for _, it := range list(m[key]) {
		ids = append(ids, num(it[idKey]))
	}
	return ids
}

// walk reads every page of a list of total items and checks that the pages hold PageSize items
// each, the last the rest, and one past it none, with no item twice.
func walk(t *testing.T, c *client, path, key, idKey string, total int) []int64 {
	t.Helper()
	var all []int64
	seen := map[int64]bool{}
	pages := (total + council.PageSize - 1) / council.PageSize
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for p := 1; p <= pages+1; p++ {
		ids := pageIDs(t, c, fmt.Sprintf("%s%spage=%d", path, sep, p), key, idKey, p, total)
		want := min(council.PageSize, max(total-(p-1)*council.PageSize, 0))
		if len(ids) != want {
			t.Fatalf("%s page %d: %d items, want %d", path, p, len(ids), want)
		}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("%s: item %d on two pages", path, id)
			}
			seen[id] = true
		}
		all = append(all, ids...)
	}
	// No page asked for is the first.
	first := pageIDs(t, c, path, key, idKey, 1, total)
	if len(first) == 0 || first[0] != all[0] {
		t.Fatalf("%s: the default page starts with %v, page 1 with %d", path, first, all[0])
	}
	return all
}

func apiListRounds(t *testing.T, e *env) {
	ctx, w := context.Background(), e.w
	quorum, ballot := 0, model.BallotOpen
	var closed []int64
	for i := range 26 {
		title := fmt.Sprintf("Страница %d", i)
		r, err := w.Svc.CreateRound(ctx, w.Moderator, w.Council.ID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
		if err != nil {
			t.Fatal(err)
		}
		if i%8 == 0 { // 4 closed, the rest drafts
			if _, err := w.Svc.OpenRound(ctx, w.Moderator, r.ID, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Svc.CloseRound(ctx, w.Moderator, r.ID, ""); err != nil {
				t.Fatal(err)
			}
			closed = append(closed, r.ID)
		}
	}
	path := "/api/v1/councils/" + itoa(w.Council.ID) + "/rounds"
	all, err := w.Svc.Rounds(ctx, w.Moderator, w.Council.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := walk(t, e.member, path, "rounds", "id", len(all))
	for i := range all {
		if got[i] != all[i].ID {
			t.Fatalf("paged order %v, want the full list's", got)
		}
	}
	// A visitor pages the closed rounds only, newest first.
	pub := walk(t, e.anon, "/api/v1/councils/citizens/rounds", "rounds", "id", len(closed))
	if pub[0] != closed[len(closed)-1] || pub[len(pub)-1] != closed[0] {
		t.Errorf("visitor's rounds %v, closed %v", pub, closed)
	}

	// The council's page pages them too, with links that work without scripts.
	body := string(e.member.get(t, "/councils/citizens").want(t, 200).Body)
	if !strings.Contains(body, `href="/councils/citizens?page=2"`) || strings.Contains(body, `rel="prev"`) {
		t.Errorf("the council's first page has no link to the second")
	}
	if strings.Count(body, `class="card"`) != council.PageSize {
		t.Errorf("the council's first page lists %d rounds", strings.Count(body, `class="card"`))
	}
	last := (len(all) + council.PageSize - 1) / council.PageSize
	body = string(e.member.get(t, fmt.Sprintf("/councils/citizens?page=%d", last)).want(t, 200).Body)
	if !strings.Contains(body, fmt.Sprintf(`/rounds/%d"`, all[len(all)-1].ID)) || strings.Contains(body, `rel="next"`) ||
		!strings.Contains(body, `rel="prev"`) || strings.Contains(body, fmt.Sprintf(`/rounds/%d"`, all[0].ID)) {
		t.Errorf("the council's last page does not hold the oldest round alone with a link back")
	}
	// A page that cannot be read is the first.
	e.anon.get(t, "/councils/citizens?page=x").want(t, 200)
}

func apiListMembers(t *testing.T, e *env) {
	w := e.w
	for i := range 19 {
		w.Join(t, w.Council.ID, fmt.Sprintf("list%d@example.org", i), fmt.Sprintf("Член %02d", i), model.RoleMember, model.GroupCitizen)
	}
	path := "/api/v1/councils/" + itoa(w.Council.ID) + "/members"
	ms, err := w.Svc.Members(context.Background(), w.Moderator, w.Council.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) <= council.PageSize {
		t.Fatalf("%d members: too few to page", len(ms))
	}
	got := walk(t, e.member, path, "members", "user_id", len(ms))
	for i := range ms {
		if got[i] != ms[i].UserID {
			t.Fatalf("paged members %v, want the full list's order", got)
		}
	}
	// Moderators come first; a member sees their own email only, a moderator everyone's.
	first := list(e.member.get(t, path).want(t, 200).obj(t)["members"])
	if first[0]["role"] != "moderator" {
		t.Errorf("first member %v", first[0])
	}
	second := list(e.mod.get(t, path+"?page=2").want(t, 200).obj(t)["members"])
	for _, m := range second {
		if m["email"] == "" || m["email"] == nil {
			t.Errorf("a moderator does not see %v's email", m["name"])
		}
	}
	for _, m := range list(e.member.get(t, path+"?page=2").want(t, 200).obj(t)["members"]) {
		if s, _ := m["email"].(string); s != "" && num(m["user_id"]) != w.Members[0].ID {
			t.Errorf("a member sees %v's email", m["name"])
		}
	}
	e.anon.get(t, path+"?page=2").want(t, 401)
	e.outsider.get(t, path+"?page=2").want(t, 403)

	// The council's page pages its members apart from its rounds.
	body := string(e.mod.get(t, "/councils/citizens?page=2&members_page=2").want(t, 200).Body)
	if !strings.Contains(body, `href="/councils/citizens?members_page=1&amp;page=2"`) {
		t.Errorf("the members' pager does not keep the rounds' page")
	}
	if strings.Count(body, `<th scope="row">`) != len(ms)-council.PageSize {
		t.Errorf("the second page of members lists %d", strings.Count(body, `<th scope="row">`))
	}
}

func apiListPosts(t *testing.T, e *env) {
	ctx, w := context.Background(), e.w
	sc := e.scene(t, "open", "open") // a topic with one post
	var ids []int64
	for i := range 22 {
		in := council.PostInput{Body: fmt.Sprintf("Мнение %d", i)}
		if i == 21 {
			in.ReplyTo = &sc.post // the last post answers the first, on another page
		}
		p, err := w.Svc.CreatePost(ctx, w.Members[i%3], sc.topic, in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	path := "/api/v1/topics/" + itoa(sc.topic)
	got := walk(t, e.member, path, "posts", "id", 23)
	want := append([]int64{sc.post}, ids...)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("paged posts %v, want %v", got, want)
		}
	}
	m := e.member.get(t, path+"?page=2").want(t, 200).obj(t)
	if p := list(m["posts"]); num(p[0]["number"]) != council.PageSize+1 || num(m["post_count"]) != 23 {
		t.Errorf("page 2 starts with post #%v; post_count %v", p[0]["number"], m["post_count"])
	}

	// The topic's page opens on its last page, where the debate goes on; a reply to a post on
	// an earlier page links to that page.
	body := string(e.member.get(t, "/topics/"+itoa(sc.topic)).want(t, 200).Body)
	if !strings.Contains(body, fmt.Sprintf(`id="post-%d"`, ids[21])) || strings.Contains(body, fmt.Sprintf(`id="post-%d"`, sc.post)) {
		t.Errorf("the topic's page does not open on its last page")
	}
	if !strings.Contains(body, fmt.Sprintf(`href="/topics/%d?page=1#post-%d"`, sc.topic, sc.post)) {
		t.Errorf("the reply to a post on the first page does not link to it")
	}
	if !strings.Contains(body, "data-last-page") || !strings.Contains(body, `rel="prev"`) {
		t.Errorf("the last page is not marked, or has no link back")
	}
	body = string(e.member.get(t, "/topics/"+itoa(sc.topic)+"?page=1").want(t, 200).Body)
	if !strings.Contains(body, fmt.Sprintf(`id="post-%d"`, sc.post)) || strings.Contains(body, "data-last-page") ||
		!strings.Contains(body, fmt.Sprintf(`href="/topics/%d?page=2"`, sc.topic)) {
		t.Errorf("the topic's first page")
	}
}

func apiListBadPages(t *testing.T, e *env) {
	sc := e.scene(t, "open", "open")
	for _, path := range []string{"/api/v1/councils/citizens/rounds", "/api/v1/councils/citizens/members", "/api/v1/topics/" + itoa(sc.topic), "/api/v1/admin/users"} {
		c := e.mod
		if strings.Contains(path, "admin") {
			c = e.admin
		}
		for _, q := range []string{"0", "-1", "x", "1.5", "100001", "99999999999999999999", "%00"} {
			c.get(t, path+"?page="+q).want(t, 400, "bad_request")
		}
		// The last page there can be answers, empty.
		m := c.get(t, path+"?page=100000").want(t, 200).obj(t)
		for k, v := range m {
			if l, ok := v.([]any); ok && len(l) != 0 {
				t.Errorf("%s page 100000: %s holds %d", path, k, len(l))
			}
		}
	}
	// Pages read a page they cannot as the first (or, for a topic, the last).
	for _, path := range []string{"/councils/citizens?page=-3&members_page=x", "/topics/" + itoa(sc.topic) + "?page=abc", "/councils/citizens?page=100001"} {
		e.mod.get(t, path).want(t, 200)
	}
	e.admin.get(t, "/admin/users?page=x").want(t, 200)
}

func apiListUsers(t *testing.T, e *env) {
	all, err := e.w.Svc.Users(context.Background(), e.w.Admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) <= council.PageSize {
		t.Fatalf("%d accounts: too few to page", len(all))
	}
	got := walk(t, e.admin, "/api/v1/admin/users", "users", "id", len(all))
	for i := range all {
		if got[i] != all[i].ID {
			t.Fatalf("paged accounts %v, want the full list's order", got)
		}
	}
	// Each page's accounts keep their sessions and councils.
	for _, u := range list(e.admin.get(t, "/api/v1/admin/users?page=1").want(t, 200).obj(t)["users"]) {
		if num(u["id"]) == e.w.Admin.ID && num(u["sessions"]) < 1 {
			t.Errorf("the admin's sessions are not counted on a page: %v", u)
		}
	}
	e.member.get(t, "/api/v1/admin/users?page=2").want(t, 403)
	body := string(e.admin.get(t, "/admin/users?page=2").want(t, 200).Body)
	if strings.Count(body, `<th scope="row">`) != len(all)-council.PageSize || !strings.Contains(body, `href="/admin/users?page=1"`) {
		t.Errorf("the users' second page")
	}
}
