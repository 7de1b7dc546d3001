package book

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/scaling-data/book/sim/labs"
)

// searchDoc is one searchable section: a chapter split at its h2 and h3
// headings, a glossary entry, or a lab.
type searchDoc struct {
	Page    string `json:"p"` // page title
	Heading string `json:"h"` // section heading ("" for the page's opening)
	URL     string `json:"u"` // relative URL with anchor
	Text    string `json:"x"` // plain text
}

// maxSectionText bounds the text kept per section; snippets and ranking
// need no more.
const maxSectionText = 4000

// sections splits a parsed page into searchable sections.
func sections(p *page) []searchDoc {
	src := p.Doc.Source
	cur := searchDoc{Page: p.Title, URL: p.Href}
	var out []searchDoc
	var body strings.Builder
	flush := func() {
		cur.Text = clip(strings.Join(strings.Fields(body.String()), " "), maxSectionText)
		if cur.Text != "" || cur.Heading != "" {
			out = append(out, cur)
		}
		body.Reset()
	}
	for n := p.Doc.AST.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level <= 3 && h.Level > 1 {
			flush()
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			cur = searchDoc{Page: p.Title, Heading: plainText(h, src), URL: p.Href + "#" + string(idb)}
			continue
		}
		body.WriteString(blockText(n, src))
		body.WriteByte(' ')
	}
	flush()
	return out
}

// blockText is the readable text of a block: paragraphs, lists, tables,
// callouts, code, and a lab figure's caption.
func blockText(n ast.Node, src []byte) string {
	switch b := n.(type) {
	case *SimBlock:
		return b.Figure.Lab.Schema.Title + ". " + b.Figure.Caption
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		var buf bytes.Buffer
		for i := 0; i < n.Lines().Len(); i++ {
			seg := n.Lines().At(i)
			buf.Write(seg.Value(src))
		}
		return buf.String()
	case *east.Table:
		var parts []string
		for row := b.FirstChild(); row != nil; row = row.NextSibling() {
			for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
				parts = append(parts, plainText(cell, src))
			}
		}
		return strings.Join(parts, " ")
	}
	if n.Type() == ast.TypeBlock && n.HasChildren() && n.FirstChild().Type() == ast.TypeBlock {
		var parts []string
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			parts = append(parts, blockText(c, src))
		}
		return strings.Join(parts, " ")
	}
	return plainText(n, src)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < 0 {
		cut = n
	}
	return s[:cut] + " …"
}

// searchIndex is the whole index: documents, and for each term the
// documents it occurs in with its weight there. It is written as a script
// (not JSON fetched at run time) so search works from file:// too.
type searchIndex struct {
	Docs  []searchDoc         `json:"docs"`
	Terms map[string][][2]int `json:"terms"` // term → [doc, weight]
}

// tokens splits text into lower-case search terms (letters and digits).
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// stopWords are too common to help ranking.
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "and": true, "or": true, "of": true, "to": true, "in": true,
	"is": true, "it": true, "that": true, "for": true, "on": true, "as": true, "with": true, "by": true,
	"be": true, "are": true, "this": true, "at": true, "from": true, "its": true, "was": true, "if": true,
}

// buildSearch indexes every page section, and every lab by its title,
// summary and parameters (pointing at the figure that shows it).
func (b *builder) buildSearch() ([]byte, error) {
	var docs []searchDoc
	labAt := map[string]string{}
	for _, p := range b.pages {
		docs = append(docs, sections(p)...)
		for _, f := range p.Doc.Figures {
			if _, ok := labAt[f.Lab.Schema.Name]; !ok {
				labAt[f.Lab.Schema.Name] = p.Href + "#" + f.ID
			}
		}
	}
	for _, l := range labs.All() {
		s := l.Schema
		url, ok := labAt[s.Name]
		if !ok {
			url = "embed/" + s.Name + ".html"
		}
		var words []string
		for _, p := range s.Params {
			words = append(words, p.Label, p.Help)
		}
		for _, a := range s.Actions {
			words = append(words, a.Label)
		}
		docs = append(docs, searchDoc{Page: "Lab: " + s.Title, URL: url, Text: s.Summary + " " + strings.Join(words, " ")})
	}
	idx := searchIndex{Docs: docs, Terms: map[string][][2]int{}}
	for i, d := range docs {
		weights := map[string]int{}
		for _, t := range tokens(d.Text) {
			weights[t]++
		}
		for _, t := range tokens(d.Page + " " + d.Heading) {
			weights[t] += 10 // a term in a heading says what the section is about
		}
		for t, w := range weights {
			if stopWords[t] || len(t) < 2 {
				continue
			}
			idx.Terms[t] = append(idx.Terms[t], [2]int{i, w})
		}
	}
	data, err := json.Marshal(idx) // map keys are sorted: the output is reproducible
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString("// Search index of Scaling Data, generated by the book compiler.\nwindow.SCALINGDATA_SEARCH = ")
	out.Write(data)
	out.WriteString(";\n")
	return out.Bytes(), nil
}

// glossary maps each term's anchor in glossary.md to its definition (the
// first paragraph after the term's heading), for tooltips on term links.
func (b *builder) glossary() map[string]string {
	out := map[string]string{}
	for _, p := range b.pages {
		if p.File != "glossary.md" {
			continue
		}
		src := p.Doc.Source
		for n := p.Doc.AST.FirstChild(); n != nil; n = n.NextSibling() {
			h, ok := n.(*ast.Heading)
			if !ok {
				continue
			}
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			if para, ok := h.NextSibling().(*ast.Paragraph); ok && len(idb) > 0 {
				out[string(idb)] = clip(plainText(para, src), 400)
			}
		}
	}
	return out
}

// glossaryScript is assets/glossary.js.
func (b *builder) glossaryScript() ([]byte, error) {
	data, err := json.Marshal(b.glossary())
	if err != nil {
		return nil, err
	}
	return append(append([]byte("// Glossary definitions of Scaling Data, generated by the book compiler.\nwindow.SCALINGDATA_GLOSSARY = "), data...), ";\n"...), nil
}
