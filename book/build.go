// Package book compiles the chapters into the static site: a pipeline of
// small passes (summary → parse → check → render → write), each testable on
// its own. It also serves the site and runs labs headlessly.
package book

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/util"

	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/labs"
	"github.com/scaling-data/book/site"
)

// BookTitle is the site's name.
const BookTitle = "Scaling Data"

// Config says where the book is and where the site goes.
type Config struct {
	Chapters string // the chapters directory
	Out      string // the output directory, replaced whole on success
	// Wasm is the built lab binary (GOOS=js GOARCH=wasm). Empty builds the
	// site without it; labs then report that they cannot start.
	Wasm string
	// WasmExec is Go's wasm_exec.js matching the compiler that built Wasm.
	WasmExec string
	// Cache keeps compressed copies of large files between builds.
	Cache string
	// Offline builds for file:// (the offline bundle): no .gz/.br copies
	// are written. (Every build with a lab binary also writes it as scripts,
	// assets/labs-wasm-<i>.js, for frames that cannot fetch it: file://
	// pages and sandboxed embeds on hosts without CORS headers.)
	Offline bool
	// Dev is the live-reloading development build: no precompressed copies,
	// no service worker, and pages reload themselves when the book is
	// rebuilt (see LiveReload).
	Dev bool
	// Version names this build of the book (shown in the page footer and
	// used to name caches); "dev" when empty.
	Version string
}

// Result summarises a build.
type Result struct {
	Pages  int               // chapters
	Files  int               // files written
	Bytes  int64             // their size
	HTML   []string          // HTML files written, sorted
	Titles map[string]string // chapter page → its title
	ID     string            // hash of every page: changes when any content does
}

// page is one chapter in reading order.
type page struct {
	Entry
	Href  string // "quorums.html", "index.html" for the first
	Doc   *Doc
	Title string
	Body  string // rendered HTML of the chapter
}

type builder struct {
	cfg   Config
	md    goldmark.Markdown
	tmpl  *template.Template
	pages []*page
	files map[string][]byte // output path → content
	root  string            // relative prefix of the page being rendered
	ver   string            // hash of the assets, for cache busting
	id    string            // hash of the sources, see buildID
	// published are the files beside the chapters that pages link to
	// (images, downloads): path → where it is first linked, "file:line".
	published map[string]string
}

// Build compiles the book. Every error in the chapters is reported, each
// with file:line, and nothing is written unless the whole build succeeds.
func Build(cfg Config) (*Result, error) {
	b := &builder{cfg: cfg, files: map[string][]byte{}}
	tmpl, err := template.New("").Funcs(template.FuncMap{"csp": MetaContentSecurityPolicy}).ParseFS(site.FS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	b.tmpl = tmpl
	b.md = newMarkdown(b.renderFigure)
	loadErr := b.load()
	if b.pages == nil {
		return nil, loadErr
	}
	if err := errors.Join(loadErr, b.check()); err != nil {
		return nil, joinSorted(flatten(err))
	}
	if err := b.assets(); err != nil {
		return nil, err
	}
	index, err := b.buildSearch()
	if err != nil {
		return nil, err
	}
	b.files["assets/search-index.js"] = index
	gloss, err := b.glossaryScript()
	if err != nil {
		return nil, err
	}
	b.files["assets/glossary.js"] = gloss
	b.ver = b.assetsVersion()
	for _, step := range []func() error{b.renderPages, b.renderEmbeds, b.renderEmbedIndex, b.renderHosting, b.renderFrame, b.renderPrint} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if err := b.publish(); err != nil {
		return nil, err
	}
	b.serviceWorker()
	return b.write()
}

// load reads SUMMARY.md and parses every chapter it lists.
func (b *builder) load() error {
	summaryPath := filepath.Join(b.cfg.Chapters, "SUMMARY.md")
	src, err := os.ReadFile(summaryPath)
	if err != nil {
		return err
	}
	entries, err := ParseSummary(b.chapterName("SUMMARY.md"), src)
	if err != nil {
		return err
	}
	var errs []error
	summaryName := b.chapterName("SUMMARY.md")
	hrefs := map[string]Entry{} // page (lower case) → the entry that has it
	for i, e := range entries {
		href := Slug(e.File) + ".html"
		if i == 0 {
			href = "index.html"
		} else if what, ok := reservedPages[href]; ok {
			errs = append(errs, fmt.Errorf("%s:%d: %s would be the page %s, which is %s: rename the file", summaryName, e.Line, e.File, href, what))
			continue
		}
		// Case-insensitive, as on macOS and Windows file systems.
		if prev, dup := hrefs[strings.ToLower(href)]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: %s would be the page %s, like %s on line %d: rename one of them", summaryName, e.Line, e.File, href, prev.File, prev.Line))
			continue
		}
		hrefs[strings.ToLower(href)] = e
		src, err := readPublishable(b.cfg.Chapters, e.File)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %s: %v", summaryName, e.Line, e.File, err))
			continue
		}
		doc := Parse(b.md, b.chapterName(e.File), src)
		errs = append(errs, doc.Errors...)
		title := doc.Meta.Title
		if title == "" {
			title = e.Title
		}
		b.pages = append(b.pages, &page{Entry: e, Href: href, Doc: doc, Title: title})
	}
	// Every chapter file must be reachable from SUMMARY.md.
	listed := map[string]bool{"SUMMARY.md": true}
	for _, e := range entries {
		listed[e.File] = true
	}
	mds, _ := filepath.Glob(filepath.Join(b.cfg.Chapters, "*.md"))
	for _, f := range mds {
		if name := filepath.Base(f); !listed[name] && !strings.HasPrefix(name, ".") {
			errs = append(errs, fmt.Errorf("%s: not listed in SUMMARY.md, so no reader can reach it", b.chapterName(name)))
		}
	}
	return joinSorted(errs)
}

