// Package markdown turns what members write (Markdown) into HTML that is safe to show: the
// formatting people use is kept; scripts, event handlers, styles and unsafe link schemes are
// dropped whatever the Markdown let through.
package markdown

import (
	"bytes"
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer renders Markdown to sanitised HTML. It is safe for concurrent use.
type Renderer struct {
	md        goldmark.Markdown
	sanitiser *bluemonday.Policy
}

// New returns a Renderer: GitHub-like Markdown (autolinks, strikethrough), sanitised with a
// policy for user content in which links to other sites carry rel="nofollow" and open apart.
func New() *Renderer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return &Renderer{md: goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Strikethrough)), sanitiser: p}
}

// maxGrowth bounds how much larger than its source the HTML may be: deeply nested quotes or
// lists ("> > > …" ten thousand deep) blow a short text up into markup no browser nests, and
// such a text is shown as it was typed instead.
const maxGrowth = 8

// Render turns src into safe HTML. Bytes that are not UTF-8 become U+FFFD first: the renderer
// and the sanitiser pass them through, and pages and JSON promise valid UTF-8.
func (r *Renderer) Render(src string) string {
	src = strings.ToValidUTF8(src, "\uFFFD")
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil || buf.Len() > maxGrowth*len(src)+4096 {
		return plain(src)
	}
	return string(r.sanitiser.SanitizeBytes(buf.Bytes()))
}

// plain shows text as typed: escaped, one paragraph per blank-line-separated block.
func plain(src string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>\n"))
		b.WriteString("</p>\n")
	}
	return b.String()
}
