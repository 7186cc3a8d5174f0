package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/perushtitsa/council/server/testenv"
)

// The accountability loop end to end, against the built program on each database: a resident's
// signal (sent by the page's form, without scripts) is answered, taken to a council, debated,
// turned into a proposal the council adopts, and followed up by the municipality. The sender's
// tracking page and the round's outcome page show each step, and the round's published record
// stays byte for byte what its record_sha256 says.
func TestSignalToFollowUp(t *testing.T) {
	for _, dialect := range testenv.Dialects {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			dbURL := "sqlite:" + dir + "/council.db"
			if dialect == "postgres" {
				dbURL = testenv.DatabaseURL(t, dialect)
			}
			admin := exec.Command(binary, "admin", "create", "--email", "admin@example.org", "--name", "Admin")
			admin.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
			admin.Stdin = strings.NewReader("admin-password\n")
			if out, err := admin.CombinedOutput(); err != nil {
				t.Fatalf("admin create: %v %s", err, out)
			}
			p := startServer(t, dir, "DATABASE_URL="+dbURL)
			signalLoop(t, p.base)
		})
	}
}

// loopCast is everyone the loop needs, signed in.
type loopCast struct {
	admin, officer, mod, member *client
	councilID                   int64
}

func castLoop(t *testing.T, base string) loopCast {
	t.Helper()
	c := loopCast{admin: newClient(t)}
	c.admin.signIn(base, "admin@example.org", "admin-password")
	var cn struct{ ID int64 }
	c.admin.must("POST", base+"/api/v1/councils", map[string]string{"slug": "grazhdani", "name": "Граждански съвет", "constituency": "citizens"}, &cn)
	c.councilID = cn.ID
	c.admin.must("POST", base+"/api/v1/services", map[string]string{"slug": "mestni-danatsi", "name": "Местни данъци и такси"}, nil)
	join := func(email, role string) (*client, int64) {
		var inv struct{ Token string }
		c.admin.must("POST", fmt.Sprintf("%s/api/v1/councils/%d/invitations", base, cn.ID),
			map[string]string{"email": email, "name": email, "role": role, "group": "citizen"}, &inv)
		m := newClient(t)
		var acc struct {
			CSRF string `json:"csrf_token"`
			User struct{ ID int64 }
		}
		m.must("POST", base+"/api/v1/invitations/"+inv.Token+"/accept", map[string]string{"name": email, "password": "member-password"}, &acc)
		m.csrf = acc.CSRF
		return m, acc.User.ID
	}
	c.mod, _ = join("mod@example.org", "moderator")
	c.member, _ = join("member@example.org", "member")
	officer, officerID := join("officer@example.org", "member")
	c.admin.must("PATCH", fmt.Sprintf("%s/api/v1/admin/users/%d", base, officerID), map[string]string{"role": "officer"}, nil)
	c.admin.must("DELETE", fmt.Sprintf("%s/api/v1/councils/%d/members/%d", base, cn.ID, officerID), nil, nil)
	c.officer = officer
	return c
}

