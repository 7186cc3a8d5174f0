package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"unicode/utf8"
)

// ChartRow is one bar of a chart: what it counts, how many, and their share (0..1).
type ChartRow struct {
	Label string
	Count int
	Share float64
}

// The chart's geometry, in the units of its viewBox: drawn for a phone's width, so that on
// one its words read at their size; the stylesheet bounds how wide it grows on a desktop.
const (
	chartWidth     = 360
	chartRowHeight = 44
	chartBarHeight = 16
	chartMaxLabel  = 30 // characters of a label drawn; the table beside has it whole
)

// BarChart draws a horizontal bar per row, with its label and its figures, as an SVG image
// named by title for screen readers; the page shows the same figures as a table beside it.
// Everything drawn is escaped: labels are the survey's own words.
func BarChart(id, title string, rows []ChartRow) template.HTML {
	var b strings.Builder
	h := len(rows)*chartRowHeight + 4
	fmt.Fprintf(&b, `<svg class="chart" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title" focusable="false">`,
		esc(id), chartWidth, h, esc(id))
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, esc(id), esc(title))
	for i, r := range rows {
		y := i * chartRowHeight
		w := int(r.Share*chartWidth + 0.5)
		if r.Count > 0 && w < 2 {
			w = 2
		}
		fmt.Fprintf(&b, `<text class="chart-label" x="0" y="%d">%s</text>`, y+15, esc(shorten(r.Label, chartMaxLabel)))
		fmt.Fprintf(&b, `<text class="chart-value" x="%d" y="%d" text-anchor="end">%d · %s</text>`, chartWidth, y+15, r.Count, esc(FormatShare(r.Share)))
		fmt.Fprintf(&b, `<rect class="chart-track" x="0" y="%d" width="%d" height="%d" rx="3"></rect>`, y+22, chartWidth, chartBarHeight)
		if w > 0 {
			fmt.Fprintf(&b, `<rect class="chart-bar" x="0" y="%d" width="%d" height="%d" rx="3"></rect>`, y+22, w, chartBarHeight)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// FormatShare writes a share (0..1) as a whole percentage, as the tables beside the charts do.
func FormatShare(s float64) string {
	return fmt.Sprintf("%d%%", int(math.Round(s*100)))
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