// chapterName is how messages name a chapter file: "chapters/04-quorums.md".
func (b *builder) chapterName(file string) string {
	return path.Join(filepath.ToSlash(filepath.Base(b.cfg.Chapters)), file)
}

// check verifies every relative link: chapter files and headings exist,
// images are present.
func (b *builder) check() error {
	byFile := map[string]*page{}
	for _, p := range b.pages {
		byFile[p.File] = p
	}
	var errs []error
	b.published = map[string]string{}
	for _, p := range b.pages {
		for _, l := range p.Doc.Links {
			where := fmt.Sprintf("%s:%d", p.Doc.File, l.Line)
			target := p
			if l.Target != "" {
				if path.Ext(l.Target) != ".md" {
					if why := publishable(b.cfg.Chapters, l.Target); why != "" {
						errs = append(errs, fmt.Errorf("%s: link to %s: %s", where, l.Target, why))
					} else if _, seen := b.published[path.Clean(l.Target)]; !seen {
						b.published[path.Clean(l.Target)] = where
					}
					continue
				}
				t, ok := byFile[path.Clean(l.Target)]
				if !ok {
					errs = append(errs, fmt.Errorf("%s: link to %s: no such chapter in SUMMARY.md", where, l.Target))
					continue
				}
				target = t
			}
			if l.Frag != "" && !target.Doc.IDs[l.Frag] {
				errs = append(errs, fmt.Errorf("%s: link to %s#%s: no such heading%s", where, target.File, l.Frag, suggestID(l.Frag, target.Doc.IDs)))
			}
		}
	}
	return joinSorted(errs)
}

func suggestID(id string, ids map[string]bool) string {
	var names []string
	for k := range ids {
		names = append(names, k)
	}
	slices.Sort(names)
	if n := lab.Nearest(id, names); n != "" {
		return fmt.Sprintf(" (did you mean #%s?)", n)
	}
	return ""
}

// joinSorted joins errors in file:line order so messages read top to bottom.
func joinSorted(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return lessLocation(errs[i].Error(), errs[j].Error()) })
	return errors.Join(errs...)
}

// flatten undoes errors.Join, so errors from several passes sort together.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func lessLocation(a, b string) bool {
	fa, la := splitLocation(a)
	fb, lb := splitLocation(b)
	if fa != fb {
		return fa < fb
	}
	return la < lb
}

func splitLocation(msg string) (string, int) {
	file, rest, _ := strings.Cut(msg, ":")
	n := 0
	for _, r := range rest {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return file, n
}

// navItem is a sidebar line.
type navItem struct {
	Title, Href string
	Level       int
	Current     bool
	Separator   bool
}

type pageData struct {
	Book, Title, Summary, Root, Version string
	Dev                                 bool   // include the live-reload script
	BuildID                             string // which build a Dev page came from
	Heading                             string // the page's h1 when the Markdown has none
	TOC                                 []Heading
	Labs                                []labCard // the home page's cards
	Nav                                 []navItem
	Body                                template.HTML
	Prev, Next                          *navItem
}

func (b *builder) renderPages() error {
	var errs []error
	for i, p := range b.pages {
		var body bytes.Buffer
		b.root = ""
		if err := b.md.Renderer().Render(&body, p.Doc.Source, p.Doc.AST); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.Doc.File, err))
			continue
		}
		// Code blocks and tables carry tabindex="0" (codeRenderer,
		// attributeTransformer): they scroll sideways on small screens.
		p.Body = body.String()
		data := pageData{
			Book: BookTitle, Title: p.Title, Summary: p.Doc.Meta.Summary, Version: b.version(), Dev: b.cfg.Dev, BuildID: b.buildID(),
			Nav:  b.nav(p),
			Body: template.HTML(p.Body), // goldmark output, raw HTML off
		}
		if !hasH1(p.Doc) {
			data.Heading = p.Title
		}
		for _, h := range p.Doc.Headings {
			if h.Level == 2 || h.Level == 3 {
				data.TOC = append(data.TOC, h)
			}
		}
		if len(data.TOC) < 3 {
			data.TOC = nil // a short page needs no table of contents
		}
		if i == 0 {
			data.Title = ""
			data.Labs = b.labCards()
		}
		if i > 0 {
			prev := b.pages[i-1]
			data.Prev = &navItem{Title: prev.Title, Href: prev.Href}
		}
		if i+1 < len(b.pages) {
			next := b.pages[i+1]
			data.Next = &navItem{Title: next.Title, Href: next.Href}
		}
		var out bytes.Buffer
		if err := b.tmpl.ExecuteTemplate(&out, "page", data); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.Doc.File, err))
			continue
		}
		b.files[p.Href] = out.Bytes()
	}
	return joinSorted(errs)
}

