package httpapi_test

import (
	"strings"
	"testing"
)

func apiCouncils(t *testing.T, e *env) {
	cid := itoa(e.w.Council.ID)
	t.Run("list and read", func(t *testing.T) {
		cs := list(e.anon.get(t, "/api/v1/councils").want(t, 200).obj(t)["councils"])
		if len(cs) != 2 {
			t.Fatalf("councils = %v", cs)
		}
		for _, c := range cs {
			keys(t, c, "id", "slug", "name", "description", "constituency", "member_count", "created_at")
		}
		for _, p := range []string{cid, "citizens"} {
			c := e.anon.get(t, "/api/v1/councils/"+p).want(t, 200).obj(t)
			keys(t, c, "id", "slug", "name", "description", "constituency", "member_count", "created_at")
			if num(c["id"]) != e.w.Council.ID || c["slug"] != "citizens" || c["name"] != "Граждански съвет" ||
				c["constituency"] != "mixed" || num(c["member_count"]) != 4 {
				t.Errorf("council = %v", c)
			}
		}
		e.anon.get(t, "/api/v1/councils/999999").want(t, 404, "not_found")
		e.anon.get(t, "/api/v1/councils/no-such-slug").want(t, 404, "not_found")
	})
	t.Run("create", func(t *testing.T) {
		in := map[string]any{"slug": "youth", "name": "Младежки съвет", "description": "Под 30", "constituency": "citizens"}
		c := e.admin.do(t, "POST", "/api/v1/councils", in).want(t, 201).obj(t)
		keys(t, c, "id", "slug", "name", "description", "constituency", "member_count", "created_at")
		if num(c["id"]) <= 0 || c["slug"] != "youth" || c["name"] != "Младежки съвет" || c["description"] != "Под 30" ||
			c["constituency"] != "citizens" || num(c["member_count"]) != 0 {
			t.Errorf("council = %v", c)
		}
		e.anon.get(t, "/api/v1/councils/youth").want(t, 200)
		e.admin.do(t, "POST", "/api/v1/councils", in).want(t, 409, "conflict")
		with := func(k string, v any) map[string]any {
			m := map[string]any{"slug": "fresh", "name": "N", "description": "", "constituency": "ngos"}
			m[k] = v
			return m
		}
		for field, v := range map[string]any{"slug": "Bad Slug", "name": "", "constituency": "aliens"} {
			e.admin.do(t, "POST", "/api/v1/councils", with(field, v)).wantField(t, field)
		}
		e.admin.do(t, "POST", "/api/v1/councils", with("name", strings.Repeat("щ", 201))).wantField(t, "name")
		e.admin.do(t, "POST", "/api/v1/councils", with("name", strings.Repeat("щ", 200))).want(t, 201)
		e.admin.do(t, "POST", "/api/v1/councils", with("description", strings.Repeat("d", 20001))).wantField(t, "description")
		e.admin.do(t, "POST", "/api/v1/councils", with("name", 5)).wantField(t, "name")
		e.admin.do(t, "POST", "/api/v1/councils", `{"slug":"x","name":"bad `+"\xff"+` byte","description":"","constituency":"ngos"}`).wantField(t, "name")
		e.admin.do(t, "POST", "/api/v1/councils", with("owner", "me")).want(t, 400, "bad_request")
		e.admin.do(t, "POST", "/api/v1/councils", `{"slug":"x"}{"slug":"y"}`).want(t, 400, "bad_request")
		e.admin.do(t, "POST", "/api/v1/councils", `{"slug":`).want(t, 400, "bad_request")
		e.mod.do(t, "POST", "/api/v1/councils", with("slug", "mods")).want(t, 403, "forbidden")
		e.anon.do(t, "POST", "/api/v1/councils", with("slug", "anon")).want(t, 401, "unauthenticated")
		(&client{app: e.app, cookie: e.admin.cookie}).do(t, "POST", "/api/v1/councils", with("slug", "nocsrf")).want(t, 403, "forbidden")
	})
	t.Run("members", func(t *testing.T) {
		path := "/api/v1/councils/" + cid + "/members"
		ms := list(e.member.get(t, path).want(t, 200).obj(t)["members"])
		if len(ms) != 4 {
			t.Fatalf("members = %v", ms)
		}
		groups := map[string]int{}
		for _, m := range ms {
			keys(t, m, "user_id", "name", "organisation", "group", "role", "joined_at")
			groups[m["group"].(string)]++
			if _, shown := m["email"]; shown && num(m["user_id"]) != e.w.Members[0].ID {
				t.Errorf("a member sees another member's email: %v", m)
			}
		}
		if groups["citizen"] != 2 || groups["ngo"] != 1 || groups["business"] != 1 {
			t.Errorf("groups = %v", groups)
		}
		for _, m := range list(e.mod.get(t, path).want(t, 200).obj(t)["members"]) {
			if m["email"] == nil || m["email"] == "" {
				t.Errorf("a moderator should see emails: %v", m)
			}
		}
		e.admin.get(t, "/api/v1/councils/citizens/members").want(t, 200)
		e.outsider.get(t, path).want(t, 403, "forbidden")
		e.anon.get(t, path).want(t, 401, "unauthenticated")
		e.member.get(t, "/api/v1/councils/999999/members").want(t, 404, "not_found")
	})
}

