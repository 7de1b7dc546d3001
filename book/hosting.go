package book

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"

	"github.com/scaling-data/book/site"
)

// renderHosting writes what the book publishes for whoever hosts it and
// for course builders: embed/resize.js (the optional one-line host script
// that sizes lab frames to their content), the server configurations under
// embed/hosting/ (nginx.conf, apache.htaccess, Caddyfile, netlify_headers;
// the nginx one is tested by running nginx with it), and the hosting guide,
// embed/hosting.html, which shows them.
func (b *builder) renderHosting() error {
	resize, err := site.FS.ReadFile("embed/resize.js")
	if err != nil {
		return err
	}
	b.files["embed/resize.js"] = resize
	conf := map[string]string{}
	err = fs.WalkDir(site.FS, "hosting", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := site.FS.ReadFile(p)
		if err != nil {
			return err
		}
		b.files["embed/hosting/"+path.Base(p)] = data
		conf[path.Base(p)] = string(data)
		return nil
	})
	if err != nil {
		return err
	}
	wasm := b.files["assets/labs.wasm"]
	data := struct {
		pageData
		Nginx, Apache, Caddy, Netlify string
		WasmMB, WasmBrMB, WasmGzMB    string
		Parts                         int
	}{
		pageData: pageData{Book: BookTitle, Title: "Hosting the book", Summary: "How to serve the built book fast on nginx, Apache, Caddy, GitHub Pages, Netlify and S3/CloudFront.", Root: "../", Version: b.version()},
		Nginx:    conf["nginx.conf"], Apache: conf["apache.htaccess"], Caddy: conf["Caddyfile"], Netlify: conf["netlify_headers"],
		WasmMB: "13", WasmBrMB: "2.6", WasmGzMB: "3.3",
		Parts: (len(wasm) + wasmPartSize - 1) / wasmPartSize,
	}
	if len(wasm) > 0 && !b.cfg.Dev && !b.cfg.Offline {
		// The same copies write() puts beside it (cached by content).
		gz, br, err := b.compress(wasm)
		if err != nil {
			return err
		}
		data.WasmMB, data.WasmBrMB, data.WasmGzMB = mb(len(wasm)), mb(len(br)), mb(len(gz))
	}
	var out bytes.Buffer
	if err := b.tmpl.ExecuteTemplate(&out, "hosting", data); err != nil {
		return err
	}
	b.files["embed/hosting.html"] = out.Bytes()
	return nil
}

func mb(n int) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }
