package book_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
)

// nginxBin is Debian's nginx (.ci/deps installs it); NGINX overrides it.
func nginxBin() string {
	if p := os.Getenv("NGINX"); p != "" {
		return p
	}
	return "/usr/sbin/nginx"
}

// startNginx runs nginx, as the user running the test, on a loopback port
// with the hosting guide's nginx.conf exactly as shipped (only its listen
// and root lines changed), serving dir. It skips without nginx, except
// under CI=true, where it fails.
func startNginx(t *testing.T, dir string) string {
	t.Helper()
	if _, err := os.Stat(nginxBin()); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but nginx is not at %s: install the nginx package (.ci/deps does)", nginxBin())
		}
		t.Skipf("nginx not found at %s; the nginx test runs in CI", nginxBin())
	}
	shipped, err := os.ReadFile(filepath.Join(browsertest.ModuleRoot(), "site", "hosting", "nginx.conf"))
	require.NoError(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	conf := string(shipped)
	for old, repl := range map[string]string{
		"    listen 80;\n":                  "    listen " + addr + ";\n",
		"    root /var/www/scaling-data;\n": "    root " + dir + ";\n",
	} {
		require.Equal(t, 1, strings.Count(conf, old), "the shipped nginx.conf has one %q", old)
		conf = strings.Replace(conf, old, repl, 1)
	}
	prefix := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(prefix, "site.conf"), []byte(conf), 0o644))
	main := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
	access_log off;
	sendfile on;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	include %[1]s/site.conf;
}
`, prefix)
	require.NoError(t, os.WriteFile(filepath.Join(prefix, "nginx.conf"), []byte(main), 0o644))
	var stderr bytes.Buffer
	cmd := exec.Command(nginxBin(), "-p", prefix, "-c", filepath.Join(prefix, "nginx.conf"))
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(url + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		require.True(t, time.Now().Before(deadline), "nginx did not start: %v\n%s", err, stderr.String())
		time.Sleep(50 * time.Millisecond)
	}
	return url
}

// TestNginxConfig serves the built book with the hosting guide's
// nginx.conf: exact types, the brotli and gzip copies with
// Content-Encoding and Vary (their bytes decoding to the files), long
// caching only for ?v= URLs, and a lab running from it in Chromium.
func TestNginxConfig(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	dir := browsertest.Site(t)
	url := startNginx(t, dir)
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
