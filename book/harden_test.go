package book

import (
	"archive/zip"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark/util"
)

// Tests for issue 17, the compiler's half: nothing lost, nothing leaked.

// Not parallel: its cases change the working directory (t.Chdir).
func TestBuildOutputDirectory(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, root, chapters string) (out string) // root is the working directory
		want  string                                                 // error, or "" for a build
	}{
		{"new folder", func(t *testing.T, root, ch string) string { return filepath.Join(root, "public") }, ""},
		{"empty folder", func(t *testing.T, root, ch string) string {
			require.NoError(t, os.Mkdir(filepath.Join(root, "public"), 0o755))
			return filepath.Join(root, "public")
		}, ""},
		{"relative public inside the working directory", func(t *testing.T, root, ch string) string { return "public" }, ""},
		{"folder of the author's", func(t *testing.T, root, ch string) string {
			out := filepath.Join(root, "victim")
			require.NoError(t, os.Mkdir(out, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(out, "thesis.txt"), []byte("three years"), 0o644))
			return out
		}, "it is not empty and holds no .scalingdata-build"},
		{"the chapters", func(t *testing.T, root, ch string) string { return ch }, "it is the chapters directory or inside it"},
		{"inside the chapters", func(t *testing.T, root, ch string) string { return filepath.Join(ch, "public") }, "it is the chapters directory or inside it"},
		{"containing the chapters", func(t *testing.T, root, ch string) string { return filepath.Dir(ch) }, "it contains the chapters directory"},
		{"the working directory", func(t *testing.T, root, ch string) string { return "." }, "it is (or contains) the working directory"},
		{"above the working directory", func(t *testing.T, root, ch string) string {
			sub := filepath.Join(root, "work")
			require.NoError(t, os.Mkdir(sub, 0o755))
			t.Chdir(sub)
			return root
		}, "it is (or contains) the working directory"},
		{"a file", func(t *testing.T, root, ch string) string {
			require.NoError(t, os.WriteFile(filepath.Join(root, "out"), []byte("x"), 0o644))
			return filepath.Join(root, "out")
		}, "it is a file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			chapters := writeBook(t, okBook())
			root := t.TempDir()
			t.Chdir(root)
			out := tc.setup(t, root, chapters)
			before := snapshot(t, filepath.Dir(chapters))
			_, err := Build(Config{Chapters: chapters, Out: out, Cache: testCache()})
			if tc.want == "" {
				require.NoError(t, err)
				require.FileExists(t, filepath.Join(out, "index.html"))
				require.FileExists(t, filepath.Join(out, BuildMarker))
				return
			}
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, err, "refusing to build into")
			require.Equal(t, before, snapshot(t, filepath.Dir(chapters)), "nothing of the author's changed")
			if tc.name == "folder of the author's" {
				require.FileExists(t, filepath.Join(out, "thesis.txt"))
			}
		})
	}
}

// snapshot is every file under dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = string(data)
		return err
	}))
	return files
}

func TestBuildReplacesOnlyItsOwnOutput(t *testing.T) {
	t.Parallel()
	dir := writeBook(t, okBook())
	parent := t.TempDir()
	out := filepath.Join(parent, "public")
	// A folder beside it with the name the old code used for the previous
	// site: it is the author's and must survive.
	require.NoError(t, os.Mkdir(out+".old", 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out+".old", "keep.txt"), []byte("mine"), 0o644))
	_, err := Build(Config{Chapters: dir, Out: out, Cache: testCache()})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(out, "stale.html"), []byte("old"), 0o644))
	_, err = Build(Config{Chapters: dir, Out: out, Cache: testCache()})
	require.NoError(t, err, "a folder an earlier build wrote is replaced")
	require.NoFileExists(t, filepath.Join(out, "stale.html"))
	require.FileExists(t, filepath.Join(out+".old", "keep.txt"))
	entries, _ := os.ReadDir(parent)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, []string{"public", "public.old"}, names, "no temporary folders left behind")

	// A site built before the marker existed is recognised by its files.
	require.NoError(t, os.Remove(filepath.Join(out, BuildMarker)))
	_, err = Build(Config{Chapters: dir, Out: out, Cache: testCache()})
	require.NoError(t, err)
}

