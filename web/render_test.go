package web

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/perushtitsa/council/server/model"
)

func sampleData() map[string]*Page {
	at := time.Date(2025, 5, 20, 9, 0, 0, 0, time.UTC)
	closes := at.Add(72 * time.Hour)
	digest := strings.Repeat("ab", 32)
	mine := model.ChoiceFor
	reply := int64(1)
	c := &model.Council{ID: 1, Slug: "uslugi", Name: "Съвет за административно обслужване", Description: "Граждани, НПО и бизнес", Constituency: "mixed", MemberCount: 12, CreatedAt: at}
	viewer := &model.User{ID: 7, Name: "Мария Петрова", Role: model.SiteAdmin}
	open := model.Round{ID: 3, CouncilID: 1, Title: "Приемно време <в събота>", Description: "Ред 1\nРед 2", Status: model.StatusOpen, Ballot: model.BallotOpen, QuorumPercent: 50, ClosesAt: &closes, OpenedAt: &at, CreatedAt: at}
	closed := open
	closed.Status = model.StatusClosed
	closed.ClosedAt = &closes
	closed.RecordSHA256 = &digest
	closed.OutcomeSummary = "Приема се."
	res := model.Result{ProposalID: 5, Counts: model.Counts{For: 6, Against: 2, Abstain: 1, Voters: 9}, Eligible: 12, Outcome: model.OutcomeAdopted,
		ByGroup: map[string]model.GroupResult{"citizen": {Counts: model.Counts{For: 4, Voters: 4}, Eligible: 6}}}
	prop := model.Proposal{ID: 5, RoundID: 3, Title: "Събота 9–12 ч.", BodyHTML: "<p>Текст <strong>удебелен</strong></p>", Author: model.Person{ID: 7, Name: "Мария"}, Tally: &res.Counts, MyVote: &mine}
	posts := []model.Post{
		{ID: 1, TopicID: 2, Author: model.Person{ID: 7, Name: "Мария"}, Body: "Здравейте", BodyHTML: "<p>Здравейте</p>", CreatedAt: at},
		{ID: 2, TopicID: 2, ReplyTo: &reply, Author: model.Person{ID: 8, Name: "Иван"}, CreatedAt: at, EditedAt: &at},
		{ID: 3, TopicID: 2, Author: model.Person{ID: 8, Name: "Иван"}, CreatedAt: at, Hidden: true, HiddenReason: "обидно"},
	}
	topic := model.Topic{ID: 2, RoundID: 3, Title: "Работно време", BodyHTML: "<p>Тема</p>", Author: model.Person{ID: 7, Name: "Мария"}, CreatedAt: at, PostCount: 3, Posts: posts}
	item := OutcomeItem{Round: closed, Council: c, Adopted: 1, Total: 1}
	live := &Live{CouncilID: 1, RoundID: 3, LastSeq: 42}
	return map[string]*Page{
		"home":     {Data: HomeData{Councils: []model.Council{*c}, Outcomes: []OutcomeItem{item}}},
		"outcomes": {Data: OutcomesData{Q: "събота", Page: 1, Pages: 2, Total: 11, Outcomes: []OutcomeItem{item}, NextURL: "/outcomes?page=2"}},
		"council": {Viewer: viewer, Data: CouncilData{Council: c, Rounds: []model.Round{open, closed}, IsMember: true, IsModerator: true,
			Members: []model.Member{{UserID: 7, Name: "Мария", Group: "citizen", Role: "moderator", JoinedAt: at}}}},
		"round": {Viewer: viewer, Live: live, Script: "round", Data: RoundData{Council: c, Round: open, Topics: []model.Topic{topic},
			Proposals: []ProposalView{{Proposal: prop, Topic: "Работно време"}}, IsMember: true, IsModerator: true}},
		"outcome": {Data: RoundData{Council: c, Round: closed, Topics: []model.Topic{topic}, Proposals: []ProposalView{{Proposal: prop, Result: &res}},
			RecordURL: "/api/v1/rounds/3/record", CSVURL: "/api/v1/rounds/3/record.csv"}},
		"topic": {Viewer: viewer, Live: &Live{CouncilID: 1, RoundID: 3, TopicID: 2, LastSeq: 42}, Script: "topic",
			Data: TopicData{Council: c, Round: open, Topic: topic, IsMember: true, IsModerator: true, CanWrite: true, ReplyTo: 1}},
		"invitation": {Data: InvitationData{Token: "tok", Council: c, Invitation: &model.Invitation{Email: "a@b.bg", Name: "Иван", Role: "member", ExpiresAt: closes}}},
		"signin":     {Data: SigninData{Error: "signin.failed", Next: "/me"}},
		"me":         {Viewer: viewer, Data: MeData{Councils: []MyCouncil{{Council: *c, Role: "member", Group: "ngo"}}}},
		"admin":      {Viewer: viewer, Data: AdminData{Councils: []model.Council{*c}}},
		"error":      {Data: ErrorData{Status: 404, Message: "error.not_found"}},
	}
}

