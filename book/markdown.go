package book

import (
	"fmt"
	"html"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"go.abhg.dev/goldmark/anchor"
)

// Meta is a chapter's front matter.
type Meta struct {
	Title   string `yaml:"title"`
	Summary string `yaml:"summary"`
}

// Heading is a section of a page, for the table of contents and link checks.
type Heading struct {
	Level int
	ID    string
	Text  string
}

// Link is a relative link found in a page, checked once every page is known.
type Link struct {
	Line   int
	Target string // chapter file ("04-quorums.md") or "" for this page
	Frag   string // heading id, or ""
}

// Doc is a parsed chapter.
type Doc struct {
	File     string
	Meta     Meta
	AST      ast.Node
	Source   []byte
	Headings []Heading
	IDs      map[string]bool // every id on the page: headings, figures, footnotes
	Links    []Link
	Figures  []*Figure
	Errors   []error
}

var (
	errorsKey  = parser.NewContextKey()
	figuresKey = parser.NewContextKey()
	linksKey   = parser.NewContextKey()
)

type figureList struct{ list []*Figure }

func (f *figureList) add(fig *Figure) { f.list = append(f.list, fig) }

func figures(pc parser.Context) *figureList {
	if v, ok := pc.Get(figuresKey).(*figureList); ok {
		return v
	}
	f := &figureList{}
	pc.Set(figuresKey, f)
	return f
}

type lineError struct {
	Line int
	Msg  string
}

func addError(pc parser.Context, line int, format string, args ...any) {
	list, _ := pc.Get(errorsKey).([]lineError)
	pc.Set(errorsKey, append(list, lineError{line, fmt.Sprintf(format, args...)}))
}

// lineIndex holds the offset of every line start of a source, so finding
// the line of a byte offset is a binary search, not a count from the top
// (which made the compiler quadratic in the number of links).
type lineIndex []int

func newLineIndex(src []byte) lineIndex {
	ix := lineIndex{0}
	for i, c := range src {
		if c == '\n' {
			ix = append(ix, i+1)
		}
	}
	return ix
}

// line is the 1-based line number of byte offset off.
func (ix lineIndex) line(off int) int {
	return sort.Search(len(ix), func(i int) bool { return ix[i] > off })
}

var linesKey = parser.NewContextKey()

// lineOf is the 1-based line number of byte offset off in src, from an
// index built once per parse and kept in pc.
func lineOf(pc parser.Context, src []byte, off int) int {
	ix, ok := pc.Get(linesKey).(lineIndex)
	if !ok {
		ix = newLineIndex(src)
		pc.Set(linesKey, ix)
	}
	return ix.line(off)
}

// newMarkdown builds the goldmark pipeline: GFM, footnotes, typographer,
// heading ids with visible anchors, chroma highlighting with CSS classes
// (codeRenderer), only safe {…} attributes (attributeTransformer),
// callouts, sim blocks and link rewriting. Raw HTML stays off.
func newMarkdown(figure func(w util.BufWriter, fig *Figure) error) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.GFM,
			extension.Footnote,
			extension.Typographer,
			&anchor.Extender{Texter: anchor.Text("#"), Position: anchor.After},
		),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithInlineParsers(util.Prioritized(computedParser{}, 50)),
			parser.WithAttribute(),
			parser.WithASTTransformers(
				util.Prioritized(attributeTransformer{}, 5),
				util.Prioritized(simTransformer{}, 10),
				util.Prioritized(calloutTransformer{}, 20),
				util.Prioritized(linkTransformer{}, 30),
			),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(
				util.Prioritized(calloutRenderer{}, 100),
				util.Prioritized(simRenderer{render: figure}, 100),
				util.Prioritized(computedRenderer{}, 100),
				util.Prioritized(codeRenderer{}, 100),
			),
		),
	)
}

// linkTransformer records relative links and points links to chapters at
// their pages: "04-quorums.md#overlap" → "quorums.html#overlap".
type linkTransformer struct{}

