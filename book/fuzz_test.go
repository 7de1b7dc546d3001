package book

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/util"
)

// FuzzSimInfo: a sim block's info string never panics the compiler, and a
// block that parses round-trips through its query.
func FuzzSimInfo(f *testing.F) {
	for _, s := range []string{
		"sim quorum n=5 w=3 r=3 seed=7",
		"sim quorum preset=dynamo",
		"sim quorum n=3 w=4",
		"sim quorum id=my-lab loss=12.5",
		"sim",
		"sim nope x=1",
		"sim quorum n==3 seed=99999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, info string) {
		fig, err := ParseSimInfo(info)
		if err != nil {
			return
		}
		q := strings.ReplaceAll(fig.Query(), "&", " ")
		q = strings.TrimPrefix(q, "lab=")
		again, err := ParseSimInfo("sim " + q)
		if err != nil {
			t.Fatalf("%q parsed, but its query %q does not: %v", info, q, err)
		}
		if again.Query() != fig.Query() {
			t.Fatalf("query drifts: %q → %q", fig.Query(), again.Query())
		}
	})
}

// FuzzComputeFigure: a computed-figure directive never panics the build,
// and what parses names a real metric and format.
func FuzzComputeFigure(f *testing.F) {
	for _, s := range []string{
		"sim quorum ops=50 seed=1 | stale_reads | int",
		"sim quorum ops=50 | reads_ok | pct:2",
		"sim quorum | nope",
		"sim | | |",
		"sim quorum ops=1 | writes_ok | x:7",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		run, metric, format, err := parseFigure(body)
		if err != nil {
			return
		}
		if _, ok := MetricIndex(run.Lab.Schema, metric); !ok {
			t.Fatalf("%q: accepted unknown metric %q", body, metric)
		}
		_ = formatNumber(1.5, format)
	})
}

// FuzzChapter: any chapter text (front matter, sim blocks, callouts,
// figures, links) parses without a panic; problems become errors.
func FuzzChapter(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: T\nsummary: S\n---\n# T\n",
		"---\ntitle: [unclosed\n---\n",
		"---\n: : :\n---\n> [!NOTE]\n> x\n",
		"```sim quorum n=3\ncaption\n```\n",
		"> [!CASE STUDY] Dynamo\n> text\n\n[x](other.md#y) {{sim quorum | reads_ok | int}}",
		"{{sim quorum\n",
	} {
		f.Add(s)
	}
	md := newMarkdown(func(w util.BufWriter, fig *Figure) error { return nil })
	f.Fuzz(func(t *testing.T, src string) {
		if strings.Contains(src, "ops=") {
			return // keep computed figures short: the fuzzer explores syntax
		}
		d := Parse(md, "chapters/fuzz.md", []byte(src))
		for _, err := range d.Errors {
			if !strings.HasPrefix(err.Error(), "chapters/fuzz.md:") {
				t.Fatalf("error without file:line: %v", err)
			}
		}
	})
}

// FuzzFrontMatter: any chapter start parses without a panic; an error names
// a line inside the front matter; the body keeps its length and lines.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: T\nsummary: S\n---\n# T\n",
		"---\ntitle: T\n",
		"---\ntitle: T\ntitel: U\n---\n",
		"---\ntitle: [unclosed\n---\n",
		"---\n- a\n...\nbody\n",
		"---\r\ntitle: T\r\n---\r\n",
		"+++\ntitle = \"T\"\n+++\n",
		"---\ntitle: &a [*a]\n---\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var meta Meta
		body, errs := parseFrontMatter("f.md", []byte(src), &meta)
		if len(body) != len(src) || strings.Count(string(body), "\n") != strings.Count(src, "\n") {
			t.Fatalf("the body moved: %d bytes, %d lines; want %d, %d", len(body), strings.Count(string(body), "\n"), len(src), strings.Count(src, "\n"))
		}
		lines := strings.Count(src, "\n") + 1
		for _, err := range errs {
			_, n := splitLocation(err.Error())
			if !strings.HasPrefix(err.Error(), "f.md:") || n < 1 || n > lines {
				t.Fatalf("error without a line in the file: %v", err)
			}
		}
	})
}
