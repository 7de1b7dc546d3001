package book_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book"
	"github.com/scaling-data/book/book/internal/browsertest"
)

// TestDevServerCrossOrigin: a web page the author visits (another origin)
// cannot read the development server: a fetch of a page fails, a script
// holding the drafts' text does not run; the public server lets any origin
// fetch the lab binary (sandboxed embeds), and nothing else.
func TestDevServerCrossOrigin(t *testing.T) {
	t.Parallel()
	site := fstest.MapFS{
		"index.html":             {Data: []byte("<p>secret draft")},
		"assets/labs.wasm":       {Data: []byte("\x00asm\x01\x00\x00\x00")},
		"assets/search-index.js": {Data: []byte("window.SCALINGDATA_SEARCH = {draft: 'secret'};")},
		"assets/frame.js":        {Data: []byte("window.FRAME_LOADED = true;")},
	}
	dev := httptest.NewServer(book.HandlerWith(site, book.ServeOptions{Dev: true}))
	t.Cleanup(dev.Close)
	public := httptest.NewServer(book.Handler(site))
	t.Cleanup(public.Close)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><meta charset="utf-8"><title>elsewhere</title>`))
	}))
	t.Cleanup(evil.Close)
	// Three loopback servers on different ports: three origins.
	ctx := browsertest.Browser(t, 800, 600)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(evil.URL+"/")))
	type result struct {
		DevPage, DevWasm, PublicWasm, PublicPage string
		DevScript, DevFrame                      string
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[result](`(async () => {
		const read = (u) => fetch(u).then((r) => r.text()).then((t) => 'read: ' + t.length, (e) => 'refused');
		const run = (u, global) => new Promise((resolve) => {
			const s = document.createElement('script');
			s.src = u;
			s.onload = () => resolve(window[global] ? 'ran' : 'loaded');
			s.onerror = () => resolve('blocked');
			document.head.appendChild(s);
		});
		return {
			devPage: await read(`+"`"+dev.URL+`/index.html`+"`"+`),
			devWasm: await read(`+"`"+dev.URL+`/assets/labs.wasm`+"`"+`),
			publicWasm: await read(`+"`"+public.URL+`/assets/labs.wasm`+"`"+`),
			publicPage: await read(`+"`"+public.URL+`/index.html`+"`"+`),
			devScript: await run(`+"`"+dev.URL+`/assets/search-index.js`+"`"+`, 'SCALINGDATA_SEARCH'),
			devFrame: await run(`+"`"+dev.URL+`/assets/frame.js`+"`"+`, 'FRAME_LOADED'),
		};
	})()`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, result{
		DevPage: "refused", DevWasm: "refused", PublicWasm: "read: 8", PublicPage: "refused",
		DevScript: "blocked", DevFrame: "ran",
	}, got)
}
