package book

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
)

// The print page holds the whole book on one page, for print-to-PDF: a
// chapter per printed section with page breaks, footnotes kept, and each
// lab shown as its poster with its caption and a link to the live lab.

var (
	idAttr    = regexp.MustCompile(`\sid="([^"]+)"`)
	ariaRef   = regexp.MustCompile(`\saria-labelledby="([^"]+)"`)
	localHref = regexp.MustCompile(`\shref="#([^"]*)"`)
	pageHref  = regexp.MustCompile(`\shref="([a-z0-9-]+)\.html(?:#([^"]*))?"`)
)

// printBody rewrites one chapter's HTML for the shared page: ids get the
// chapter's prefix (every chapter has a "further-reading"), and links
// between chapters become links within the page.
func printBody(p *page, pages map[string]string) string {
	prefix := strings.TrimSuffix(p.Href, ".html") + "--"
	s := idAttr.ReplaceAllString(p.Body, ` id="`+prefix+`$1"`)
	s = ariaRef.ReplaceAllString(s, ` aria-labelledby="`+prefix+`$1"`)
	s = localHref.ReplaceAllString(s, ` href="#`+prefix+`$1"`)
	s = pageHref.ReplaceAllStringFunc(s, func(m string) string {
		sub := pageHref.FindStringSubmatch(m)
		target, ok := pages[sub[1]+".html"]
		if !ok {
			return m
		}
		if sub[2] == "" {
			return ` href="#` + target + `"`
		}
		return ` href="#` + strings.TrimSuffix(target, "top") + sub[2] + `"`
	})
	return s
}

type printChapter struct {
	ID, Title string
	Heading   bool // the chapter has no h1 of its own
	Body      template.HTML
}

// tocEntry is one line of the print page's contents, with the chapters
// nested under their part as SUMMARY.md nests them.
type tocEntry struct {
	ID, Title string
	Children  []*tocEntry
}

// nestTOC turns pages in reading order, each with its SUMMARY.md level,
// into a tree.
func nestTOC(pages []*page, anchors map[string]string) []*tocEntry {
	var roots []*tocEntry
	var stack []*tocEntry // stack[i] is the last entry at level i
	for _, p := range pages {
		e := &tocEntry{ID: anchors[p.Href], Title: p.Title}
		level := min(p.Level, len(stack))
		stack = append(stack[:level], e)
		if level == 0 {
			roots = append(roots, e)
		} else {
			parent := stack[level-1]
			parent.Children = append(parent.Children, e)
		}
	}
	return roots
}

func (b *builder) renderPrint() error {
	anchors := map[string]string{} // page → its top anchor on the print page
	for _, p := range b.pages {
		anchors[p.Href] = strings.TrimSuffix(p.Href, ".html") + "--top"
	}
	var chapters []printChapter
	for _, p := range b.pages {
		chapters = append(chapters, printChapter{
			ID:      anchors[p.Href],
			Title:   p.Title,
			Heading: !hasH1(p.Doc),
			Body:    template.HTML(printBody(p, anchors)), // rewritten goldmark output
		})
	}
	var out bytes.Buffer
	data := struct {
		pageData
		Chapters []printChapter
		TOC      []*tocEntry
	}{pageData{Book: BookTitle, Title: "The whole book", Version: b.version()}, chapters, nestTOC(b.pages, anchors)}
	if err := b.tmpl.ExecuteTemplate(&out, "print", data); err != nil {
		return err
	}
	b.files["print.html"] = out.Bytes()
	return nil
}
