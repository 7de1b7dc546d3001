package book_test

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book"
	"github.com/scaling-data/book/book/internal/browsertest"
)

// unzip extracts a zip into dir.
func unzip(t *testing.T, zipPath, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	require.NoError(t, err)
	defer zr.Close()
	for _, f := range zr.File {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		require.True(t, strings.HasPrefix(p, dir), "zip entry %s escapes", f.Name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		r, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(r)
		r.Close()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
}

var (
	bundleOnce  sync.Once
	bundleIndex string
	bundleDir   string
	bundleErr   error
)

// offlineBundle builds the offline bundle once per test process, unzips it
// and returns the path of its index.html. Tests only read it.
func offlineBundle(t *testing.T) string {
	t.Helper()
	cfg := browsertest.Config(t, "")
	bundleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scalingdata-bundle-")
		if err != nil {
			bundleErr = err
			return
		}
		bundleDir = dir // removed by TestMain
		zipPath := filepath.Join(dir, book.BundleName("test"))
		if bundleErr = book.Bundle(cfg, zipPath); bundleErr != nil {
			return
		}
		unzip(t, zipPath, dir)
		bundleIndex = filepath.Join(dir, "scaling-data-test", "index.html")
	})
	require.NoError(t, bundleErr)
	require.NotEmpty(t, bundleIndex, "the offline bundle could not be unpacked (see the first test that asked for it)")
	return bundleIndex
}

// TestOfflineBundle unzips the offline bundle and reads it from file://:
// pages, navigation, search, the lab in a chapter and an embed page, with
// no server at all.
func TestOfflineBundle(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	index := offlineBundle(t)
	_, err := os.Stat(index)
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(filepath.Dir(index), "assets", "labs.wasm.br"))
	require.True(t, os.IsNotExist(err), "no precompressed copies in the bundle")

	ctx := browsertest.Browser(t, 1280, 900)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate("file://"+index),
		chromedp.WaitReady(chromedp.CSS(`.sidebar`)),
		js(`document.querySelector('.sidebar a[href="quorums.html"]').click()`),
		// One condition, read in the new page: a node found in the old
		// page while it unloads is gone by the time it is typed into.
		waitFor(`location.href.endsWith('quorums.html') && document.readyState === 'complete' && !!document.querySelector('figure.lab .lab-run')`),
		// Search works from file:// (the index is a script).
		chromedp.SendKeys(chromedp.CSS(`.search input`), "quorum"),
		waitFor(`document.querySelectorAll('.search-results [role=option]').length > 0`),
		chromedp.SendKeys(chromedp.CSS(`.search input`), kb.Escape), // Escape closes the results
		waitFor(`document.querySelector('.search-results').hidden`),
		// A lab runs from file://: the wasm comes from a script.
		js(fig+`.scrollIntoView()`),
		js(fig+`.querySelector('.lab-run').click()`),
		waitFor(fig+`.querySelector('[data-metric=writes_ok]').textContent !== '–'`),
		waitFor(fig+`.querySelectorAll('.lab-log li').length >= 2`),
	))
	labPicture(t, ctx, `figure.lab`, "offline-lab")

	// An embed page runs from file:// too. (Every lab's embed page is a
	// copy of one template over the same binary: TestLabsLegibleOnEveryWidth runs
	// each of them, and TestOfflineBundleFirefox each from file://.)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate("file://"+filepath.Join(filepath.Dir(index), "embed", "truetime.html")),
		chromedp.Click(chromedp.CSS(`.lab-run`)),
		waitFor(`Array.from(`+fig+`.querySelectorAll('[data-metric]')).every(d => d.textContent !== '–') && `+fig+`.querySelectorAll('.lab-log li').length > 0`),
	), "embed/truetime.html from file://")
}
