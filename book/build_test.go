package book

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeBook creates a chapters directory from name → content.
func writeBook(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "chapters")
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

const summary = `# Summary

[Intro](intro.md)

- [Part](part.md)
  - [Quorums](04-quorums.md)

---

[Glossary](glossary.md)
`

func okBook() map[string]string {
	return map[string]string{
		"SUMMARY.md": summary,
		"intro.md":   "---\ntitle: Welcome\nsummary: What this is.\n---\n\n# Welcome\n\nRead [quorums](04-quorums.md#overlap).\n",
		"part.md":    "# Part one\n\nText.\n",
		"04-quorums.md": "---\ntitle: Quorums\n---\n\n# Quorums\n\n## Overlap {#overlap}\n\n" +
			"> [!NOTE]\n> A note with *emphasis*.\n\n" +
			"> [!CASE STUDY] Dynamo\n> Amazon's store.\n\n" +
			"> [!ANSWER]\n> Forty-two.\n\n" +
			"Code:\n\n```go\nfunc main() {}\n```\n\n" +
			"```sim quorum n=5 w=3 r=3 seed=7\nFive replicas; crash *two*.\n```\n\n" +
			"A footnote.[^1]\n\n[^1]: The note.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nSee [the glossary](glossary.md#quorum) and [above](#overlap).\n",
		"glossary.md": "# Glossary\n\n### Quorum {#quorum}\n\nA majority.\n",
	}
}

func build(t *testing.T, files map[string]string) (string, error) {
	t.Helper()
	dir := writeBook(t, files)
	out := filepath.Join(t.TempDir(), "public")
	// The compression cache is shared with every other build in the tests:
	// only the first build of a file pays for brotli.
	_, err := Build(Config{Chapters: dir, Out: out, Cache: testCache()})
	return out, err
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return string(b)
}

