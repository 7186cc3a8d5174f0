package httpapi_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// The actors of the authorisation table, in the order of its columns.
var actors = [5]string{"anonymous", "outsider", "member", "moderator", "admin"}

// authRow is one endpoint. want maps a round state ("" where no round is involved) to the
// answers the contract gives each actor, in the order of actors: "200", "404", or a status
// and the error code where the status alone is ambiguous ("409 round_not_open").
// Placeholders: {council} {round} {topic} {post} {proposal} (of a scene in that state; the
// post and proposal are Members[0]'s, who also voted), {user} (a member of the council),
// {token} (an invitation), {invitation} (a pending invitation's id), {n} (a fresh number),
// {email} and {pw} (Members[1]'s credentials).
type authRow struct {
	method, path, body string
	ballot             string // "secret" for the secret ballot's rows
	fresh              bool   // the actor uses a session of its own (it may end it)
	own                bool   // a success changes the round for the cases after it: use a round of its own
	want               map[string][5]string
}

const (
	rno = "409 round_not_open"
	rcl = "409 round_closed"
	cfl = "409 conflict"
)

var (
	all200   = [5]string{"200", "200", "200", "200", "200"}
	seeDraft = [5]string{"404", "404", "200", "200", "200"} // reading a draft or open round
	anyState = func(draftOpen, closed [5]string) map[string][5]string {
		return map[string][5]string{"draft": draftOpen, "open": draftOpen, "closed": closed}
	}
	noRound   = func(w [5]string) map[string][5]string { return map[string][5]string{"": w} }
	authTable = []authRow{
		{method: "POST", path: "/api/v1/session", body: `{"email":"{email}","password":"{pw}"}`, fresh: true, want: noRound(all200)},
		{method: "DELETE", path: "/api/v1/session", fresh: true, want: noRound([5]string{"401", "204", "204", "204", "204"})},
		{method: "GET", path: "/api/v1/me", want: noRound([5]string{"401", "200", "200", "200", "200"})},
		{method: "POST", path: "/api/v1/councils/{council}/invitations", body: `{"email":"inv{n}@example.org","name":"N","role":"member","group":"ngo"}`,
			want: noRound([5]string{"401", "403", "403", "201", "201"})},
		{method: "GET", path: "/api/v1/invitations/{token}", want: noRound(all200)},
		{method: "POST", path: "/api/v1/invitations/{token}/accept", body: `{"name":"New","password":"long-enough-1"}`, fresh: true,
			want: noRound([5]string{"201", "201", "201", "201", "201"})},
		{method: "GET", path: "/api/v1/councils", want: noRound(all200)},
		{method: "POST", path: "/api/v1/councils", body: `{"slug":"c{n}","name":"C","description":"","constituency":"mixed"}`,
			want: noRound([5]string{"401", "403", "403", "403", "201"})},
		{method: "GET", path: "/api/v1/councils/{council}", want: noRound(all200)},
		{method: "GET", path: "/api/v1/councils/{council}/members", want: noRound([5]string{"401", "403", "200", "200", "200"})},
		{method: "PATCH", path: "/api/v1/councils/{council}/members/{user}", body: `{"role":"moderator"}`,
			want: noRound([5]string{"401", "403", "403", "200", "200"})},
		{method: "DELETE", path: "/api/v1/councils/{council}/members/{user}", want: noRound([5]string{"401", "403", "403", "204", "204"})},
		{method: "GET", path: "/api/v1/councils/{council}/rounds", want: noRound(all200)},
		{method: "POST", path: "/api/v1/councils/{council}/rounds", body: `{"title":"R","ballot":"open","quorum_percent":0}`,
			want: noRound([5]string{"401", "403", "403", "201", "201"})},
		{method: "GET", path: "/api/v1/councils/{council}/events", want: noRound([5]string{"401", "403", "200", "200", "200"})},
		{method: "GET", path: "/api/v1/outcomes", want: noRound(all200)},
		{method: "GET", path: "/healthz", want: noRound(all200)},
		{method: "GET", path: "/readyz", want: noRound(all200)},
		{method: "GET", path: "/metrics", want: noRound([5]string{"401", "401", "401", "401", "401"})}, // the scraper's token only

		{method: "GET", path: "/api/v1/rounds/{round}", want: anyState(seeDraft, all200)},
		{method: "PATCH", path: "/api/v1/rounds/{round}", body: `{"title":"Renamed"}`, want: map[string][5]string{
			"draft":  {"401", "404", "403", "200", "200"},
			"open":   {"401", "404", "403", cfl, cfl},
			"closed": {"401", "403", "403", cfl, cfl}}},
		{method: "POST", path: "/api/v1/rounds/{round}/open", own: true, want: map[string][5]string{
			"draft":  {"401", "404", "403", "200", "200"},
			"open":   {"401", "404", "403", cfl, cfl},
			"closed": {"401", "403", "403", cfl, cfl}}},
		{method: "POST", path: "/api/v1/rounds/{round}/close", own: true, body: `{"outcome_summary":"S"}`, want: map[string][5]string{
			"draft":  {"401", "404", "403", cfl, cfl},
			"open":   {"401", "404", "403", "200", "200"},
			"closed": {"401", "403", "403", cfl, cfl}}},
		{method: "POST", path: "/api/v1/rounds/{round}/topics", body: `{"title":"T","body":"B"}`, want: map[string][5]string{
			"draft":  {"401", "404", rno, rno, "403"},
			"open":   {"401", "404", "201", "201", "403"},
			"closed": {"401", "403", rno, rno, "403"}}},
		{method: "GET", path: "/api/v1/topics/{topic}", want: map[string][5]string{"open": seeDraft, "closed": all200}},
		{method: "POST", path: "/api/v1/topics/{topic}/posts", body: `{"body":"B"}`, want: map[string][5]string{
			"open":   {"401", "404", "201", "201", "403"},
			"closed": {"401", "403", rno, rno, "403"}}},
		{method: "PATCH", path: "/api/v1/posts/{post}", body: `{"body":"B2"}`, want: map[string][5]string{
			"open":   {"401", "404", "200", "403", "403"},
			"closed": {"401", "403", rno, "403", "403"}}},
		{method: "POST", path: "/api/v1/posts/{post}/hide", own: true, body: `{"reason":"R"}`, want: map[string][5]string{
			"open":   {"401", "404", "403", "200", "200"},
			"closed": {"401", "403", "403", rcl, rcl}}},
		{method: "POST", path: "/api/v1/rounds/{round}/proposals", body: `{"title":"P","body":"B"}`, want: map[string][5]string{
			"draft":  {"401", "404", "201", "201", "403"},
			"open":   {"401", "404", "201", "201", "403"},
			"closed": {"401", "403", rno, rno, "403"}}},
		{method: "GET", path: "/api/v1/proposals/{proposal}", want: anyState(seeDraft, all200)},
		{method: "PUT", path: "/api/v1/proposals/{proposal}/vote", body: `{"choice":"abstain"}`, want: map[string][5]string{
			"draft":  {"401", "404", rno, rno, "403"},
			"open":   {"401", "404", "200", "200", "403"},
			"closed": {"401", "403", rcl, rcl, "403"}}},
		{method: "DELETE", path: "/api/v1/proposals/{proposal}/vote", own: true, want: map[string][5]string{
			"draft":  {"401", "404", rno, rno, "403"},
			"open":   {"401", "404", "204", "204", "403"},
			"closed": {"401", "403", rcl, rcl, "403"}}},
		{method: "GET", path: "/api/v1/proposals/{proposal}/votes", want: anyState(seeDraft, all200)},
		{method: "GET", path: "/api/v1/proposals/{proposal}/votes", ballot: "secret", want: anyState(
			[5]string{"404", "404", "403", "403", "403"}, [5]string{"403", "403", "403", "403", "403"})},
		{method: "GET", path: "/api/v1/rounds/{round}/record", want: anyState(seeDraft, all200)},
		{method: "GET", path: "/api/v1/rounds/{round}/record.csv", want: anyState(seeDraft, all200)},

		// Daily use.
		{method: "PATCH", path: "/api/v1/councils/{council}", body: `{"open_rounds_public":false}`,
			want: noRound([5]string{"401", "403", "403", "200", "200"})},
		{method: "PATCH", path: "/api/v1/councils/{council}", body: `{"description":"Renewed"}`,
			want: noRound([5]string{"401", "403", "403", "403", "200"})},
		{method: "GET", path: "/api/v1/rounds/{round}/participation", want: map[string][5]string{
			"draft":  {"401", "404", "403", "200", "200"},
			"open":   {"401", "404", "403", "200", "200"},
			"closed": {"401", "403", "403", cfl, cfl}}},
		{method: "PATCH", path: "/api/v1/rounds/{round}", own: true, body: `{"closes_at":"2030-06-01T10:00:00Z"}`, want: map[string][5]string{
			"open": {"401", "404", "403", "200", "200"}}},
		{method: "POST", path: "/api/v1/posts/{post}/unhide", want: map[string][5]string{
			"open":   {"401", "404", "403", cfl, cfl}, // the post is not hidden
			"closed": {"401", "403", "403", rcl, rcl}}},
		{method: "DELETE", path: "/api/v1/posts/{post}", own: true, want: map[string][5]string{
			"open":   {"401", "404", "204", "403", "403"},
			"closed": {"401", "403", rno, "403", "403"}}},
		{method: "POST", path: "/api/v1/preview", body: `{"body":"**b**"}`, want: noRound([5]string{"401", "200", "200", "200", "200"})},
		{method: "PATCH", path: "/api/v1/proposals/{proposal}", own: true, body: `{"title":"T2","body":"B2"}`, want: map[string][5]string{
			"draft":  {"401", "404", "200", "403", "403"},
			"open":   {"401", "404", cfl, "403", "403"}, // somebody voted on it
			"closed": {"401", "403", rno, "403", "403"}}},
		{method: "DELETE", path: "/api/v1/proposals/{proposal}", own: true, want: map[string][5]string{
			"draft":  {"401", "404", "204", "403", "403"},
			"open":   {"401", "404", cfl, "403", "403"},
			"closed": {"401", "403", rno, "403", "403"}}},
		{method: "PUT", path: "/api/v1/proposals/{proposal}/vote", ballot: "secret", body: `{"choice":"for","reason":"Why"}`, want: map[string][5]string{
			"open": {"401", "404", "422", "422", "403"}}}, // a secret ballot takes no reason
		{method: "GET", path: "/api/v1/rounds/{round}/record.xlsx", want: anyState(seeDraft, all200)},
	}
)