func TestBuildPublishesOnlyLinkedFiles(t *testing.T) {
	t.Parallel()
	files := okBook()
	files["04-quorums.md"] += "\n![ring](images/ring.png) and [the data](data/set.csv)\n"
	files["images/ring.png"] = "PNG"
	files["data/set.csv"] = "a,b"
	files["images/unused.png"] = "not linked"
	files[".git/config"] = "[remote] url = secret"
	files[".env"] = "TOKEN=secret"
	files[".04-quorums.md.swp"] = "swap"
	files["images/.DS_Store"] = "junk"
	files["notes.txt"] = ""
	dir := writeBook(t, files)
	require.NoError(t, os.Remove(filepath.Join(dir, "notes.txt")))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "notes.txt")))
	out := filepath.Join(t.TempDir(), "public")
	_, err := Build(Config{Chapters: dir, Out: out, Cache: testCache()})
	require.NoError(t, err)
	got := map[string]bool{}
	require.NoError(t, filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(out, p)
		got[filepath.ToSlash(rel)] = true
		return err
	}))
	require.True(t, got["images/ring.png"])
	require.True(t, got["data/set.csv"])
	for _, leak := range []string{"images/unused.png", ".git/config", ".git", ".env", ".04-quorums.md.swp", "images/.DS_Store", "notes.txt", "SUMMARY.md", "04-quorums.md"} {
		require.False(t, got[leak], "%s was published", leak)
	}
}

func TestBuildRefusesLinksOutOfChapters(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "secret.txt")
	require.NoError(t, os.WriteFile(secret, []byte("secret"), 0o644))
	tests := []struct{ name, link, setup, want string }{
		{"parent directories", "../../../../../../../../etc/passwd", "", "link to ../../../../../../../../etc/passwd: outside chapters/"},
		{"a sibling folder", "../" + filepath.Base(filepath.Dir(secret)) + "/secret.txt", "", "link to ../" + filepath.Base(filepath.Dir(secret)) + "/secret.txt: outside chapters/"},
		{"symlink", "notes.txt", "notes.txt", "link to notes.txt: a symlink"},
		{"symlinked folder", "docs/secret.txt", "docs", "link to docs/secret.txt: a symlink"},
		{"dotfile", ".env", "", "link to .env: a hidden file"},
		{"dot folder", ".git/config", "", "link to .git/config: a hidden file"},
		{"missing", "images/none.png", "", "link to images/none.png: no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			files := okBook()
			files["04-quorums.md"] = "# Q\n\n![x](" + tc.link + ")\n\n## Overlap {#overlap}\n"
			files[".env"] = "TOKEN=1"
			files[".git/config"] = "x"
			dir := writeBook(t, files)
			switch tc.setup {
			case "notes.txt":
				require.NoError(t, os.Symlink(secret, filepath.Join(dir, "notes.txt")))
			case "docs":
				require.NoError(t, os.Symlink(filepath.Dir(secret), filepath.Join(dir, "docs")))
			}
			out := filepath.Join(t.TempDir(), "public")
			_, err := Build(Config{Chapters: dir, Out: out, Cache: testCache()})
			require.ErrorContains(t, err, "chapters/04-quorums.md:3: "+tc.want)
			require.NoDirExists(t, out)
		})
	}
}

func TestBuildRefusesSymlinkedChapter(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "secret.md")
	require.NoError(t, os.WriteFile(secret, []byte("# Secret\n"), 0o644))
	files := okBook()
	delete(files, "part.md")
	dir := writeBook(t, files)
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "part.md")))
	_, err := Build(Config{Chapters: dir, Out: filepath.Join(t.TempDir(), "public"), Cache: testCache()})
	require.ErrorContains(t, err, "chapters/SUMMARY.md:5: part.md: a symlink")
}

