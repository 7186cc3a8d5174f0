package httpapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// accountRows are the authorisation table's rows for accounts, mail and notifications. The
// rows that need a password give a wrong one: a right one would change the actor for the rows
// after it.
var accountRows = []authRow{
	{method: "POST", path: "/api/v1/password-reset", body: `{"email":"nobody{n}@example.org"}`,
		want: noRound([5]string{"202", "202", "202", "202", "202"})},
	{method: "POST", path: "/api/v1/password-reset/{token}", body: `{"password":"a fresh pass phrase"}`,
		want: noRound([5]string{"404", "404", "404", "404", "404"})},
	{method: "PUT", path: "/api/v1/me/password", body: `{"current_password":"wrong","new_password":"a fresh pass phrase"}`,
		want: noRound([5]string{"401", "422", "422", "422", "422"})},
	{method: "PATCH", path: "/api/v1/me", body: `{"notify":{"reply":true}}`, want: noRound([5]string{"401", "200", "200", "200", "200"})},
	{method: "DELETE", path: "/api/v1/me", body: `{"password":"wrong"}`, want: noRound([5]string{"401", "422", "422", "422", "422"})},
	{method: "POST", path: "/api/v1/me/email", body: `{"email":"new{n}@example.org","password":"wrong"}`,
		want: noRound([5]string{"401", "422", "422", "422", "422"})},
	{method: "POST", path: "/api/v1/me/email/{token}", want: noRound([5]string{"404", "404", "404", "404", "404"})},
	{method: "GET", path: "/api/v1/me/sessions", want: noRound([5]string{"401", "200", "200", "200", "200"})},
	{method: "DELETE", path: "/api/v1/me/sessions/999999", want: noRound([5]string{"401", "404", "404", "404", "404"})},
	{method: "GET", path: "/api/v1/me/agenda", want: noRound([5]string{"401", "200", "200", "200", "200"})},
	{method: "GET", path: "/api/v1/me/export", want: noRound([5]string{"401", "200", "200", "200", "200"})},
	{method: "GET", path: "/api/v1/councils/{council}/invitations", want: noRound([5]string{"401", "403", "403", "200", "200"})},
	{method: "DELETE", path: "/api/v1/invitations/{invitation}", want: noRound([5]string{"401", "404", "404", "204", "204"})},
	{method: "POST", path: "/api/v1/invitations/{invitation}/resend", want: noRound([5]string{"401", "404", "404", "202", "202"})},
	{method: "GET", path: "/api/v1/admin/outbox", want: noRound([5]string{"401", "403", "403", "403", "200"})},
	{method: "GET", path: "/api/v1/admin/users", want: noRound([5]string{"401", "403", "403", "403", "200"})},
}

func init() { authTable = append(authTable, accountRows...) }

// invitationID makes a pending invitation into the council and returns its id.
func (e *env) invitationID(t *testing.T) int64 {
	t.Helper()
	inv, _, err := e.w.Svc.Invite(context.Background(), e.w.Admin, e.w.Council.ID, council.InviteInput{
		Email: fmt.Sprintf("pending%d@example.org", e.uniq()), Name: "Pending", Role: model.RoleMember, Group: model.GroupNGO})
	if err != nil {
		t.Fatal(err)
	}
	return inv.ID
}
