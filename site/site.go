// Package site holds the page templates (html/template), the stylesheet and
// the small vanilla scripts of the book: page shell, lab host, embed page and
// the lab frame that runs the WebAssembly binary. The compiler in book/
// embeds them; nothing here is fetched from a third party.
package site

import "embed"

// FS holds templates/, static/ (published under assets/), embed/ (the
// host script for course pages, published as embed/resize.js) and hosting/
// (server configurations, published under embed/hosting/ and shown in the
// hosting guide).
//
//go:embed templates/*.html static/* embed/* hosting/*
var FS embed.FS
