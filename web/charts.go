package web

import (
	"fmt"
	"html/template"
	"strings"
)

// Chart geometry, in the SVG's own units: the drawing scales to its box, so these are
// proportions (a 480-unit drawing shown 330 px wide on a phone keeps 14-unit text legible).
const (
	chartWidth  = 480
	rowHeight   = 46 // a horizontal bar with its label above it
	colHeight   = 220
	labelSpace  = 40 // below the columns: a label and, under it, a second line
	valueSpace  = 56 // beside the longest horizontal bar, for its figure
	chartInk    = "#1c2430"
	chartBar    = "#0b5a8f"
	chartTrack  = "#e6e9ee"
	chartFontPx = 14
)

// BarChart draws c as an SVG image with role="img", named by its title and described by its
// description; the figures also go in a table beside it, so nothing depends on seeing the bars.
// It uses presentation attributes only (no style), as the pages' policy allows no inline style.
func BarChart(c Chart) template.HTML {
	var b strings.Builder
	height := len(c.Bars)*rowHeight + 8
	if c.Columns {
		height = colHeight + labelSpace
	}
	id := template.HTMLEscapeString(c.ID)
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-labelledby="%[1]s-title %[1]s-desc" viewBox="0 0 %[2]d %[3]d" focusable="false" xmlns="http://www.w3.org/2000/svg">`,
		id, chartWidth, height)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`,
		id, template.HTMLEscapeString(c.Title), id, template.HTMLEscapeString(c.Desc))
	top := 1
	for _, bar := range c.Bars {
		top = max(top, bar.Value)
	}
	if c.Total > 0 {
		top = max(top, c.Total)
	}
	if c.Columns {
		columns(&b, c.Bars, top)
	} else {
		rows(&b, c.Bars, top)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// rows draws horizontal bars, each under its label, with its figure at its end — or, where
// bars have their own figure text, at the end of the label's line.
func rows(b *strings.Builder, bars []Bar, top int) {
	span := chartWidth - valueSpace
	if len(bars) > 0 && bars[0].Figure != "" {
		span = chartWidth
	}
	for i, bar := range bars {
		y := i*rowHeight + 4
		w := bar.Value * span / top
		if bar.Value > 0 && w < 2 {
			w = 2 // a bar with any count stays visible
		}
		label := bar.Label
		if bar.Figure != "" {
			label = shorten(label, chartMaxLabel)
		}
		fmt.Fprintf(b, `<text x="0" y="%d" font-size="%d" fill="%s">%s</text>`, y+15, chartFontPx, chartInk, template.HTMLEscapeString(label))
		fmt.Fprintf(b, `<rect x="0" y="%d" width="%d" height="16" fill="%s" class="chart-track"/>`, y+22, span, chartTrack)
		if w > 0 {
			fmt.Fprintf(b, `<rect x="0" y="%d" width="%d" height="16" fill="%s" class="chart-bar"/>`, y+22, w, chartBar)
		}
		if bar.Figure != "" {
			fmt.Fprintf(b, `<text x="%d" y="%d" font-size="%d" font-weight="bold" text-anchor="end" fill="%s">%s</text>`,
				chartWidth, y+15, chartFontPx, chartInk, template.HTMLEscapeString(bar.Figure))
			continue
		}
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="%d" font-weight="bold" fill="%s">%d</text>`, w+6, y+35, chartFontPx, chartInk, bar.Value)
	}
}

// columns draws vertical bars side by side (months), each with its figure above it and its
// label, of up to two lines, below.
func columns(b *strings.Builder, bars []Bar, top int) {
	if len(bars) == 0 {
		return
	}
	slot := float64(chartWidth) / float64(len(bars))
	width := slot * 0.7
	plot := colHeight - 20 // room above the tallest column for its figure
	fmt.Fprintf(b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="%s"/>`, colHeight, chartWidth, colHeight, chartInk)
	for i, bar := range bars {
		x := float64(i)*slot + (slot-width)/2
		h := bar.Value * plot / top
		if h > 0 {
			fmt.Fprintf(b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`, x, colHeight-h, width, h, chartBar)
		}
		mid := x + width/2
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="12" text-anchor="middle" fill="%s">%d</text>`, mid, colHeight-h-5, chartInk, bar.Value)
		for j, line := range strings.SplitN(bar.Label, "\n", 2) {
			fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="12" text-anchor="middle" fill="%s">%s</text>`,
				mid, colHeight+16+j*16, chartInk, template.HTMLEscapeString(line))
		}
	}
}
