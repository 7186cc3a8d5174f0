package web

import (
	"embed"
	"io/fs"
)

//go:embed mail/*.txt
var mailFS embed.FS

// MailTemplates returns the templates of the mails the platform sends, one file per kind and
// language, mail/<kind>.<lang>.txt (text/template), each defining "subject" and "body". Mails
// are plain text.
func MailTemplates() fs.FS { return mailFS }
