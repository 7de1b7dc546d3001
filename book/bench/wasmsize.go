//go:build bench

package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// share is the part of a wasm binary one package (or one kind of data)
// takes.
type share struct {
	Name  string
	Bytes int
}

// wasmShares splits a Go wasm binary's bytes by package: each function
// body's size goes to its package (from the name section, which Go writes
// unless linked with -s), the data section is one share, and the other
// sections are another. It reads only what the Go linker writes.
func wasmShares(bin []byte) ([]share, error) {
	fns, data, other, err := wasmFunctions(bin)
	if err != nil {
		return nil, err
	}
	by := map[string]int{}
	for _, f := range fns {
		by[pkgOf(f.Name)] += f.Bytes
	}
	var out []share
	for k, v := range by {
		out = append(out, share{k, v})
	}
	out = append(out, share{"(data: type descriptors, tables, strings)", data}, share{"(other sections: names, imports, types)", other})
	sort.Slice(out, func(i, j int) bool { return out[i].Bytes > out[j].Bytes })
	return out, nil
}

// wasmFunctions lists a wasm binary's functions (name, body size) and the
// sizes of its data section and of its other sections.
func wasmFunctions(bin []byte) (fns []share, data, other int, err error) {
	if len(bin) < 8 || !bytes.Equal(bin[:4], []byte("\x00asm")) {
		return nil, 0, 0, errors.New("not a WebAssembly binary")
	}
	r := bytes.NewReader(bin)
	_, _ = r.Seek(8, io.SeekStart)
	var bodies []int // body sizes, by defined-function index
	names := map[int]string{}
	imported := 0
	for r.Len() > 0 {
		id, err := r.ReadByte()
		if err != nil {
			return nil, 0, 0, err
		}
		size, err := uleb(r)
		if err != nil {
			return nil, 0, 0, err
		}
		if int(size) > r.Len() {
			return nil, 0, 0, fmt.Errorf("section %d of %d bytes runs past the end", id, size)
		}
		at := len(bin) - r.Len()
		_, _ = r.Seek(int64(size), io.SeekCurrent)
		s := bytes.NewReader(bin[at : at+int(size)]) // the section, not copied
		switch id {
		case 2: // imports: functions among them take the first indices
			n, _ := uleb(s)
			for range n {
				for range 2 { // module, field
					l, _ := uleb(s)
					_, _ = s.Seek(int64(l), io.SeekCurrent)
				}
				kind, _ := s.ReadByte()
				switch kind {
				case 0: // function: type index
					imported++
					_, _ = uleb(s)
				case 1: // table: elemtype, limits
					_, _ = s.ReadByte()
					skipLimits(s)
				case 2: // memory: limits
					skipLimits(s)
				case 3: // global: type, mutability
					_, _ = s.ReadByte()
					_, _ = s.ReadByte()
				}
			}
			other += int(size)
		case 10: // code
			n, _ := uleb(s)
			for range n {
				l, err := uleb(s)
				if err != nil {
					return nil, 0, 0, err
				}
				bodies = append(bodies, int(l))
				_, _ = s.Seek(int64(l), io.SeekCurrent)
			}
		case 11:
			data += int(size)
		case 0:
			l, _ := uleb(s)
			name := make([]byte, l)
			_, _ = io.ReadFull(s, name)
			if string(name) == "name" {
				readFunctionNames(s, names)
			}
			other += int(size)
		default:
			other += int(size)
		}
	}
	if len(names) == 0 {
		return nil, 0, 0, errors.New("the binary has no function names (built with -s?)")
	}
	for i, b := range bodies {
		fns = append(fns, share{names[imported+i], b})
	}
	return fns, data, other, nil
}

func readFunctionNames(s *bytes.Reader, names map[int]string) {
	for s.Len() > 0 {
		id, err := s.ReadByte()
		if err != nil {
			return
		}
		size, _ := uleb(s)
		if id != 1 {
			_, _ = s.Seek(int64(size), io.SeekCurrent)
			continue
		}
		n, _ := uleb(s)
		for range n {
			idx, _ := uleb(s)
			l, _ := uleb(s)
			b := make([]byte, l)
			_, _ = io.ReadFull(s, b)
			names[int(idx)] = string(b)
		}
	}
}

func skipLimits(s *bytes.Reader) {
	flags, _ := s.ReadByte()
	_, _ = uleb(s)
	if flags&1 != 0 {
		_, _ = uleb(s)
	}
}

func uleb(r io.ByteReader) (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		v |= uint64(b&0x7f) << shift
		if b&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errors.New("LEB128 too long")
}

// pkgOf is the package of a function in a Go wasm name section, whose
// names have '/', '.', '-', '*' and brackets of the package path and
// receiver turned to '_': "math_big.nat.add" is math/big,
// "github.com_scaling_data_book_sim_quorum.New" is sim/quorum of this
// module. Compiler-generated helpers ("type:.eq.…") are one group.
func pkgOf(sym string) string {
	switch {
	case sym == "":
		return "(unnamed)"
	case strings.HasPrefix(sym, "type:") || strings.HasPrefix(sym, "type_") || strings.HasPrefix(sym, "go:") || sym == "go_buildid":
		return "(compiler-generated)"
	}
	// A module path keeps the dots of its domain ("github.com_…"): the
	// package ends at the first dot after the first '_'.
	from := 0
	if m := moduleDomain.FindStringIndex(sym); m != nil {
		from = m[1]
	}
	pkg := sym
	if d := strings.IndexByte(sym[from:], '.'); d >= 0 {
		pkg = sym[:from+d]
	}
	const ours = "github.com_scaling_data_book_"
	if rest, ok := strings.CutPrefix(pkg, ours); ok {
		return "github.com/scaling-data/book/" + strings.ReplaceAll(rest, "_", "/")
	}
	if rest, ok := strings.CutPrefix(pkg, "github.com_"); ok {
		return "github.com/" + strings.ReplaceAll(rest, "_", "/")
	}
	return strings.ReplaceAll(pkg, "_", "/")
}

// moduleDomain is the domain a module path starts with, as mangled:
// "github.com_", "golang.org_".
var moduleDomain = regexp.MustCompile(`^[a-z0-9-]+\.[a-z]+_`)

// group is the coarse owner of a package: this book, Ebitengine, another
// module, or the standard library (where Ebitengine's shader compiler
// brings go/* and text/template).
func group(pkg string) string {
	switch {
	case strings.HasPrefix(pkg, "("):
		return pkg
	case strings.HasPrefix(pkg, "github.com/scaling-data/book/"):
		return "this book's code"
	case strings.HasPrefix(pkg, "github.com/hajimehoshi/ebiten/"), strings.HasPrefix(pkg, "github.com/ebitengine/"):
		return "Ebitengine"
	case strings.Contains(pkg, "."):
		return "other modules (" + pkg + ")"
	case pkg == "runtime" || strings.HasPrefix(pkg, "internal/") || strings.HasPrefix(pkg, "runtime/"):
		return "Go runtime and internal packages"
	default:
		return "standard library"
	}
}
