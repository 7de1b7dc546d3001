package book

import (
	"bytes"
	"html"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// codeRenderer writes fenced and indented code blocks. A fenced block whose
// language chroma knows is highlighted at build time with CSS classes (the
// palettes come from generatedCSS), never inline styles. Every <pre> gets
// tabindex="0": code scrolls sideways on small screens, and keyboard users
// must be able to focus it to scroll.
type codeRenderer struct{}

// codeWrapper is chroma's <pre><code> with tabindex and the language.
type codeWrapper struct{ lang string }

func (c codeWrapper) Start(code bool, styleAttr string) string {
	if !code {
		return `<pre tabindex="0"` + styleAttr + `>`
	}
	return `<pre tabindex="0"` + styleAttr + `><code class="language-` + html.EscapeString(c.lang) + `">`
}

func (c codeWrapper) End(code bool) string {
	if !code {
		return `</pre>`
	}
	return `</code></pre>`
}

func (codeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, renderFencedCode)
	reg.Register(ast.KindCodeBlock, func(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString(`<pre tabindex="0"><code>`)
			writeLines(w, src, node, true)
			_, _ = w.WriteString("</code></pre>\n")
		}
		return ast.WalkSkipChildren, nil
	})
}

func renderFencedCode(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.FencedCodeBlock)
	lang := ""
	if n.Info != nil {
		info := n.Info.Segment.Value(src)
		if i := bytes.IndexAny(info, " \t{"); i >= 0 {
			info = info[:i]
		}
		lang = string(info)
	}
	var code bytes.Buffer
	writeLines(&code, src, n, false)
	if lexer := lexerFor(lang); lexer != nil {
		if it, err := chroma.Coalesce(lexer).Tokenise(nil, code.String()); err == nil {
			var out bytes.Buffer
			f := chromahtml.New(chromahtml.WithClasses(true), chromahtml.WithPreWrapper(codeWrapper{lang}))
			if err := f.Format(&out, styles.Fallback, it); err == nil {
				_, _ = w.Write(out.Bytes())
				_ = w.WriteByte('\n')
				return ast.WalkSkipChildren, nil
			}
		}
	}
	_, _ = w.WriteString(`<pre tabindex="0">`)
	if lang != "" {
		_, _ = w.WriteString(`<code class="language-` + html.EscapeString(lang) + `">`)
	} else {
		_, _ = w.WriteString(`<code>`)
	}
	_, _ = w.WriteString(html.EscapeString(code.String()))
	_, _ = w.WriteString("</code></pre>\n")
	return ast.WalkSkipChildren, nil
}

// lexerFor is chroma's lexer for a fence's language, or nil: only exact
// names and aliases, never a guess from the content.
func lexerFor(lang string) chroma.Lexer {
	if lang == "" {
		return nil
	}
	return lexers.Get(strings.ToLower(lang))
}

type byteWriter interface {
	Write([]byte) (int, error)
	WriteString(string) (int, error)
}

// writeLines writes a block's lines, escaped for HTML when escape is set.
func writeLines(w byteWriter, src []byte, n ast.Node, escape bool) {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		v := seg.Value(src)
		if escape {
			_, _ = w.WriteString(html.EscapeString(string(v)))
		} else {
			_, _ = w.Write(v)
		}
	}
}

// attributeTransformer keeps only the attributes a chapter may set with
// goldmark's {…} syntax: id, class, title, lang and dir. A style attribute
// would break the Content-Security-Policy (style-src 'self') and others
// (autofocus, contenteditable, tabindex, …) would change how the page
// behaves. Tables get tabindex="0" so keyboard users can scroll them.
type attributeTransformer struct{}

var allowedAttributes = map[string]bool{"id": true, "class": true, "title": true, "lang": true, "dir": true}

func (attributeTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if attrs := n.Attributes(); len(attrs) > 0 {
			n.RemoveAttributes()
			for _, a := range attrs {
				if allowedAttributes[strings.ToLower(string(a.Name))] {
					n.SetAttribute(a.Name, a.Value)
				}
			}
		}
		if _, ok := n.(*east.Table); ok {
			n.SetAttributeString("tabindex", []byte("0"))
		}
		return ast.WalkContinue, nil
	})
}
