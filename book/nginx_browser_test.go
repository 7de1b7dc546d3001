package book_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
)

// TestNginxConfig serves the built book with the hosting guide's
// nginx.conf: exact types, the brotli and gzip copies with
// Content-Encoding and Vary (their bytes decoding to the files), long
// caching only for ?v= URLs, and a lab running from it in Chromium.
func TestNginxConfig(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	dir := browsertest.Site(t)
	url := browsertest.Nginx(t, dir)
	wasm, err := os.ReadFile(filepath.Join(dir, "assets", "labs.wasm"))
	require.NoError(t, err)

	get := func(path, accept string) (*http.Response, []byte) {
		req, err := http.NewRequest("GET", url+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept-Encoding", accept) // set: Go would add gzip and decode it
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, body
	}
	for _, tc := range []struct {
		path, accept, ctype, encoding, cache string
	}{
		{"/assets/labs.wasm?v=1", "gzip, deflate, br, zstd", "application/wasm", "br", "public, max-age=31536000, immutable"},
		{"/assets/labs.wasm?v=1", "gzip", "application/wasm", "gzip", "public, max-age=31536000, immutable"},
		{"/assets/labs.wasm", "identity", "application/wasm", "", "no-cache"},
		{"/assets/labs-wasm-0.js?v=1", "br", "text/javascript; charset=utf-8", "br", "public, max-age=31536000, immutable"},
		{"/assets/lab.js?v=1", "br;q=1, gzip", "text/javascript; charset=utf-8", "br", "public, max-age=31536000, immutable"},
		{"/assets/book.css?v=1", "gzip", "text/css; charset=utf-8", "gzip", "public, max-age=31536000, immutable"},
		{"/", "br", "text/html; charset=utf-8", "br", "no-cache"},
		{"/quorums.html", "gzip", "text/html; charset=utf-8", "gzip", "no-cache"},
		{"/embed/quorum.html?seed=1", "br", "text/html; charset=utf-8", "br", "no-cache"},
		{"/embed/resize.js", "br", "text/javascript; charset=utf-8", "", "no-cache"},
	} {
		resp, body := get(tc.path, tc.accept)
		what := tc.path + " (" + tc.accept + ")"
		require.Equal(t, 200, resp.StatusCode, what)
		require.Equal(t, tc.ctype, resp.Header.Get("Content-Type"), what)
		require.Equal(t, tc.encoding, resp.Header.Get("Content-Encoding"), what)
		require.Equal(t, tc.cache, resp.Header.Get("Cache-Control"), what)
		require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), what)
		require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), what)
		if tc.encoding != "" {
			require.Contains(t, resp.Header.Values("Vary"), "Accept-Encoding", what)
		}
		if strings.HasPrefix(tc.path, "/assets/labs.wasm") {
			var r io.Reader = bytes.NewReader(body)
			switch tc.encoding {
			case "br":
				r = brotli.NewReader(r)
			case "gzip":
				r, err = gzip.NewReader(r)
				require.NoError(t, err)
			}
			got, err := io.ReadAll(r)
			require.NoError(t, err)
			require.True(t, bytes.Equal(wasm, got), "%s decodes to the lab binary", what)
			if tc.encoding != "" {
				require.Less(t, len(body), len(wasm)/3, what)
			}
		}
	}
	resp, _ := get("/no-such-page.html", "br")
	require.Equal(t, 404, resp.StatusCode)

	ctx := browsertest.Browser(t, 1000, 900)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/quorums.html"),
		js(fig+`.scrollIntoView()`),
		js(fig+`.querySelector('.lab-run').click()`),
		waitFor(fig+`.dataset.firstFrame && `+fig+`.querySelector('[data-metric=writes_ok]').textContent !== '–'`),
	))
	require.Equal(t, "fetch", evalString(t, ctx, fig+`.querySelector('.lab-frame').contentWindow.scalingdataLoaded.route`))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.Greater(t, browsertest.Colours(browsertest.Shot(t, "nginx-lab", shot)), 12)
}
