package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perushtitsa/council/server/model"
)

// Renderer renders the pages: one template set per language and page, parsed once.
type Renderer struct {
	tr    *Translator
	pages map[string]map[string]*template.Template // lang → page → template
	now   func() time.Time
}

// Templates parses the embedded templates for every language.
func Templates() (*Renderer, error) {
	tr, err := Translations()
	if err != nil {
		return nil, err
	}
	return NewRenderer(templateFS, tr)
}

// NewRenderer parses templates/*.html of fsys: layout.html and partials*.html (an area may keep
// its partials in a file of its own, partials_<area>.html) are shared, every other file is one
// page that defines "content".
func NewRenderer(fsys fs.FS, tr *Translator) (*Renderer, error) {
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	r := &Renderer{tr: tr, pages: map[string]map[string]*template.Template{}, now: time.Now}
	for _, lang := range Langs {
		base, err := template.New("layout.html").Funcs(r.funcs(lang)).ParseFS(fsys, "templates/layout.html", "templates/partials*.html")
		if err != nil {
			return nil, fmt.Errorf("web: unable to parse the layout: %w", err)
		}
		r.pages[lang] = map[string]*template.Template{}
		for _, f := range files {
			name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
			if name == "layout" || strings.HasPrefix(name, "partials") {
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("web: unable to parse %s: %w", f, err)
			}
			r.pages[lang][name] = t
		}
	}
	return r, nil
}

// Translator returns the translations the renderer uses.
func (r *Renderer) Translator() *Translator { return r.tr }

// Has reports whether a page template exists.
func (r *Renderer) Has(page string) bool {
	_, ok := r.pages[DefaultLang][page]
	return ok
}

// Render writes page p, wrapped in the layout, in p.Lang. The page is rendered into a buffer
// first so that a template error never sends half a page.
func (r *Renderer) Render(w io.Writer, page string, p *Page) error {
	p.Lang = Lang(p.Lang)
	t, ok := r.pages[p.Lang][page]
	if !ok {
		return fmt.Errorf("web: no page template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("web: unable to render %s: %w", page, err)
	}
	_, err := w.Write(localiseErasedNames(buf.Bytes(), p.Lang))
	return err
}

func (r *Renderer) funcs(lang string) template.FuncMap {
	tr := r.tr
	return template.FuncMap{
		"t":          func(key string, args ...any) string { return tr.T(lang, key, args...) },
		"fieldError": func(field, code string) string { return tr.FieldError(lang, field, code) },
		"plural":     func(key string, n int, args ...any) string { return tr.N(lang, key, n, args...) },
		"date":       func(v any) template.HTML { return timeTag(tr, lang, v, false) },
		"datetime":   func(v any) template.HTML { return timeTag(tr, lang, v, true) },
		"timeLeft": func(v any) string {
			t, ok := asTime(v)
			if !ok {
				return ""
			}
			return FormatLeft(tr, lang, r.now(), t)
		},
		"iso": func(v any) string {
			if t, ok := asTime(v); ok {
				return t.UTC().Format(time.RFC3339)
			}
			return ""
		},
		"localInput": func(v any) string { // the value of a datetime-local input, in Sofia
			if t, ok := asTime(v); ok {
				return t.In(Sofia).Format("2006-01-02T15:04")
			}
			return ""
		},
		"html":           trustedHTML,
		"pct":            Percent,
		"jsdata":         func() map[string]string { return tr.Prefixed(lang, jsPrefixes...) },
		"deref":          deref,
		"eq64":           func(a, b int64) bool { return a == b },
		"add":            func(a, b int) int { return a + b },
		"sub":            func(a, b int) int { return a - b },
		"dict":           dict,
		"groups":         func() []string { return model.Groups },
		"choices":        func() []string { return []string{model.ChoiceFor, model.ChoiceAgainst, model.ChoiceAbstain} },
		"emptyProposal":  EmptyProposal,
		"emptyOwn":       EmptyOwnProposal,
		"emptyTopic":     EmptyTopic,
		"emptyPost":      EmptyPost,
		"constituencies": func() []string { return model.Constituencies },
		"outcomeKinds":   func() []string { return []string{model.OutcomeAdopted, model.OutcomeRejected, model.OutcomeNoQuorum} },
		"otherLang":      func() string { return OtherLang(lang) },
		"langOf":         func(text string) template.HTMLAttr { return langAttr(lang, text) },
		"excerpt":        Excerpt,
		"numberOf": func(numbers map[int64]int, id *int64) int {
			if id == nil {
				return 0
			}
			return numbers[*id]
		},
		"quorumMet": QuorumMet,
		"quorumNeed": func(voters, eligible, quorum int) int {
			return max(QuorumVoters(eligible, quorum)-voters, 0)
		},
	}
}

// QuorumVoters is how many of eligible members must vote for a quorum of quorum per cent: the
// rule of the close (no quorum when voters·100 < quorum·eligible).
func QuorumVoters(eligible, quorum int) int {
	return (quorum*eligible + 99) / 100
}

// QuorumMet reports whether voters of eligible reach a quorum of quorum per cent.
func QuorumMet(voters, eligible, quorum int) bool {
	return voters*100 >= quorum*eligible
}

// Excerpt shortens text to about n characters for a list, cutting between words, with one
// "…" where it was cut (never after a full stop: "." and "…" together read as a typo).
func Excerpt(text string, n int) string {
	words := strings.Fields(text)
	out := strings.Join(words, " ")
	if utf8.RuneCountInString(out) <= n {
		return out
	}
	var b strings.Builder
	for _, w := range words {
		if utf8.RuneCountInString(b.String())+1+utf8.RuneCountInString(w) > n+1 {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	cut := b.String()
	if cut == "" { // one word longer than n
		cut = string([]rune(out)[:n])
	}
	return strings.TrimRight(cut, " .,;:!?…—–-") + "…"
}

// trustedHTML marks Markdown that the server rendered and sanitised (the BodyHTML fields) as
// safe to include. It must never be given anything else.
func trustedHTML(s string) template.HTML { return template.HTML(s) }

// Percent returns n as a whole percentage of total, 0 when total is 0, clamped to 0..100; the
// stylesheet has a width class for each value.
func Percent(n, total int) int {
	if total <= 0 || n <= 0 {
		return 0
	}
	p := int(math.Round(float64(n) * 100 / float64(total)))
	return min(max(p, 0), 100)
}

func deref(v any) any {
	switch p := v.(type) {
	case *string:
		if p == nil {
			return ""
		}
		return *p
	case *int64:
		if p == nil {
			return int64(0)
		}
		return *p
	}
	return v
}

func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// jsPrefixes are the translation keys the scripts use.
var jsPrefixes = []string{"js.", "unit.", "vote.", "month.", "format.", "topic.posts", "post.in_reply_to", "post.reply", "field.error."}
