package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signalsWorld is a seeded world with the municipality's side: services, an officer, a few
// signals (one answered and published, one taken to the council), and a closed round whose
// adopted proposal has a follow-up.
type signalsWorld struct {
	*world
	officer           *client
	closed, adoptedID int64
	published, routed int64
	code              string
}

var officerAcc = account{"officer@perushtitsa.example", "Гергана Николова", "officer-password-2026"}

func seedSignals(t *testing.T) *signalsWorld {
	t.Helper()
	w := &signalsWorld{world: seed(t)}
	a := w.admin
	for _, sv := range [][2]string{{"mestni-danatsi", "Местни данъци и такси"}, {"grazhdanska-registratsiya", "Гражданска регистрация"}} {
		a.call("POST", "/api/v1/services", map[string]string{"slug": sv[0], "name": sv[1]}, nil)
	}
	cid := strconv.FormatInt(w.councilID, 10)
	var inv struct{ Token string }
	a.call("POST", "/api/v1/councils/"+cid+"/invitations", map[string]string{"email": officerAcc.email, "name": officerAcc.name, "role": "member", "group": "citizen"}, &inv)
	w.officer = newClient(t, w.srv.URL)
	var acc struct {
		CSRF string `json:"csrf_token"`
		User struct{ ID int64 }
	}
	w.officer.call("POST", "/api/v1/invitations/"+inv.Token+"/accept", map[string]string{"name": officerAcc.name, "password": officerAcc.password}, &acc)
	w.officer.csrf = acc.CSRF
	uid := strconv.FormatInt(acc.User.ID, 10)
	a.call("PATCH", "/api/v1/admin/users/"+uid, map[string]string{"role": "officer"}, nil)
	a.call("DELETE", "/api/v1/councils/"+cid+"/members/"+uid, nil, nil)

	anon := newClient(t, w.srv.URL)
	send := func(kind, service, title, body string) (int64, string) {
		var out struct {
			ID   int64  `json:"id"`
			Code string `json:"tracking_code"`
		}
		anon.call("POST", "/api/v1/signals", map[string]string{"kind": kind, "service": service, "title": title, "body": body, "email": "resident@example.org"}, &out)
		return out.ID, out.Code
	}
	w.published, _ = send("complaint", "mestni-danatsi", "Опашка на гишето за данъци", "Чаках два часа.")
	w.officer.call("POST", fmt.Sprintf("/api/v1/signals/%d/answers", w.published), map[string]any{"body": "Отваряме второ гише.", "status": "resolved", "public": true}, nil)
	w.officer.call("POST", fmt.Sprintf("/api/v1/signals/%d/publish", w.published), nil, nil)
	w.routed, w.code = send("proposal", "grazhdanska-registratsiya", "Записване за час онлайн", "Да се записваме онлайн.")
	w.officer.call("POST", fmt.Sprintf("/api/v1/signals/%d/route", w.routed), map[string]any{"council_id": w.councilID}, nil)
	send("praise", "grazhdanska-registratsiya", "Благодарност", "Бързо обслужване.")

	w.closed = w.closedRound(t)
	var r struct {
		Results []struct {
			ProposalID int64  `json:"proposal_id"`
			Outcome    string `json:"outcome"`
		} `json:"results"`
	}
	anon.call("GET", "/api/v1/rounds/"+strconv.FormatInt(w.closed, 10), nil, &r)
	for _, res := range r.Results {
		if res.Outcome == "adopted" {
			w.adoptedID = res.ProposalID
		}
	}
	w.officer.call("POST", fmt.Sprintf("/api/v1/proposals/%d/follow-ups", w.adoptedID),
		map[string]any{"status": "in_progress", "body": "Анкетата се печата.", "responsible_unit": "Дирекция АО", "due_date": "2030-01-31"}, nil)
	return w
}

// fitsWidth fails when the page is wider than the viewport (a phone would scroll sideways).
func (s *session) fitsWidth(width int) {
	s.t.Helper()
	if w := eval[int](s, `document.documentElement.scrollWidth`); w > width {
		s.t.Errorf("%s is %d px wide on a %d px screen", eval[string](s, `location.pathname`), w, width)
	}
}

var trackingCode = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)

// A resident on a phone, without JavaScript, sends a signal with the page's form and lands on
// its tracking page with the code; a form the server refuses comes back with each field's
// problem in Bulgarian and what was typed kept.
func TestSignalFormWithoutScripts(t *testing.T) {
	w := seedSignals(t)
	s := newSession(t, newBrowser(t), w.srv.URL)
	s.viewport(360)
	s.noScripts()
	s.open("/signals/new")
	if eval[bool](s, `document.documentElement.classList.contains("js")`) {
		t.Fatal("the page's scripts ran")
	}
	s.fitsWidth(360)
	s.do("fill the form",
		clickCSS("#kind-complaint"),
		setValueCSS("#sg-service", "mestni-danatsi"),
		sendKeysCSS("#sg-title", "Неработещ ПОС терминал"),
		sendKeysCSS("#sg-body", "На гишето не може да се плати с карта."),
		sendKeysCSS("#sg-email", "resident@example.org"),
		clickCSS(`form[action="/signals/new"] button[type="submit"]`),
	)
	s.waitFor("the tracking page", `document.readyState === "complete" && (location.pathname.startsWith("/signals/track/") && document.querySelector(".tracking-code"))`, 10*time.Second)
	code := s.text(".tracking-code")
	if !trackingCode.MatchString(code) || !strings.Contains(eval[string](s, `location.pathname`), code) {
		t.Fatalf("tracking code %q", code)
	}
	if s.text(".notice") == "" || !strings.Contains(s.text("main"), "Неработещ ПОС терминал") || strings.Contains(s.text("main"), "resident@example.org") {
		t.Error("the tracking page does not show the signal as sent, or shows the email")
	}
	s.fitsWidth(360)

	s.open("/signals/new")
	s.eval0(`document.querySelectorAll("[required]").forEach(e => e.removeAttribute("required")); document.querySelector("#sg-email").type = "text"`)
	s.do("send a bad form", sendKeysCSS("#sg-title", "Запазено"), sendKeysCSS("#sg-email", "не-е-имейл"),
		clickCSS(`form[action="/signals/new"] button[type="submit"]`))
	s.waitFor("the form again", `document.readyState === "complete" && document.querySelector("#err-kind")`, 10*time.Second)
	if s.text("#err-kind") != "Изберете вида." || s.text("#err-service") != "Изберете услуга." || s.text("#err-email") != "Въведете имейл адрес." {
		t.Errorf("field errors: %q %q %q", s.text("#err-kind"), s.text("#err-service"), s.text("#err-email"))
	}
	if eval[string](s, `document.querySelector("#sg-title").value`) != "Запазено" || eval[string](s, `document.querySelector("#sg-email").getAttribute("aria-invalid")`) != "true" {
		t.Error("the form lost what was typed or does not mark the field")
	}
	s.fitsWidth(360)

	s.open("/signals/track")
	s.do("track by code", sendKeysCSS("#track-code", strings.ToLower(strings.ReplaceAll(code, "-", " "))), clickCSS(`form[action="/signals/track"] button`))
	s.waitFor("the tracking page by code", `document.readyState === "complete" && location.pathname === "/signals/track/`+code+`"`, 10*time.Second)
}

