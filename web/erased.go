package web

import (
	"bytes"
	"regexp"

	"github.com/perushtitsa/council/server/model"
)

// erasedName matches the name an erased account goes by, as the database keeps it (in the
// platform's language, model.ErasedName); nobody else may take such a name.
var erasedName = regexp.MustCompile(regexp.QuoteMeta(model.ErasedPrefix) + `(\d+)`)

// localiseErasedNames shows erased accounts' names in the page's language: an erased account
// goes by one name wherever it is kept (the pages' data, the API, the record's events), and an
// English page reads it as model.ErasedNameEnglish.
func localiseErasedNames(page []byte, lang string) []byte {
	if lang == DefaultLang || !bytes.Contains(page, []byte(model.ErasedPrefix)) {
		return page
	}
	return erasedName.ReplaceAll(page, []byte(model.ErasedPrefixEnglish+"${1}"))
}
