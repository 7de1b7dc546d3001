package book_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
)

// axeScript is axe-core, installed from npm for the tests only (.ci/deps).
func axeScript(t *testing.T) string {
	t.Helper()
	p := filepath.Join(browsertest.ModuleRoot(), ".cache", "npm", "node_modules", "axe-core", "axe.min.js")
	data, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core is missing (%v): .ci/deps installs it", err)
		}
		t.Skipf("axe-core not installed at %s (run bash .ci/deps)", p)
	}
	return string(data)
}

// watch records every request the page makes and every CSP violation.
type watch struct {
	mu       sync.Mutex
	requests []string
}

func startWatch(t *testing.T, ctx context.Context) *watch {
	t.Helper()
	w := &watch{}
	_, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
		})
		return chromedp.Void{}, err
	})
	require.NoError(t, err)
	go func() {
		for ev, err := range chromedp.Events(ctx, network.RequestWillBeSent) {
			if err != nil {
				return
			}
			w.mu.Lock()
			w.requests = append(w.requests, ev.Request.URL)
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *watch) foreign(origin string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, r := range w.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Scheme != "blob" && u.Scheme+"://"+u.Host != origin) {
			out = append(out, r)
		}
	}
	return out
}

// TestEveryPageAccessibleAndSelfContained opens every page of the book,
// runs axe-core (WCAG 2.1 A and AA rules; in the dark theme, those that
// read colours, and all of them on the dark posters) and checks there
// are no serious or critical violations, no request leaves the site's
// origin, and the Content-Security-Policy is never violated. Pages are
// checked in parallel, each in its own tab. One lab is run too, so the lab
// frame and its WebAssembly are covered.
func TestEveryPageAccessibleAndSelfContained(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	axe := axeScript(t)
	site := browsertest.Site(t)
	origin := browsertest.Serve(t, site)

	pages, _ := filepath.Glob(filepath.Join(site, "*.html"))
	embeds, _ := filepath.Glob(filepath.Join(site, "embed", "*.html"))
	pages = append(pages, embeds...)
	sort.Strings(pages)
	// Three browsers share the pages, each page checked in its own subtest.
	const browsers = 3
	for b := range browsers {
		t.Run(fmt.Sprintf("browser %d", b+1), func(t *testing.T) {
			t.Parallel()
			ctx := browsertest.Browser(t, 1280, 900)
			w := startWatch(t, ctx)
			for i, p := range pages {
				rel, _ := filepath.Rel(site, p)
				rel = filepath.ToSlash(rel)
				if i%browsers != b || rel == "lab.html" { // lab.html: covered by running a lab below
					continue
				}
				t.Run(rel, func(t *testing.T) { axePage(t, ctx, w, axe, origin, rel) })
			}
		})
	}

	// Run a lab: the frame, the wasm and the canvas stay within policy.
	t.Run("running lab", func(t *testing.T) {
		t.Parallel()
		ctx := browsertest.Browser(t, 1280, 900)
		w := startWatch(t, ctx)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(origin+"/quorums.html"),
			chromedp.WaitReady(chromedp.CSS(`figure.lab .lab-run`)),
			js(fig+`.scrollIntoView()`),
			chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
			waitFor(fig+`.querySelectorAll('.lab-log li').length >= 2`),
		))
		csp, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(window.__csp || []).concat(document.querySelector('.lab-frame').contentWindow.__csp || [])`))
		require.NoError(t, err)
		require.Empty(t, csp, "a running lab violates the Content-Security-Policy")
		require.Empty(t, w.foreign(origin), "requests left the site's origin")
	})
}

// TestKeyboardWalkthrough reads a chapter and uses a lab with the keyboard
// only: Tab reaches the lab's Run button, the lab starts with Enter, Space
// pauses it, Tab is never trapped by the canvas, and Escape leaves it.
func TestKeyboardWalkthrough(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	origin := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 1280, 900)
	active := func() string {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const a = document.activeElement; return a ? a.tagName + '.' + a.className + (a.closest('figure.lab') ? ' in-lab' : '') : ''; })()`))
		require.NoError(t, err)
		return s
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(origin+"/quorums.html"), chromedp.WaitReady(chromedp.CSS(`body`))))
	// Tab from the top until the first lab's Run button has focus.
	found := false
	for i := 0; i < 400 && !found; i++ {
		require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
		found = strings.HasPrefix(active(), "BUTTON.lab-run")
	}
	require.True(t, found, "Tab never reaches the lab's Run button")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Enter),
		waitFor(fig+`.querySelector('.lab-frame') !== null`),
		waitFor(fig+`.querySelector('.lab-play').getAttribute('aria-pressed') === 'true'`),
	))
	// Focus the canvas frame, then Escape returns focus to the lab's controls.
	require.NoError(t, chromedp.Do(ctx,
		js(fig+`.querySelector('.lab-frame').focus()`),
		waitFor(fig+`.querySelector('.lab-frame').contentDocument.hasFocus()`),
		chromedp.KeyEvent(kb.Escape),
		waitFor(`document.activeElement === `+fig+`.querySelector('.lab-play')`),
	))
	// Space on the play button pauses; Tab then moves on through the controls.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.KeyEvent(" "),
		waitFor(fig+`.querySelector('.lab-play').getAttribute('aria-pressed') === 'false'`),
	))
	seen := map[string]bool{}
	for i := 0; i < 80; i++ {
		require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
		a := active()
		seen[a] = true
		if !strings.Contains(a, "in-lab") && !strings.HasPrefix(a, "IFRAME") {
			break // focus has left the lab: nothing trapped it
		}
	}
	require.Greater(t, len(seen), 5, "Tab moves through the lab's controls")
	require.NotContains(t, active(), "in-lab", "Tab never leaves the lab")
}