func signalLoop(t *testing.T, base string) {
	c := castLoop(t, base)
	var round struct{ ID int64 }
	c.mod.must("POST", fmt.Sprintf("%s/api/v1/councils/%d/rounds", base, c.councilID), map[string]any{"title": "Данъци", "ballot": "open", "quorum_percent": 0}, &round)
	c.mod.must("POST", fmt.Sprintf("%s/api/v1/rounds/%d/open", base, round.ID), nil, nil)

	trackURL := sendByForm(t, base)
	page := fetch(t, base+trackURL)
	mustContain(t, "tracking page once sent", page, "Опашка на гишето", "Получен")
	code := strings.TrimPrefix(strings.Split(trackURL, "?")[0], "/signals/track/")
	var sent struct{ ID int64 }
	c.officer.must("GET", base+"/api/v1/signals/track/"+code, nil, &sent)

	c.officer.must("POST", fmt.Sprintf("%s/api/v1/signals/%d/answers", base, sent.ID),
		map[string]any{"body": "Разглеждаме сигнала и го внасяме в Гражданския съвет.", "status": "in_review", "public": true}, nil)
	var topic struct {
		ID      int64 `json:"id"`
		RoundID int64 `json:"round_id"`
	}
	c.officer.must("POST", fmt.Sprintf("%s/api/v1/signals/%d/route", base, sent.ID), map[string]any{"council_id": c.councilID}, &topic)
	if topic.RoundID != round.ID {
		t.Fatalf("routed into round %d, want the open round %d", topic.RoundID, round.ID)
	}
	mustContain(t, "tracking page once routed", fetch(t, base+"/signals/track/"+code),
		"Разглеждаме сигнала", "Граждански съвет", "Обсъжда се в съвета")

	c.member.must("POST", fmt.Sprintf("%s/api/v1/topics/%d/posts", base, topic.ID), map[string]string{"body": "Нужно е второ гише."}, nil)
	var prop struct{ ID int64 }
	c.member.must("POST", fmt.Sprintf("%s/api/v1/rounds/%d/proposals", base, round.ID),
		map[string]any{"title": "Второ гише за местни данъци", "body": "В пиковите месеци.", "topic_id": topic.ID}, &prop)
	c.member.must("PUT", fmt.Sprintf("%s/api/v1/proposals/%d/vote", base, prop.ID), map[string]string{"choice": "for"}, nil)
	var closed struct {
		RecordSHA256 string `json:"record_sha256"`
	}
	c.mod.must("POST", fmt.Sprintf("%s/api/v1/rounds/%d/close", base, round.ID), map[string]string{"outcome_summary": "Прието."}, &closed)
	record := fetch(t, fmt.Sprintf("%s/api/v1/rounds/%d/record", base, round.ID))
	if sum := sha256.Sum256([]byte(record)); hex.EncodeToString(sum[:]) != closed.RecordSHA256 || closed.RecordSHA256 == "" {
		t.Fatalf("the record does not match its digest %q", closed.RecordSHA256)
	}
	mustContain(t, "tracking page once decided", fetch(t, base+"/signals/track/"+code),
		"Съветът се произнесе", "Второ гише за местни данъци", "Прието", "Очаква отговор от общината")

	c.officer.must("POST", fmt.Sprintf("%s/api/v1/proposals/%d/follow-ups", base, prop.ID),
		map[string]any{"status": "planned", "body": "Второ гише от март.", "responsible_unit": "Отдел „Местни данъци“", "due_date": "2030-03-01"}, nil)
	mustContain(t, "tracking page once followed up", fetch(t, base+"/signals/track/"+code), "Второ гише от март.", "Планирано")
	mustContain(t, "outcome page", fetch(t, fmt.Sprintf("%s/rounds/%d", base, round.ID)), "Второ гише от март.", "Отдел „Местни данъци“", "Планирано")
	mustContain(t, "decisions tracker", fetch(t, base+"/decisions?status=planned"), "Второ гише за местни данъци")

	after := fetch(t, fmt.Sprintf("%s/api/v1/rounds/%d/record", base, round.ID))
	var again struct {
		RecordSHA256 string `json:"record_sha256"`
	}
	newClient(t).must("GET", fmt.Sprintf("%s/api/v1/rounds/%d", base, round.ID), nil, &again)
	if after != record || again.RecordSHA256 != closed.RecordSHA256 {
		t.Fatalf("the follow-up changed the round's record: digest %s, was %s", again.RecordSHA256, closed.RecordSHA256)
	}
	var evs struct {
		Events []struct {
			Type    string `json:"type"`
			RoundID *int64 `json:"round_id"`
		} `json:"events"`
	}
	c.member.must("GET", fmt.Sprintf("%s/api/v1/councils/%d/events", base, c.councilID), nil, &evs)
	if last := evs.Events[len(evs.Events)-1]; last.Type != "followup.added" || last.RoundID == nil || *last.RoundID != round.ID {
		t.Fatalf("the council's record does not end with the follow-up: %+v", last)
	}
}

// sendByForm posts the signal form as a browser without scripts does, and returns where the
// server sends it: the tracking page.
func sendByForm(t *testing.T, base string) string {
	t.Helper()
	form := url.Values{"kind": {"complaint"}, "service": {"mestni-danatsi"}, "title": {"Опашка на гишето"},
		"body": {"Два часа чакане за данък сгради."}, "email": {"resident@example.org"}}
	req, _ := http.NewRequest("POST", base+"/signals/new", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/signals/track/") {
		t.Fatalf("the form answered %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

func fetch(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}

func mustContain(t *testing.T, what, page string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(page, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
	if strings.Contains(page, "resident@example.org") {
		t.Errorf("%s shows the sender's email", what)
	}
}