func TestBuildPages(t *testing.T) {
	t.Parallel()
	out, err := build(t, okBook())
	require.NoError(t, err)

	home := read(t, out, "index.html")
	require.Contains(t, home, "<title>Scaling Data</title>")
	require.Contains(t, home, `href="quorums.html#overlap"`, "links to chapters point at their pages")
	require.Contains(t, home, `rel="next" href="part.html"`)

	q := read(t, out, "quorums.html")
	require.Contains(t, q, "<title>Quorums · Scaling Data</title>")
	require.Contains(t, q, `aria-current="page">Quorums</a>`, "the sidebar marks the current chapter")
	require.Contains(t, q, `rel="prev" href="part.html"`)
	require.Contains(t, q, `rel="next" href="glossary.html"`)
	require.Contains(t, q, `<hr>`, "back matter is separated in the sidebar")
	require.Contains(t, q, `id="overlap"`)
	require.Contains(t, q, `class="anchor"`, "headings carry visible anchor links")
	require.Contains(t, q, `<aside class="callout callout-note"><p class="callout-title">Note</p>`)
	require.Contains(t, q, `<em>emphasis</em>`)
	require.Contains(t, q, `<aside class="callout callout-case-study"><p class="callout-title">Dynamo</p>`)
	require.Contains(t, q, `<details class="answer"><summary>Show the answer</summary>`)
	require.Contains(t, q, `class="chroma"`, "code is highlighted at build time with classes")
	require.NotContains(t, q, `style="color`, "no inline styles from chroma")
	require.Contains(t, q, `id="fn:1"`, "footnotes")
	require.Contains(t, q, `<table tabindex="0">`)
	require.Contains(t, q, `href="glossary.html#quorum"`)

	// The sim block became a figure with a poster, controls and a caption.
	require.Contains(t, q, `<figure class="lab" id="lab-1" data-lab="quorum"`)
	require.Contains(t, q, `data-query="lab=quorum&amp;n=5&amp;r=3&amp;w=3&amp;seed=7"`)
	require.Contains(t, q, `<figcaption>Five replicas; crash <em>two</em>.<span class="print-only"> Live lab: embed/quorum.html?lab=quorum&amp;n=5`)
	require.Contains(t, q, `name="w" min="1" max="9" step="1" value="3"`)
	require.Contains(t, q, `data-action="crash"`)
	require.Contains(t, q, `class="lab-log" aria-live="polite"`)
	// The caption sits with the canvas; settings and numbers fold away.
	stage, caption, bar := strings.Index(q, `class="lab-stage`), strings.Index(q, `<figcaption>`), strings.Index(q, `class="lab-bar"`)
	require.True(t, stage < caption && caption < bar, "the caption comes right after the canvas, before the controls")
	require.Contains(t, q, `<figure class="lab-view">`, "the canvas and its caption are a figure of their own")
	require.Contains(t, q, `<details class="lab-fold lab-settings"><summary>Settings</summary>`)
	require.Contains(t, q, `<details class="lab-fold lab-readout"><summary>Numbers</summary>`)
	require.Contains(t, q, `<dd data-metric="p50_write_ms" data-unit="ms">`, "stat cards carry the schema's unit for the page to format")
	// Hinted handoff applies only to a sloppy quorum, off here: hidden.
	require.Contains(t, q, `data-when="{&#34;param&#34;:&#34;sloppy&#34;,&#34;is&#34;:[&#34;on&#34;]}" hidden><input type="checkbox" name="handoff"`)
	// Every page has the favicon the build writes.
	for _, name := range []string{"index.html", "quorums.html", "print.html", "embed/quorum.html", "embed/index.html"} {
		require.Contains(t, read(t, out, name), `<link rel="icon" href="`, name)
	}
	require.Contains(t, read(t, out, "assets/favicon.svg"), `<svg xmlns="http://www.w3.org/2000/svg"`)
	require.Regexp(t, `src="posters/quorum-light-[0-9a-f]{10}\.svg"`, q)

	// Posters, embed page, frame page and assets exist.
	posters, _ := filepath.Glob(filepath.Join(out, "posters", "quorum-*.svg"))
	require.NotEmpty(t, posters)
	require.Contains(t, read(t, out, "embed/quorum.html"), `href="../quorums.html#lab-1"`)
	require.Contains(t, read(t, out, "lab.html"), `assets/frame.js`)
	css := read(t, out, "assets/book.css")
	require.Contains(t, css, ".lab-size-quorum { aspect-ratio: 640 / ")
	require.Contains(t, css, `:root[data-theme="dark"] .chroma`)

	// Nothing refers to a third party.
	for _, page := range []string{q, home} {
		require.NotRegexp(t, `(src|href)="(https?:)?//`, page)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		body  string
		wants []string
	}{
		{"unknown lab", "04-quorums.md", "# Q\n\n```sim quorom n=3\n```\n",
			[]string{`chapters/04-quorums.md:3: sim "quorom": unknown lab (known: `, "quorum"}},
		{"unknown parameter", "04-quorums.md", "# Q\n\ntext\n\n```sim quorum shrads=3\n```\n",
			[]string{`chapters/04-quorums.md:5: sim "quorum": unknown parameter "shrads"`}},
		{"near miss", "04-quorums.md", "# Q\n\n```sim quorum nn=3\n```\n",
			[]string{`chapters/04-quorums.md:3: sim "quorum": unknown parameter "nn" (did you mean "n"?)`}},
		{"out of range", "04-quorums.md", "# Q\n\n```sim quorum n=12\n```\n",
			[]string{`chapters/04-quorums.md:3: sim "quorum": n=12 is out of range 1…9`}},
		{"relation", "04-quorums.md", "# Q\n\n```sim quorum n=5 w=7\n```\n",
			[]string{`chapters/04-quorums.md:3: sim "quorum": w=7 > n=5`}},
		{"bad seed", "04-quorums.md", "# Q\n\n```sim quorum seed=-1\n```\n",
			[]string{`chapters/04-quorums.md:3: sim "quorum": seed="-1"`}},
		{"missing chapter link", "04-quorums.md", "# Q\n\nSee [x](nope.md).\n",
			[]string{`chapters/04-quorums.md:3: link to nope.md: no such chapter in SUMMARY.md`}},
		{"missing heading", "04-quorums.md", "# Q\n\n## Overlap {#overlap}\n\nSee [x](glossary.md#quorom).\n",
			[]string{`chapters/04-quorums.md:5: link to glossary.md#quorom: no such heading (did you mean #quorum?)`}},
		{"missing heading same page", "04-quorums.md", "# Q\n\nSee [x](#nowhere).\n",
			[]string{`chapters/04-quorums.md:3: link to 04-quorums.md#nowhere: no such heading`}},
		{"unknown callout", "04-quorums.md", "# Q\n\n> [!NOTTE]\n> x\n",
			[]string{`chapters/04-quorums.md:3: unknown callout [!NOTTE]`}},
		{"two errors, both reported", "04-quorums.md", "# Q\n\n```sim quorum n=0\n```\n\n[x](#gone)\n",
			[]string{`chapters/04-quorums.md:3: sim "quorum": n=0 is out of range`, `chapters/04-quorums.md:6: link to 04-quorums.md#gone`}},
		{"missing image", "04-quorums.md", "# Q\n\n![a ring](img/ring.png)\n",
			[]string{`chapters/04-quorums.md:3: link to img/ring.png: no such file`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := okBook()
			files[tt.file] = tt.body
			out, err := build(t, files)
			require.Error(t, err)
			for _, w := range tt.wants {
				require.Contains(t, err.Error(), w)
			}
			_, statErr := os.Stat(out)
			require.True(t, os.IsNotExist(statErr), "a failed build writes nothing")
		})
	}
}

