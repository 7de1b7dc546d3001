package book_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
)

// TestEmbedSnippetFirefox: the Embed dialog's snippet, pasted into a course
// page on another origin, runs its lab in Firefox ESR with the book on a
// plain static server that sends no CORS header, at 320 and 800 px, and
// resize.js sizes the frame. testdata/firefox/embed.cjs drives Firefox
// (puppeteer-core over WebDriver BiDi, inside xvfb-run).
func TestEmbedSnippetFirefox(t *testing.T) {
	t.Parallel()
	browsertest.RequireFirefox(t)
	book := plainServer(t, nil)
	var mu sync.Mutex
	snippet := ""
	course := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/snippet" {
			b, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			mu.Lock()
			snippet = string(b)
			mu.Unlock()
			return
		}
		mu.Lock()
		s := snippet
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Course</title><body style="margin:0"><script>
window.got = [];
addEventListener('message', (e) => { window.got.push(e.data); });
</script><h1>Week 3</h1>
`+s+`
<p>After the lab.</p>`)
	}))
	t.Cleanup(course.Close)

	shots := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xvfb-run", "-a", "-s", "-screen 0 1280x900x24", "node",
		filepath.Join("testdata", "firefox", "embed.cjs"), book, course.URL, shots)
	cmd.Env = browsertest.FirefoxEnv()
	out, err := cmd.CombinedOutput()
	t.Logf("Firefox:\n%s", out)
	require.NoError(t, err, "the Firefox embed test failed:\n%s", out)
	for _, w := range []string{"320", "800"} {
		png, err := os.ReadFile(filepath.Join(shots, "embed-"+w+".png"))
		require.NoError(t, err)
		require.Greater(t, browsertest.Colours(browsertest.Shot(t, "firefox-embed-"+w, png)), 12)
	}
}
