package book_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book"
	"github.com/scaling-data/book/book/internal/browsertest"
)

// flakyOrigin serves one of several built sites, or drops every
// connection as a network with no signal does.
type flakyOrigin struct {
	site    atomic.Pointer[http.Handler]
	offline atomic.Bool
}

func (o *flakyOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o.offline.Load() {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	(*o.site.Load()).ServeHTTP(w, r)
}

func (o *flakyOrigin) serve(dir string) {
	h := book.Handler(os.DirFS(dir))
	o.site.Store(&h)
}

// cacheName reads the cache a build's service worker fills.
func cacheName(t *testing.T, dir string) string {
	t.Helper()
	sw, err := os.ReadFile(filepath.Join(dir, "sw.js"))
	require.NoError(t, err)
	m := regexp.MustCompile(`const VERSION = "([^"]+)"`).FindSubmatch(sw)
	require.NotNil(t, m, "sw.js names no version")
	return "scalingdata-" + string(m[1])
}

// TestServiceWorkerOffline reads the hosted book, loses the network, and
// reads on: the page opened before (kept, though it loaded before the
// worker ran), the lab that ran there (its wasm kept on first run), and
// search (in the shell); a page never opened says it was not saved. The
// first visit precaches only the shell, not the book. Then a new edition
// is published: the service worker replaces the old cache with the new
// one, and the new edition also works offline.
func TestServiceWorkerOffline(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	first := browsertest.Site(t)
	// The next edition: one chapter gains a sentence.
	cfg := browsertest.Config(t, filepath.Join(t.TempDir(), "public"))
	chapters := filepath.Join(t.TempDir(), "chapters")
	require.NoError(t, os.CopyFS(chapters, os.DirFS(cfg.Chapters)))
	cfg.Chapters = chapters
	edited := filepath.Join(chapters, "22-time.md")
	text, err := os.ReadFile(edited)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(edited, append(text, "\nNew in the next edition.\n"...), 0o644))
	_, err = book.Build(cfg)
	require.NoError(t, err)
	second := cfg.Out
	oldCache, newCache := cacheName(t, first), cacheName(t, second)
	require.NotEqual(t, oldCache, newCache, "a new edition has a new cache")

	origin := &flakyOrigin{}
	origin.serve(first)
	srv := httptest.NewServer(origin)
	t.Cleanup(srv.Close)
	url := srv.URL

	ctx := browsertest.Browser(t, 1280, 900, browsertest.OwnBrowser) // service workers: see OwnBrowser
	// Each phase's time is logged: on a loaded machine this test has
	// taken from 20 s to 6 min, and the log says where.
	began := time.Now()
	phase := func(what string) { t.Logf("%5.1f s  %s", time.Since(began).Seconds(), what) }
	caches := func() []string {
		keys, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`caches.keys()`, chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		return keys
	}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/quorums.html"),
		waitFor(`document.querySelector('.sidebar-foot .offline')`), // "Available offline"
		waitFor(`navigator.serviceWorker.controller`),
		js(fig+`.scrollIntoView()`),
		chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
		waitFor(fig+`.querySelectorAll('.lab-log li').length >= 2`),
		js(`window.__kept = false; (async () => { for (;;) { const c = await caches.open(`+jsString(oldCache)+`); if (await c.match(location.origin + location.pathname)) { window.__kept = true; return; } await new Promise((r) => setTimeout(r, 100)); } })()`),
		waitFor(`window.__kept`),
	))
	phase("online: worker controls the page, a lab ran, the page is kept")
	require.Equal(t, []string{oldCache}, caches())
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`caches.open(`+jsString(oldCache)+`).then((c) => c.keys()).then((ks) => ks.map((r) => new URL(r.url).pathname + new URL(r.url).search))`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Contains(t, kept, "/quorums.html")
	require.Contains(t, kept, "/index.html", "the contents are in the shell")
	require.NotContains(t, kept, "/cap.html", "a chapter never opened is not downloaded")
	wasm := false
	for _, k := range kept {
		wasm = wasm || strings.HasPrefix(k, "/assets/labs.wasm?v=")
	}
	require.True(t, wasm, "the lab binary is kept once a lab has run, with its version: %v", kept)

	// The network goes away.
	origin.offline.Store(true)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/cap.html"), // never opened: not saved, and it says so
		waitFor(`document.querySelector('h1') && document.querySelector('h1').textContent === 'Not saved for offline reading'`),
		chromedp.Navigate(url+"/quorums.html?fig=x"), // opened before (its query is not part of the page)
		waitFor(`document.querySelector('figure.lab .lab-run')`),
		// Search: the index is an asset, cached.
		chromedp.SendKeys(chromedp.CSS(`.search input`), "quorum"),
		waitFor(`document.querySelectorAll('.search-results [role=option]').length > 0`),
		chromedp.SendKeys(chromedp.CSS(`.search input`), kb.Escape),
		waitFor(`document.querySelector('.search-results').hidden`),
		// The lab that ran before runs again: its wasm was cached.
		js(fig+`.scrollIntoView()`),
		chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
		waitFor(fig+`.querySelectorAll('.lab-log li').length >= 2`),
	))
	phase("offline: unsaved page explained, search works, the lab ran again")
	shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`figure.lab .lab-stage`), chromedp.NodeVisible))
	require.NoError(t, err)
	require.Greater(t, browsertest.Colours(browsertest.Shot(t, "offline-sw-lab", shot)), 12)

	// A new edition is published and the reader is back online: the next
	// visit installs it and deletes the old cache.
	origin.serve(second)
	origin.offline.Store(false)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/index.html"),
		waitFor(`navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL.endsWith('sw.js')`),
	))
	// The event that matters is the new worker becoming the active one
	// (it deletes the old cache as it activates). The page waits for it
	// on the worker's own events (updatefound, statechange,
	// controllerchange) and asks for an update check again only when no
	// new worker is on its way (one whose install failed is discarded),
	// keeping what it saw in window.__sw for the failure message. On a
	// loaded machine the install (the new shell, about 0.7 MB) may take
	// minutes, so the wait is generous.
	type swState struct {
		Keys                        []string
		Active, Waiting, Installing string
		Controlled                  bool
	}
	wait, cancelWait := context.WithTimeout(ctx, 8*time.Minute)
	defer cancelWait()
	st, err := chromedp.Run(wait, chromedp.Evaluate[swState](`new Promise((done) => {
		window.__sw = [];
		const want = `+jsString(newCache)+`;
		let busy = false, again = false;
		const check = async () => {
			if (busy) { again = true; return; }
			busy = true;
			const r = await navigator.serviceWorker.getRegistration();
			const keys = await caches.keys();
			const s = {Keys: keys, Active: r && r.active ? r.active.state : '', Waiting: r && r.waiting ? r.waiting.state : '', Installing: r && r.installing ? r.installing.state : '',
				Controlled: !!(r && r.active && navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL === r.active.scriptURL)};
			window.__sw.push(s);
			busy = false;
			if (s.Active === 'activated' && !s.Waiting && !s.Installing && keys.length === 1 && keys[0] === want) return done(s);
			for (const w of [r && r.installing, r && r.waiting, r && r.active]) {
				if (w && !w.__watched) { w.__watched = true; w.addEventListener('statechange', check); }
			}
			if (r && !r.__watched) { r.__watched = true; r.addEventListener('updatefound', check); }
			if (r && !r.installing && !r.waiting && !keys.includes(want)) {
				// A failed check (the machine too busy to answer in time) is asked for again.
				r.update().then(check, () => setTimeout(check, 250));
			}
			if (again) { again = false; check(); }
		};
		navigator.serviceWorker.addEventListener('controllerchange', check);
		check();
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		seen, _ := chromedp.Run(ctx, chromedp.Evaluate[[]swState](`window.__sw || []`))
		require.NoError(t, err, "the old cache was not replaced by %s; the worker's states: %+v", newCache, seen)
	}
	phase(fmt.Sprintf("online again: the new edition's worker is active: %+v", st))

	// The new edition works offline too, and its pages say so.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/time.html"), // opened online: kept
	))
	origin.offline.Store(true)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/time.html"),
		waitFor(`document.body.textContent.includes('New in the next edition.')`),
	))
	phase("offline: the new edition's page")
}
