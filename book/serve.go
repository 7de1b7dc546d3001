package book

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

func init() {
	// Some systems' MIME tables lack these; the browser needs them exact.
	_ = mime.AddExtensionType(".wasm", "application/wasm")
	_ = mime.AddExtensionType(".js", "text/javascript; charset=utf-8")
	_ = mime.AddExtensionType(".css", "text/css; charset=utf-8")
	_ = mime.AddExtensionType(".svg", "image/svg+xml")
	_ = mime.AddExtensionType(".json", "application/json")
}

// ContentSecurityPolicy allows only the site's own files and WebAssembly
// compilation. It sets no frame-ancestors: embed pages live in course
// platforms' frames, often sandboxed (an opaque origin that no
// frame-ancestors source, not even *, matches).
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"

// ServeOptions says how Handler serves a site.
type ServeOptions struct {
	// Dev is the author's development server: it answers only requests
	// whose Host is a loopback name or address (so a web page the author
	// visits cannot reach it through DNS rebinding) and sends no CORS
	// header at all (so no other origin can read it).
	Dev bool
}

// Handler serves a built site from fsys as a public server: see
// HandlerWith.
func Handler(fsys fs.FS) http.Handler { return HandlerWith(fsys, ServeOptions{}) }

// HandlerWith serves a built site from fsys: only files in it (no listings,
// no paths outside it), with exact MIME types, the precompressed .br or .gz
// sibling when the client accepts it (q-values honoured), an ETag from the
// content's hash (If-None-Match answers 304), nosniff and the CSP. CORS
// (Access-Control-Allow-Origin: *) is sent only for the lab binary, the one
// file a sandboxed embed frame (an opaque origin) fetches, and never by the
// development server.
func HandlerWith(fsys fs.FS, opt ServeOptions) http.Handler {
	tags := &etags{m: map[string]etag{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if opt.Dev && !LoopbackHost(r.Host) {
			http.Error(w, "the development server answers only to localhost", http.StatusMisdirectedRequest)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" || strings.HasSuffix(r.URL.Path, "/") {
			name = path.Join(name, "index.html")
		}
		if !fs.ValidPath(name) {
			http.NotFound(w, r)
			return
		}
		info, err := fs.Stat(fsys, name)
		if err != nil || info.IsDir() {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		if opt.Dev && draftScript(name) {
			// Scripts made from the chapters carry the drafts' text in a
			// global: no other origin may run them to read it.
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
		} else if opt.Dev {
			// The embed index previews labs in sandboxed frames (an
			// opaque origin): their scripts, styles and binary must load.
			h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		} else {
			// Embed pages may sit in sandboxed frames (opaque origin),
			// whose fetch of the lab binary is cross-origin: that file,
			// public like the whole book, is readable by any origin.
			h.Set("Cross-Origin-Resource-Policy", "cross-origin")
			if path.Ext(name) == ".wasm" {
				h.Set("Access-Control-Allow-Origin", "*")
			}
		}
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		h.Set("Content-Type", ctype)
		h.Set("Vary", "Accept-Encoding")
		if path.Ext(name) == ".html" || opt.Dev {
			h.Set("Cache-Control", "no-cache")
		} else {
			h.Set("Cache-Control", "public, max-age=300")
		}
		send := name
		accept := r.Header.Get("Accept-Encoding")
		for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
			if !acceptsEncoding(accept, enc.token) {
				continue
			}
			if _, err := fs.Stat(fsys, name+enc.ext); err == nil {
				send = name + enc.ext
				h.Set("Content-Encoding", enc.token)
				break
			}
		}
		f, err := fsys.Open(send)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || st.IsDir() {
			http.Error(w, "cannot read "+name, http.StatusInternalServerError)
			return
		}
		rs, ok := f.(io.ReadSeeker)
		if !ok { // embedded or in-memory files may not seek: read them whole
			data, err := io.ReadAll(f)
			if err != nil {
				http.Error(w, "cannot read "+name, http.StatusInternalServerError)
				return
			}
			rs = strings.NewReader(string(data))
		}
		tag, err := tags.get(send, st, rs)
		if err != nil {
			http.Error(w, "cannot read "+name, http.StatusInternalServerError)
			return
		}
		h.Set("ETag", tag)
		// ServeContent answers If-None-Match with 304 and ranges; the
		// zero time keeps it from sending a Last-Modified the ETag
		// already covers (embedded files have no times).
		http.ServeContent(w, r, name, time.Time{}, rs)
	})
}

// draftScript says whether a site file is a script the build makes from
// the chapters' text (the search index, the glossary).
func draftScript(name string) bool {
	return name == "assets/search-index.js" || name == "assets/glossary.js"
}

// etags remembers each file's content hash, keyed by name, size and time,
// so a file is hashed once per version (the 10 MB lab binary included).
type etags struct {
	mu sync.Mutex
	m  map[string]etag
}

type etag struct {
	size int64
	mod  time.Time
	tag  string
}

func (e *etags) get(name string, st fs.FileInfo, rs io.ReadSeeker) (string, error) {
	e.mu.Lock()
	got, ok := e.m[name]
	e.mu.Unlock()
	if ok && got.size == st.Size() && got.mod.Equal(st.ModTime()) {
		return got.tag, nil
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, rs); err != nil {
		return "", err
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tag := `"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)[:18]) + `"`
	e.mu.Lock()
	e.m[name] = etag{st.Size(), st.ModTime(), tag}
	e.mu.Unlock()
	return tag, nil
}

// acceptsEncoding reports whether an Accept-Encoding header allows token:
// named (or covered by *) with a q-value above zero. A token named
// explicitly wins over *.
func acceptsEncoding(header, token string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		name := strings.TrimSpace(fields[0])
		q := 1.0
		for _, p := range fields[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight accepts nothing
				}
				q = f
			}
		}
		switch {
		case strings.EqualFold(name, token):
			return q > 0
		case name == "*":
			star = q > 0
		}
	}
	return star
}

// LoopbackHost reports whether a request's Host header names this machine
// by a loopback name or address: localhost, *.localhost, 127.0.0.0/8, ::1.
func LoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DirFS serves the files below dir and nothing else: every open goes
// through os.OpenRoot, so a symlink (or "..") that leads out of dir fails.
// The root is opened per call, so a rebuild that replaces dir (the dev
// server's) is seen at once.
func DirFS(dir string) fs.FS { return rootFS(dir) }

type rootFS string

func (d rootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	root, err := os.OpenRoot(string(d))
	if err != nil {
		return nil, err
	}
	defer root.Close() // files opened from it stay open
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (d rootFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	root, err := os.OpenRoot(string(d))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.Stat(name)
}

// Server limits what one client can hold: headers within 10 s, a request
// within 30 s, idle keep-alive connections closed after 60 s, responses
// written within 2 minutes (the live-reload stream lifts that for itself).
func Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// MaxConns is how many connections the book's servers hold open at once;
// more wait to be accepted.
const MaxConns = 512

// Serve serves srv on ln with at most maxConns connections at once, until
// the server is closed.
func Serve(srv *http.Server, ln net.Listener, maxConns int) error {
	if err := srv.Serve(netutil.LimitListener(ln, maxConns)); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
