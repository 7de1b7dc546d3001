package book

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// compressible files get .gz and .br siblings so the server can send them
// precompressed.
var compressible = map[string]bool{".wasm": true, ".js": true, ".css": true, ".html": true, ".svg": true, ".json": true}

// minCompress is the size below which precompressing is not worth a file.
const minCompress = 1024

// BuildMarker is the file every build writes into its output directory.
// A build replaces a directory only if it is empty or carries this file
// (or is a site built before the marker existed): never a folder of the
// author's.
const BuildMarker = ".scalingdata-build"

const markerText = "This folder was written by `scalingdata build`: the next build replaces it whole.\n"

// CheckOut says whether a build may replace out: it must not be, contain or
// lie inside the chapters directory, must not be or contain the working
// directory, and if it exists it must be an empty directory or an earlier
// build. Errors say what to do.
func CheckOut(out, chapters string) error {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			a = filepath.Clean(p)
		}
		if r, err := filepath.EvalSymlinks(a); err == nil {
			return r
		}
		// out may not exist yet: resolve its parent.
		if r, err := filepath.EvalSymlinks(filepath.Dir(a)); err == nil {
			return filepath.Join(r, filepath.Base(a))
		}
		return a
	}
	o, ch := abs(out), abs(chapters)
	within := func(p, dir string) bool { // p is dir or inside it
		rel, err := filepath.Rel(dir, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
	}
	switch {
	case within(o, ch):
		return fmt.Errorf("refusing to build into %s: it is the chapters directory or inside it (%s); choose another -out", out, chapters)
	case within(ch, o):
		return fmt.Errorf("refusing to build into %s: it contains the chapters directory (%s), which the build would replace; choose another -out", out, chapters)
	}
	if wd, err := os.Getwd(); err == nil && within(abs(wd), o) {
		return fmt.Errorf("refusing to build into %s: it is (or contains) the working directory %s, which the build would replace; choose a folder inside it, like -out public", out, wd)
	}
	st, err := os.Lstat(out)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("refusing to build into %s: it is a file, not a directory", out)
	}
	if isBuild(out) {
		return nil
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("refusing to build into %s: it is not empty and holds no %s, so scalingdata did not write it (%d entries, such as %s); empty or remove it, or choose another -out", out, BuildMarker, len(entries), entries[0].Name())
	}
	return nil
}

// isBuild says whether dir holds a site written by scalingdata build: its
// marker, or (for sites built before the marker) the files every build
// writes.
func isBuild(dir string) bool {
	if st, err := os.Lstat(filepath.Join(dir, BuildMarker)); err == nil && st.Mode().IsRegular() {
		return true
	}
	for _, name := range []string{"index.html", "lab.html", "print.html", "assets/book.css", "assets/lab.js"} {
		if st, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name))); err != nil || !st.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// write puts every file into a fresh directory beside Out and swaps it in,
// so a failed build never leaves half a site. It replaces Out only if
// CheckOut allows it.
func (b *builder) write() (*Result, error) {
	out := filepath.Clean(b.cfg.Out)
	if err := CheckOut(out, b.cfg.Chapters); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := writeFile(tmp, BuildMarker, []byte(markerText)); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(b.files))
	for name := range b.files {
		names = append(names, name)
	}
	slices.Sort(names)
	res := &Result{Pages: len(b.pages), Titles: map[string]string{}, ID: b.buildID()}
	for _, p := range b.pages {
		res.Titles[p.Href] = p.Title
	}
	packed := b.compressAll(names)
	for i, name := range names {
		data := b.files[name]
		if name == "assets/labs.wasm" && b.cfg.Wasm != "" && linkFile(b.cfg.Wasm, tmp, name) == nil {
			// the binary is large: a hard link saves writing it on every build
		} else if err := writeFile(tmp, name, data); err != nil {
			return nil, err
		}
		res.Files++
		res.Bytes += int64(len(data))
		if path.Ext(name) == ".html" {
			res.HTML = append(res.HTML, name)
		}
		if !b.compresses(name) {
			continue
		}
		gz, br, err := packed[i].gz, packed[i].br, packed[i].err
		if err != nil {
			return nil, fmt.Errorf("compress %s: %w", name, err)
		}
		if err := writeFile(tmp, name+".gz", gz); err != nil {
			return nil, err
		}
		if err := writeFile(tmp, name+".br", br); err != nil {
			return nil, err
		}
	}
	// Checked again just before the swap: the directory may have changed
	// while the site was compiled.
	if err := CheckOut(out, b.cfg.Chapters); err != nil {
		return nil, err
	}
	var old string
	if _, err := os.Lstat(out); err == nil {
		// A fresh name for the old site, never a folder of the author's.
		old, err = os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+"-old-")
		if err != nil {
			return nil, err
		}
		old = filepath.Join(old, "site")
		if err := os.Rename(out, old); err != nil {
			_ = os.Remove(filepath.Dir(old))
			return nil, err
		}
		defer os.RemoveAll(filepath.Dir(old))
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			_ = os.Rename(old, out)
		}
		return nil, err
	}
	_ = os.Chmod(out, 0o755)
	return res, nil
}

