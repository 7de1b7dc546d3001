// Package site holds the page templates (html/template), the stylesheet and
// the small vanilla scripts of the book: page shell, lab host, embed page and
// the lab frame that runs the WebAssembly binary. The compiler in book/
// embeds them; nothing here is fetched from a third party.
package site

import "embed"

// FS holds templates/ and static/.
//
//go:embed templates/*.html static/*
var FS embed.FS
