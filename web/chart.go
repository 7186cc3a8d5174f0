package web

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// chartMaxLabel is how many characters of a label a chart draws beside a figure; the table
// beside the chart has it whole.
const chartMaxLabel = 40

// FormatShare writes a share (0..1) as a whole percentage, as the tables beside the charts do.
func FormatShare(s float64) string {
	return fmt.Sprintf("%d%%", int(math.Round(s*100)))
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
