package book

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/labs"
)

// Figure is a lab placed in the text by a ```sim block.
type Figure struct {
	ID      string // "lab-1", or the block's id=
	Lab     lab.Lab
	Values  lab.Values
	Seed    uint64
	Preset  string
	Caption string // Markdown, rendered inline
	Line    int
}

// Query is the figure's state as a URL query: "lab=quorum&n=5&seed=7".
func (f *Figure) Query() string {
	q := "lab=" + f.Lab.Schema.Name
	if enc := f.Lab.Schema.Encode(f.Values); enc != "" {
		q += "&" + enc
	}
	return q + "&seed=" + strconv.FormatUint(f.Seed, 10)
}

// DefaultSeed is the seed of a figure whose block names none.
const DefaultSeed = 1

// ParseSimInfo reads a sim block's info string: "sim quorum n=5 w=3 seed=7".
// Besides the lab's parameters it accepts seed=, preset= (applied first,
// then overridden by explicit values) and id=. Errors name the offending
// word; the caller adds file:line.
func ParseSimInfo(info string) (*Figure, error) {
	fields := strings.Fields(info)
	if len(fields) == 0 || fields[0] != "sim" {
		return nil, fmt.Errorf("not a sim block")
	}
	if len(fields) < 2 {
		return nil, fmt.Errorf("sim block names no lab (known: %s)", labNames())
	}
	name := fields[1]
	l, ok := labs.Find(name)
	if !ok {
		return nil, fmt.Errorf("sim %q: unknown lab (known: %s)", name, labNames())
	}
	s := l.Schema
	fig := &Figure{Lab: l, Seed: DefaultSeed}
	raw := map[string]string{}
	for _, kv := range fields[2:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("sim %q: %q: want key=value", name, kv)
		}
		if _, dup := raw[k]; dup {
			return nil, fmt.Errorf("sim %q: %s is given twice", name, k)
		}
		switch k {
		case "seed":
			seed, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("sim %q: seed=%q: want a whole number ≥ 0", name, v)
			}
			fig.Seed = seed
			raw[k] = v
		case "preset":
			p, ok := s.Preset(v)
			if !ok {
				return nil, fmt.Errorf("sim %q: unknown preset %q (known: %s)", name, v, presetNames(s))
			}
			fig.Preset = p.Name
			raw[k] = v
		case "id":
			if !validID(v) {
				return nil, fmt.Errorf("sim %q: id=%q: use letters, digits and hyphens", name, v)
			}
			fig.ID = v
			raw[k] = v
		default:
			raw[k] = v
		}
	}
	params := map[string]string{}
	if fig.Preset != "" {
		p, _ := s.Preset(fig.Preset)
		for k, v := range p.Values {
			params[k] = v
		}
	}
	for k, v := range raw {
		if k != "seed" && k != "preset" && k != "id" {
			params[k] = v
		}
	}
	vals, err := s.Parse(params)
	if err != nil {
		return nil, fmt.Errorf("sim %q: %w", name, err)
	}
	fig.Values = vals
	return fig, nil
}

func validID(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return s != ""
}

func labNames() string {
	var names []string
	for _, l := range labs.All() {
		names = append(names, l.Schema.Name)
	}
	return strings.Join(names, ", ")
}

func presetNames(s *lab.Schema) string {
	var names []string
	for _, p := range s.Presets {
		names = append(names, p.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// KindSimBlock is the AST kind of a lab figure.
var KindSimBlock = ast.NewNodeKind("SimBlock")

// SimBlock is a ```sim fenced block after validation.
type SimBlock struct {
	ast.BaseBlock
	Figure *Figure
}

func (n *SimBlock) Kind() ast.NodeKind { return KindSimBlock }

func (n *SimBlock) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Query": n.Figure.Query()}, nil)
}

// simTransformer replaces ```sim fenced code blocks with SimBlock nodes,
// validating them against the lab schemas.
type simTransformer struct{}

func (simTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var blocks []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if b, ok := n.(*ast.FencedCodeBlock); ok && entering && b.Info != nil {
			if f := strings.Fields(string(b.Info.Segment.Value(src))); len(f) > 0 && f[0] == "sim" {
				blocks = append(blocks, b)
			}
		}
		return ast.WalkContinue, nil
	})
	for i, b := range blocks {
		line := lineOf(pc, src, b.Info.Segment.Start)
		fig, err := ParseSimInfo(string(b.Info.Segment.Value(src)))
		if err != nil {
			addError(pc, line, "%v", err)
			continue
		}
		if fig.ID == "" {
			fig.ID = "lab-" + strconv.Itoa(i+1)
		}
		fig.Line = line
		var caption strings.Builder
		for j := 0; j < b.Lines().Len(); j++ {
			seg := b.Lines().At(j)
			caption.Write(seg.Value(src))
		}
		fig.Caption = strings.TrimSpace(caption.String())
		node := &SimBlock{Figure: fig}
		b.Parent().ReplaceChild(b.Parent(), b, node)
		figures(pc).add(fig)
	}
}

// simRenderer writes a figure through the page's template.
type simRenderer struct {
	render func(w util.BufWriter, fig *Figure) error
}

func (r simRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindSimBlock, func(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		return ast.WalkSkipChildren, r.render(w, node.(*SimBlock).Figure)
	})
}
