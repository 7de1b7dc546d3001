package book_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
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
	t.Parallel()
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
		// Thirty turns of the page's rendering: the frame (drawn in the
		// same pipeline) has handled them, and a started lab would have
		// reported metrics.
		withDeadline(`new Promise((done) => { let n = 30; const f = () => (--n <= 0 ? done() : requestAnimationFrame(f)); requestAnimationFrame(f); })`, "30 animation frames"),
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

// plainServer serves the built site the way a plain static host does
// (python's http.server, a bare bucket): the files as they are, no CORS
// header, no precompressed copies. wrap, when set, may answer a request
// itself (return true) to slow or break it.
func plainServer(t *testing.T, wrap func(w http.ResponseWriter, r *http.Request) bool) string {
	t.Helper()
	files := http.FileServer(http.Dir(browsertest.Site(t)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wrap != nil && wrap(w, r) {
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// embedSnippet opens a lab's Embed dialog on the book at site (controls
// off, autoplay, dark, 700 px) and returns the snippet it writes.
func embedSnippet(t *testing.T, ctx context.Context, site string) string {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site+"/quorums.html"),
		js(fig+`.scrollIntoView()`),
		js(fig+`.querySelector('.lab-controls').elements.w.value = '3'; `+fig+`.querySelector('.lab-controls').elements.w.dispatchEvent(new Event('change', {bubbles: true}))`),
		js(fig+`.querySelector('.lab-run').click()`),
		waitFor(fig+`.querySelectorAll('.lab-log li').length >= 2`),
		js(fig+`.querySelector('[data-cmd=embed]').click()`),
		waitFor(fig+`.querySelector('.lab-embed').open`),
		js(`(() => { const f = `+fig+`.querySelector('.lab-embed form');
			f.elements.controls.checked = false; f.elements.autoplay.checked = true;
			f.elements.theme.value = 'dark'; f.elements.height.value = '700';
			f.dispatchEvent(new Event('input', {bubbles: true})); })()`),
	))
	return evalString(t, ctx, fig+`.querySelector('.lab-embed textarea').value`)
}

// courseServer is a course platform's page on another loopback origin with
// the snippet pasted into it as it is. The page records every message the
// frame sends (window.got).
func courseServer(t *testing.T, snippet func() string) string {
	t.Helper()
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Course</title><body style="margin:0"><script>
window.got = [];
addEventListener('message', (e) => { window.got.push(e.data); });
</script><h1>Week 3</h1>
%s
<p>After the lab.</p>`, snippet())
	}))
	t.Cleanup(host.Close)
	return host.URL
}

// TestEmbedDialogSnippet takes the snippet from a lab's Embed dialog (the
// reader's settings and moment, controls hidden, autoplay, dark, 700 px)
// with the book on a plain static server that sends no CORS header, and
// pastes it unchanged into a course page on another origin: in its
// sandboxed frame (an opaque origin) the lab loads its binary as scripts,
// starts, plays on from that moment and reports metrics, at 320 and at
// 800 px; resize.js from the snippet sizes the frame to its content as it
// grows and as it shrinks.
func TestEmbedDialogSnippet(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := plainServer(t, nil)
	ctx := browsertest.Browser(t, 1280, 900)
	snippet := embedSnippet(t, ctx, site)
	t.Log(snippet)
	for _, want := range []string{`<iframe src="` + site + `/embed/quorum.html?`, `sandbox="allow-scripts`, `height="700"`,
		`title="Quorum replication (Scaling Data lab)"`, `<script src="` + site + `/embed/resize.js" async></script>`} {
		require.Contains(t, snippet, want)
	}
	src := strings.ReplaceAll(snippet[len(`<iframe src="`):strings.Index(snippet, `" title=`)], "&amp;", "&")
	for _, want := range []string{"lab=quorum", "w=3", "controls=0", "autoplay=1", "theme=dark", "seed=", "t="} {
		require.Contains(t, src, want)
	}
	course := courseServer(t, func() string { return snippet })

	// The frame's height is the last height it reported, once it reported.
	const fits = `(() => { const r = window.got.filter(m => m.type === 'scalingdata:resize');
		return r.length > 0 && Math.abs(document.querySelector('iframe').getBoundingClientRect().height - r[r.length-1].height) < 1.5 &&
			r[r.length-1].height !== 700; })()`
	const height = `document.querySelector('iframe').getBoundingClientRect().height`
	const metrics = `(() => { const ts = window.got.filter(m => m.type === 'scalingdata:metrics' && m.lab === 'quorum' && typeof m.values.writes_ok === 'number').map(m => m.t);
		return ts.length > 1 && ts[ts.length-1] > ts[0]; })()`
	heights := map[int]float64{}
	for _, width := range []int{320, 800} {
		require.NoError(t, chromedp.Do(ctx,
			browsertest.Viewport(width, 800),
			chromedp.Navigate(course),
			js(`document.querySelector('iframe').scrollIntoView()`),
			// It plays on from the shared moment: later metrics arrive by themselves.
			waitFor(metrics),
			waitFor(fits),
		), "at %d px", width)
		h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](height))
		require.NoError(t, err)
		heights[width] = h
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.Greater(t, browsertest.Colours(browsertest.Shot(t, fmt.Sprintf("embed-snippet-%d", width), shot)), 12)
	}
	// The same frame narrowed in the 800 px page and widened again: its
	// height follows the content each way. Narrowed to 700 px the lab keeps
	// its wide layout (the stage is still 640 px or more), so the canvas
	// keeps its aspect ratio and the content gets shorter; narrowed to
	// 480 px the lab draws its narrow layout, whose stage takes the narrow
	// poster's shape (320 × 921 for quorum, scaled to the stage's width),
	// so the content gets taller; widened again it is back where it was.
	const reports = `window.got.filter(m => m.type === 'scalingdata:resize').length`
	narrowTo := func(w string) float64 {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](reports))
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx,
			js(`document.querySelector('iframe').style.width = '`+w+`'`),
			waitFor(reports+` > `+fmt.Sprint(n)+` && `+fits),
		), "narrowed to %s", w)
		h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](height))
		require.NoError(t, err)
		return h
	}
	shorter := narrowTo("700px")
	require.Less(t, shorter, heights[800]-20, "the frame shrinks with its content (wide layout, smaller canvas)")
	narrow := narrowTo("480px")
	require.Greater(t, narrow, heights[800]+20, "the frame grows with its content (narrow layout, taller canvas)")
	require.NoError(t, chromedp.Do(ctx,
		js(`document.querySelector('iframe').style.width = ''`),
		waitFor(fits+` && Math.abs(`+height+` - `+fmt.Sprint(heights[800])+`) < 3`),
	))
	t.Logf("frame height: %.0f px in a 320 px page, %.0f px in an 800 px page, %.0f px narrowed to 700 px and %.0f px to 480 px in it", heights[320], heights[800], shorter, narrow)
}

// TestEmbedFits320 puts an embed page with all its controls in a 320 px
// frame (same origin, so the test can look inside): once the lab runs,
// nothing in it is wider than the frame (the preset menu was).
func TestEmbedFits320(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := plainServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/test-host.html" {
			return false
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, `<!doctype html><meta charset="utf-8"><body style="margin:0">`+
			`<iframe id="f" src="embed/quorum.html?lab=quorum&seed=1&autoplay=1" style="width:320px;height:1600px;border:0"></iframe>`)
		return true
	})
	ctx := browsertest.Browser(t, 800, 900)
	const doc = `document.getElementById('f').contentDocument`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site+"/test-host.html"),
		waitFor(doc+`.querySelector('figure.lab[data-first-frame]')`),
	))
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const d = `+doc+`;
		const out = [];
		if (d.documentElement.scrollWidth > 320) out.push('document ' + d.documentElement.scrollWidth);
		for (const el of d.querySelectorAll('body *')) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > 320.5 && !el.closest('dialog')) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
		}
		return out; })()`))
	require.NoError(t, err)
	require.Empty(t, wide, "spills out of a 320 px frame")
}

