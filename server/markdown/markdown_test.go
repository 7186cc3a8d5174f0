package markdown_test

import (
	"strings"
	"testing"
)

// A short text that nests quotes or lists thousands deep is shown as typed, not blown up into
// markup no browser nests; ordinary Markdown keeps its formatting.
func TestDeepNestingIsShownAsTyped(t *testing.T) {
	deep := strings.Repeat("> ", 10000) + "дълбоко"
	got := renderer.Render(deep)
	if strings.Count(got, "<blockquote>") > 0 || len(got) > 8*len(deep)+4096 || !strings.Contains(got, "&gt; &gt;") {
		t.Fatalf("deep quotes rendered as %d bytes, %d blockquotes", len(got), strings.Count(got, "<blockquote>"))
	}
	if got := renderer.Render("> цитат\n\n**силно**"); !strings.Contains(got, "<blockquote>") || !strings.Contains(got, "<strong>силно</strong>") {
		t.Fatalf("ordinary Markdown: %q", got)
	}
}
