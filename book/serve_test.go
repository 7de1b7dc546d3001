package book

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHandler(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html":          {Data: []byte("<p>home")},
		"assets/labs.wasm":    {Data: []byte("\x00asm raw")},
		"assets/labs.wasm.br": {Data: []byte("brotli")},
		"assets/labs.wasm.gz": {Data: []byte("gzip")},
		"assets/book.css":     {Data: []byte("body{}")},
		"embed/quorum.html":   {Data: []byte("<p>embed")},
	}
	srv := httptest.NewServer(Handler(fsys))
	defer srv.Close()
	tests := []struct {
		name, path, accept string
		status             int
		ctype, encoding    string
		body               string
	}{
		{"home", "/", "", 200, "text/html; charset=utf-8", "", "<p>home"},
		{"wasm raw", "/assets/labs.wasm", "", 200, "application/wasm", "", "\x00asm raw"},
		{"wasm brotli", "/assets/labs.wasm", "gzip, deflate, br", 200, "application/wasm", "br", "brotli"},
		{"wasm gzip", "/assets/labs.wasm", "gzip", 200, "application/wasm", "gzip", "gzip"},
		{"br refused", "/assets/labs.wasm", "br;q=0, gzip", 200, "application/wasm", "gzip", "gzip"},
		{"br refused upper-case", "/assets/labs.wasm", "br;Q=0, gzip", 200, "application/wasm", "gzip", "gzip"},
		{"css", "/assets/book.css", "br", 200, "text/css; charset=utf-8", "", "body{}"},
		{"missing", "/nope.html", "", 404, "", "", ""},
		{"directory", "/embed/", "", 404, "", "", ""},
		{"traversal", "/../../etc/passwd", "", 404, "", "", ""},
		{"encoded traversal", "/%2e%2e/%2e%2e/etc/passwd", "", 404, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", srv.URL+tt.path, nil)
			require.NoError(t, err)
			req.URL.Opaque = tt.path // send the path as written, unnormalised
			if tt.accept != "" {
				req.Header.Set("Accept-Encoding", tt.accept)
			}
			resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			require.Equal(t, tt.status, resp.StatusCode)
			if tt.status != 200 {
				return
			}
			require.Equal(t, tt.ctype, resp.Header.Get("Content-Type"))
			require.Equal(t, tt.encoding, resp.Header.Get("Content-Encoding"))
			require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			require.Contains(t, resp.Header.Get("Content-Security-Policy"), "'wasm-unsafe-eval'")
			require.NotContains(t, resp.Header.Get("Content-Security-Policy"), "unsafe-inline")
			require.Equal(t, tt.body, string(body))
		})
	}
	resp, err := http.Post(srv.URL+"/", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func get(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestAcceptsEncoding(t *testing.T) {
	for _, tt := range []struct {
		header, token string
		want          bool
	}{
		{"br", "br", true},
		{"gzip, deflate, br", "br", true},
		{"br;q=0", "br", false},
		{"br;Q=0", "br", false},
		{"br; q=0.0", "br", false},
		{"br;q=0.000, gzip", "br", false},
		{"br ;q=0 , gzip", "gzip", true},
		{"br;q=0.001", "br", true},
		{"br;q=1.0", "br", true},
		{"br;q=abc", "br", false},
		{"*", "br", true},
		{"*;q=0", "br", false},
		{"br;q=0, *", "br", false},
		{"gzip;q=0.5, *;q=0", "gzip", true},
		{"identity", "br", false},
		{"", "gzip", false},
	} {
		require.Equal(t, tt.want, acceptsEncoding(tt.header, tt.token), "%q accepts %s", tt.header, tt.token)
	}
}

// TestHandlerETag: every file carries an ETag from its content (a different
// one per encoding), and If-None-Match answers 304 with no body.
func TestHandlerETag(t *testing.T) {
	fsys := fstest.MapFS{
		"assets/labs.wasm":    {Data: []byte("\x00asm raw")},
		"assets/labs.wasm.br": {Data: []byte("brotli")},
		"index.html":          {Data: []byte("<p>home")},
	}
	srv := httptest.NewServer(Handler(fsys))
	defer srv.Close()
	raw := get(t, srv.URL+"/assets/labs.wasm")
	br := get(t, srv.URL+"/assets/labs.wasm", "Accept-Encoding", "br")
	home := get(t, srv.URL+"/")
	for _, r := range []*http.Response{raw, br, home} {
		require.Regexp(t, `^"[A-Za-z0-9_-]{24}"$`, r.Header.Get("ETag"))
	}
	require.NotEqual(t, raw.Header.Get("ETag"), br.Header.Get("ETag"), "each encoding is its own representation")
	require.NotEqual(t, raw.Header.Get("ETag"), home.Header.Get("ETag"))
	again := get(t, srv.URL+"/assets/labs.wasm", "If-None-Match", raw.Header.Get("ETag"))
	require.Equal(t, http.StatusNotModified, again.StatusCode)
	changed := get(t, srv.URL+"/assets/labs.wasm", "If-None-Match", `"stale"`)
	require.Equal(t, http.StatusOK, changed.StatusCode)

	fsys["assets/labs.wasm"] = &fstest.MapFile{Data: []byte("\x00asm new!"), ModTime: time.Unix(1, 0)}
	now := get(t, srv.URL+"/assets/labs.wasm", "If-None-Match", raw.Header.Get("ETag"))
	require.Equal(t, http.StatusOK, now.StatusCode, "a new edition of a file gets a new tag")
}

// TestHandlerCORS: only the lab binary is readable by other origins (a
// sandboxed embed frame fetches it), and nothing at all from the
// development server.
func TestHandlerCORS(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html":             {Data: []byte("<p>home")},
		"assets/labs.wasm":       {Data: []byte("\x00asm")},
		"assets/search.json":     {Data: []byte("{}")},
		"embed/quorum.html":      {Data: []byte("<p>embed")},
		"assets/labs-wasm.js":    {Data: []byte("//")},
		"assets/search-index.js": {Data: []byte("window.SCALINGDATA_SEARCH = {}")},
		"assets/glossary.js":     {Data: []byte("//")},
	}
	public := httptest.NewServer(Handler(fsys))
	defer public.Close()
	dev := httptest.NewServer(HandlerWith(fsys, ServeOptions{Dev: true}))
	defer dev.Close()
	for _, p := range []string{"/", "/assets/labs.wasm", "/assets/search.json", "/embed/quorum.html", "/assets/labs-wasm.js"} {
		want := ""
		if p == "/assets/labs.wasm" {
			want = "*"
		}
		require.Equal(t, want, get(t, public.URL+p, "Origin", "https://lms.example").Header.Get("Access-Control-Allow-Origin"), p)
		r := get(t, dev.URL+p, "Origin", "https://evil.example")
		require.Equal(t, 200, r.StatusCode, p)
		require.Empty(t, r.Header.Get("Access-Control-Allow-Origin"), "dev %s", p)
		require.Equal(t, "cross-origin", r.Header.Get("Cross-Origin-Resource-Policy"), "dev %s: sandboxed previews load it", p)
	}
	// Scripts holding the drafts' text cannot even be run by another origin.
	for _, p := range []string{"/assets/search-index.js", "/assets/glossary.js"} {
		r := get(t, dev.URL+p, "Origin", "https://evil.example")
		require.Equal(t, "same-origin", r.Header.Get("Cross-Origin-Resource-Policy"), "dev %s", p)
		require.Empty(t, r.Header.Get("Access-Control-Allow-Origin"), "dev %s", p)
	}
}

// TestDevHost: the development server answers only to loopback Host
// headers, so a page on a rebound DNS name cannot read it.
func TestDevHost(t *testing.T) {
	fsys := fstest.MapFS{"index.html": {Data: []byte("<p>home")}}
	dev := httptest.NewServer(HandlerWith(fsys, ServeOptions{Dev: true}))
	defer dev.Close()
	public := httptest.NewServer(Handler(fsys))
	defer public.Close()
	for host, ok := range map[string]bool{
		"localhost:8080": true, "LOCALHOST": true, "book.localhost:1": true, "127.0.0.1:8080": true,
		"127.1.2.3": true, "[::1]:8080": true, "localhost.:80": true,
		"evil.example": false, "evil.example:8080": false, "localhost.evil.example": false,
		"192.168.1.5:8080": false, "[::ffff:10.0.0.1]:80": false, "0.0.0.0:8080": false,
	} {
		want := http.StatusMisdirectedRequest
		if ok {
			want = http.StatusOK
		}
		require.Equal(t, want, get(t, dev.URL+"/", "Host", host).StatusCode, "Host %q", host)
		require.Equal(t, 200, get(t, public.URL+"/", "Host", host).StatusCode, "the public server serves any Host %q", host)
	}
}

// TestDirFS: the server's directory is opened as a root; a symlink out of
// it is not followed, one inside it is.
func TestDirFS(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644))
	site := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(site, "index.html"), []byte("<p>home"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(site, "assets"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(site, "leak.txt")))
	require.NoError(t, os.Symlink(outside, filepath.Join(site, "assets", "out")))
	require.NoError(t, os.Symlink("../index.html", filepath.Join(site, "assets", "home.html")))
	srv := httptest.NewServer(Handler(DirFS(site)))
	defer srv.Close()
	require.Equal(t, 200, get(t, srv.URL+"/").StatusCode)
	require.Equal(t, 404, get(t, srv.URL+"/leak.txt").StatusCode)
	require.Equal(t, 404, get(t, srv.URL+"/assets/out/secret.txt").StatusCode)
	require.Equal(t, 200, get(t, srv.URL+"/assets/home.html").StatusCode, "a link that stays inside is fine")

	// A rebuild replaces the directory whole: the next request sees it.
	require.NoError(t, os.Rename(site, site+".old"))
	require.NoError(t, os.Mkdir(site, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(site, "index.html"), []byte("<p>new"), 0o644))
	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "<p>new", string(body))
}

// TestServerLimits: the server has read and idle timeouts and holds at
// most its cap of connections; the next waits until one closes.
func TestServerLimits(t *testing.T) {
	srv := Server(Handler(fstest.MapFS{"index.html": {Data: []byte("<p>home")}}))
	require.NotZero(t, srv.ReadHeaderTimeout)
	require.NotZero(t, srv.ReadTimeout)
	require.NotZero(t, srv.IdleTimeout)
	require.NotZero(t, srv.WriteTimeout)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = Serve(srv, ln, 2) }()
	defer srv.Close()
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		held = append(held, c)
	}
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err == nil {
			resp.Body.Close()
			answered <- resp.StatusCode
		}
	}()
	select {
	case <-answered:
		t.Fatal("a third connection was served while two were held")
	case <-time.After(300 * time.Millisecond):
	}
	held[0].Close()
	select {
	case code := <-answered:
		require.Equal(t, 200, code)
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting request was never served")
	}
	held[1].Close()
}
