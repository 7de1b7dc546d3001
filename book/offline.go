package book

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// wasmPartSize is how many bytes of the lab binary each of its scripts
// carries: a multiple of 3, so every part is whole base64 on its own.
const wasmPartSize = 3 << 19 // 1.5 MiB raw, 2 MiB of base64

// wasmParts carries the lab binary as base64 in scripts
// (assets/labs-wasm-<i>.js), for frames that cannot fetch it: file://
// pages, and sandboxed embed frames (an opaque origin, whose fetch needs
// CORS headers that plain static hosts do not send; a <script> needs none).
// Each part calls scalingdataWasmPart(i, base64); frame.js loads them in
// parallel, counts them for its progress bar, and streams them in order
// into the WebAssembly compiler.
func wasmParts(wasm []byte) map[string][]byte {
	parts := map[string][]byte{}
	for i := 0; i*wasmPartSize < len(wasm); i++ {
		chunk := wasm[i*wasmPartSize : min((i+1)*wasmPartSize, len(wasm))]
		var b bytes.Buffer
		b.Grow(base64.StdEncoding.EncodedLen(len(chunk)) + 100)
		fmt.Fprintf(&b, "// The Scaling Data labs (WebAssembly), part %d, as base64 for frames that cannot fetch.\nscalingdataWasmPart(%d, \"", i, i)
		b.WriteString(base64.StdEncoding.EncodeToString(chunk))
		b.WriteString("\");\n")
		parts[wasmPartName(i)] = b.Bytes()
	}
	return parts
}

// wasmPartName is the site path of the lab binary's i-th script.
func wasmPartName(i int) string { return fmt.Sprintf("assets/labs-wasm-%d.js", i) }

// isWasmPart says whether a site path is one of the lab binary's scripts.
func isWasmPart(name string) bool {
	return strings.HasPrefix(name, "assets/labs-wasm-") && strings.HasSuffix(name, ".js")
}

// zipEpoch is the modification time of every file in a zip, so the same
// site gives the same bytes.
var zipEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// ZipDir writes every file under dir into a zip at out, below a top folder
// named prefix ("scaling-data-1.0/index.html"). Extra files (name → data)
// are added at the root. Names are sorted and times fixed, so the zip is
// reproducible. Every name must be safe to extract anywhere (zipName); the
// build's marker and symlinks are left out.
func ZipDir(dir, prefix, out string, extra map[string][]byte) error {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == BuildMarker {
			return nil
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return err
	}
	for name := range extra {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := zipName(path.Join(prefix, name)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, name := range names {
		h := &zip.FileHeader{Name: path.Join(prefix, name), Method: zip.Deflate, Modified: zipEpoch}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if data, ok := extra[name]; ok {
			if _, err := w.Write(data); err != nil {
				return err
			}
			continue
		}
		src, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		_, err = io.Copy(w, src)
		src.Close()
		if err != nil {
			return fmt.Errorf("zip %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// zipName checks a zip entry's name: a valid slash-separated relative path
// (fs.ValidPath: no "..", no leading "/") with no backslash or colon,
// which Windows extractors read as separators and drive letters.
func zipName(name string) error {
	if !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, `\:`) {
		return fmt.Errorf("zip: refusing the entry name %q: it could be extracted outside its folder", name)
	}
	return nil
}

// BundleName is the offline bundle's file name for a version.
func BundleName(version string) string {
	return "scaling-data-" + strings.TrimPrefix(version, "v") + ".zip"
}

// Bundle builds the book for file:// into a temporary directory and zips
// it to out: unzip, double-click index.html.
func Bundle(cfg Config, out string) error {
	tmp, err := os.MkdirTemp("", "scalingdata-bundle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg.Out = filepath.Join(tmp, "site")
	cfg.Offline = true
	if _, err := Build(cfg); err != nil {
		return err
	}
	prefix := strings.TrimSuffix(BundleName(cfg.Version), ".zip")
	readme := []byte("Scaling Data " + cfg.Version + ", offline edition.\n\nOpen index.html in a browser (double-click it). Everything works without a network:\nthe chapters, search, printing, and every lab.\n")
	return ZipDir(cfg.Out, prefix, out, map[string][]byte{"README.txt": readme})
}
