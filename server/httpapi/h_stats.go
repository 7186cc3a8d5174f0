package httpapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
)

// statsWindow reads ?from=&to= (dates, YYYY-MM-DD, both days included); either left out
// takes the default window's.
func (s *Server) statsWindow(c *fiber.Ctx) (from, to time.Time, err error) {
	from, to = signals.DefaultWindow(s.sig.Now())
	if q := c.Query("from"); q != "" {
		d, ok := signals.Day(q)
		if !ok {
			return from, to, council.Errorf(council.CodeBadRequest, "from must be a date, YYYY-MM-DD.")
		}
		from = d
	}
	if q := c.Query("to"); q != "" {
		d, ok := signals.Day(q)
		if !ok {
			return from, to, council.Errorf(council.CodeBadRequest, "to must be a date, YYYY-MM-DD.")
		}
		to = d.AddDate(0, 0, 1)
	}
	return from, to, nil
}

func (s *Server) stats(c *fiber.Ctx) (*model.SignalStats, error) {
	from, to, err := s.statsWindow(c)
	if err != nil {
		return nil, err
	}
	return s.sig.Stats(c.UserContext(), from, to)
}

func (s *Server) signalStats(c *fiber.Ctx) error {
	st, err := s.stats(c)
	if err != nil {
		return err
	}
	return c.JSON(newStats(st))
}

func (s *Server) signalStatsCSV(c *fiber.Ctx) error {
	st, err := s.stats(c)
	if err != nil {
		return err
	}
	body, err := signals.StatsCSV(st)
	if err != nil {
		return err
	}
	return sendDownload(c, "text/csv; charset=utf-8", statsName(st, "csv"), body)
}

func (s *Server) signalStatsXLSX(c *fiber.Ctx) error {
	st, err := s.stats(c)
	if err != nil {
		return err
	}
	body, err := signals.StatsXLSX(st)
	if err != nil {
		return err
	}
	return sendDownload(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", statsName(st, "xlsx"), body)
}

func statsName(st *model.SignalStats, ext string) string {
	return "signals-" + signals.DateOf(st.From) + "-" + signals.DateOf(st.To.AddDate(0, 0, -1)) + "." + ext
}

func sendDownload(c *fiber.Ctx, contentType, name string, body []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(body)
}
