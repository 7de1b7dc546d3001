package book

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

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