// labCard is a lab on the home page: its poster, what it shows, and the
// chapter where it first appears.
type labCard struct {
	Name, Title, Summary    string
	PosterLight, PosterDark string
	Href, Chapter           string
	Width, Height           int
}

func (b *builder) labCards() []labCard {
	var cards []labCard
	for _, l := range labs.All() {
		s := l.Schema
		c := labCard{Name: s.Name, Title: s.Title, Summary: s.Summary, Width: s.Width, Height: s.Height, Href: "embed/" + s.Name + ".html"}
		var fig *Figure
		for _, p := range b.pages {
			for _, f := range p.Doc.Figures {
				if f.Lab.Schema.Name == s.Name {
					fig, c.Href, c.Chapter = f, p.Href+"#"+f.ID, p.Title
					break
				}
			}
			if fig != nil {
				break
			}
		}
		if fig == nil {
			fig = &Figure{Lab: l, Values: s.Defaults(), Seed: DefaultSeed}
		}
		light, dark, _, err := b.posters(fig)
		if err != nil {
			continue
		}
		c.PosterLight, c.PosterDark = light, dark
		cards = append(cards, c)
	}
	return cards
}

func hasH1(d *Doc) bool {
	for _, h := range d.Headings {
		if h.Level == 1 {
			return true
		}
	}
	return false
}

func (b *builder) nav(cur *page) []navItem {
	var items []navItem
	back := false
	for _, p := range b.pages {
		if p.Back && !back {
			items = append(items, navItem{Separator: true})
			back = true
		}
		items = append(items, navItem{Title: p.Title, Href: p.Href, Level: p.Level, Current: p == cur})
	}
	return items
}

// renderFigure is goldmark's hook for sim blocks.
func (b *builder) renderFigure(w util.BufWriter, fig *Figure) error {
	d, err := b.newFigureData(fig, b.root)
	if err != nil {
		return err
	}
	return b.tmpl.ExecuteTemplate(w, "figure", d)
}

// renderEmbeds writes embed/<lab>.html: one lab with its controls, for a
// course platform's iframe, linking back to its chapter.
func (b *builder) renderEmbeds() error {
	for _, l := range labs.All() {
		s := l.Schema
		fig := &Figure{ID: "lab", Lab: l, Values: s.Defaults(), Seed: DefaultSeed}
		d, err := b.newFigureData(fig, "../")
		if err != nil {
			return err
		}
		for _, p := range b.pages {
			if p.File == s.Chapter {
				d.ChapterHref = "../" + p.Href
				for _, f := range p.Doc.Figures {
					if f.Lab.Schema.Name == s.Name {
						d.ChapterHref += "#" + f.ID
						break
					}
				}
			}
		}
		var fb bytes.Buffer
		if err := b.tmpl.ExecuteTemplate(&fb, "figure", d); err != nil {
			return err
		}
		var out bytes.Buffer
		data := pageData{Book: BookTitle, Title: s.Title, Summary: s.Summary, Root: "../", Version: b.version(), Dev: b.cfg.Dev, BuildID: b.buildID(), Body: template.HTML(fb.String())}
		if err := b.tmpl.ExecuteTemplate(&out, "embed", data); err != nil {
			return err
		}
		b.files["embed/"+s.Name+".html"] = out.Bytes()
	}
	return nil
}