// An officer works through the desk: finds a signal, answers it publicly, takes it to a
// council and publishes it; the sender's tracking page and the register follow.
func TestOfficersDesk(t *testing.T) {
	w := seedSignals(t)
	b := newBrowser(t)
	s := newSession(t, b, w.srv.URL)
	s.signIn(officerAcc)
	s.open("/desk?kind=praise")
	if got := eval[int](s, `document.querySelectorAll("table.desk tbody tr").length`); got != 1 {
		t.Fatalf("the praise filter shows %d rows", got)
	}
	s.do("open the signal", clickCSS("table.desk tbody a"))
	s.waitFor("the signal's page", `document.readyState === "complete" && location.pathname.startsWith("/desk/signals/")`, 10*time.Second)
	if !strings.Contains(s.text("main"), "resident@example.org") {
		t.Error("the desk does not show the sender's email")
	}
	s.do("answer", sendKeysCSS("#an-body", "Благодарим за добрите думи!"), setValueCSS("#an-status", "answered"),
		clickCSS(`form[action$="/answer"] button`))
	s.waitFor("answered", `document.readyState === "complete" && location.search === "?done=answered"`, 10*time.Second)
	if !strings.Contains(s.text("#answers-h + article"), "Благодарим за добрите думи!") {
		t.Error("the answer is not shown")
	}
	s.do("route", clickCSS(`form[action$="/route"] button`))
	s.waitFor("routed", `document.readyState === "complete" && location.search === "?done=routed"`, 10*time.Second)
	s.do("publish", clickCSS(`form[action$="/publish"] button`))
	s.waitFor("published", `document.readyState === "complete" && location.search === "?done=published"`, 10*time.Second)
	id := strings.TrimPrefix(eval[string](s, `location.pathname`), "/desk/signals/")

	pub := newSession(t, b, w.srv.URL)
	pub.open("/signals?kind=praise")
	if !strings.Contains(pub.text("main"), "Благодарност") {
		t.Error("the register lacks the published praise")
	}
	pub.open("/signals/" + id)
	if main := pub.text("main"); !strings.Contains(main, "Благодарим за добрите думи!") || strings.Contains(main, "resident@example.org") {
		t.Errorf("the published signal: %q", main)
	}
	s.viewport(360)
	s.open("/desk")
	s.fitsWidth(360)
}

// The analysis draws its charts on the server, each named and described, with the same figures
// in a table; the decisions tracker filters by status without scripts and shows the follow-up
// under the proposal; the sender's tracking page shows the route to the council.
func TestAnalysisAndTracker(t *testing.T) {
	w := seedSignals(t)
	b := newBrowser(t)
	s := newSession(t, b, w.srv.URL)
	s.open("/signals/analysis")
	if n := eval[int](s, `document.querySelectorAll("svg.chart[role=img]").length`); n != 4 {
		t.Fatalf("%d charts", n)
	}
	named := eval[bool](s, `[...document.querySelectorAll("svg.chart")].every(svg => svg.getAttribute("aria-labelledby").split(" ").every(id => document.getElementById(id) && document.getElementById(id).textContent.length > 3))`)
	if !named {
		t.Error("a chart has no accessible name or description")
	}
	if got := s.text(`#by-kind-caption + thead + tbody tr:first-child td`); got != "1" {
		t.Errorf("complaints in the kind table: %q", got)
	}
	if total := s.text(".kpi dd"); total != "3" {
		t.Errorf("total %q", total)
	}
	s.viewport(360)
	s.open("/signals/analysis")
	s.fitsWidth(360)

	s.viewport(1280)
	s.noScripts()
	s.open("/decisions")
	s.do("filter", setValueCSS("#fstatus", "in_progress"), clickCSS(`form[action="/decisions"] button`))
	s.waitFor("filtered", `document.readyState === "complete" && location.search.includes("status=in_progress")`, 10*time.Second)
	if got := eval[int](s, `document.querySelectorAll(".decision-card").length`); got != 1 || !strings.Contains(s.text("main"), "Анкетата се печата.") {
		t.Errorf("%d decisions in progress: %q", got, s.text("main"))
	}
	s.open("/decisions?status=done")
	if got := eval[int](s, `document.querySelectorAll(".decision-card").length`); got != 0 {
		t.Errorf("%d decisions done", got)
	}
	s.open(fmt.Sprintf("/rounds/%d", w.closed))
	if got := s.text(fmt.Sprintf("#proposal-%d .followups", w.adoptedID)); !strings.Contains(got, "Анкетата се печата.") || !strings.Contains(got, "31 януари 2030") {
		t.Errorf("the outcome page's follow-up: %q", got)
	}
	s.open("/signals/track/" + w.code)
	if got := s.text("#routes-h + article"); !strings.Contains(got, "Съвет за административно обслужване") {
		t.Errorf("the tracking page's route: %q", got)
	}
}

