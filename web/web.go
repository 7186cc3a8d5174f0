// Package web holds what the browser receives: page templates, static files and translations,
// all embedded in the binary, with the Go code that loads and renders them.
package web

import (
	"embed"
	"io/fs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed i18n/*.json
var i18nFS embed.FS

// Static returns the static files (CSS, JavaScript modules) rooted so that "css/app.css" is
// served under /static/css/app.css.
func Static() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the directory is embedded; this cannot fail
	}
	return sub
}
