package httpapi

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/web"
)

func (s *Server) listEvents(c *fiber.Ctx) error {
	cn, err := s.councilParam(c)
	if err != nil {
		return err
	}
	after, err := queryInt(c, "after", 0)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 200)
	if err != nil {
		return err
	}
	if limit < 1 || limit > council.MaxEventsPage {
		return council.Errorf(council.CodeBadRequest, "limit must be between 1 and %d.", council.MaxEventsPage)
	}
	events, last, err := s.svc.Events(c.UserContext(), s.viewer(c), cn.ID, after, int(limit))
	if err != nil {
		return err
	}
	out, err := newEvents(events)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"events": out, "last_seq": last})
}

func (s *Server) getRecord(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	f, err := s.svc.Record(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	if c.Query("download") != "" {
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="round-%d-record.json"`, id))
	}
	if f.SHA256 == "" { // a round in progress: rendered for this request, never cached
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Send(f.Body)
	}
	// Bytes that never change, named by their SHA-256: a client holding them gets 304, one
	// that accepts brotli or gzip a compressed copy, and every answer shares the same slices.
	return sendReady(c, f.Body, f.Gzip, f.Brotli, `"`+f.SHA256+`"`, "public, max-age=31536000, immutable")
}

// etagMatches reports whether an If-None-Match header names etag (or is "*").
func etagMatches(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		p := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if p == etag || p == "*" {
			return true
		}
	}
	return false
}

// accepts reads an Accept-Encoding header: coding (or *) listed without q=0.
func accepts(header, coding string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		if v, ok := strings.CutPrefix(strings.ReplaceAll(strings.ToLower(params), " ", ""), "q="); ok {
			if q, err := strconv.ParseFloat(v, 64); err == nil && q == 0 {
				return false
			}
		}
		return true
	}
	return false
}

func (s *Server) getRecordCSV(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	body, err := s.svc.RecordCSV(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	body = append([]byte("\uFEFF"), body...) // a byte-order mark: spreadsheet programs then read Cyrillic as UTF-8
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="round-%d-results.csv"`, id))
	return c.Send(body)
}

func (s *Server) getRecordXLSX(c *fiber.Ctx) error {
	id, err := pathID(c, "round_id")
	if err != nil {
		return err
	}
	body, err := s.svc.RecordXLSX(c.UserContext(), s.viewer(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="round-%d-record.xlsx"`, id))
	return c.Send(body)
}

func (s *Server) listOutcomes(c *fiber.Ctx) error {
	f, err := s.outcomeFilter(c)
	if err != nil {
		return err
	}
	rounds, total, err := s.svc.Outcomes(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rounds": newRounds(rounds), "page": max(f.Page, 1), "total": total})
}

// outcomeFilter reads the archive's filters from the query: q, council (id or slug), from and to
// (dates, YYYY-MM-DD, days in Sofia, to inclusive; or RFC 3339 times), outcome, page.
func (s *Server) outcomeFilter(c *fiber.Ctx) (council.OutcomeFilter, error) {
	f := council.OutcomeFilter{Q: c.Query("q"), Outcome: c.Query("outcome")}
	page, err := queryInt(c, "page", 1)
	if err != nil {
		return f, err
	}
	if page < 1 || page > council.MaxPage {
		return f, council.Errorf(council.CodeBadRequest, "page must be a whole number from 1 to %d.", council.MaxPage)
	}
	f.Page = int(page)
	if raw := c.Query("council"); raw != "" {
		cn, err := s.svc.Council(c.UserContext(), raw)
		if err != nil {
			return f, err
		}
		f.CouncilID = cn.ID
	}
	if f.From, err = queryDay(c, "from", false); err != nil {
		return f, err
	}
	f.To, err = queryDay(c, "to", true)
	return f, err
}

// queryDay reads a date (YYYY-MM-DD, a day in Sofia) or an RFC 3339 time; a date read as the
// end of a range stands for the whole day (the start of the next).
func queryDay(c *fiber.Ctx, name string, end bool) (*time.Time, error) {
	raw := c.Query(name)
	if raw == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return &t, nil
	}
	day, err := time.ParseInLocation("2006-01-02", raw, web.Sofia)
	if err != nil {
		return nil, council.FieldError(council.CodeBadRequest, fmt.Sprintf("%s must be a date (YYYY-MM-DD).", name), name, council.FieldInvalid, "must be a date")
	}
	if end {
		day = day.AddDate(0, 0, 1)
	}
	return &day, nil
}