func (b *builder) renderFrame() error {
	var out bytes.Buffer
	wasm := b.files["assets/labs.wasm"]
	var names []string
	for _, l := range labs.All() {
		names = append(names, l.Schema.Name)
	}
	data := struct {
		Book, Version, WasmVersion, Labs string
		WasmSize, WasmParts              int
	}{BookTitle, b.version(), shortHash(wasm), strings.Join(names, " "), len(wasm), (len(wasm) + wasmPartSize - 1) / wasmPartSize}
	if err := b.tmpl.ExecuteTemplate(&out, "frame", data); err != nil {
		return err
	}
	b.files["lab.html"] = out.Bytes()
	return nil
}

// assets copies the static files, adds the generated CSS (chroma themes,
// lab sizes), Go's wasm_exec.js and the lab binary.
func (b *builder) assets() error {
	err := fs.WalkDir(site.FS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := site.FS.ReadFile(p)
		if err != nil {
			return err
		}
		b.files["assets/"+strings.TrimPrefix(p, "static/")] = data
		return nil
	})
	if err != nil {
		return err
	}
	css, err := generatedCSS()
	if err != nil {
		return err
	}
	b.files["assets/book.css"] = append(b.files["assets/book.css"], css...)
	if b.cfg.WasmExec != "" {
		data, err := os.ReadFile(b.cfg.WasmExec)
		if err != nil {
			return fmt.Errorf("wasm_exec.js: %w", err)
		}
		b.files["assets/wasm_exec.js"] = data
	}
	if b.cfg.Wasm != "" {
		data, err := os.ReadFile(b.cfg.Wasm)
		if err != nil {
			return fmt.Errorf("lab binary: %w (build it with `make wasm`)", err)
		}
		b.files["assets/labs.wasm"] = data
		for name, part := range wasmParts(data) {
			b.files[name] = part
		}
	}
	return nil
}

// publish adds the files beside the chapters that pages link to (images,
// downloads; see check and publishable): nothing else from the chapters
// directory. It runs after every page is generated, so a file that would
// replace one of the book's own is an error.
func (b *builder) publish() error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(b.published)) {
		if _, taken := b.files[name]; taken || name == "sw.js" || name == BuildMarker {
			errs = append(errs, fmt.Errorf("%s: link to %s: the book writes a file of its own there; move or rename it", b.published[name], name))
			continue
		}
		data, err := readPublishable(b.cfg.Chapters, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: link to %s: %v", b.published[name], name, err))
			continue
		}
		b.files[name] = data
	}
	return joinSorted(errs)
}

// generatedCSS is the chroma highlighting palette for both themes and the
// box of every lab (its canvas's aspect ratio), so pages never shift.
func generatedCSS() ([]byte, error) {
	var out bytes.Buffer
	out.WriteString("\n/* generated: lab sizes */\n")
	for _, l := range labs.All() {
		fmt.Fprintf(&out, ".lab-size-%s { aspect-ratio: %d / %d; --lab-ratio: %.4f; }\n", l.Schema.Name, l.Schema.Width, l.Schema.Height, float64(l.Schema.Width)/float64(l.Schema.Height))
	}
	f := chromahtml.New(chromahtml.WithClasses(true))
	for _, t := range []struct {
		style, scope string
	}{{"github", ":root"}, {"github-dark", ":root[data-theme=\"dark\"]"}} {
		st := styles.Get(t.style)
		if st == nil {
			st = styles.Fallback
		}
		var css bytes.Buffer
		if err := f.WriteCSS(&css, st); err != nil {
			return nil, err
		}
		out.WriteString("\n/* generated: chroma " + t.style + " */\n")
		out.WriteString(scopeCSS(css.String(), t.scope))
	}
	return out.Bytes(), nil
}

// scopeCSS prefixes every chroma rule with scope and drops the code
// blocks' own background, so the page's colours apply.
func scopeCSS(css, scope string) string {
	var out strings.Builder
	for _, line := range strings.Split(css, "\n") {
		if i := strings.Index(line, "*/"); i >= 0 {
			line = line[i+2:]
		}
		sel, body, ok := strings.Cut(strings.TrimSpace(line), "{")
		if !ok {
			continue
		}
		sel = strings.TrimSpace(sel)
		if sel == ".bg" || sel == ".chroma" {
			body = bgDecl.ReplaceAllString(body, "")
		}
		out.WriteString(scope + " " + sel + " {" + body + "\n")
	}
	return out.String()
}

var bgDecl = regexp.MustCompile(`background-color:\s*[^;]+;\s*`)

// version is the assets' hash: pages link assets with ?v=version, so a
// new build is never served stale scripts from a cache.
func (b *builder) version() string { return b.ver }

// assetsVersion hashes every asset but the lab binary (which has its own).
func (b *builder) assetsVersion() string {
	var names []string
	for name := range b.files {
		if strings.HasPrefix(name, "assets/") && name != "assets/labs.wasm" && !isWasmPart(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		h.Write([]byte(name))
		h.Write(b.files[name])
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}

func shortHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:10]
}