func (linkTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var links []Link
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var dest *[]byte
		switch l := n.(type) {
		case *ast.Link:
			dest = &l.Destination
		case *ast.Image:
			dest = &l.Destination
		default:
			return ast.WalkContinue, nil
		}
		u, err := url.Parse(string(*dest))
		line := blockLine(pc, n, src)
		if err != nil {
			addError(pc, line, "bad link %q: %v", *dest, err)
			return ast.WalkContinue, nil
		}
		if u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "/") {
			return ast.WalkContinue, nil
		}
		if _, isImg := n.(*ast.Image); isImg {
			links = append(links, Link{Line: line, Target: u.Path})
			return ast.WalkContinue, nil
		}
		if u.Path != "" && path.Ext(u.Path) != ".md" {
			links = append(links, Link{Line: line, Target: u.Path})
			return ast.WalkContinue, nil
		}
		links = append(links, Link{Line: line, Target: u.Path, Frag: u.Fragment})
		if u.Path != "" {
			out := Slug(u.Path) + ".html"
			if u.Fragment != "" {
				out += "#" + u.Fragment
			}
			*dest = []byte(out)
		}
		return ast.WalkContinue, nil
	})
	pc.Set(linksKey, links)
}

// blockLine finds the line of the nearest enclosing block with lines.
func blockLine(pc parser.Context, n ast.Node, src []byte) int {
	for ; n != nil; n = n.Parent() {
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return lineOf(pc, src, n.Lines().At(0).Start)
		}
	}
	return 0
}

// Parse reads one chapter. Errors in sim blocks, callouts, front matter and
// links are collected in Doc.Errors with file:line. A chapter beyond the
// limits (see checkLimits) is not parsed: Doc.AST is an empty document.
// Doc.Source is the chapter with its front matter blanked out (same byte
// offsets and lines as the file).
func Parse(md goldmark.Markdown, file string, src []byte) *Doc {
	d := &Doc{File: file, IDs: map[string]bool{}}
	body, errs := parseFrontMatter(file, src, &d.Meta)
	d.Errors = append(d.Errors, errs...)
	d.Source = body
	if errs := checkLimits(file, body); len(errs) > 0 {
		d.Errors = append(d.Errors, errs...)
		d.AST = ast.NewDocument()
		return d
	}
	pc := parser.NewContext()
	root := md.Parser().Parse(text.NewReader(body), parser.WithContext(pc))
	d.AST = root
	src = body
	d.Errors = append(d.Errors, checkTables(pc, file, root, src)...)
	if list, ok := pc.Get(errorsKey).([]lineError); ok {
		for _, e := range list {
			d.Errors = append(d.Errors, fmt.Errorf("%s:%d: %s", file, e.Line, e.Msg))
		}
	}
	d.Figures = figures(pc).list
	d.Links, _ = pc.Get(linksKey).([]Link)
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if id, ok := n.AttributeString("id"); ok {
			if b, ok := id.([]byte); ok {
				d.IDs[string(b)] = true
				if h, ok := n.(*ast.Heading); ok {
					d.Headings = append(d.Headings, Heading{Level: h.Level, ID: string(b), Text: plainText(h, src)})
				}
			}
		}
		return ast.WalkContinue, nil
	})
	for _, f := range d.Figures {
		d.IDs[f.ID] = true
	}
	if d.Meta.Title == "" {
		for _, h := range d.Headings {
			if h.Level == 1 {
				d.Meta.Title = h.Text
				break
			}
		}
	}
	return d
}

// plainText is a node's text without markup (for titles and the TOC).
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *Computed:
			b.WriteString(t.Value)
		case *ast.String:
			b.WriteString(html.UnescapeString(string(t.Value)))
		case *ast.CodeSpan:
			for ch := t.FirstChild(); ch != nil; ch = ch.NextSibling() {
				if tt, ok := ch.(*ast.Text); ok {
					b.Write(tt.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}
