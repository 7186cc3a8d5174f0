package httpapi_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// Daily use, for the public: the archive's filters and feed, the downloads, the icon, and open
// rounds a council makes public.
func TestAPIDailyUsePublic(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		t.Run("outcome filters and feed", func(t *testing.T) { apiOutcomeFilters(t, e) })
		t.Run("downloads", func(t *testing.T) { apiDownloads(t, e) })
		t.Run("public open rounds", func(t *testing.T) { apiPublicOpenRounds(t, e) })
		t.Run("favicon and language switch", func(t *testing.T) { apiFaviconAndLangSwitch(t, e) })
	})
}

// closedWith closes a round of the council with one proposal that reaches outcome, n days
// after the clock's start.
func closedWith(t *testing.T, e *env, councilID int64, mod *model.User, title, outcome string) int64 {
	t.Helper()
	ctx, w := context.Background(), e.w
	ballot, quorum := model.BallotOpen, 0
	if outcome == model.OutcomeNoQuorum {
		quorum = 100
	}
	r, err := w.Svc.CreateRound(ctx, mod, councilID, council.RoundInput{Title: &title, Ballot: &ballot, QuorumPercent: &quorum})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.Svc.CreateProposal(ctx, mod, r.ID, council.ProposalInput{Title: "P", Body: "B"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Svc.OpenRound(ctx, mod, r.ID, nil); err != nil {
		t.Fatal(err)
	}
	choice := model.ChoiceFor
	if outcome == model.OutcomeRejected {
		choice = model.ChoiceAgainst
	}
	if _, err := w.Svc.CastVote(ctx, mod, p.ID, choice, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Svc.CloseRound(ctx, mod, r.ID, "Обобщение на "+title); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func outcomeIDs(t *testing.T, c *client, query string) []int64 {
	t.Helper()
	var ids []int64
	for _, r := range list(c.get(t, "/api/v1/outcomes?"+query).want(t, 200).obj(t)["rounds"]) {
		ids = append(ids, num(r["id"]))
	}
	return ids
}

func apiOutcomeFilters(t *testing.T, e *env) {
	w := e.w
	day0 := w.Clock.Now().In(time.UTC)
	adopted := closedWith(t, e, w.Council.ID, w.Moderator, "Прието едно", model.OutcomeAdopted)
	w.Clock.Advance(72 * time.Hour)
	day3 := w.Clock.Now().In(time.UTC)
	rejected := closedWith(t, e, w.Council.ID, w.Moderator, "Отхвърлено", model.OutcomeRejected)
	otherMod := w.Join(t, w.Other.ID, fmt.Sprintf("omod%d@example.org", e.uniq()), "Other mod", model.RoleModerator, model.GroupNGO)
	noQuorum := closedWith(t, e, w.Other.ID, otherMod, "Без кворум", model.OutcomeNoQuorum)
	has := func(ids []int64, id int64) bool {
		for _, x := range ids {
			if x == id {
				return true
			}
		}
		return false
	}
	if ids := outcomeIDs(t, e.anon, "council="+w.Council.Slug); !has(ids, adopted) || !has(ids, rejected) || has(ids, noQuorum) {
		t.Errorf("council filter: %v", ids)
	}
	if ids := outcomeIDs(t, e.anon, "council="+itoa(w.Other.ID)); len(ids) != 1 || ids[0] != noQuorum {
		t.Errorf("council filter by id: %v", ids)
	}
	if ids := outcomeIDs(t, e.anon, "outcome=no_quorum"); !has(ids, noQuorum) || has(ids, adopted) || has(ids, rejected) {
		t.Errorf("outcome filter: %v", ids)
	}
	if ids := outcomeIDs(t, e.anon, "outcome=rejected"); !has(ids, rejected) || has(ids, adopted) {
		t.Errorf("outcome filter: %v", ids)
	}
	// Days are Sofia's; "to" takes in the whole day.
	d0, d3 := day0.In(sofia()).Format("2006-01-02"), day3.In(sofia()).Format("2006-01-02")
	if ids := outcomeIDs(t, e.anon, "from="+d3); has(ids, adopted) || !has(ids, rejected) {
		t.Errorf("from %s: %v", d3, ids)
	}
	if ids := outcomeIDs(t, e.anon, "from="+d0+"&to="+d0); !has(ids, adopted) || has(ids, rejected) {
		t.Errorf("from and to %s: %v", d0, ids)
	}
	e.anon.get(t, "/api/v1/outcomes?from=31.12.2026").wantCode(t, 400, "from", council.FieldInvalid)
	e.anon.get(t, "/api/v1/outcomes?from="+d3+"&to="+d0).wantCode(t, 400, "to", council.FieldInvalid)
	e.anon.get(t, "/api/v1/outcomes?outcome=maybe").wantCode(t, 400, "outcome", council.FieldInvalid)
	e.anon.get(t, "/api/v1/outcomes?council=no-such").want(t, 404, "not_found")
	// The page keeps the filters and says what is wrong, without a 500.
	page := e.anon.get(t, "/outcomes?council="+w.Council.Slug+"&outcome=adopted&from="+d0).want(t, 200)
	for _, want := range []string{`value="` + d0 + `"`, `<option value="adopted" selected>`, "Прието едно"} {
		if !bytes.Contains(page.Body, []byte(want)) {
			t.Errorf("the filtered page lacks %q", want)
		}
	}
	if bad := e.anon.get(t, "/outcomes?from="+d3+"&to="+d0); bad.Status != 400 || !bytes.Contains(bad.Body, []byte(`aria-invalid="true"`)) {
		t.Errorf("a bad range on the page: %d", bad.Status)
	}
	// The feed: Atom, newest first, a filter narrows it.
	r := e.anon.get(t, "/outcomes.atom?lang=en").want(t, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("feed Content-Type %q", ct)
	}
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Lang    string   `xml:"lang,attr"`
		Entries []struct {
			Title string `xml:"title"`
			ID    string `xml:"id"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Updated string `xml:"updated"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(r.Body, &feed); err != nil {
		t.Fatalf("the feed is not Atom: %v\n%s", err, trim(r.Body))
	}
	if len(feed.Entries) < 3 || feed.Entries[0].Title != "Без кворум" || !strings.HasSuffix(feed.Entries[0].Link.Href, "/rounds/"+itoa(noQuorum)) {
		t.Errorf("feed entries: %+v", feed.Entries)
	}
	if !strings.Contains(feed.Entries[0].Summary, "Обобщение на Без кворум") || feed.Lang != "en" {
		t.Errorf("feed summary %q, lang %q", feed.Entries[0].Summary, feed.Lang)
	}
	one := e.anon.get(t, "/outcomes.atom?council="+w.Other.Slug).want(t, 200)
	if n := bytes.Count(one.Body, []byte("<entry>")); n != 1 {
		t.Errorf("a council's feed has %d entries, want 1", n)
	}
}

func apiDownloads(t *testing.T, e *env) {
	s := e.scene(t, "open", "open")
	if _, err := e.w.Svc.CastVote(context.Background(), e.w.Members[1], s.proposal, model.ChoiceAbstain, "Нужни са още данни."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Svc.CloseRound(context.Background(), e.w.Moderator, s.round, "Готово"); err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/rounds/" + itoa(s.round)
	csv := e.anon.get(t, base+"/record.csv").want(t, 200)
	if !bytes.HasPrefix(csv.Body, []byte("\xef\xbb\xbf")) {
		t.Errorf("record.csv starts with % x, want the UTF-8 byte-order mark", csv.Body[:min(3, len(csv.Body))])
	}
	x := e.anon.get(t, base+"/record.xlsx").want(t, 200)
	if ct := x.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("record.xlsx Content-Type %q", ct)
	}
	if cd := x.Header.Get("Content-Disposition"); !strings.Contains(cd, ".xlsx") {
		t.Errorf("record.xlsx Content-Disposition %q", cd)
	}
	book, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("record.xlsx does not open as a spreadsheet: %v", err)
	}
	defer book.Close()
	var all strings.Builder
	for _, sheet := range book.GetSheetList() {
		rows, err := book.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			all.WriteString(strings.Join(row, "\t") + "\n")
		}
	}
	for _, want := range []string{"Proposal", e.w.Members[1].Name, "Нужни са още данни.", "First post", model.GroupCitizen} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the spreadsheet lacks %q (sheets %v)", want, book.GetSheetList())
		}
	}
	page := e.anon.get(t, "/rounds/"+itoa(s.round)).want(t, 200)
	for _, want := range []string{"record.xlsx", "Нужни са още данни.", e.w.Members[1].Name} {
		if !bytes.Contains(page.Body, []byte(want)) {
			t.Errorf("the outcome page lacks %q (a download link, the roll call)", want)
		}
	}
}

func apiPublicOpenRounds(t *testing.T, e *env) {
	s := e.scene(t, "open", "open")
	round, topic := "/api/v1/rounds/"+itoa(s.round), "/api/v1/topics/"+itoa(s.topic)
	e.anon.get(t, round).want(t, 404)
	if st := e.anon.get(t, "/rounds/"+itoa(s.round)).Status; st != 404 {
		t.Errorf("the page of an open round for the public: %d, want 404", st)
	}
	e.mod.do(t, "PATCH", councilPath(e), map[string]any{"open_rounds_public": true}).want(t, 200)
	r := e.anon.get(t, round).want(t, 200).obj(t)
	if r["status"] != "open" || num(r["eligible"]) == 0 {
		t.Errorf("a public open round = %v", r)
	}
	e.outsider.get(t, topic).want(t, 200)
	p := e.anon.get(t, "/api/v1/proposals/"+itoa(s.proposal)).want(t, 200).obj(t)
	if p["tally"] == nil {
		t.Error("a public open round with live results hides its tally")
	}
	page := e.anon.get(t, "/rounds/"+itoa(s.round)).want(t, 200)
	if bytes.Contains(page.Body, []byte("data-vote>")) || bytes.Contains(page.Body, []byte("/vote\"")) {
		t.Error("the public's page of an open round has a vote form")
	}
	if !bytes.Contains(page.Body, []byte("data-council-id")) || !bytes.Contains(page.Body, []byte("data-public-view")) {
		t.Error("the public's page of an open round does not follow it live, or does not say it is read-only")
	}
	// Read-only: the public writes nothing.
	e.anon.do(t, "POST", topic+"/posts", map[string]string{"body": "x"}).want(t, 401)
	e.outsider.do(t, "POST", topic+"/posts", map[string]string{"body": "x"}).want(t, 403)
	e.outsider.do(t, "PUT", "/api/v1/proposals/"+itoa(s.proposal)+"/vote", map[string]string{"choice": "for"}).want(t, 403)
	// Drafts stay with the members.
	d := e.scene(t, "draft", "open")
	e.anon.get(t, "/api/v1/rounds/"+itoa(d.round)).want(t, 404)
	e.mod.do(t, "PATCH", councilPath(e), map[string]any{"open_rounds_public": false}).want(t, 200)
	e.anon.get(t, round).want(t, 404)
}

func apiFaviconAndLangSwitch(t *testing.T, e *env) {
	ico := e.anon.get(t, "/favicon.ico").want(t, 200)
	if ct := ico.Header.Get("Content-Type"); ct != "image/x-icon" || !bytes.HasPrefix(ico.Body, []byte{0, 0, 1, 0}) {
		t.Errorf("favicon: %q % x", ct, ico.Body[:min(4, len(ico.Body))])
	}
	page := e.anon.get(t, "/outcomes?q=%D0%B0%D0%BD%D0%BA%D0%B5%D1%82%D0%B0&page=1&notice=signed_out").want(t, 200)
	if !bytes.Contains(page.Body, []byte(`href="/outcomes?lang=en&amp;page=1&amp;q=%D0%B0%D0%BD%D0%BA%D0%B5%D1%82%D0%B0"`)) {
		i := bytes.Index(page.Body, []byte("lang-switch"))
		t.Errorf("the language switch does not keep the query: %s", page.Body[max(0, i-200):i])
	}
	if !bytes.Contains(page.Body, []byte(`<link rel="icon" href="/favicon.ico"`)) {
		t.Error("pages do not link the icon")
	}
}

func sofia() *time.Location {
	loc, err := time.LoadLocation("Europe/Sofia")
	if err != nil {
		panic(err)
	}
	return loc
}