// axePage checks one page in the light theme, and its colours again in
// the dark theme (see TestEveryPageAccessibleAndSelfContained).
func axePage(t *testing.T, ctx context.Context, w *watch, axe, origin, rel string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(origin+"/"+rel),
		waitFor(`document.readyState === 'complete'`),
		js(axe),
	))
	for _, theme := range []string{"light", "dark"} {
		// The print page holds every chapter, each checked on its
		// own page in both themes; in the dark theme only its own
		// parts (cover, contents) are checked again.
		scope := `document`
		if rel == "print.html" && theme == "dark" {
			scope = `{exclude: [['.print-chapter']]}`
		}
		// A theme changes colours, and which poster of each lab shows:
		// in the dark theme the rules that read colours check the page
		// again, and every rule checks the dark posters.
		const wcag = `{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}`
		runs := `[() => axe.run(` + scope + `, {runOnly: ` + wcag + `, resultTypes: ['violations']})]`
		if theme == "dark" {
			runs = `[() => axe.run(` + scope + `, {runOnly: {type: 'rule', values: ['color-contrast', 'link-in-text-block']}, resultTypes: ['violations']}),
			  () => document.querySelector('.poster-dark') && axe.run({include: [['.poster-dark']]}, {runOnly: ` + wcag + `, resultTypes: ['violations']})]`
		}
		require.NoError(t, chromedp.Do(ctx, js(`document.documentElement.dataset.theme = '`+theme+`'`)))
		// One run at a time: axe refuses to start while another runs.
		res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
			const found = [];
			for (const run of `+runs+`) { const r = await run(); if (r) found.push(...r.violations); }
			return JSON.stringify(found.filter(v => v.impact === 'serious' || v.impact === 'critical')
			  .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})));
		})()`, chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		var violations []map[string]any
		require.NoError(t, json.Unmarshal([]byte(res), &violations))
		require.Empty(t, violations, "%s (%s theme): axe-core finds serious or critical violations", rel, theme)
	}
	csp, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
	require.NoError(t, err)
	require.Empty(t, csp, "%s violates the Content-Security-Policy", rel)
	require.Empty(t, w.foreign(origin), "%s: requests left the site's origin", rel)
}
