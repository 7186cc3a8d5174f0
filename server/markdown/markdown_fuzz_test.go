package markdown_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/perushtitsa/council/server/markdown"
)

var renderer = markdown.New()

// FuzzRenderMarkdown renders arbitrary Markdown and checks the HTML as a browser would read
// it: nothing that runs script, loads a frame or plugin, or styles the page; links that carry
// rel="nofollow"; valid UTF-8. testdata/fuzz/FuzzRenderMarkdown holds the XSS vectors.
func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{
		"",
		"Предлагаме **по-дълго** работно време на _приемната_ — „за всички“.",
		"# Заглавие\n\n- едно\n- две\n\n1. три\n\n> цитат\n\n```go\nfmt.Println(1)\n```\n",
		"[общината](https://perushtitsa.bg) и <https://example.org/a?b=c&d=e> и www.example.com",
		"![герб](/static/gerb.png \"Герб\") ~~старо~~ `код`",
		"| a | b |\n|---|---|\n| 1 | 2 |\n",
		"a@example.bg, mailto:a@example.bg",
		"[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](vbscript:msgbox(1)) [d](data:text/html,<script>alert(1)</script>)",
		"<script>alert(1)</script><img src=x onerror=alert(1)>",
		"[a](<javascript:alert(1)>) <javascript:alert(1)>",
		"[ref]\n\n[ref]: javascript:alert(1) \"t\"",
		"[x](https://a.example \"\\\" onmouseover=\\\"alert(1)\")",
		"a\xffb\xc3(\xed\xa0\x80",
		"a\x00b",
		strings.Repeat("> ", 600) + "[deep](javascript:alert(1))",
		strings.Repeat("ж", 2000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkRendered(t, renderer.Render(src))
	})
}

// TestRenderMarkdownLongInput renders input as long as a body may be (20 000 characters) and
// as deeply nested as that allows.
func TestRenderMarkdownLongInput(t *testing.T) {
	for name, src := range map[string]string{
		"blockquotes":   strings.Repeat("> ", 10000),
		"ordered lists": strings.Repeat("1. ", 6666) + "x",
		"emphasis":      strings.Repeat("*a_", 6666),
		"brackets":      strings.Repeat("[", 19000) + strings.Repeat("](x)", 250),
		"links":         strings.Repeat("[a](javascript:alert(1))", 800),
	} {
		t.Run(name, func(t *testing.T) { checkRendered(t, renderer.Render(src)) })
	}
}

func checkRendered(t *testing.T, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output is not UTF-8: %q", short(out))
	}
	checkSafeTokens(t, out)
	checkSafeTree(t, out)
}

// Elements user content must never contain: they run script, load other documents or plugins,
// change the page's base, styles or metadata, or build forms.
var forbiddenElements = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "frameset": true,
	"object": true, "embed": true, "applet": true, "param": true, "base": true, "link": true,
	"meta": true, "form": true, "input": true, "button": true, "textarea": true, "select": true,
	"option": true, "svg": true, "math": true, "template": true, "noscript": true,
	"noembed": true, "noframes": true, "xmp": true, "plaintext": true, "title": true,
	"audio": true, "video": true, "source": true, "track": true, "portal": true,
	"html": true, "head": true, "body": true,
}

// Attributes whose value a browser loads or navigates to.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "cite": true, "action": true, "formaction": true,
	"background": true, "poster": true, "srcset": true, "data": true, "codebase": true,
	"longdesc": true, "lowsrc": true, "dynsrc": true, "manifest": true, "ping": true,
	"xlink:href": true,
}

// allowedSchemes are the URL schemes the policy lets through; anything else, javascript:,
// vbscript: and data: included, must be gone.
var allowedSchemes = map[string]bool{"http": true, "https": true, "mailto": true}

var schemePattern = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.\-]*):`)

// urlScheme is the scheme a browser reads from an attribute value: it strips leading and
// trailing C0 controls and spaces and drops tabs and newlines anywhere (the WHATWG URL parser).
func urlScheme(v string) string {
	v = strings.Trim(v, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"+
		"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	if m := schemePattern.FindStringSubmatch(v); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// checkElement checks one element's name and attributes.
func checkElement(t *testing.T, name string, attrs []html.Attribute, out string) {
	t.Helper()
	if forbiddenElements[name] {
		t.Fatalf("<%s> in output: %q", name, short(out))
	}
	var href, rel, target string
	hasHref := false
	for _, a := range attrs {
		key := strings.ToLower(a.Key)
		switch {
		case strings.HasPrefix(key, "on"), key == "style", key == "srcdoc":
			t.Fatalf("<%s %s=%q> in output: %q", name, key, a.Val, short(out))
		case urlAttributes[key]:
			if s := urlScheme(a.Val); s != "" && !allowedSchemes[s] {
				t.Fatalf("<%s %s=%q>: scheme %s: in output: %q", name, key, a.Val, s, short(out))
			}
		}
		switch key {
		case "href":
			href, hasHref = a.Val, true
		case "rel":
			rel = a.Val
		case "target":
			target = a.Val
		}
	}
	if (name == "a" || name == "area") && hasHref {
		tokens := strings.Fields(strings.ToLower(rel))
		if !contains(tokens, "nofollow") {
			t.Fatalf("<%s href=%q> without rel=nofollow (rel=%q): %q", name, href, rel, short(out))
		}
		if strings.EqualFold(target, "_blank") && !contains(tokens, "noopener") {
			t.Fatalf("<%s href=%q target=_blank> without rel=noopener (rel=%q): %q", name, href, rel, short(out))
		}
	}
}

// short keeps failure messages readable when the output is long.
func short(s string) string {
	if len(s) <= 400 {
		return s
	}
	return s[:200] + fmt.Sprintf(" …(%d bytes)… ", len(s)) + s[len(s)-200:]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkSafeTokens reads the output with the HTML tokenizer.
func checkSafeTokens(t *testing.T, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			checkElement(t, tok.Data, tok.Attr, out)
		case html.CommentToken, html.DoctypeToken:
			t.Fatalf("comment or doctype in output: %q", short(out))
		}
	}
}

// checkSafeTree parses the output as the content of a <div>, as the pages and the live client
// insert it, checks every element, then renders and parses the tree again (what reading back
// innerHTML does) and checks that too: markup must not turn into something else on reparsing.
func checkSafeTree(t *testing.T, out string) {
	t.Helper()
	context := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	once := parseChecked(t, out, context)
	var buf bytes.Buffer
	for _, n := range once {
		if err := html.Render(&buf, n); err != nil {
			t.Fatalf("render %q: %v", short(out), err)
		}
	}
	parseChecked(t, buf.String(), context)
}

func parseChecked(t *testing.T, s string, context *html.Node) []*html.Node {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(s), context)
	if err != nil {
		// Beyond 512 open elements the parser gives up, as browsers stop nesting there (they
		// flatten what is deeper); the tokenizer has checked every tag regardless.
		if strings.Contains(err.Error(), "open stack of elements exceeds") {
			return nil
		}
		t.Fatalf("parse %q: %v", short(s), err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			checkElement(t, n.Data, n.Attr, s)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return nodes
}
