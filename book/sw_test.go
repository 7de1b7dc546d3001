package book

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServiceWorkerShell: the hosted site's service worker precaches only
// the shell, within ShellBudget (the old one took every page: 5.6 MB), each
// asset with the version pages ask for, never the lab binary, and matches
// nothing with ignoreSearch; a new edition's worker takes over at once.
func TestServiceWorkerShell(t *testing.T) {
	out := realSite(t)
	sw, err := os.ReadFile(filepath.Join(out, "sw.js"))
	require.NoError(t, err)
	require.NotContains(t, string(sw), "ignoreSearch")
	// A new edition takes over open pages once installed (the browser test
	// TestServiceWorkerOffline also accepts a takeover after the reader
	// left, as Chromium may keep a busy old worker for minutes).
	require.Regexp(t, `addEventListener\('install'[^\n]*\n[^\n]*self\.skipWaiting\(\)`, string(sw))
	require.Regexp(t, `addEventListener\('activate'(?s:.*?)self\.clients\.claim\(\)`, string(sw))
	require.NotContains(t, string(sw), "/*SHELL*/", "the template was filled in")
	require.Regexp(t, `const VERSION = "[0-9a-f]{12}"`, string(sw))
	_, err = os.Stat(filepath.Join(out, "assets", "sw.js"))
	require.True(t, os.IsNotExist(err), "the template is not published as an asset")

	total, shell, err := ShellBytes(sw, func(name string) (int64, error) {
		st, err := os.Stat(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil {
			return 0, err
		}
		return st.Size(), nil
	})
	require.NoError(t, err)
	t.Logf("the shell: %d files, %.0f kB", len(shell), float64(total)/1e3)
	require.LessOrEqual(t, total, int64(ShellBudget))
	require.Contains(t, shell, "index.html")
	require.Contains(t, shell, "lab.html")

	index, err := os.ReadFile(filepath.Join(out, "index.html"))
	require.NoError(t, err)
	version := regexp.MustCompile(`data-version="([^"]+)"`).FindSubmatch(index)
	require.NotNil(t, version)
	require.Contains(t, shell, "assets/search-index.js?v="+string(version[1]), "search works offline, at the version pages load")
	for _, ref := range regexp.MustCompile(`(?:href|src)="(assets/[^"]+\?v=[^"]+)"`).FindAllSubmatch(index, -1) {
		require.Contains(t, shell, string(ref[1]), "the contents page's assets are in the shell as it asks for them")
	}
	for _, ref := range shell {
		if ref == "index.html" || ref == "lab.html" {
			continue
		}
		require.Regexp(t, `^assets/[^?]+\?v=[A-Za-z0-9_.-]+$`, ref, "a shell asset carries its version")
		require.False(t, strings.Contains(ref, ".wasm") || strings.HasPrefix(ref, "assets/labs-wasm"), "%s: the lab binary is kept on first run, not precached", ref)
		require.NotContains(t, ref, ".html", "%s: chapters are kept as the reader opens them", ref)
	}
}
