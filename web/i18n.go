package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// DefaultLang is the language shown to anyone who has not chosen another.
const DefaultLang = "bg"

// Langs lists the supported languages, default first.
var Langs = []string{"bg", "en"}

// message is one translation: either plain text or plural forms keyed by CLDR category.
type message struct {
	text   string
	plural map[string]string
}

// UnmarshalJSON accepts a string or an object of plural forms {"one": …, "other": …}.
func (m *message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &m.text)
	}
	return json.Unmarshal(b, &m.plural)
}

// Translator looks up the interface's strings by language and key. Messages are fmt formats;
// where the order of arguments differs between languages they use explicit indexes (%[2]s).
type Translator struct {
	msgs map[string]map[string]message
}

// LoadTranslator reads every i18n/<lang>.json and i18n/<lang>.<area>.json file of fsys: each
// area of the platform (signals, surveys, accounts…) may keep its words in a file of its own.
// A key given twice for one language is an error.
func LoadTranslator(fsys fs.FS) (*Translator, error) {
	files, err := fs.Glob(fsys, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	tr := &Translator{msgs: map[string]map[string]message{}}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		m := map[string]message{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web: unable to parse %s: %w", f, err)
		}
		lang, _, _ := strings.Cut(strings.TrimSuffix(path.Base(f), ".json"), ".")
		if tr.msgs[lang] == nil {
			tr.msgs[lang] = map[string]message{}
		}
		for k, v := range m {
			if _, dup := tr.msgs[lang][k]; dup {
				return nil, fmt.Errorf("web: %s gives %q again", f, k)
			}
			tr.msgs[lang][k] = v
		}
	}
	if _, ok := tr.msgs[DefaultLang]; !ok {
		return nil, fmt.Errorf("web: no translations for the default language %q", DefaultLang)
	}
	return tr, nil
}

// Translations loads the embedded translations.
func Translations() (*Translator, error) { return LoadTranslator(i18nFS) }

// OtherLang is the language the switch on every page offers: the one lang is not.
func OtherLang(lang string) string {
	if Lang(lang) == "bg" {
		return "en"
	}
	return "bg"
}

// Lang returns lang when it is supported, else the default language.
func Lang(lang string) string {
	for _, l := range Langs {
		if l == lang {
			return l
		}
	}
	return DefaultLang
}

func (t *Translator) lookup(lang, key string) (message, bool) {
	if m, ok := t.msgs[lang][key]; ok {
		return m, true
	}
	m, ok := t.msgs[DefaultLang][key]
	return m, ok
}

// T returns the text for key in lang, formatted with args; a missing key falls back to the
// default language, then to the key itself so that a gap is visible rather than blank.
func (t *Translator) T(lang, key string, args ...any) string {
	m, ok := t.lookup(lang, key)
	if !ok {
		return key
	}
	text := m.text
	if m.plural != nil {
		text = m.plural["other"]
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// FieldError translates a field error code for a field: the field's own wording when there is
// one (field.error.<field>.<code>), else the code's (field.error.<code>), else a plain "not valid".
func (t *Translator) FieldError(lang, field, code string) string {
	for _, key := range []string{"field.error." + field + "." + code, "field.error." + code} {
		if _, ok := t.lookup(lang, key); ok {
			return t.T(lang, key)
		}
	}
	return t.T(lang, "field.error.invalid")
}

// N returns the plural form of key that fits n in lang, formatted with n and then args.
func (t *Translator) N(lang, key string, n int, args ...any) string {
	m, ok := t.lookup(lang, key)
	if !ok {
		return key
	}
	text := m.text
	if m.plural != nil {
		text = m.plural[PluralCategory(lang, n)]
		if text == "" {
			text = m.plural["other"]
		}
	}
	return fmt.Sprintf(text, append([]any{n}, args...)...)
}

// PluralCategory returns the CLDR plural category of n for lang. Bulgarian and English
// both distinguish "one" (exactly 1) from "other" for whole numbers.
func PluralCategory(lang string, n int) string {
	switch lang {
	default: // bg, en
		if n == 1 || n == -1 {
			return "one"
		}
		return "other"
	}
}

// Keys returns the sorted keys of lang, for the tests that compare languages.
func (t *Translator) Keys(lang string) []string {
	keys := make([]string, 0, len(t.msgs[lang]))
	for k := range t.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// IsPlural reports whether key in lang has plural forms.
func (t *Translator) IsPlural(lang, key string) bool {
	m, ok := t.msgs[lang][key]
	return ok && m.plural != nil
}

// Prefixed returns every message of lang whose key starts with one of prefixes, for the
// scripts; plural messages appear once per form, as "key.one" and "key.other".
func (t *Translator) Prefixed(lang string, prefixes ...string) map[string]string {
	out := map[string]string{}
	for _, l := range []string{DefaultLang, lang} {
		for k, m := range t.msgs[l] {
			for _, prefix := range prefixes {
				if !strings.HasPrefix(k, prefix) {
					continue
				}
				if m.plural == nil {
					out[k] = m.text
				}
				for form, text := range m.plural {
					out[k+"."+form] = text
				}
			}
		}
	}
	return out
}
