package book

import (
	"bytes"
	"html"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Callout kinds: GitHub's alerts plus our own.
var calloutTitles = map[string]string{
	"NOTE":       "Note",
	"TIP":        "Tip",
	"IMPORTANT":  "Important",
	"WARNING":    "Warning",
	"CAUTION":    "Caution",
	"TAKEAWAY":   "Key takeaways",
	"CASE STUDY": "Case study",
	"ANSWER":     "Show the answer",
}

// KindCallout is the AST kind of a callout.
var KindCallout = ast.NewNodeKind("Callout")

// Callout is a block quote that starts with a marker such as [!NOTE].
type Callout struct {
	ast.BaseBlock
	Kind_ string // "NOTE", "CASE STUDY" …
	Title string // the marker's default title or the author's own
}

func (n *Callout) Kind() ast.NodeKind { return KindCallout }

func (n *Callout) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Kind": n.Kind_, "Title": n.Title}, nil)
}

var calloutMarker = regexp.MustCompile(`^\[!([A-Za-z]+(?: [A-Za-z]+)?)\][ \t]*(.*)$`)

// calloutTransformer turns marked block quotes into Callout nodes. An unknown
// marker is reported as a build error.
type calloutTransformer struct{}

func (calloutTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var quotes []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if q, ok := n.(*ast.Blockquote); ok && entering {
			quotes = append(quotes, q)
		}
		return ast.WalkContinue, nil
	})
	for _, q := range quotes {
		para, ok := q.FirstChild().(*ast.Paragraph)
		if !ok || para.Lines().Len() == 0 {
			continue
		}
		first := para.Lines().At(0)
		m := calloutMarker.FindSubmatch(bytes.TrimRight(first.Value(src), "\r\n"))
		if m == nil {
			continue
		}
		kind := strings.ToUpper(string(m[1]))
		title, known := calloutTitles[kind]
		if !known {
			addError(pc, lineOf(pc, src, first.Start), "unknown callout [!%s] (known: NOTE, TIP, IMPORTANT, WARNING, CAUTION, TAKEAWAY, CASE STUDY, ANSWER)", m[1])
			continue
		}
		if own := strings.TrimSpace(string(m[2])); own != "" {
			title = own
		}
		dropFirstLine(para, first.Stop)
		c := &Callout{Kind_: kind, Title: title}
		for child := q.FirstChild(); child != nil; {
			next := child.NextSibling()
			if p, ok := child.(*ast.Paragraph); ok && p.ChildCount() == 0 {
				q.RemoveChild(q, child)
			} else {
				c.AppendChild(c, child)
			}
			child = next
		}
		q.Parent().ReplaceChild(q.Parent(), q, c)
	}
}

// dropFirstLine removes the inline nodes of a paragraph's first line (the
// callout marker). Marker lines hold only text, so their nodes are Text.
func dropFirstLine(para *ast.Paragraph, stop int) {
	for child := para.FirstChild(); child != nil; {
		next := child.NextSibling()
		t, ok := child.(*ast.Text)
		if !ok || t.Segment.Start >= stop {
			break
		}
		para.RemoveChild(para, child)
		if t.Segment.Stop >= stop || t.SoftLineBreak() || t.HardLineBreak() {
			break
		}
		child = next
	}
	lines := para.Lines()
	rest := text.NewSegments()
	for i := 1; i < lines.Len(); i++ {
		rest.Append(lines.At(i))
	}
	para.SetLines(rest)
}

type calloutRenderer struct{}

func (calloutRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindCallout, func(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		c := node.(*Callout)
		class := strings.ToLower(strings.ReplaceAll(c.Kind_, " ", "-"))
		if c.Kind_ == "ANSWER" {
			if entering {
				_, _ = w.WriteString(`<details class="answer"><summary>` + html.EscapeString(c.Title) + "</summary>\n")
			} else {
				_, _ = w.WriteString("</details>\n")
			}
			return ast.WalkContinue, nil
		}
		if entering {
			_, _ = w.WriteString(`<aside class="callout callout-` + class + `"><p class="callout-title">` + html.EscapeString(c.Title) + "</p>\n")
		} else {
			_, _ = w.WriteString("</aside>\n")
		}
		return ast.WalkContinue, nil
	})
}
