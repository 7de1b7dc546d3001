package book_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
)

// hostPage is a course platform's page on another origin: it embeds a lab
// in a sandboxed frame (scripts only: no same-origin, no storage) and
// records what the frame tells it.
const hostPage = `<!doctype html><meta charset="utf-8"><title>Course</title>
<h1>Week 3</h1>
<iframe id="lab" src="SRC" width="100%" height="600" sandbox="allow-scripts"></iframe>
<script>
window.got = [];
addEventListener('message', (e) => {
  if (e.source !== document.getElementById('lab').contentWindow) return;
  window.got.push(e.data);
  if (e.data.type === 'scalingdata:resize') document.getElementById('lab').style.height = e.data.height + 'px';
});
</script>`

// TestEmbedInSandboxedFrame embeds a lab the way course platforms do and
// checks the messages both ways.
func TestEmbedInSandboxedFrame(t *testing.T) {
	browsertest.Require(t)
	book := browsertest.Serve(t, browsertest.Site(t))
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(strings.ReplaceAll(hostPage, "SRC", book+"/embed/quorum.html?seed=3&n=5&w=3&r=3")))
	}))
	t.Cleanup(host.Close)
	ctx := browsertest.Browser(t, 1000, 900)
	const frame = `document.getElementById('lab').contentWindow`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(host.URL),
		waitFor(`window.got.some(m => m.type === 'scalingdata:resize' && m.height > 300)`),
		// A bad message and an unknown one are ignored; play starts the lab.
		js(frame+`.postMessage({type: 'scalingdata:params', values: {n: 5, evil: '<script>'}}, '*')`),
		js(frame+`.postMessage({type: 'scalingdata:explode'}, '*')`),
		js(frame+`.postMessage('scalingdata:play', '*')`),
		chromedp.Sleep(500*time.Millisecond),
	))
	started, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.got.some(m => m.type === 'scalingdata:metrics')`))
	require.NoError(t, err)
	require.False(t, started, "malformed messages do nothing")
	require.NoError(t, chromedp.Do(ctx,
		js(frame+`.postMessage({type: 'scalingdata:play'}, '*')`),
		waitFor(`window.got.some(m => m.type === 'scalingdata:metrics' && m.lab === 'quorum' && m.t > 0 && typeof m.values.writes_ok === 'number')`),
	))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	img := browsertest.Shot(t, "embed-sandboxed", shot)
	require.Greater(t, browsertest.Colours(img), 12)
}
