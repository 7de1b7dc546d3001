package book_test

import (
	neturl "net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
)

// TestSearchInChromium types into the search box and follows a result.
func TestSearchInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	url := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 1280, 900)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/index.html"),
		chromedp.WaitReady(chromedp.CSS(`.search input`)),
		js(`document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true}))`),
		waitFor(`document.activeElement === document.querySelector('.search input')`),
		chromedp.SendKeys(chromedp.CSS(`.search input`), "hinted handof"), // a typo and a prefix
		waitFor(`document.querySelectorAll('.search-results [role=option]').length > 0`),
	))
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.search-results [role=option]').textContent`))
	require.NoError(t, err)
	require.Contains(t, strings.ToLower(first), "hinted")
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.search-results mark').length`))
	require.NoError(t, err)
	require.Positive(t, marks, "matches are highlighted in the snippet")
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	browsertest.Shot(t, "search", shot)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`.search input`), kb.ArrowDown+kb.Enter),
		waitFor(`location.hash.length > 1`),
	))
}

// TestGlossaryTooltip focuses a term link and reads its tooltip.
func TestGlossaryTooltip(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	url := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 1280, 900)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/quorums.html"),
		chromedp.WaitReady(chromedp.CSS(`body`)),
		waitFor(`document.querySelector('a.term') !== null`),
		js(`document.querySelector('a.term').scrollIntoView({block: 'center'})`),
	))
	at, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('a.term').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at[0], at[1]),
		waitFor(`!document.querySelector('.term-tip').hidden`),
	))
	tip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.term-tip').textContent`))
	require.NoError(t, err)
	require.Greater(t, len(tip), 20)
	described, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a.term').getAttribute('aria-describedby')`))
	require.NoError(t, err)
	require.Equal(t, "term-tip", described)
}

// TestPrintPage checks the whole-book page and its print layout.
func TestPrintPage(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	url := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 1000, 900)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/print.html"),
		chromedp.WaitReady(chromedp.CSS(`.print-chapter`)),
		browsertest.EmulateMedia("print", nil),
	))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.print-chapter').length`))
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 3)
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const poster = document.querySelector('.poster-light');
		const run = document.querySelector('.lab-run');
		return poster.getBoundingClientRect().height > 50 && getComputedStyle(run).display === 'none' &&
			getComputedStyle(document.querySelector('.print-chapter + .print-chapter')).breakBefore === 'page';
	})()`))
	require.NoError(t, err)
	require.True(t, visible, "print shows posters, hides controls, breaks pages between chapters")
	broken, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('a[href^="#"]')).map(a => a.getAttribute('href').slice(1)).filter(id => id && !document.getElementById(decodeURIComponent(id)))`))
	require.NoError(t, err)
	require.Empty(t, broken, "every link inside the print page has a target")
}

// TestScrubAndShare runs a lab, crashes a node, goes back in time, and
// reopens a shared link at the same moment with the same metrics.
func TestScrubAndShare(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	url := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 1280, 900)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/embed/quorum.html"),
		chromedp.Click(chromedp.CSS(`.lab-run`)),
		waitFor(fig+`.querySelectorAll('.lab-log li').length > 0`),
		setSpeed(fig, "8"),
		timeMoves(fig, 1500),
		js(fig+`.querySelector('.lab-arg').value = '1'`),
		js(fig+`.querySelector('[data-action=crash]').click()`),
		logShows(fig, `node B crashes`),
		timeMoves(fig, 3000),
		js(fig+`.querySelector('.lab-play').click()`),
		waitFor(fig+`.querySelector('.lab-play').getAttribute('aria-pressed') === 'false'`),
		chromedp.Click(chromedp.CSS(`[data-cmd=copy]`)),
		waitFor(fig+`.dataset.shareLink !== undefined`),
	))
	link := evalString(t, ctx, fig+`.dataset.shareLink`)
	decoded, err := neturl.QueryUnescape(link)
	require.NoError(t, err)
	require.Contains(t, decoded, "do=")
	require.Contains(t, decoded, ":crash:1")
	require.Contains(t, link, "&t=")
	metricsAt := func() string {
		return evalString(t, ctx, `Array.from(`+fig+`.querySelectorAll('[data-metric]')).map(d => d.textContent).join(',')`)
	}
	before := metricsAt()
	when := evalString(t, ctx, fig+`.querySelector('.lab-time').textContent`)

	// Scrub back to the start: the metrics go back too.
	require.NoError(t, chromedp.Do(ctx,
		js(`{ const s = `+fig+`.querySelector('.lab-scrub'); s.value = '0'; s.dispatchEvent(new Event('input')) }`),
		waitFor(fig+`.querySelector('.lab-time').textContent.startsWith('0 ms')`),
	))
	require.NotEqual(t, before, metricsAt())

	// The shared link reopens the same moment.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(link),
		waitFor(fig+`.querySelector('.lab-time').textContent === `+jsString(when)),
	))
	require.NoError(t, chromedp.Do(ctx, waitFor(`Array.from(`+fig+`.querySelectorAll('[data-metric]')).map(d => d.textContent).join(',') === `+jsString(before))))
}

// TestReducedMotion: with prefers-reduced-motion nothing plays until the
// reader asks, and the frame is told to draw packets at rest.
func TestReducedMotion(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	url := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 1280, 900)
	require.NoError(t, chromedp.Do(ctx,
		browsertest.EmulateMedia("", map[string]string{"prefers-reduced-motion": "reduce"}),
		chromedp.Navigate(url+"/quorums.html"),
		// The page has run its scripts (which would start a lab) and
		// painted: nothing started by itself.
		waitFor(`document.readyState === 'complete'`),
		chromedp.Evaluate[chromedp.Void](`new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))`, chromedp.EvalAwaitPromise),
	))
	frames, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('iframe').length`))
	require.NoError(t, err)
	require.Zero(t, frames, "no lab starts by itself")
	require.NoError(t, chromedp.Do(ctx,
		js(fig+`.scrollIntoView()`),
		chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
		waitFor(fig+`.querySelector('.lab-frame') !== null`),
	))
	src := evalString(t, ctx, fig+`.querySelector('.lab-frame').src`)
	require.Contains(t, src, "motion=reduce")
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// TestShareLinkKeepsBoundedValues opens a chapter's shared link whose
// values raise a bound (nodes=5 lets n go up to 5) on a figure that starts
// with nodes=3: every value of the link reaches its control, whatever the
// order the link lists them in (n before nodes once left n clamped to 3).
func TestShareLinkKeepsBoundedValues(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	url := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 1280, 900)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/quorums.html"),
		chromedp.WaitReady(chromedp.CSS(`figure.lab .lab-run`)),
	))
	id := evalString(t, ctx, fig+`.id`)
	require.Equal(t, "3", evalString(t, ctx, fig+`.querySelector('[name=nodes]').value`), "the chapter's first lab starts with three nodes")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/quorums.html?fig="+id+"&lab=quorum&n=5&nodes=5&r=3&w=3&seed=7"),
		waitFor(`!!`+fig+`.querySelector('.lab-frame')`),
	))
	for name, want := range map[string]string{"nodes": "5", "n": "5", "w": "3", "r": "3"} {
		require.Equal(t, want, evalString(t, ctx, fig+`.querySelector('[name=`+name+`]').value`), "the link sets %s", name)
	}
	require.Contains(t, evalString(t, ctx, fig+`.querySelector('.lab-frame').src`), "n=5")
}
