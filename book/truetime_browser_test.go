package book_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
)

// TestTrueTimeLabInChromium opens the time chapter, starts its TrueTime
// lab, changes ε, turns commit wait off and pushes a clock, and checks
// that the readouts and the event log follow.
func TestTrueTimeLabInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 1280, 900)

	// The chapter's Spanner figure.
	const lab = `document.getElementById('spanner-lab')`
	float := func(name string) float64 {
		t.Helper()
		s := evalString(t, ctx, lab+`.querySelector('[data-metric=`+name+`]').dataset.value`)
		v, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, "metric %s = %q", name, s)
		return v
	}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/time.html"),
		chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-run`)),
		js(lab+`.scrollIntoView()`),
		js(lab+`.querySelector('.lab-run').click()`),
		waitFor(`!!`+lab+`.querySelector('.lab-frame')`),
		waitFor(`Number(`+lab+`.querySelector('[data-metric=commit_wait_ms_mean]').dataset.value) > 0`),
		logShows(lab, `commit wait of`),
	))
	labPicture(t, ctx, `#spanner-lab`, "truetime-running")
	require.Zero(t, float("order_violations"))

	// Raise ε to 10 ms: the lab restarts and the waits grow to about 20 ms.
	require.NoError(t, chromedp.Do(ctx,
		js(`const e = `+lab+`.querySelector('[name=epsilon]'); e.value = '10'; e.dispatchEvent(new Event('input', {bubbles: true}))`),
		waitFor(lab+`.querySelector('.lab-frame').title.includes('mean ε 10 ms')`),
		waitFor(`Number(`+lab+`.querySelector('[data-metric=commit_wait_ms_mean]').dataset.value) > 12`),
	))
	require.Zero(t, float("order_violations"))

	// Skip commit wait: transactions come out of order, and the log says so.
	require.NoError(t, chromedp.Do(ctx,
		js(`const c = `+lab+`.querySelector('[name=commitwait]'); c.checked = false; c.dispatchEvent(new Event('change', {bubbles: true})); c.dispatchEvent(new Event('input', {bubbles: true}))`),
		waitFor(lab+`.querySelector('.lab-frame').title.includes('commit wait off')`),
		waitFor(`Number(`+lab+`.querySelector('[data-metric=order_violations]').textContent) > 0`),
		logShows(lab, `OUT OF ORDER`),
	))
	require.Zero(t, float("commit_wait_ms_mean"))
	labPicture(t, ctx, `#spanner-lab`, "truetime-no-wait")

	// Push node B's clock ahead with its button: the log and the picture's
	// description say it left its interval.
	require.NoError(t, chromedp.Do(ctx,
		js(lab+`.querySelector('.lab-arg').value = '1'`),
		js(lab+`.querySelector('[data-action=skew]').click()`),
		logShows(lab, `B's clock jumps`),
		waitFor(lab+`.querySelector('.lab-frame').title.includes('outside its interval: B')`),
		labFrames(lab, 2), // the picture has caught up with its description
	))
	labPicture(t, ctx, `#spanner-lab`, "truetime-pushed")
}

// TestTrueTimeOnAPhone checks the chapter and its embed page at 360 px.
func TestTrueTimeOnAPhone(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 360, 780)
	for _, page := range []string{"/time.html", "/embed/truetime.html"} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url+page), chromedp.WaitReady(chromedp.CSS(`body`))))
		if page == "/embed/truetime.html" {
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS(`.lab-run`)),
				waitFor(`document.querySelectorAll('.lab-log li').length > 0`),
			))
		}
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		require.NoError(t, err)
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		browsertest.Shot(t, "truetime-phone"+map[bool]string{true: "-embed", false: ""}[page != "/time.html"], shot)
		require.False(t, overflow, "%s scrolls sideways at 360 px", page)
	}
}
