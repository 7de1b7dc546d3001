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

// TestEmbedDialogSnippet takes the iframe snippet from a lab's Embed dialog
// (the reader's settings and moment, controls hidden, autoplay, dark, 700 px)
// and puts it, unchanged, in a course page on another origin at phone width:
// the lab starts, plays on from that moment, reports its height and metrics,
// and fits 320 px without controls, in the dark theme.
func TestEmbedDialogSnippet(t *testing.T) {
	browsertest.Require(t)
	site := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 1280, 900)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site+"/quorums.html"),
		js(fig+`.scrollIntoView()`),
		js(fig+`.querySelector('.lab-controls').elements.w.value = '3'; `+fig+`.querySelector('.lab-controls').elements.w.dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
		waitFor(fig+`.querySelectorAll('.lab-log li').length >= 2`),
		js(fig+`.querySelector('[data-cmd=embed]').click()`),
		waitFor(fig+`.querySelector('.lab-embed').open`),
		js(`(() => { const f = `+fig+`.querySelector('.lab-embed form');
			f.elements.controls.checked = false; f.elements.autoplay.checked = true;
			f.elements.theme.value = 'dark'; f.elements.height.value = '700';
			f.dispatchEvent(new Event('input', {bubbles: true})); })()`),
	))
	snippet := evalString(t, ctx, fig+`.querySelector('.lab-embed textarea').value`)
	t.Log(snippet)
	for _, want := range []string{`<iframe src="` + site + `/embed/quorum.html?`, `sandbox="allow-scripts`, `height="700"`, `title="Quorum replication (Scaling Data lab)"`} {
		require.Contains(t, snippet, want)
	}
	src := strings.ReplaceAll(snippet[len(`<iframe src="`):strings.Index(snippet, `" title=`)], "&amp;", "&")
	for _, want := range []string{"lab=quorum", "w=3", "controls=0", "autoplay=1", "theme=dark", "seed=", "t="} {
		require.Contains(t, src, want)
	}

	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Course</title><body style="margin:0"><h1>Week 3</h1>` + snippet + `<script>
window.got = [];
addEventListener('message', (e) => { window.got.push(e.data); });
</script>`))
	}))
	t.Cleanup(host.Close)
	phone := browsertest.Browser(t, 320, 800)
	require.NoError(t, chromedp.Do(phone,
		chromedp.Navigate(host.URL),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('iframe').scrollIntoView(); undefined`),
		waitFor(`window.got.some(m => m.type === 'scalingdata:resize' && m.height > 200)`),
		// It plays on from the shared moment: later metrics arrive by themselves.
		waitFor(`(() => { const ts = window.got.filter(m => m.type === 'scalingdata:metrics').map(m => m.t); return ts.length > 1 && ts[ts.length-1] > ts[0]; })()`),
	))
	// The page itself at 320 px: no controls, dark, nothing wider than the frame.
	require.NoError(t, chromedp.Do(phone,
		chromedp.Navigate(src),
		waitFor(`document.querySelector('.lab-frame')`),
		// autoplay=1 plays on from the moment in the link.
		waitFor(`document.querySelector('.lab-play').getAttribute('aria-pressed') === 'true'`),
	))
	fits, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= 320 &&
		getComputedStyle(document.querySelector('.lab-controls')).display === 'none' &&
		document.documentElement.dataset.theme === 'dark'`))
	require.NoError(t, err)
	require.True(t, fits, "the embed fits 320 px, hides its controls, and is dark")
	shot, err := chromedp.Run(phone, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.Greater(t, browsertest.Colours(browsertest.Shot(t, "embed-snippet-320", shot)), 12)
}