// The pages of the loop pass axe in both languages, as the public, the officer and the admin.
func TestSignalsAccessibility(t *testing.T) {
	script := axeScript(t)
	w := seedSignals(t)
	browser := newBrowser(t)
	visits := []struct{ who, path string }{
		{"public", "/"},
		{"public", "/signals/new"},
		{"public", "/signals/track"},
		{"public", "/signals/track?code=nonsense"},
		{"public", "/signals/track/" + w.code},
		{"public", "/signals"},
		{"public", fmt.Sprintf("/signals/%d", w.published)},
		{"public", "/signals/analysis"},
		{"public", "/decisions"},
		{"public", fmt.Sprintf("/rounds/%d", w.closed)},
		{"officer", "/desk"},
		{"officer", fmt.Sprintf("/desk/signals/%d", w.routed)},
		{"officer", fmt.Sprintf("/proposals/%d/follow-up", w.adoptedID)},
		{"officer", fmt.Sprintf("/rounds/%d", w.closed)},
		{"admin", "/admin/services"},
		{"admin", "/admin/users"},
	}
	for _, lang := range []string{"bg", "en"} {
		sessions := map[string]*session{
			"public":  newSession(t, browser, w.srv.URL),
			"officer": newSession(t, browser, w.srv.URL),
			"admin":   newSession(t, browser, w.srv.URL),
		}
		sessions["officer"].signIn(officerAcc)
		sessions["admin"].signIn(adminAcc)
		for _, s := range sessions {
			s.open("/?lang=" + lang)
		}
		for _, v := range visits {
			t.Run(lang+" "+v.who+" "+v.path, func(t *testing.T) {
				s := sessions[v.who]
				s.t = t
				s.open(v.path)
				for _, vi := range s.axeCheck(script) {
					var where []string
					for _, n := range vi.Nodes {
						where = append(where, fmt.Sprint(n.Target)+" "+truncate(n.HTML, 120))
					}
					t.Errorf("%s (%s): %s\n\t%s", vi.ID, vi.Impact, vi.Help, strings.Join(where, "\n\t"))
				}
			})
		}
	}
}

// TestSignalsScreenshots saves the loop's main pages into docs/screenshots/ with the others
// when SCREENSHOTS=1 (make screenshots); otherwise it skips.
func TestSignalsScreenshots(t *testing.T) {
	if os.Getenv("SCREENSHOTS") != "1" {
		t.Skip("set SCREENSHOTS=1 to save screenshots into docs/screenshots")
	}
	out := filepath.Join(repoRoot(t), "docs", "screenshots")
	w := seedSignals(t)
	browser := newBrowser(t)
	public := newSession(t, browser, w.srv.URL)
	officer := newSession(t, browser, w.srv.URL)
	officer.signIn(officerAcc)
	shots := []struct {
		name  string
		s     *session
		path  string
		width int
	}{
		{"signal-form", public, "/signals/new", 360},
		{"signal-track", public, "/signals/track/" + w.code, 360},
		{"signals-analysis", public, "/signals/analysis", 1280},
		{"decisions", public, "/decisions", 1280},
		{"desk-signal", officer, fmt.Sprintf("/desk/signals/%d", w.routed), 1280},
	}
	for _, sh := range shots {
		sh.s.viewport(sh.width)
		sh.s.open(sh.path)
		ctx, cancel := context.WithTimeout(sh.s.ctx, 20*time.Second)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", sh.name, err)
		}
		if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("%s-%d.png", sh.name, sh.width)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
