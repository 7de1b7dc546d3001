package book

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/scaling-data/book/sim/lab"
)

// A computed figure lets prose quote a number that a lab computes, so the
// text never drifts from the simulation:
//
//	Going from 4 to 5 shards moves {{sim shard strategy=mod shards=4 add=1 seed=1 | moved_fraction | pct:0}} of the keys.
//
// The build runs the lab headlessly (same code as `scalingdata sim`), takes
// the metric and formats it: int (12,345), fixed:N (3.14), pct:N (80.0%,
// from a fraction), ms:N (8.1 ms), x:N (1.25×), or the plain number.

// Computed is an inline node holding a computed figure.
type Computed struct {
	ast.BaseInline
	Value string // formatted
	Title string // what computed it, for the tooltip
}

// KindComputed is the AST kind of a computed figure.
var KindComputed = ast.NewNodeKind("Computed")

func (n *Computed) Kind() ast.NodeKind { return KindComputed }

func (n *Computed) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Value": n.Value}, nil)
}

// ComputeFigure evaluates one directive body ("sim shard … | metric | fmt")
// and returns the formatted value and a description.
func ComputeFigure(body string) (value, title string, err error) {
	run, metric, format, err := parseFigure(body)
	if err != nil {
		return "", "", err
	}
	s := run.Lab.Schema
	x := runCached(run)[metric]
	query := s.Encode(run.Run.Values)
	title = fmt.Sprintf("computed by the %s lab (%s seed=%d): %s", s.Name, query, run.Run.Seed, metric)
	return formatNumber(x, format), strings.Replace(title, "( seed", "(seed", 1), nil
}

// parseFigure checks a directive body without running the lab.
func parseFigure(body string) (run *SimRun, metric, format string, err error) {
	parts := strings.Split(body, "|")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, "", "", fmt.Errorf("figure %q: want {{sim <lab> key=value … | metric | format}}", strings.TrimSpace(body))
	}
	run, err = ParseSimArgs(strings.Fields(strings.TrimPrefix(strings.TrimSpace(parts[0]), "sim")))
	if err != nil {
		return nil, "", "", fmt.Errorf("figure: %w", err)
	}
	metric = strings.TrimSpace(parts[1])
	s := run.Lab.Schema
	if _, ok := MetricIndex(s, metric); !ok {
		var names []string
		for _, m := range s.Metrics {
			names = append(names, m.Name)
		}
		hint := ""
		if n := lab.Nearest(metric, names); n != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", n)
		}
		return nil, "", "", fmt.Errorf("figure: lab %q has no metric %q%s (metrics: %s)", s.Name, metric, hint, strings.Join(names, ", "))
	}
	if len(parts) == 3 {
		format = strings.TrimSpace(parts[2])
	}
	if err := checkFormat(format); err != nil {
		return nil, "", "", fmt.Errorf("figure: %w", err)
	}
	return run, metric, format, nil
}

var (
	runCache   = map[string]map[string]float64{}
	runCacheMu sync.Mutex
)

// runCached runs a headless lab once per build process for each distinct
// configuration: runs are deterministic, so the result never changes.
func runCached(r *SimRun) map[string]float64 {
	key := r.Lab.Schema.Name + "?" + r.Lab.Schema.Encode(r.Run.Values) + "&seed=" + strconv.FormatUint(r.Run.Seed, 10)
	runCacheMu.Lock()
	defer runCacheMu.Unlock()
	if m, ok := runCache[key]; ok {
		return m
	}
	m := r.Metrics()
	runCache[key] = m
	return m
}

func checkFormat(f string) error {
	if f == "" || f == "int" {
		return nil
	}
	name, digits, ok := strings.Cut(f, ":")
	switch name {
	case "fixed", "pct", "ms", "x":
		if !ok {
			return nil
		}
		if n, err := strconv.Atoi(digits); err != nil || n < 0 || n > 6 {
			return fmt.Errorf("format %q: want %s:N with N from 0 to 6", f, name)
		}
		return nil
	}
	return fmt.Errorf("unknown format %q (want int, fixed:N, pct:N, ms:N or x:N)", f)
}

func formatNumber(x float64, f string) string {
	name, digits, _ := strings.Cut(f, ":")
	n, _ := strconv.Atoi(digits)
	switch name {
	case "int":
		return groupThousands(strconv.FormatFloat(math.Round(x), 'f', 0, 64))
	case "fixed":
		return strconv.FormatFloat(x, 'f', n, 64)
	case "pct":
		return strconv.FormatFloat(x*100, 'f', n, 64) + "%"
	case "ms":
		return strconv.FormatFloat(x, 'f', n, 64) + " ms"
	case "x":
		return strconv.FormatFloat(x, 'f', n, 64) + "×"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// computedParser reads {{sim …}} in running text.
type computedParser struct{}

func (computedParser) Trigger() []byte { return []byte{'{'} }

func (computedParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if !bytes.HasPrefix(line, []byte("{{sim")) {
		return nil
	}
	end := bytes.Index(line, []byte("}}"))
	src := block.Source()
	if end < 0 {
		addError(pc, lineOf(pc, src, seg.Start), "figure: {{sim … is not closed with }} on the same line")
		return nil
	}
	body := string(line[2:end])
	block.Advance(end + 2)
	value, title, err := ComputeFigure(body)
	if err != nil {
		addError(pc, lineOf(pc, src, seg.Start), "%v", err)
		return ast.NewString([]byte("?"))
	}
	return &Computed{Value: value, Title: title}
}

type computedRenderer struct{}

func (computedRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindComputed, func(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			n := node.(*Computed)
			fmt.Fprintf(w, `<span class="computed" title="%s">%s</span>`, html.EscapeString(n.Title), html.EscapeString(n.Value))
		}
		return ast.WalkContinue, nil
	})
}
