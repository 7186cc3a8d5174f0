package mail

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"text/template"

	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/web"
)

// templates holds each kind of mail in each language, parsed once.
type templates struct {
	byKey map[string]*template.Template // "<kind>.<lang>"
}

// view is what a mail's template fills in.
type view struct {
	Data        map[string]string // the words written when the mail was queued
	Link        string            // the link the mail is about; for a reset, an invitation or a confirmation, its secret
	Unsubscribe string            // the one-click unsubscribe link of a notification, else ""
	SHA256      string            // the record's digest, for a round's results
}

func loadTemplates() (*templates, error) {
	fsys := web.MailTemplates()
	t := &templates{byKey: map[string]*template.Template{}}
	for _, kind := range model.MailKinds {
		for _, lang := range web.Langs {
			name := "mail/" + kind + "." + lang + ".txt"
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("mail: no template %s: %w", name, err)
			}
			tpl, err := template.New(name).Option("missingkey=zero").Parse(string(src))
			if err != nil {
				return nil, fmt.Errorf("mail: unable to parse %s: %w", name, err)
			}
			for _, part := range []string{"subject", "body"} {
				if tpl.Lookup(part) == nil {
					return nil, fmt.Errorf("mail: %s defines no %q", name, part)
				}
			}
			t.byKey[kind+"."+lang] = tpl
		}
	}
	return t, nil
}

// render writes one part ("subject" or "body") of a kind of mail in a language.
func (t *templates) render(kind, lang, part string, v view) (string, error) {
	tpl, ok := t.byKey[kind+"."+web.Lang(lang)]
	if !ok {
		return "", fmt.Errorf("mail: no template for %s", kind)
	}
	var b bytes.Buffer
	if err := tpl.ExecuteTemplate(&b, part, v); err != nil {
		return "", fmt.Errorf("mail: unable to render the %s of %s: %w", part, kind, err)
	}
	out := strings.TrimSpace(b.String())
	if part == "subject" {
		out = strings.Join(strings.Fields(out), " ") // one line, whatever the data held
	}
	return out, nil
}
