package httpapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
	"github.com/perushtitsa/council/web"
)

// analysisPage is the periodic analysis: its figures, a chart per dimension drawn on the
// server with a table of the same figures, and the downloads of the same window.
func (s *Server) analysisPage(c *fiber.Ctx) error {
	st, err := s.stats(c)
	if err != nil {
		return err
	}
	from, to := signals.DateOf(st.From), signals.DateOf(st.To.AddDate(0, 0, -1))
	window := "?from=" + from + "&to=" + to
	data := web.AnalysisData{Stats: st, From: from, To: to, CSVURL: "/api/v1/signals/stats.csv" + window,
		XLSXURL: "/api/v1/signals/stats.xlsx" + window, ServiceNames: map[string]string{},
		MedianText: s.t(c, "analysis.no_figure"), ShareText: s.t(c, "analysis.no_figure")}
	for _, sv := range st.ByService {
		data.ServiceNames[sv.Key] = sv.Label
	}
	if st.MedianDays != nil {
		data.MedianText = s.t(c, "analysis.days", s.decimal(c, *st.MedianDays))
	}
	if st.Share != nil {
		data.ShareText = s.t(c, "analysis.percent", int(math.Round(*st.Share*100)))
	}
	data.ShareOfDueText = s.t(c, "analysis.share_of_due", st.Within, st.Due)
	data.Charts = s.charts(c, st)
	return s.render(c, "signal_analysis", s.newPage(c, s.t(c, "analysis.title"), data))
}

// decimal writes a number with one decimal in the page's language (a comma in Bulgarian).
func (s *Server) decimal(c *fiber.Ctx, f float64) string {
	out := strconv.FormatFloat(f, 'f', 1, 64)
	if s.lang(c) == "bg" {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}

// charts are the analysis's four charts, labelled in the page's language.
func (s *Server) charts(c *fiber.Ctx, st *model.SignalStats) []web.ChartTable {
	label := func(family string) func(model.Tally) string {
		return func(t model.Tally) string { return s.t(c, fmt.Sprintf(family, t.Key)) }
	}
	month := func(t model.Tally) string {
		y, m, _ := strings.Cut(t.Key, "-")
		n, _ := strconv.Atoi(m)
		return s.t(c, fmt.Sprintf("month.short.%d", n)) + "\n" + y
	}
	specs := []struct {
		id, title, desc, head string
		tallies               []model.Tally
		label                 func(model.Tally) string
		columns               bool
	}{
		{"by-month", "chart.by_month", "chart.by_month_desc", "analysis.month", st.ByMonth, month, true},
		{"by-kind", "chart.by_kind", "chart.by_kind_desc", "signal.field.kind", st.ByKind, label("signal.kind.%s"), false},
		{"by-service", "chart.by_service", "chart.by_service_desc", "signal.field.service", st.ByService,
			func(t model.Tally) string { return t.Label }, false},
		{"by-status", "chart.by_status", "chart.by_status_desc", "signal.status", st.ByStatus, label("signal.status.%s"), false},
	}
	out := make([]web.ChartTable, 0, len(specs))
	for _, sp := range specs {
		ch := web.Chart{ID: sp.id, Title: s.t(c, sp.title), Desc: s.t(c, sp.desc), Columns: sp.columns}
		for _, t := range sp.tallies {
			ch.Bars = append(ch.Bars, web.Bar{Label: sp.label(t), Value: t.Count})
		}
		out = append(out, web.ChartTable{Chart: ch, SVG: web.BarChart(ch), Head: s.t(c, sp.head)})
	}
	return out
}
