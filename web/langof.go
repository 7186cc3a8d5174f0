package web

import (
	"html/template"
	"unicode"
)

// LangOf guesses the language of people's text: "bg" when most of its letters are Cyrillic,
// "en" when most are Latin, "" when it has too few letters to tell. Pages mark user content
// whose language differs from the page's (WCAG 3.1.2), so that a screen reader reads a
// Bulgarian post on an English page in Bulgarian.
func LangOf(text string) string {
	cyr, lat := 0, 0
	for _, r := range text {
		if cyr+lat >= 400 { // enough to tell
			break
		}
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	switch {
	case cyr+lat < 3:
		return ""
	case cyr >= lat:
		return "bg"
	default:
		return "en"
	}
}

// langAttr is the lang attribute text in a page of pageLang needs: none when they agree or
// the text's language cannot be told.
func langAttr(pageLang, text string) template.HTMLAttr {
	l := LangOf(text)
	if l == "" || l == pageLang {
		return ""
	}
	return template.HTMLAttr(`lang="` + l + `"`)
}
