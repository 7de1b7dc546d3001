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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
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
	labPicture(t, ctx, `figure.lab`, "offline-sw-lab")

	// The reader is back online, on a page of the old edition, when a new
	// edition is published: the new edition's worker installs, and takes
	// over (deleting the old cache) at once or, at the latest, once the
	// reader has left the book's pages. Chromium lets an old worker it
	// still counts as busy serve open pages for up to 5 minutes (a "lame
	// duck"); on a loaded machine it did so for this page (the test then
	// took 6 minutes), never once the page was gone.
	origin.offline.Store(false)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/index.html"),
		waitFor(`navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL.endsWith('sw.js')`),
	))
	origin.serve(second)
	// The page waits for the new worker on the worker's own events
	// (updatefound, statechange, controllerchange) until it has taken over
	// or installed, and asks for an update check again only when no new
	// worker is on its way (one whose install failed is discarded),
	// keeping what it saw in window.__sw for the failure message. On a
	// loaded machine installing the new shell (about 0.7 MB) took up to
	// 20 s; the bound is a failure's, not a pause.
	type swState struct {
		Keys                        []string
		Active, Waiting, Installing string
		Controlled                  bool
		At                          float64 // ms since the page began
	}
	wait, cancelWait := context.WithTimeout(ctx, 2*time.Minute)
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
				Controlled: !!(r && r.active && navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL === r.active.scriptURL), At: Math.round(performance.now())};
			window.__sw.push(s);
			busy = false;
			if ((s.Active === 'activated' && !s.Waiting && !s.Installing && keys.length === 1 && keys[0] === want) || s.Waiting === 'installed') return done(s);
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
	phase(fmt.Sprintf("online again: the new edition's worker has installed: %+v", st))
	if st.Waiting != "" {
		// The reader leaves the page; the new worker then takes over.
		require.NoError(t, chromedp.Do(wait,
			chromedp.Navigate("about:blank"),
			workerTakesOver(),
		))
		phase("the reader left the page: the new edition's worker took over")
	}

	// The new edition works offline too, and its pages say so; the old
	// edition's cache is gone.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/time.html"), // opened online: kept
	))
	require.Equal(t, []string{newCache}, caches())
	origin.offline.Store(true)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/time.html"),
		waitFor(`document.body.textContent.includes('New in the next edition.')`),
	))
	phase("offline: the new edition's page")
}

// workerTakesOver waits until the registration's one live service worker
// is the active one, every other version (the old edition's) redundant,
// as the browser reports it: no page of the origin needs to be open.
// Activating, the new worker deleted the old edition's cache.
func workerTakesOver() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		lctx, cancel := context.WithCancel(ctx)
		defer cancel()
		events := cdp.Events(lctx, t, serviceworker.WorkerVersionUpdated)
		if _, err := cdp.Call(ctx, t, serviceworker.Enable, cdp.Empty{}); err != nil {
			return chromedp.Void{}, err
		}
		status := map[string]serviceworker.VersionStatus{}
		var seen []string
		for ev, err := range events {
			if err != nil {
				return chromedp.Void{}, fmt.Errorf("%w; the workers' states: %v", err, seen)
			}
			for _, v := range ev.Versions {
				status[v.VersionID] = v.Status
				seen = append(seen, fmt.Sprintf("%s:%s/%s", v.VersionID, v.Status, v.RunningStatus))
			}
			active, others := 0, 0
			for _, st := range status {
				switch st {
				case serviceworker.VersionStatusActivated:
					active++
				case serviceworker.VersionStatusRedundant:
				default:
					others++
				}
			}
			if active == 1 && others == 0 && len(status) > 1 {
				return chromedp.Void{}, nil
			}
		}
		return chromedp.Void{}, chromedp.ErrChannelClosed
	}
}
