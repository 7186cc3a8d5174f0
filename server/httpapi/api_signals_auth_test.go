package httpapi_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/perushtitsa/council/server/model"
)

// The actors of the signals' authorisation table: the public, a signal's sender (anonymous,
// holding its tracking code: every other actor holds a well-formed code of no signal), a
// member and a moderator of the council, an officer, an admin.
var sigActors = [6]string{"anonymous", "sender", "member", "moderator", "officer", "admin"}

// sigRow is one endpoint and the answers the contract gives each actor ("404", or a status and
// an error code). Placeholders: {code} (the code the actor holds), {signal} (a signal of its
// own for each case that writes), {published} (a published signal), {service}, {council},
// {round} (an open round of the council), {adopted}, {rejected} (proposals of a closed round),
// {open} (a proposal of an open round), {user} (an account of its own), {n} (a fresh number).
type sigRow struct {
	method, path, body string
	want               [6]string
}

var (
	every   = func(s string) [6]string { return [6]string{s, s, s, s, s, s} }
	staff   = func(s string) [6]string { return [6]string{"401", "401", "403", "403", s, s} }
	admins  = func(s string) [6]string { return [6]string{"401", "401", "403", "403", "403", s} }
	sigAuth = []sigRow{
		{"GET", "/api/v1/services", "", every("200")},
		{"POST", "/api/v1/services", `{"slug":"s{n}","name":"Услуга"}`, admins("201")},
		{"PATCH", "/api/v1/services/{service}", `{"name":"Преименувана"}`, admins("200")},
		{"POST", "/api/v1/signals", `{"kind":"complaint","service":"{service}","title":"T","body":"B"}`, every("201")},
		{"GET", "/api/v1/signals/track/{code}", "", [6]string{"404", "200", "404", "404", "404", "404"}},
		{"GET", "/api/v1/signals", "", staff("200")},
		{"GET", "/api/v1/signals/{signal}", "", staff("200")},
		{"POST", "/api/v1/signals/{signal}/answers", `{"body":"A","status":"answered","public":true}`, staff("201")},
		{"POST", "/api/v1/signals/{signal}/route", `{"council_id":{council},"round_id":{round}}`, staff("201")},
		{"POST", "/api/v1/signals/{signal}/publish", "", staff("200")},
		{"GET", "/api/v1/signals/public", "", every("200")},
		{"GET", "/api/v1/signals/public/{published}", "", every("200")},
		{"GET", "/api/v1/signals/public/{signal}", "", every("404")},
		{"GET", "/api/v1/signals/stats", "", every("200")},
		{"GET", "/api/v1/signals/stats.csv", "", every("200")},
		{"GET", "/api/v1/signals/stats.xlsx", "", every("200")},
		{"POST", "/api/v1/proposals/{adopted}/follow-ups", `{"status":"planned","body":"F"}`, staff("201")},
		{"POST", "/api/v1/proposals/{rejected}/follow-ups", `{"status":"planned","body":"F"}`, staff("409 conflict")},
		{"POST", "/api/v1/proposals/{open}/follow-ups", `{"status":"planned","body":"F"}`,
			[6]string{"401", "401", "403", "403", "404", "409 conflict"}},
		{"GET", "/api/v1/proposals/{adopted}/follow-ups", "", every("200")},
		{"GET", "/api/v1/proposals/{open}/follow-ups", "", [6]string{"404", "404", "200", "200", "404", "200"}},
		{"GET", "/api/v1/follow-ups", "", every("200")},
		{"GET", "/api/v1/admin/users", "", admins("200")},
		{"PATCH", "/api/v1/admin/users/{user}", `{"role":"officer"}`, admins("200")},
	}
)

func TestSignalsAuthTable(t *testing.T) {
	sigDialects(t, func(t *testing.T, e *sigEnv) {
		ctx := context.Background()
		_, code := e.signal(t, model.KindComplaint, "Tracked")
		wrongCode := "0000-0000-0000-0000"
		pub, _ := e.signal(t, model.KindPraise, "Published")
		if _, err := e.sig.Publish(ctx, e.w.Admin, pub.ID); err != nil {
			t.Fatal(err)
		}
		_, _, adopted, rejected := e.adopted(t)
		open := e.scene(t, model.StatusOpen, model.BallotOpen)
		for _, row := range sigAuth {
			for i, actor := range sigActors {
				t.Run(fmt.Sprintf("%s %s/%s", row.method, row.path, actor), func(t *testing.T) {
					status, _ := strconv.Atoi(row.want[i][:3])
					errCode := strings.TrimSpace(row.want[i][3:])
					held := wrongCode
					if actor == "sender" {
						held = code
					}
					sg, _ := e.signal(t, model.KindSignal, "Own")
					target := e.w.Join(t, e.w.Other.ID, fmt.Sprintf("target%d@example.org", e.uniq()), "Target", model.RoleMember, model.GroupNGO)
					fill := strings.NewReplacer("{code}", held, "{signal}", itoa(sg.ID), "{published}", itoa(pub.ID),
						"{service}", e.services[1].Slug, "{council}", itoa(e.w.Council.ID), "{round}", itoa(open.round),
						"{adopted}", itoa(adopted), "{rejected}", itoa(rejected), "{open}", itoa(open.proposal),
						"{user}", itoa(target.ID), "{n}", itoa(e.uniq()))
					c := []*client{e.anon, e.anon, e.member, e.mod, e.officer, e.admin}[i]
					var body any
					if row.body != "" {
						body = fill.Replace(row.body)
					}
					r := c.do(t, row.method, fill.Replace(row.path), body)
					if r.Status != status {
						t.Fatalf("%s as %s: %d, want %d: %s", row.method, actor, r.Status, status, trim(r.Body))
					}
					if status >= 400 {
						r.want(t, status)
						if got := r.obj(t)["error"]; errCode != "" && got != errCode {
							t.Fatalf("error %v, want %s", got, errCode)
						}
					}
				})
			}
		}
	})
}