// linkFile hard-links src into dir as name.
func linkFile(src, dir, name string) error {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.Link(src, p)
}

func writeFile(dir, name string, data []byte) error {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// compresses reports whether the build writes .gz and .br copies of name.
func (b *builder) compresses(name string) bool {
	return !b.cfg.Offline && !b.cfg.Dev && compressible[path.Ext(name)] && len(b.files[name]) >= minCompress
}

// encoded is a file's gzip and brotli copies.
type encoded struct {
	gz, br []byte
	err    error
}

// compressAll compresses the files that get copies, one per core at a
// time, largest first (the lab binary and its script parts are most of
// the work): a cold build waits for the slowest core, not the sum.
func (b *builder) compressAll(names []string) []encoded {
	out := make([]encoded, len(names))
	var todo []int
	for i, name := range names {
		if b.compresses(name) {
			todo = append(todo, i)
		}
	}
	slices.SortStableFunc(todo, func(x, y int) int { return len(b.files[names[y]]) - len(b.files[names[x]]) })
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(todo))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i].gz, out[i].br, out[i].err = b.compress(b.files[names[i]])
			}
		}()
	}
	for _, i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// compress returns gzip (best) and brotli (quality 11 for small files, 9
// for the large wasm, where 11 costs seconds for little gain) encodings,
// reusing earlier results from the cache directory by content hash.
func (b *builder) compress(data []byte) (gz, br []byte, err error) {
	key := shortHash(data) + fmt.Sprintf("-%d", len(data))
	if b.cfg.Cache != "" {
		g, e1 := os.ReadFile(filepath.Join(b.cfg.Cache, key+".gz"))
		r, e2 := os.ReadFile(filepath.Join(b.cfg.Cache, key+".br"))
		if e1 == nil && e2 == nil {
			return g, r, nil
		}
	}
	var gb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gb, gzip.BestCompression)
	if _, err := zw.Write(data); err != nil {
		return nil, nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	quality := brotli.BestCompression
	if len(data) > 1<<20 {
		quality = 9
	}
	var bb bytes.Buffer
	bw := brotli.NewWriterLevel(&bb, quality)
	if _, err := bw.Write(data); err != nil {
		return nil, nil, err
	}
	if err := bw.Close(); err != nil {
		return nil, nil, err
	}
	if b.cfg.Cache != "" && os.MkdirAll(b.cfg.Cache, 0o755) == nil {
		cacheFile(filepath.Join(b.cfg.Cache, key+".gz"), gb.Bytes())
		cacheFile(filepath.Join(b.cfg.Cache, key+".br"), bb.Bytes())
	}
	return gb.Bytes(), bb.Bytes(), nil
}

// cacheFile writes a cache entry whole or not at all (a temporary file
// renamed into place), so builds running side by side (tests, a benchmark
// beside make serve) never read half an entry. A failed write only costs
// the next build a compression.
func cacheFile(name string, data []byte) {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
}

// buildID hashes every page of the build. Dev pages carry it (see
// pageData.BuildID) so a page that reconnects to the live-reload stream can
// tell whether it is out of date.
func (b *builder) buildID() string {
	if b.id != "" {
		return b.id
	}
	h := sha256.New()
	for _, p := range b.pages {
		h.Write([]byte(p.File))
		h.Write([]byte(p.Doc.Meta.Title + "\x00" + p.Doc.Meta.Summary + "\x00")) // the front matter, blanked in Source
		h.Write(p.Doc.Source)
	}
	h.Write([]byte(b.ver))
	b.id = hex.EncodeToString(h.Sum(nil))[:12]
	return b.id
}