func TestBuildPageNamesAreUnique(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"SUMMARY.md":  "# Summary\n\n[Intro](intro.md)\n\n- [A](01-a.md)\n- [A again](02-a.md)\n- [Sub A](sub/a.md)\n- [Lab](lab.md)\n- [Print](10-print.md)\n- [Index](index.md)\n- [Upper](A.md)\n",
		"intro.md":    "# Intro\n",
		"01-a.md":     "# A\n",
		"02-a.md":     "# A2\n",
		"sub/a.md":    "# Sub\n",
		"lab.md":      "# Lab\n",
		"10-print.md": "# Print\n",
		"index.md":    "# Index\n",
		"A.md":        "# Upper\n",
	}
	_, err := build(t, files)
	require.Error(t, err)
	for _, want := range []string{
		"chapters/SUMMARY.md:6: 02-a.md would be the page a.html, like 01-a.md on line 5",
		"chapters/SUMMARY.md:7: sub/a.md would be the page a.html, like 01-a.md on line 5",
		"chapters/SUMMARY.md:8: lab.md would be the page lab.html, which is the lab frame",
		"chapters/SUMMARY.md:9: 10-print.md would be the page print.html, which is the whole book on one page",
		"chapters/SUMMARY.md:10: index.md would be the page index.html, which is the home page",
		"chapters/SUMMARY.md:11: A.md would be the page A.html, like 01-a.md on line 5",
	} {
		require.ErrorContains(t, err, want)
	}
}

func TestBuildLinkedFileCannotReplaceGeneratedOne(t *testing.T) {
	t.Parallel()
	files := okBook()
	files["04-quorums.md"] = "# Q\n\n[frame](lab.html) and [style](assets/book.css)\n\n## Overlap {#overlap}\n"
	files["lab.html"] = "<script>evil()</script>"
	files["assets/book.css"] = "body{}"
	_, err := build(t, files)
	require.ErrorContains(t, err, "chapters/04-quorums.md:3: link to assets/book.css: the book writes a file of its own there")
	require.ErrorContains(t, err, "chapters/04-quorums.md:3: link to lab.html: the book writes a file of its own there")
}

func TestFrontMatter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		meta      Meta
		errs      []string
	}{
		{"yaml", "---\ntitle: Quorums\nsummary: Overlap.\n---\n# Q\n", Meta{Title: "Quorums", Summary: "Overlap."}, nil},
		{"none", "# Q\n\ntext\n", Meta{Title: "Q"}, nil},
		{"empty", "---\n---\n# Q\n", Meta{Title: "Q"}, nil},
		{"comments only", "---\n# nothing\n---\n# Q\n", Meta{Title: "Q"}, nil},
		{"dots close it", "---\ntitle: T\n...\n# Q\n", Meta{Title: "T"}, nil},
		{"unclosed", "---\ntitle: T\n\n# Q\n\nA whole chapter.\n", Meta{}, []string{"f.md:1: front matter is not closed"}},
		{"unknown key", "---\ntitle: T\ntitel: U\n---\n", Meta{Title: "T"}, []string{`f.md:3: front matter: unknown key "titel" (known: title, summary)`}},
		{"syntax error", "---\ntitle: T\nsummary: [unclosed\n---\n", Meta{}, []string{"f.md:3: front matter: "}},
		{"duplicate key", "---\ntitle: T\nsummary: S\ntitle: U\n---\n", Meta{}, []string{`f.md:4: front matter: mapping key "title" already defined at line 1`}},
		{"wrong type", "---\ntitle: [a, b]\n---\n", Meta{}, []string{"f.md:2: front matter: cannot unmarshal !!seq into string"}},
		{"not a mapping", "---\n- a\n---\n", Meta{}, []string{"f.md:2: front matter: cannot unmarshal !!seq into book.Meta"}},
		{"toml is just text", "+++\ntitle = \"T\"\n+++\n", Meta{}, nil},
	}
	md := newMarkdown(func(w util.BufWriter, fig *Figure) error { return nil })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Parse(md, "f.md", []byte(tc.src))
			var got []string
			for _, e := range d.Errors {
				got = append(got, e.Error())
			}
			require.Len(t, got, len(tc.errs), "%q", got)
			for i, want := range tc.errs {
				require.Contains(t, got[i], want)
			}
			if tc.errs == nil || tc.meta != (Meta{}) {
				require.Equal(t, tc.meta, d.Meta)
			}
		})
	}
	// Lines after the front matter keep their numbers.
	d := Parse(md, "f.md", []byte("---\ntitle: T\nsummary: S\n---\n\n> [!NOPE]\n> x\n"))
	require.Len(t, d.Errors, 1)
	require.Contains(t, d.Errors[0].Error(), "f.md:6: unknown callout")
}

