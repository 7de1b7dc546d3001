package main

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Cleanup()
	os.Exit(code)
}

// copySite copies the built site into dst as `make release` does: every
// file, the .gz copies included (browsers offer brotli only over https,
// and the binary serves http://localhost).
func copySite(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	}))
}

// TestReleaseBinaryServesEmbeddedSite builds the self-contained binary the
// way `make release` does (the site inside it, -tags embedsite), starts
// `scalingdata serve` in a folder with no chapters, and reads the book from
// it: pages, compressed assets with the right types, and a lab running in
// Chromium.
func TestReleaseBinaryServesEmbeddedSite(t *testing.T) {
	browsertest.Require(t)
	site := browsertest.Site(t)
	root := browsertest.ModuleRoot()
	embedDir := filepath.Join(root, "book", "embedded", "site")
	_, err := os.Stat(embedDir)
	require.True(t, os.IsNotExist(err), "%s exists: is `make release` running? (remove it if not)", embedDir)
	copySite(t, site, embedDir)
	bin := filepath.Join(t.TempDir(), "scalingdata")
	build := exec.Command("go", "build", "-trimpath", "-tags", "embedsite", "-ldflags=-s -w", "-o", bin, "./book/cmd/scalingdata")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, os.RemoveAll(embedDir))
	require.NoError(t, err, "go build -tags embedsite:\n%s", out)

	// A reader's download folder: no chapters, nothing but the binary.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0")
	srv.Dir = t.TempDir()
	stdout, err := srv.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer func() { cancel(); _ = srv.Wait() }()
	lines := bufio.NewScanner(stdout)
	var url string
	addr := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/)`)
	var said []string
	for url == "" && lines.Scan() {
		said = append(said, lines.Text())
		if m := addr.FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
	}
	require.NotEmpty(t, url, "the binary never said where it serves: %q", said)
	require.Contains(t, said, "serving the copy of the book inside this program")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	tests := []struct {
		path, accept, encoding, ctype, contains string
	}{
		{"", "br, gzip", "br", "text/html", "Scaling Data"},
		{"quorums.html", "br, gzip", "br", "text/html", `class="lab`},
		{"embed/quorum.html", "br, gzip", "br", "text/html", "quorum"},
		{"assets/labs.wasm", "br, gzip", "br", "application/wasm", ""},
		// What browsers offer over plain http, as this server speaks.
		{"assets/labs.wasm", "gzip, deflate", "gzip", "application/wasm", ""},
		{"quorums.html", "gzip, deflate", "gzip", "text/html", ""},
		{"sw.js", "br, gzip", "br", "text/javascript", "caches"},
		{"no-such-page.html", "br, gzip", "", "", ""},
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	for _, tc := range tests {
		t.Run("GET /"+tc.path+" "+tc.accept, func(t *testing.T) {
			req, err := http.NewRequest("GET", url+tc.path, nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Encoding", tc.accept)
			res, err := client.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			if tc.ctype == "" {
				require.Equal(t, http.StatusNotFound, res.StatusCode)
				return
			}
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.Equal(t, tc.encoding, res.Header.Get("Content-Encoding"))
			require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), tc.ctype), res.Header.Get("Content-Type"))
			// A revalidation costs nothing: the ETag comes from the content.
			tag := res.Header.Get("ETag")
			require.NotEmpty(t, tag)
			req.Header.Set("If-None-Match", tag)
			again, err := client.Do(req)
			require.NoError(t, err)
			again.Body.Close()
			require.Equal(t, http.StatusNotModified, again.StatusCode)
		})
	}
	// The same pages, uncompressed, say what they should.
	for _, tc := range tests {
		if tc.contains == "" {
			continue
		}
		res, err := client.Get(url + tc.path)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		require.Contains(t, string(body), tc.contains, "/%s", tc.path)
	}

	// And a reader runs a lab from it.
	bctx := browsertest.Browser(t, 1280, 900)
	const fig = `document.querySelector('figure.lab')`
	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(url+"quorums.html"),
		chromedp.WaitReady(chromedp.CSS(`figure.lab .lab-run`)),
		chromedp.Evaluate[chromedp.Void](fig+`.scrollIntoView(); undefined`),
		chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
		browsertest.WaitFor(fig+`.querySelectorAll('.lab-log li').length >= 2 && `+fig+`.querySelector('[data-metric=writes_ok]').textContent !== '–'`),
	), "the lab never ran from the binary")
}
