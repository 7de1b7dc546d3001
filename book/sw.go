package book

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scaling-data/book/site"
)

// ShellBudget is the most the service worker may precache on a reader's
// first visit, in bytes of decoded files (what the browser's cache holds):
// the shell every page needs, not the book. Pages, images and the lab
// binary are kept as the reader opens and runs them.
const ShellBudget = 1 << 20

// assetRef finds the versioned asset URLs a page asks for, as written:
// "assets/book.css?v=3f2a…", "../assets/lab.js?v=…".
var assetRef = regexp.MustCompile(`(?:\.\./)*assets/[A-Za-z0-9_.\-/]+\?v=[A-Za-z0-9_.\-]+`)

// serviceWorker writes sw.js for the hosted site from site/static/sw.js:
// the edition's version (a hash of every file, naming its cache) and its
// shell, which is the contents page, the lab frame and the versioned
// assets pages load (search index included), each URL exactly as pages
// request it, so the worker matches them exactly. Offline and dev builds
// have none (file:// has no service workers; a dev server's pages change
// under it).
func (b *builder) serviceWorker() {
	delete(b.files, "assets/sw.js") // the template is not an asset
	if b.cfg.Offline || b.cfg.Dev {
		return
	}
	var names []string
	for name := range b.files {
		names = append(names, name)
	}
	slices.Sort(names)
	h := sha256.New()
	shell := map[string]bool{"index.html": true, "lab.html": true}
	for _, name := range names {
		h.Write([]byte(name))
		h.Write(b.files[name])
		if path.Ext(name) != ".html" || strings.HasPrefix(name, "scorm/") {
			continue
		}
		for _, ref := range assetRef.FindAllString(string(b.files[name]), -1) {
			ref = path.Join(path.Dir(name), ref)
			file, _, _ := strings.Cut(ref, "?")
			if _, ok := b.files[file]; ok && !isLabBinary(file) {
				shell[ref] = true
			}
		}
	}
	shell["assets/search-index.js?v="+b.version()] = true
	version := hex.EncodeToString(h.Sum(nil))[:12]
	list := make([]string, 0, len(shell))
	for ref := range shell {
		list = append(list, strconv.Quote(ref))
	}
	slices.Sort(list)
	tmpl, err := site.FS.ReadFile("static/sw.js")
	if err != nil {
		panic("site/static/sw.js is missing from the embedded site: " + err.Error())
	}
	b.files["sw.js"] = []byte(strings.NewReplacer(
		"'dev'/*VERSION*/", strconv.Quote(version),
		"0/*BUDGET*/", strconv.Itoa(ShellBudget),
		"[/*SHELL*/]", "[\n  "+strings.Join(list, ",\n  ")+",\n]",
	).Replace(string(tmpl)))
}

// isLabBinary says whether a site file is the lab binary or one of its
// script copies: kept when a lab first runs, never precached.
func isLabBinary(name string) bool {
	return path.Ext(name) == ".wasm" || strings.HasPrefix(name, "assets/labs-wasm")
}

// ShellBytes is what the service worker of a built site precaches: the
// sum of its shell's file sizes, read from sw.js and the site's files.
func ShellBytes(sw []byte, size func(name string) (int64, error)) (int64, []string, error) {
	start := strings.Index(string(sw), "const SHELL = [")
	if start < 0 {
		return 0, nil, fmt.Errorf("sw.js has no SHELL list")
	}
	body, _, ok := strings.Cut(string(sw[start+len("const SHELL = ["):]), "];")
	if !ok {
		return 0, nil, fmt.Errorf("sw.js: SHELL list not closed")
	}
	var total int64
	var names []string
	for _, line := range strings.Split(body, ",") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ref, err := strconv.Unquote(line)
		if err != nil {
			return 0, nil, fmt.Errorf("sw.js: SHELL entry %s: %v", line, err)
		}
		file, _, _ := strings.Cut(ref, "?")
		n, err := size(file)
		if err != nil {
			return 0, nil, fmt.Errorf("sw.js: SHELL entry %s: %v", ref, err)
		}
		total += n
		names = append(names, ref)
	}
	return total, names, nil
}
