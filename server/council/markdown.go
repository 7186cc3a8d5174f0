package council

import (
	"bytes"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Strikethrough))
	// sanitiser keeps the formatting people write and drops scripts, event handlers, styles and
	// unsafe link schemes, whatever the Markdown let through.
	sanitiser = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		return p
	}()
)

// RenderMarkdown turns a member's Markdown into safe HTML. Bytes that are not UTF-8 become
// U+FFFD first: the renderer and the sanitiser pass them through, and pages and JSON promise
// valid UTF-8.
func RenderMarkdown(src string) string {
	src = strings.ToValidUTF8(src, "\uFFFD")
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return sanitiser.Sanitize(src)
	}
	return string(sanitiser.SanitizeBytes(buf.Bytes()))
}