// slowly writes body in 32 KB pieces, pausing between them, as a slow link
// would deliver it.
func slowly(w http.ResponseWriter, body []byte, ctype string, pause time.Duration) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	for len(body) > 0 {
		n := min(len(body), 32<<10)
		if _, err := w.Write(body[:n]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		body = body[n:]
		time.Sleep(pause)
	}
}

// TestLabLoading: while the binary comes over a slow link the poster
// stays, dimmed, under a progress bar that advances (bytes of the total);
// the frame shows once the lab has drawn. Once by fetch, once by scripts
// (a proxy that refuses .wasm files: the frame falls back to them).
func TestLabLoading(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	dir := browsertest.Site(t)
	var mu sync.Mutex
	cache := map[string][]byte{}
	read := func(name string) []byte {
		mu.Lock()
		defer mu.Unlock()
		if b, ok := cache[name]; ok {
			return b
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		require.NoError(t, err)
		cache[name] = b
		return b
	}
	for _, tc := range []struct {
		name      string
		blockWasm bool
		wantRoute string
	}{{"fetch", false, "fetch"}, {"scripts", true, "script"}} {
		t.Run(tc.name, func(t *testing.T) {
			site := plainServer(t, func(w http.ResponseWriter, r *http.Request) bool {
				name := strings.TrimPrefix(r.URL.Path, "/")
				switch {
				case name == "assets/labs.wasm" && tc.blockWasm:
					http.Error(w, "blocked by policy", http.StatusForbidden)
				case name == "assets/labs.wasm":
					slowly(w, read(name), "application/wasm", 15*time.Millisecond)
				case strings.HasPrefix(name, "assets/labs-wasm-") && path.Ext(name) == ".js":
					slowly(w, read(name), "text/javascript", 40*time.Millisecond)
				default:
					return false
				}
				return true
			})
			ctx := browsertest.Browser(t, 1000, 900)
			const bar = `document.querySelector('figure.lab .lab-loading progress')`
			// The poster is shown and on top of the frame, under the overlay
			// (whose background dims it).
			const poster = `(() => { const p = Array.from(document.querySelectorAll('figure.lab .lab-poster')).find(i => i.offsetParent);
				if (!p || getComputedStyle(p).visibility !== 'visible') return false;
				const r = p.getBoundingClientRect(), top = document.elementFromPoint(r.left + r.width * 0.1, r.top + r.height * 0.1);
				return !!top && top.classList.contains('lab-loading') && getComputedStyle(top).backgroundColor !== 'rgba(0, 0, 0, 0)'; })()`
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(site+"/quorums.html"),
				js(fig+`.scrollIntoView()`),
				js(fig+`.querySelector('.lab-run').click()`),
			))
			// One look at the page while the bar is part-way, so the load
			// cannot finish between reading the bar, the poster and the text.
			type look struct {
				Value   float64 `json:"value"`
				Visible bool    `json:"visible"`
				Text    string  `json:"text"`
			}
			require.NoError(t, chromedp.Do(ctx, waitFor(`(() => {
				const b = `+bar+`;
				if (!(b && b.value > 0 && b.value < b.max)) return false;
				window.seenLoading = {value: b.value, visible: `+poster+`,
					text: document.querySelector('figure.lab .lab-loading p').textContent};
				return true; })()`)))
			seen, err := chromedp.Run(ctx, chromedp.Evaluate[look](`window.seenLoading`))
			require.NoError(t, err)
			first := seen.Value
			require.True(t, seen.Visible, "the poster stays, dimmed, while the lab loads")
			require.Regexp(t, `^Loading the lab: \d+\.\d of \d+\.\d MB$`, seen.Text)
			require.NoError(t, chromedp.Do(ctx,
				waitFor(`!`+bar+` || `+bar+`.value > `+fmt.Sprint(first)),
				waitFor(fig+`.dataset.firstFrame && !document.querySelector('figure.lab .lab-loading')`),
			))
			route := evalString(t, ctx, fig+`.querySelector('.lab-frame').contentWindow.scalingdataLoaded.route`)
			require.Equal(t, tc.wantRoute, route)
			shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			require.NoError(t, err)
			browsertest.Shot(t, "lab-loaded-"+tc.name, shot)
		})
	}
}