var (
	inlineStyle  = regexp.MustCompile(`\sstyle=`)
	inlineEvent  = regexp.MustCompile(`\son[a-z]+=`)
	inlineScript = regexp.MustCompile(`<script(?:\s+type="module")?>`)
)

func TestEveryPageRendersInEveryLanguage(t *testing.T) {
	r, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range sampleData() {
		if !r.Has(name) {
			t.Errorf("no template for %s", name)
		}
		for _, lang := range Langs {
			t.Run(name+"/"+lang, func(t *testing.T) {
				page := *p
				page.Lang, page.Title, page.Path, page.CSRF = lang, "T", "/x", "csrf-123"
				var buf bytes.Buffer
				if err := r.Render(&buf, name, &page); err != nil {
					t.Fatal(err)
				}
				out := buf.String()
				if !strings.Contains(out, `<html lang="`+lang+`">`) {
					t.Error("missing html lang")
				}
				if inlineStyle.MatchString(out) || inlineEvent.MatchString(out) || inlineScript.MatchString(out) {
					t.Error("inline style, event handler or script in the page: the CSP forbids them")
				}
				if strings.Contains(out, "%!") {
					t.Errorf("a format verb went wrong: %s", out[strings.Index(out, "%!")-40:strings.Index(out, "%!")+40])
				}
				if lang == "en" && regexp.MustCompile(`[а-яА-Я]{4,}`).MatchString(stripContent(out)) {
					t.Errorf("Bulgarian text left in an English page: %q", regexp.MustCompile(`[а-яА-Я ]{4,}`).FindString(stripContent(out)))
				}
			})
		}
	}
}

// stripContent removes the sample data (Bulgarian on purpose) and the language switch, leaving
// the interface's own words.
func stripContent(s string) string {
	for _, w := range []string{"Съвет за административно обслужване", "Граждани, НПО и бизнес", "Приемно време &lt;в събота&gt;",
		"Ред 1\nРед 2", "Приема се.", "Събота 9–12 ч.", "Текст <strong>удебелен</strong>", "Мария Петрова", "Мария", "Иван",
		"Здравейте", "Работно време", "Тема", "обидно", "Български", "събота"} {
		s = strings.ReplaceAll(s, w, "")
	}
	return s
}

func TestOutputIsEscaped(t *testing.T) {
	r, _ := Templates()
	p := sampleData()["round"]
	p.Lang = "bg"
	var buf bytes.Buffer
	if err := r.Render(&buf, "round", p); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "<в събота>") || !strings.Contains(out, "&lt;в събота&gt;") {
		t.Error("the round title is not escaped")
	}
	if !strings.Contains(out, "<strong>удебелен</strong>") {
		t.Error("sanitised body_html is escaped instead of included")
	}
	if !strings.Contains(out, `data-last-seq="42"`) || !strings.Contains(out, `data-council-id="1"`) {
		t.Error("the live connection's starting point is missing")
	}
	if !strings.Contains(out, `<meta name="csrf-token" content="csrf-123">`) && !strings.Contains(out, `name="csrf-token"`) {
		t.Error("no CSRF meta")
	}
}

func TestI18nDataBlockIsJSON(t *testing.T) {
	r, _ := Templates()
	p := &Page{Lang: "en", Data: ErrorData{Status: 404, Message: "error.not_found"}}
	var buf bytes.Buffer
	if err := r.Render(&buf, "error", p); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	i := strings.Index(out, `<script type="application/json" id="i18n-data">`)
	if i < 0 || !strings.Contains(out[i:], `"js.reconnecting":"Connection lost. Reconnecting…"`) {
		t.Errorf("the scripts' strings are not embedded as JSON: %s", out[i:i+300])
	}
}