func TestBuildUnlistedChapter(t *testing.T) {
	files := okBook()
	files["99-orphan.md"] = "# Orphan\n"
	_, err := build(t, files)
	require.ErrorContains(t, err, "chapters/99-orphan.md: not listed in SUMMARY.md")
}

func TestBuildIsReproducible(t *testing.T) {
	t.Parallel()
	dir := writeBook(t, okBook())
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	// Compressed copies come from the cache, keyed by what they compress:
	// what is compared is everything the build derives from the book.
	_, err := Build(Config{Chapters: dir, Out: a, Cache: testCache()})
	require.NoError(t, err)
	_, err = Build(Config{Chapters: dir, Out: b, Cache: testCache()})
	require.NoError(t, err)
	require.NoError(t, filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		require.NoError(t, err, rel)
		require.Equal(t, x, y, rel)
		return nil
	}))
}

// TestRealBook builds the book in chapters/: every sim block, link and
// callout in it must be valid.
func TestRealBook(t *testing.T) {
	t.Parallel()
	out := realSite(t)
	pages, _ := filepath.Glob(filepath.Join(out, "*.html"))
	require.GreaterOrEqual(t, len(pages), 3)
	require.Contains(t, read(t, out, "quorums.html"), `<figure class="lab"`)
}

func TestBuildExtras(t *testing.T) {
	t.Parallel()
	out, err := build(t, okBook())
	require.NoError(t, err)

	// The whole book on one page, ids prefixed per chapter, links inside.
	p := read(t, out, "print.html")
	require.Contains(t, p, `<section class="print-chapter" id="quorums--top"`)
	require.Contains(t, p, `id="quorums--overlap"`)
	require.Contains(t, p, `href="#quorums--overlap"`, "links between chapters point inside the page")
	require.Contains(t, p, `href="#glossary--quorum"`)
	require.Contains(t, p, `id="quorums--fn:1"`, "footnotes are kept")
	require.NotContains(t, p, `id="overlap"`)
	// Its contents nest the chapters under their part, as SUMMARY.md does.
	require.Contains(t, p, `<ol class="print-toc"><li><a href="#index--top">Welcome</a></li><li><a href="#part--top">Part one</a><ol class="print-toc"><li><a href="#quorums--top">Quorums</a></li></ol></li><li><a href="#glossary--top">Glossary</a></li></ol>`)

	// The search index covers sections, glossary entries and labs.
	idx := read(t, out, "assets/search-index.js")
	require.Contains(t, idx, `"h":"Overlap","u":"quorums.html#overlap"`)
	require.Contains(t, idx, `"p":"Lab: Quorum replication"`)
	require.Contains(t, idx, `"emphasis":[[`)

	// Glossary definitions for tooltips.
	require.Contains(t, read(t, out, "assets/glossary.js"), `{"quorum":"A majority."}`)

	// The table of contents lists h2 and h3 headings only on long pages.
	require.NotContains(t, read(t, out, "quorums.html"), `class="page-toc"`)
}