// apiMemberChanges runs after the tests that count the council's members.
func apiMemberChanges(t *testing.T, e *env) {
	cid := itoa(e.w.Council.ID)
	t.Run("change role and remove", func(t *testing.T) {
		target := e.w.Members[2]
		path := "/api/v1/councils/" + cid + "/members/" + itoa(target.ID)
		m := e.mod.do(t, "PATCH", path, map[string]string{"role": "moderator"}).want(t, 200).obj(t)
		keys(t, m, "user_id", "name", "organisation", "group", "role", "joined_at")
		if num(m["user_id"]) != target.ID || m["role"] != "moderator" || m["group"] != "business" {
			t.Errorf("member = %v", m)
		}
		e.admin.do(t, "PATCH", path, map[string]string{"role": "member"}).want(t, 200)
		e.mod.do(t, "PATCH", path, map[string]string{"role": "owner"}).wantField(t, "role")
		e.mod.do(t, "PATCH", path, map[string]any{"role": true}).wantField(t, "role")
		e.mod.do(t, "PATCH", path, map[string]any{"role": "member", "group": "ngo"}).want(t, 400, "bad_request")
		e.mod.do(t, "PATCH", path, "").want(t, 400, "bad_request")
		e.mod.do(t, "PATCH", "/api/v1/councils/"+cid+"/members/"+itoa(e.w.Outsider.ID), map[string]string{"role": "member"}).want(t, 404, "not_found")
		e.mod.do(t, "PATCH", "/api/v1/councils/"+cid+"/members/abc", map[string]string{"role": "member"}).want(t, 404, "not_found")
		e.member.do(t, "PATCH", path, map[string]string{"role": "moderator"}).want(t, 403, "forbidden")
		e.anon.do(t, "PATCH", path, map[string]string{"role": "moderator"}).want(t, 401, "unauthenticated")

		e.member.do(t, "DELETE", path, nil).want(t, 403, "forbidden")
		e.outsider.do(t, "DELETE", path, nil).want(t, 403, "forbidden")
		e.anon.do(t, "DELETE", path, nil).want(t, 401, "unauthenticated")
		e.mod.do(t, "DELETE", path, nil).want(t, 204)
		e.mod.do(t, "DELETE", path, nil).want(t, 404, "not_found")
		e.mod.do(t, "DELETE", "/api/v1/councils/"+cid+"/members/0", nil).want(t, 404, "not_found")
		if c := e.anon.get(t, "/api/v1/councils/"+cid).obj(t); num(c["member_count"]) != 3 {
			t.Errorf("member_count after removal = %v", c["member_count"])
		}
		if len(list(e.mod.get(t, "/api/v1/councils/"+cid+"/members").obj(t)["members"])) != 3 {
			t.Error("removed member still listed")
		}
	})
}
