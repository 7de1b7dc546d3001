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
	"slices"

	"github.com/andybalholm/brotli"
)

// compressible files get .gz and .br siblings so the server can send them
// precompressed.
var compressible = map[string]bool{".wasm": true, ".js": true, ".css": true, ".html": true, ".svg": true, ".json": true}

// minCompress is the size below which precompressing is not worth a file.
const minCompress = 1024

// write puts every file into a fresh directory beside Out and swaps it in,
// so a failed build never leaves half a site.
func (b *builder) write() (*Result, error) {
	out := filepath.Clean(b.cfg.Out)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	names := make([]string, 0, len(b.files))
	for name := range b.files {
		names = append(names, name)
	}
	slices.Sort(names)
	res := &Result{Pages: len(b.pages), Titles: map[string]string{}, ID: b.buildID()}
	for _, p := range b.pages {
		res.Titles[p.Href] = p.Title
	}
	for _, name := range names {
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
		if b.cfg.Offline || b.cfg.Dev || !compressible[path.Ext(name)] || len(data) < minCompress {
			continue
		}
		gz, br, err := b.compress(data)
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
	old := out + ".old"
	_ = os.RemoveAll(old)
	if _, err := os.Stat(out); err == nil {
		if err := os.Rename(out, old); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, err
	}
	_ = os.Chmod(out, 0o755)
	_ = os.RemoveAll(old)
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
		h.Write(p.Doc.Source)
	}
	h.Write([]byte(b.ver))
	b.id = hex.EncodeToString(h.Sum(nil))[:12]
	return b.id
}