func TestUnclosedFrontMatterFailsTheBuild(t *testing.T) {
	t.Parallel()
	files := okBook()
	files["part.md"] = "---\ntitle: Part\n\n# Part one\n\nText.\n"
	_, err := build(t, files)
	require.ErrorContains(t, err, "chapters/part.md:1: front matter is not closed")
}

func TestCodeAndAttributes(t *testing.T) {
	t.Parallel()
	files := okBook()
	files["04-quorums.md"] = "# Q\n\n## Styled {#styled style=\"background:url(x)\" onclick=\"evil()\" autofocus=on contenteditable=true .note}\n\n" +
		"```go\nfunc main() { x := \"<b>\" }\n```\n\n```nosuchlang\nx < y\n```\n\n```\nplain & simple\n```\n\n    indented <i>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Overlap {#overlap}\n"
	out, err := build(t, files)
	require.NoError(t, err)
	q := read(t, out, "quorums.html")
	require.Contains(t, q, `<h2 id="styled" class="note">`)
	require.NotContains(t, q, "background:url")
	require.NotContains(t, q, "evil()")
	require.NotContains(t, q, "autofocus")
	require.NotContains(t, q, "contenteditable")
	require.Contains(t, q, `<pre tabindex="0" class="chroma"><code class="language-go"><span class="line"><span class="cl"><span class="kd">func</span>`)
	require.Contains(t, q, `&#34;&lt;b&gt;&#34;`, "code is escaped")
	require.Contains(t, q, `<pre tabindex="0"><code class="language-nosuchlang">x &lt; y`)
	require.Contains(t, q, `<pre tabindex="0"><code>plain &amp; simple`)
	require.Contains(t, q, `<pre tabindex="0"><code>indented &lt;i&gt;`)
	require.Contains(t, q, `<table tabindex="0">`)
	require.NotContains(t, q, `tabindex="0" tabindex`)
	require.NotRegexp(t, `<pre(?: [a-z]+="[^"]*")*>`+"\n?"+`</pre>`, q)
	require.NotContains(t, q, ` style=`, "no inline styles at all")
}

var metaCSP = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`)

func TestEveryPageCarriesTheCSP(t *testing.T) {
	t.Parallel()
	out, err := build(t, okBook())
	require.NoError(t, err)
	want := MetaContentSecurityPolicy()
	require.Contains(t, want, "default-src 'self'")
	require.NotContains(t, want, "frame-ancestors")
	n := 0
	require.NoError(t, filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".html" {
			return err
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		m := metaCSP.FindSubmatch(data)
		require.NotNil(t, m, "%s has no CSP <meta>", p)
		require.Equal(t, want, strings.ReplaceAll(string(m[1]), "&#39;", "'"), p)
		head, _, _ := strings.Cut(string(data), string(m[0]))
		require.NotContains(t, head, "<script", "%s: the CSP comes before any script", p)
		n++
		return nil
	}))
	require.Greater(t, n, 5)
	require.Contains(t, string(launchPage(scormPackage{ID: "x", Title: "X", Target: "x.html", Kind: "lab"})), `<meta http-equiv="Content-Security-Policy" content="`+strings.ReplaceAll(want, "'", "&#39;")+`">`)
}

func TestZipNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, BuildMarker), []byte("x"), 0o644))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")))
	ok := filepath.Join(t.TempDir(), "ok.zip")
	require.NoError(t, ZipDir(dir, "book-1", ok, map[string][]byte{"README.txt": nil}))
	zr, err := zip.OpenReader(ok)
	require.NoError(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	require.Equal(t, []string{"book-1/README.txt", "book-1/index.html"}, names, "no marker, no symlink")

	for _, bad := range []string{`..\..\evil.exe`, `C:/Windows/evil.exe`, `a\b.html`, `../up.html`, `/abs.html`, `x:y`} {
		err := ZipDir(dir, "", filepath.Join(t.TempDir(), "bad.zip"), map[string][]byte{bad: []byte("x")})
		require.ErrorContains(t, err, "refusing the entry name", bad)
	}
	if runtime.GOOS != "windows" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, `a\b.html`), []byte("x"), 0o644))
		require.ErrorContains(t, ZipDir(dir, "", filepath.Join(t.TempDir(), "bad.zip"), nil), `refusing the entry name "a\\b.html"`)
	}
}

func TestChapterLimits(t *testing.T) {
	md := newMarkdown(func(w util.BufWriter, fig *Figure) error { return nil })
	nested := func(n int, item string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(strings.Repeat("  ", i) + item + "\n")
		}
		return b.String()
	}
	wide := "| " + strings.Repeat("a | ", 100) + "\n|" + strings.Repeat("---|", 100) + "\n"
	tests := []struct {
		name, src, want string
	}{
		{"20 MB", strings.Repeat("Some text in a paragraph.\n\n", 20<<20/27), "f.md:1: chapter is 20971494 bytes; the limit is 2097152"},
		{"3000-level list", "# Deep\n\n" + nested(3000, "- x"), "f.md:1: chapter is 9009008 bytes; the limit is 2097152"},
		{"1000-level list", "# Deep\n\n" + nested(1000, "- x"), "f.md:35: lists and quotes nested 33 levels deep; the limit is 32"},
		{"3000-level quote", "# Deep\n\n" + strings.Repeat(">", 3000) + " x\n", "f.md:3: lists and quotes nested 3000 levels deep"},
		{"one-line list", "# Deep\n\n" + strings.Repeat("- ", 100) + "x\n", "f.md:3: lists and quotes nested 100 levels deep"},
		{"numbered", "# Deep\n\n" + nested(40, "1. x"), "f.md:35: lists and quotes nested 33 levels deep"},
		{"wide table", "# Wide\n\ntext\n\n" + wide, "f.md:5: table has 100 columns; the limit is 64"},
		{"at the limits", "# Fine\n\n" + nested(32, "- x") + "\n" + strings.Repeat("> ", 32) + "x\n\n" + "| " + strings.Repeat("a | ", 64) + "\n|" + strings.Repeat("---|", 64) + "\n", ""},
		{"deep code in a fence", "# Code\n\n```json\n" + strings.Repeat(" ", 300) + "{}\n```\n", ""},
	}
	for _, tc := range tests { // one at a time: each measures its allocations
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			d := Parse(md, "f.md", []byte(tc.src))
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if tc.want == "" {
				require.Empty(t, d.Errors)
				return
			}
			require.NotEmpty(t, d.Errors)
			require.Contains(t, d.Errors[0].Error(), tc.want)
			// Refused before parsing: generous bounds (it takes milliseconds;
			// before the limits, the 3000-level list took 70 s and 735 MB).
			require.Less(t, took, 5*time.Second)
			require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated")
		})
	}
}

func TestLineIndex(t *testing.T) {
	t.Parallel()
	src := []byte("a\n\nbc\nd\n\n\nlast")
	ix := newLineIndex(src)
	for off := 0; off <= len(src)+2; off++ {
		want := strings.Count(string(src[:min(off, len(src))]), "\n") + 1
		require.Equal(t, want, ix.line(off), "offset %d", off)
	}
	require.Equal(t, 1, newLineIndex(nil).line(0))
}
