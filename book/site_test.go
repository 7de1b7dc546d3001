package book

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/scaling-data/book/sim/labs"
)

// page is what the checks need of one built HTML file.
type htmlPage struct {
	ids   map[string]int
	refs  []ref
	nodes *html.Node
}

type ref struct{ tag, attr, value string }

func parsePage(t *testing.T, data []byte) htmlPage {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(data))
	require.NoError(t, err)
	p := htmlPage{ids: map[string]int{}, nodes: doc}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch a.Key {
				case "id":
					p.ids[a.Val]++
				case "href", "src":
					p.refs = append(p.refs, ref{n.Data, a.Key, a.Val})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return p
}

var (
	realOnce sync.Once
	realOut  string
	realErr  error
)

// goEnv is a setting of the go command that runs the tests ("GOROOT":
// whose wasm_exec.js matches the binaries it builds).
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	require.NoError(t, err, "go env %s", name)
	return strings.TrimSpace(string(out))
}

// realSite builds the real book once for the tests that inspect it, with a
// compression cache that outlives the test run.
func realSite(t *testing.T) string {
	t.Helper()
	realOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scalingdata-real-")
		if err != nil {
			realErr = err
			return
		}
		realOut = filepath.Join(dir, "public")
		_, realErr = Build(Config{
			Chapters: filepath.Join("..", "chapters"),
			Out:      realOut,
			Cache:    testCache(),
			WasmExec: filepath.Join(goEnv(t, "GOROOT"), "lib", "wasm", "wasm_exec.js"),
		})
	})
	require.NoError(t, realErr)
	return realOut
}

// testCache keeps compressed files between test runs.
func testCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "scalingdata-test", "compress")
}

// TestBuiltSiteLinks crawls the built real book: every relative link and
// source resolves to a file, every #anchor to an id in its page, no id
// repeats, and nothing points to another site.
func TestBuiltSiteLinks(t *testing.T) {
	t.Parallel()
	out := realSite(t)
	pages := map[string]htmlPage{}
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".html" {
			return err
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		rel, _ := filepath.Rel(out, p)
		pages[filepath.ToSlash(rel)] = parsePage(t, data)
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, pages)
	for name, p := range pages {
		for id, n := range p.ids {
			require.Equal(t, 1, n, "%s: id %q appears %d times", name, id, n)
		}
		for _, r := range p.refs {
			u, err := url.Parse(r.value)
			require.NoError(t, err, "%s: %s=%q", name, r.attr, r.value)
			if u.Scheme != "" || u.Host != "" {
				// Links to other sites (a paper's DOI) are fine; loading
				// anything from one is not.
				require.True(t, r.tag == "a" && (u.Scheme == "https" || u.Scheme == "http"), "%s: <%s %s=%q> loads from another site", name, r.tag, r.attr, r.value)
				continue
			}
			target := name
			if u.Path != "" {
				target = path.Clean(path.Join(path.Dir(name), u.Path))
				_, err := os.Stat(filepath.Join(out, filepath.FromSlash(target)))
				require.NoError(t, err, "%s: %s=%q points at a missing file", name, r.attr, r.value)
			}
			if u.Fragment != "" && strings.HasSuffix(target, ".html") {
				tp, ok := pages[target]
				require.True(t, ok, "%s: %q", name, r.value)
				require.Positive(t, tp.ids[u.Fragment], "%s: %s=%q: no id %q in %s", name, r.attr, r.value, u.Fragment, target)
			}
		}
	}
}