func TestAuthTable(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		shared := map[string]scene{}
		token, invitation := e.invite(t), e.invitationID(t)
		m1 := e.w.Members[1]
		for _, row := range authTable {
			for _, state := range []string{"", "draft", "open", "closed"} {
				want, ok := row.want[state]
				if !ok {
					continue
				}
				for i, actor := range actors {
					name := fmt.Sprintf("%s %s %s/%s/%s", row.method, row.path, row.ballot, state, actor)
					t.Run(name, func(t *testing.T) {
						status, _ := strconv.Atoi(want[i][:3])
						code := strings.TrimSpace(want[i][3:])
						writes := row.method != "GET" && status < 300
						ballot := "open"
						if row.ballot != "" {
							ballot = row.ballot
						}
						var s scene
						if state != "" {
							key := state + ballot
							if _, ok := shared[key]; !ok {
								shared[key] = e.scene(t, state, ballot)
							}
							if s = shared[key]; writes && row.own {
								s = e.scene(t, state, ballot)
							}
						}
						user, tok := e.w.Members[2].ID, token
						if writes && strings.Contains(row.path, "{user}") {
							user = e.w.Join(t, e.w.Council.ID, fmt.Sprintf("target%d@example.org", e.uniq()), "Target", model.RoleMember, model.GroupBusiness).ID
						}
						if writes && strings.Contains(row.path, "{token}") {
							tok = e.invite(t)
						}
						inv := invitation
						if writes && strings.Contains(row.path, "{invitation}") {
							inv = e.invitationID(t)
						}
						n := itoa(e.uniq())
						fill := strings.NewReplacer("{user}", itoa(user), "{token}", tok, "{n}", n, "{email}", m1.Email, "{pw}", password(m1),
							"{invitation}", itoa(inv))
						c := []*client{e.anon, e.outsider, e.member, e.mod, e.admin}[i]
						if row.fresh && c.user != nil {
							c = e.signIn(t, c.user)
						}
						var body any
						if row.body != "" {
							body = fill.Replace(row.body)
						}
						r := c.do(t, row.method, fill.Replace(s.path(e, row.path)), body)
						if r.Status != status {
							t.Fatalf("%s as %s: %d, want %d: %s", row.method, actor, r.Status, status, trim(r.Body))
						}
						if status >= 400 {
							r.want(t, status)
							if got := r.obj(t)["error"]; code != "" && got != code {
								t.Fatalf("error %v, want %s", got, code)
							}
						}
					})
				}
			}
		}
	})
}

// invite makes an invitation into the council for a new email and returns its token.
func (e *env) invite(t *testing.T) string {
	t.Helper()
	_, token, err := e.w.Svc.Invite(context.Background(), e.w.Admin, e.w.Council.ID, council.InviteInput{
		Email: fmt.Sprintf("invitee%d@example.org", e.uniq()), Name: "Invitee", Role: model.RoleMember, Group: model.GroupNGO})
	if err != nil {
		t.Fatal(err)
	}
	return token
}
