package book

import (
	"bytes"
	"fmt"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
)

// Limits on one chapter, so that no input makes the compiler slow or
// large: every pass is linear in the chapter, and these bound the constants
// (goldmark's block parser revisits every open container on every line, so
// deep nesting costs depth² per line).
const (
	// MaxChapterBytes is the largest chapter file (the longest in the
	// book is about 32 kB).
	MaxChapterBytes = 2 << 20
	// MaxNesting is how deeply lists and block quotes may nest.
	MaxNesting = 32
	// MaxTableColumns is the widest table.
	MaxTableColumns = 64
)

// checkLimits rejects a chapter that is too large or nested too deeply,
// before it is parsed. Nesting is estimated from each line's container
// prefix: its indentation (two columns per list level), '>' markers and
// list markers before the text. Fenced code is not counted.
func checkLimits(file string, src []byte) []error {
	if len(src) > MaxChapterBytes {
		return []error{fmt.Errorf("%s:1: chapter is %d bytes; the limit is %d (split it into chapters)", file, len(src), MaxChapterBytes)}
	}
	var fence []byte // the open fence, or nil
	ln := 0
	for rest := src; len(rest) > 0; {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		ln++
		depth, text := containerPrefix(line)
		if f := fenceOf(text); f != nil {
			switch {
			case fence == nil:
				fence = f
			case f[0] == fence[0] && len(f) >= len(fence) && len(bytes.TrimSpace(text[len(f):])) == 0:
				fence = nil
			}
			continue
		}
		if fence != nil {
			continue
		}
		if depth > MaxNesting {
			return []error{fmt.Errorf("%s:%d: lists and quotes nested %d levels deep; the limit is %d", file, ln, depth, MaxNesting)}
		}
	}
	return nil
}

// containerPrefix estimates how many lists and quotes a line is inside, and
// returns the text after its container markers.
func containerPrefix(line []byte) (int, []byte) {
	depth, cols := 0, 0
	i := 0
	for i < len(line) {
		switch c := line[i]; {
		case c == ' ':
			cols++
			i++
		case c == '\t':
			cols += 4 - cols%4
			i++
		case c == '>':
			depth += cols/2 + 1
			cols = 0
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			depth += cols/2 + 1
			i = skipBlanks(line, i+1)
			cols = 0
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j < len(line) && (line[j] == '.' || line[j] == ')') && (j+1 == len(line) || line[j+1] == ' ' || line[j+1] == '\t') {
				depth += cols/2 + 1
				i = skipBlanks(line, j+1)
				cols = 0
				continue
			}
			return depth + cols/2, line[i:]
		default:
			return depth + cols/2, line[i:]
		}
	}
	return depth, nil // a blank line: its indentation nests nothing
}

// skipBlanks is the index of the first byte at or after i that is not a
// space or tab: the gap between a list marker and its text nests nothing.
func skipBlanks(line []byte, i int) int {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i
}

// fenceOf is the ``` or ~~~ run that opens or closes a fenced code block on
// this line, or nil.
func fenceOf(text []byte) []byte {
	if len(text) < 3 || (text[0] != '`' && text[0] != '~') {
		return nil
	}
	n := 0
	for n < len(text) && text[n] == text[0] {
		n++
	}
	if n < 3 {
		return nil
	}
	return text[:n]
}

// checkTables reports tables wider than MaxTableColumns.
func checkTables(pc parser.Context, file string, root ast.Node, src []byte) []error {
	var errs []error
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		t, ok := n.(*east.Table)
		if !ok {
			return ast.WalkContinue, nil
		}
		if cols := len(t.Alignments); cols > MaxTableColumns {
			errs = append(errs, fmt.Errorf("%s:%d: table has %d columns; the limit is %d", file, tableLine(pc, t, src), cols, MaxTableColumns))
		}
		return ast.WalkSkipChildren, nil
	})
	return errs
}

// tableLine is the line of a table's first cell.
func tableLine(pc parser.Context, t *east.Table, src []byte) int {
	for n := ast.Node(t); n != nil; n = n.FirstChild() {
		if n.Lines().Len() > 0 {
			return lineOf(pc, src, n.Lines().At(0).Start)
		}
		if txt, ok := n.(*ast.Text); ok {
			return lineOf(pc, src, txt.Segment.Start)
		}
	}
	return 1
}
