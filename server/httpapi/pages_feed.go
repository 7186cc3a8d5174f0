package httpapi

import (
	"encoding/xml"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/web"
)

// feedEntries is how many closed rounds the Atom feed carries: a reader polls it, so the newest
// page of the archive is enough.
const feedEntries = council.PageSize

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Link      atomLink   `xml:"link"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Author    atomAuthor `xml:"author"`
	Summary   string     `xml:"summary"`
}

// outcomesFeed is the Atom feed of closed rounds, newest first, in the language of the request
// (?lang= or the cookie), taking the archive's filters, so a reader can follow one council.
func (s *Server) outcomesFeed(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f, err := s.outcomeFilter(c)
	if err != nil {
		return err
	}
	rounds, _, err := s.svc.Outcomes(ctx, f)
	if err != nil {
		return err
	}
	councils, err := s.svc.Councils(ctx)
	if err != nil {
		return err
	}
	base, lang := s.feedBase(c), s.lang(c)
	tr := s.pages.Translator()
	feed := atomFeed{Lang: lang, Title: tr.T(lang, "feed.title"), ID: base + "/outcomes",
		Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/outcomes.atom"},
			{Rel: "alternate", Type: "text/html", Href: base + "/outcomes"}},
		Author: atomAuthor{Name: tr.T(lang, "site.municipality")}}
	for i, it := range outcomeItems(rounds[:min(len(rounds), feedEntries)], councils) {
		feed.Entries = append(feed.Entries, s.feedEntry(base, lang, it))
		if i == 0 {
			feed.Updated = feed.Entries[0].Updated
		}
	}
	body, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	return c.Send(append([]byte(xml.Header), body...))
}

func (s *Server) feedEntry(base, lang string, it web.OutcomeItem) atomEntry {
	tr := s.pages.Translator()
	url := base + "/rounds/" + strconv.FormatInt(it.Round.ID, 10)
	at := closedAt(&it.Round).Format(time.RFC3339)
	e := atomEntry{Title: it.Round.Title, ID: url, Link: atomLink{Rel: "alternate", Href: url}, Updated: at, Published: at}
	if it.Council != nil {
		e.Author.Name = it.Council.Name
	}
	e.Summary = tr.N(lang, "outcomes.adopted_of", it.Total, it.Adopted)
	if it.Round.OutcomeSummary != "" {
		e.Summary += "\n\n" + it.Round.OutcomeSummary
	}
	return e
}

func closedAt(r *model.Round) time.Time {
	if r.ClosedAt != nil {
		return r.ClosedAt.UTC()
	}
	return r.CreatedAt.UTC()
}

// feedBase is the site's address for the feed's links: the configured base URL, else the one
// the request came to.
func (s *Server) feedBase(c *fiber.Ctx) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	return c.BaseURL()
}
