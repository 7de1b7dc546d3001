package book_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
	"github.com/scaling-data/book/sim/labs"
)

// TestOfflineBundleFirefox reads the unzipped offline bundle from file:// in
// Firefox ESR: open, navigate, search, the print page, the lab in a chapter,
// and every lab's embed page. testdata/firefox/smoke.cjs drives Firefox with
// puppeteer-core over WebDriver BiDi, inside xvfb-run (headless Firefox has
// no WebGL2 here, and Ebiten needs it).
func TestOfflineBundleFirefox(t *testing.T) {
	t.Parallel()
	browsertest.RequireFirefox(t)
	index := offlineBundle(t)

	shots := t.TempDir()
	args := []string{"-a", "-s", "-screen 0 1280x900x24", "node", filepath.Join("testdata", "firefox", "smoke.cjs"), "file://" + index, shots}
	for _, l := range labs.All() {
		args = append(args, l.Schema.Name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute) // a hang guard: each step waits for an event
	defer cancel()
	cmd := exec.CommandContext(ctx, "xvfb-run", args...)
	cmd.Env = browsertest.FirefoxEnv()
	out, err := cmd.CombinedOutput()
	t.Logf("Firefox:\n%s", out)
	require.NoError(t, err, "the Firefox smoke test failed:\n%s", out)

	for _, l := range labs.All() {
		name := l.Schema.Name
		png, err := os.ReadFile(filepath.Join(shots, name+".png"))
		require.NoError(t, err, "no screenshot of %s", name)
		img := browsertest.Shot(t, "firefox-"+name, png)
		require.Greater(t, browsertest.Colours(img), 12, "%s draws nothing in Firefox", name)
	}
}
