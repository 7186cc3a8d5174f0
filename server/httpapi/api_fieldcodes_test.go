package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/testenv"
)

// Every problem with a field carries a code the pages translate, beside the English text; a
// conflict caused by one field names it too.
func TestAPIFieldCodes(t *testing.T) {
	w := testenv.NewWorldWith(t, testenv.Store(t, "sqlite"), council.Config{Limits: testenv.NoWriteLimits})
	e := &env{w: w, app: newApp(w, "")}
	admin, mod := e.signIn(t, w.Admin), e.signIn(t, w.Moderator)
	invite := func(body map[string]string) reply {
		return mod.do(t, "POST", "/api/v1/councils/citizens/invitations", body)
	}
	invite(map[string]string{"email": "not an email", "name": "N", "role": "member", "group": "ngo"}).wantCode(t, 422, "email", "invalid")
	invite(map[string]string{"email": "n@example.org", "name": "", "role": "member", "group": "ngo"}).wantCode(t, 422, "name", "required")
	invite(map[string]string{"email": "n@example.org", "name": strings.Repeat("я", 201), "role": "member", "group": "ngo"}).wantCode(t, 422, "name", "too_long")
	invite(map[string]string{"email": "n@example.org", "name": "N", "role": "chair", "group": "ngo"}).wantCode(t, 422, "role", "invalid")
	invite(map[string]string{"email": w.Members[0].Email, "name": "N", "role": "member", "group": "ngo"}).wantCode(t, 409, "email", "already_member")

	admin.do(t, "POST", "/api/v1/councils", map[string]string{"slug": "citizens", "name": "Друг", "constituency": "mixed"}).wantCode(t, 409, "slug", "taken")
	admin.do(t, "POST", "/api/v1/councils", map[string]string{"slug": "Не-латиница", "name": "Друг", "constituency": "mixed"}).wantCode(t, 422, "slug", "invalid")

	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	mod.do(t, "POST", "/api/v1/councils/citizens/rounds", map[string]any{"title": "T", "closes_at": past}).wantCode(t, 422, "closes_at", "in_past")
	mod.do(t, "POST", "/api/v1/councils/citizens/rounds", map[string]any{"title": "T", "quorum_percent": "half"}).wantCode(t, 422, "quorum_percent", "invalid")

	token := e.invite(t)
	e.stranger().do(t, "POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "Нова", "password": "short"}).wantCode(t, 422, "password", "too_short")
	e.stranger().do(t, "POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "Нова", "password": "qwertyuiop"}).wantCode(t, 422, "password", "too_weak")
}
