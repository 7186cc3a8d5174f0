package httpapi_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestAPIFollowUps(t *testing.T) {
	sigDialects(t, func(t *testing.T, e *sigEnv) {
		round, _, yes, no := e.adopted(t)
		p := "/api/v1/proposals/" + itoa(yes) + "/follow-ups"
		record := e.anon.get(t, "/api/v1/rounds/"+itoa(round)+"/record").want(t, 200)
		digest := e.anon.get(t, "/api/v1/rounds/"+itoa(round)).want(t, 200).obj(t)["record_sha256"]

		tracker := list(e.anon.get(t, "/api/v1/follow-ups").want(t, 200).obj(t)["decisions"])
		if len(tracker) != 1 || num(tracker[0]["proposal"].(map[string]any)["id"]) != yes || tracker[0]["status"] != "awaiting_answer" {
			t.Fatalf("the tracker before any follow-up: %v", tracker)
		}
		keys(t, tracker[0], "proposal", "outcome", "status", "round", "council", "follow_ups")

		valid := func(k string, v any) map[string]any {
			m := map[string]any{"status": "planned", "body": "Ще бъде направено", "responsible_unit": "Дирекция АО", "due_date": "2031-06-30"}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		for _, c := range []struct {
			field, code string
			body        any
		}{
			{"status", "invalid", valid("status", "awaiting_answer")},
			{"body", "required", valid("body", " ")},
			{"responsible_unit", "too_long", valid("responsible_unit", strings.Repeat("ж", 201))},
			{"due_date", "invalid", valid("due_date", "2031-13-01")},
			{"due_date", "invalid", valid("due_date", "1999-12-31")},
			{"due_date", "too_far", valid("due_date", time.Now().AddDate(11, 0, 0).Format(time.DateOnly))},
		} {
			e.officer.do(t, "POST", p, c.body).wantCode(t, 422, c.field, c.code)
		}
		e.officer.do(t, "POST", "/api/v1/proposals/"+itoa(no)+"/follow-ups", valid("", nil)).want(t, 409, "conflict")
		e.officer.do(t, "POST", "/api/v1/proposals/999999/follow-ups", valid("", nil)).want(t, 404)

		f := e.officer.do(t, "POST", p, valid("due_date", nil)).want(t, 201).obj(t)
		keys(t, f, "id", "proposal_id", "round_id", "council_id", "status", "body", "responsible_unit", "due_date", "author", "created_at", "seq")
		if f["due_date"] != nil || num(f["round_id"]) != round {
			t.Errorf("follow-up: %v", f)
		}
		e.w.Clock.Advance(time.Minute)
		e.admin.do(t, "POST", p, valid("status", "in_progress")).want(t, 201)
		fs := list(e.anon.get(t, p).want(t, 200).obj(t)["follow_ups"])
		if len(fs) != 2 || fs[0]["status"] != "planned" || fs[1]["status"] != "in_progress" || fs[1]["due_date"] != "2031-06-30" {
			t.Fatalf("follow-ups, oldest first: %v", fs)
		}

		evs := list(e.member.get(t, "/api/v1/councils/"+itoa(e.w.Council.ID)+"/events?after=0&limit=1000").want(t, 200).obj(t)["events"])
		last := evs[len(evs)-1]
		data, _ := last["data"].(map[string]any)
		if last["type"] != "followup.added" || num(last["round_id"]) != round || num(last["seq"]) != num(fs[1]["seq"]) ||
			data["status"] != "in_progress" || num(data["proposal_id"]) != yes {
			t.Errorf("the follow-up's event: %v", last)
		}
		after := e.anon.get(t, "/api/v1/rounds/"+itoa(round)+"/record").want(t, 200)
		if !bytes.Equal(after.Body, record.Body) || after.Header.Get("ETag") != record.Header.Get("ETag") ||
			e.anon.get(t, "/api/v1/rounds/"+itoa(round)).want(t, 200).obj(t)["record_sha256"] != digest {
			t.Fatal("a follow-up changed the round's frozen record")
		}
		if strings.Contains(string(after.Body), "followup.added") {
			t.Fatal("the frozen record holds a follow-up")
		}

		if d := list(e.anon.get(t, "/api/v1/follow-ups?status=in_progress").want(t, 200).obj(t)["decisions"]); len(d) != 1 || len(list(d[0]["follow_ups"])) != 2 {
			t.Errorf("status filter: %v", d)
		}
		for _, q := range []string{"status=awaiting_answer", "status=planned", "council=" + e.w.Other.Slug} {
			if d := list(e.anon.get(t, "/api/v1/follow-ups?"+q).want(t, 200).obj(t)["decisions"]); len(d) != 0 {
				t.Errorf("%s: %v", q, d)
			}
		}
		if d := e.anon.get(t, "/api/v1/follow-ups?council="+e.w.Council.Slug).want(t, 200).obj(t); num(d["total"]) != 1 {
			t.Errorf("council filter: %v", d)
		}
		e.anon.get(t, "/api/v1/follow-ups?status=lost").want(t, 400, "bad_request")
		e.anon.get(t, "/api/v1/follow-ups?council=no-such").want(t, 404)
		e.anon.get(t, "/api/v1/follow-ups?page=x").want(t, 400)
	})
}