// TestBuiltSiteHTML checks every built page for what browsers forgive but
// readers and assistive technology do not: a language, a title, one h1,
// headings that do not skip levels, alt text, labelled controls and
// frames, buttons with a type and a name.
func TestBuiltSiteHTML(t *testing.T) {
	t.Parallel()
	out := realSite(t)
	files, _ := filepath.Glob(filepath.Join(out, "*.html"))
	embeds, _ := filepath.Glob(filepath.Join(out, "embed", "*.html"))
	files = append(files, embeds...)
	for _, f := range files {
		name, _ := filepath.Rel(out, f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			require.True(t, bytes.HasPrefix(data, []byte("<!doctype html>")), "doctype")
			p := parsePage(t, data)
			var (
				lang, title   bool
				h1            int
				lastLevel     int
				labelsFor     = map[string]bool{}
				controls      []*html.Node
				insideLabel   = map[*html.Node]bool{}
				printPage     = name == "print.html"
				frameDocument = name == "lab.html"
			)
			var walk func(n *html.Node, inLabel bool)
			walk = func(n *html.Node, inLabel bool) {
				if n.Type == html.ElementNode {
					switch n.DataAtom {
					case atom.Html:
						lang = attr(n, "lang") != ""
					case atom.Title:
						title = n.FirstChild != nil && strings.TrimSpace(n.FirstChild.Data) != ""
					case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
						level := int(n.Data[1] - '0')
						if level == 1 {
							h1++
						}
						if !printPage && lastLevel > 0 && level > lastLevel+1 && !hasClass(n, "lab-title") {
							t.Errorf("%s: <%s> %q follows <h%d>: a heading level is skipped", name, n.Data, nodeText(n), lastLevel)
						}
						if !hasClass(n, "lab-title") {
							lastLevel = level
						}
					case atom.Img:
						_, has := attrOK(n, "alt")
						require.True(t, has, "%s: <img src=%q> has no alt", name, attr(n, "src"))
					case atom.Iframe:
						require.NotEmpty(t, attr(n, "title"), "%s: <iframe> has no title", name)
					case atom.Button:
						require.NotEmpty(t, attr(n, "type"), "%s: <button> %q has no type", name, nodeText(n))
						require.NotEmpty(t, strings.TrimSpace(nodeText(n)+attr(n, "aria-label")), "%s: a button has no name", name)
					case atom.Label:
						if f := attr(n, "for"); f != "" {
							labelsFor[f] = true
						}
						inLabel = true
					case atom.Input, atom.Select, atom.Textarea:
						if attr(n, "type") != "hidden" {
							controls = append(controls, n)
							insideLabel[n] = inLabel
						}
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, inLabel)
				}
			}
			walk(p.nodes, false)
			require.True(t, lang, "<html lang>")
			require.True(t, title, "<title>")
			if !frameDocument && !printPage {
				require.Equal(t, 1, h1, "exactly one <h1>")
			}
			for _, c := range controls {
				ok := insideLabel[c] || labelsFor[attr(c, "id")] || attr(c, "aria-label") != "" || attr(c, "aria-labelledby") != ""
				require.True(t, ok, "%s: <%s name=%q> has no label", name, c.Data, attr(c, "name"))
			}
		})
	}
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// TestEveryEmbedLinksBackToItsLab: each lab's embed page links back to
// the chapter its schema names (lab.Schema.Chapter), at a figure that runs
// that lab. A chapter file misspelt in a schema, or a chapter that lost
// its lab, would otherwise drop the link without a word.
func TestEveryEmbedLinksBackToItsLab(t *testing.T) {
	t.Parallel()
	out := realSite(t)
	for _, l := range labs.All() {
		name := l.Schema.Name
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(out, "embed", name+".html"))
			require.NoError(t, err)
			back := ""
			var find func(n *html.Node)
			find = func(n *html.Node) {
				if n.Type == html.ElementNode && n.DataAtom == atom.A && attr(n, "class") == "lab-source" {
					back = attr(n, "href")
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					find(c)
				}
			}
			find(parsePage(t, data).nodes)
			require.NotEmpty(t, back, "embed/%s.html has no link back to its chapter: does %s's schema name a chapter SUMMARY.md lists (Chapter: %q)?", name, name, l.Schema.Chapter)
			file, id, ok := strings.Cut(strings.TrimPrefix(back, "../"), "#")
			require.True(t, ok, "embed/%s.html links back to %s, not to a figure in it: the chapter %s has no lab %q", name, back, l.Schema.Chapter, name)
			page, err := os.ReadFile(filepath.Join(out, file))
			require.NoError(t, err, "embed/%s.html links back to a missing page", name)
			var fig *html.Node
			var byID func(n *html.Node)
			byID = func(n *html.Node) {
				if n.Type == html.ElementNode && attr(n, "id") == id {
					fig = n
				}
				for c := n.FirstChild; c != nil && fig == nil; c = c.NextSibling {
					byID(c)
				}
			}
			byID(parsePage(t, page).nodes)
			require.NotNil(t, fig, "%s has no #%s", file, id)
			require.Equal(t, name, attr(fig, "data-lab"), "%s#%s runs another lab", file, id)
		})
	}
}