// TestLabLoadFailures: a missing binary, an unknown lab, and an embed
// whose binary is missing each say what happened and what to do, never a
// raw exception and never "Loading…" for ever.
func TestLabLoadFailures(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := plainServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/assets/labs-wasm") || strings.HasPrefix(r.URL.Path, "/assets/labs.wasm") {
			http.NotFound(w, r)
			return true
		}
		return false
	})
	host := strings.TrimPrefix(site, "http://")
	ctx := browsertest.Browser(t, 1000, 900)
	const msg = `document.querySelector('figure.lab .lab-loading p')`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site+"/quorums.html"),
		js(fig+`.scrollIntoView()`),
		js(fig+`.querySelector('.lab-run').click()`),
		waitFor(fig+`.classList.contains('is-failed')`),
	))
	text := evalString(t, ctx, msg+`.textContent`)
	require.Equal(t, "The lab file is missing from "+host+" (/assets/labs.wasm: 404 Not Found). Whoever hosts this book should upload every file of its public/ folder.", text)
	require.Contains(t, evalString(t, ctx, fig+`.querySelector('.lab-loading button').textContent`), "Try again")
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	browsertest.Shot(t, "lab-missing-binary", shot)

	// The frame itself, opened directly, with a lab that does not exist.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site+"/lab.html?lab=nope"),
		waitFor(`document.documentElement.hasAttribute('data-failed')`),
	))
	require.Contains(t, evalString(t, ctx, `document.querySelector('.frame-text').textContent`), `There is no lab called “nope” in this book. Its labs are: `)

	// Sandboxed, on another origin: the scripts are missing too.
	course := courseServer(t, func() string {
		return `<iframe src="` + site + `/embed/quorum.html?lab=quorum&seed=1&autoplay=1" width="100%" height="700" sandbox="allow-scripts"></iframe>`
	})
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(course),
	))
	// The embed page tells the course page what its reader sees.
	require.NoError(t, chromedp.Do(ctx, waitFor(`window.got.some(m => m.type === 'scalingdata:error')`)))
	require.Equal(t, "The lab file could not be downloaded from "+host+": check your connection and reload the page. If it keeps failing, the copy of the book on "+host+" may be incomplete.",
		evalString(t, ctx, `window.got.find(m => m.type === 'scalingdata:error').text`))
	shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	browsertest.Shot(t, "embed-missing-binary", shot)
}
