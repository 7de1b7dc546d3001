package book_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
	capview "github.com/scaling-data/book/render/cap"
	"github.com/scaling-data/book/sim/cap"
)

// clickCanvas clicks the lab figure sel's canvas at logical point (x, y)
// of a w×h lab.
func clickCanvas(t *testing.T, ctx context.Context, sel string, x, y, w, h float64) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, settled(sel)))
	rect, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = `+sel+`.querySelector('.lab-frame').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.MouseClickXY(rect[0]+x/w*rect[2], rect[1]+y/h*rect[3])))
}

// TestCAPLabInChromium opens the CAP chapter, starts the CP lab, cuts the
// link between the sites by clicking it, watches site 2's client fail,
// heals, and isolates a replica with its button.
func TestCAPLabInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 1280, 900)
	const lab = `document.getElementById('cp-lab')`
	explainFailure(t, ctx, lab)
	w, h := float64(cap.Schema.Width), float64(cap.Schema.Height)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/cap.html"),
		chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-run`)),
		js(lab+`.scrollIntoView()`),
		// The longest run the lab allows, set before it starts: the chapter's
		// 15 s of virtual time pass in 4 s of wall time at speed 4, and a
		// busy machine can take longer than that to reach the last step.
		js(lab+`.querySelector('[name=duration]').value = '120'`),
		js(lab+`.querySelector('.lab-run').click()`),
		waitFor(`!!`+lab+`.querySelector('.lab-frame')`),
		waitFor(`new URL(`+lab+`.querySelector('.lab-frame').src).searchParams.get('duration') === '120'`),
		waitFor(lab+`.querySelector('[data-metric=availability]').textContent !== '–'`),
		logShows(lab, `client 1 (reads|writes)`),
	))
	labPicture(t, ctx, `#cp-lab`, "cap-running")
	require.Equal(t, "yes", evalString(t, ctx, lab+`.querySelector('[data-metric=linearizable]').textContent`))

	// Cut by clicking the link between the sites: the log says so, and
	// site 2's client starts failing.
	require.NoError(t, chromedp.Do(ctx,
		setSpeed(lab, "4"),
	))
	bx, by := capview.BoundaryCenter()
	clickCanvas(t, ctx, lab, bx, by, w, h)
	require.NoError(t, chromedp.Do(ctx,
		logShows(lab, `cut both ways`),
		waitFor(lab+`.querySelector('.lab-frame').title.includes('The network between the sites is cut.')`),
		logShows(lab, `client 2: (read|write) x (refused|times out)`),
		waitFor(`Number(`+lab+`.querySelector('[data-metric=errors]').textContent) > 0`),
		waitFor(`Number(`+lab+`.querySelector('[data-metric=availability]').dataset.value) < 1`),
	))
	labPicture(t, ctx, `#cp-lab`, "cap-cut")
	require.Equal(t, "yes", evalString(t, ctx, lab+`.querySelector('[data-metric=linearizable]').textContent`))

	// Heal by clicking it again, then isolate replica A with its button.
	clickCanvas(t, ctx, lab, bx, by, w, h)
	require.NoError(t, chromedp.Do(ctx,
		logShows(lab, `every link works again`),
		js(lab+`.querySelector('.lab-arg').value = '0'`),
		js(lab+`.querySelector('[data-action=isolate]').click()`),
		logShows(lab, `replica A is cut off from everyone`),
		waitFor(lab+`.querySelector('.lab-frame').title.includes('Isolated: A.')`),
		logShows(lab, `A steps down`),
	))
	labPicture(t, ctx, `#cp-lab`, "cap-isolated")

}

// TestCAPAPLabInChromium cuts the chapter's AP lab with its button: both
// clients keep being answered, reads go stale, and healing finds the
// concurrent versions.
func TestCAPAPLabInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 1280, 900)
	const ap = `document.getElementById('ap-lab')`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/cap.html"),
		chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-run`)),
		js(ap+`.scrollIntoView()`),
		js(ap+`.querySelector('.lab-run').click()`),
		waitFor(`!!`+ap+`.querySelector('.lab-frame')`),
		waitFor(ap+`.querySelector('[data-metric=availability]').textContent !== '–'`),
		js(ap+`.querySelector('[data-action=cut]').click()`),
		logShows(ap, `cut both ways`),
		// Both clients have read stale, so both sides wrote during the cut.
		waitFor(`/Client 1: \d+ answered, \d+ errors, [1-9]\d* stale\. Client 2: \d+ answered, \d+ errors, [1-9]/.test(`+ap+`.querySelector('.lab-frame').title)`),
		js(ap+`.querySelector('[data-action=heal]').click()`),
		logShows(ap, `every link works again`),
		waitFor(`Number(`+ap+`.querySelector('[data-metric=conflicts_on_heal]').textContent) > 0`),
		waitFor(ap+`.querySelector('.lab-frame').title.includes('Conflicts on heal 1')`),
	))
	require.Equal(t, "1", evalString(t, ctx, ap+`.querySelector('[data-metric=availability]').dataset.value`))
	require.Equal(t, "100%", evalString(t, ctx, ap+`.querySelector('[data-metric=availability]').textContent`), "a fraction reads as a percentage")
	require.Equal(t, "0", evalString(t, ctx, ap+`.querySelector('[data-metric=errors]').textContent`))
	labPicture(t, ctx, `#ap-lab`, "cap-ap-healed")
}

// TestPACELCLabInChromium starts the PACELC lab, switches the configuration
// shown, and waits for the partition column; then steps the sequential
// history until it stops being linearizable.
func TestPACELCLabInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 1280, 900)
	const lab = `document.getElementById('pacelc-lab')`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/consistency-pacelc.html"),
		chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-run`)),
		js(lab+`.scrollIntoView()`),
		js(lab+`.querySelector('.lab-run').click()`),
		waitFor(`!!`+lab+`.querySelector('.lab-frame')`),
		waitFor(`Number(`+lab+`.querySelector('[data-metric=latency_p50_ms]').dataset.value) > 0`),
		js(`{ const c = `+lab+`.querySelector('[name=config]'); c.value = 'eventual'; c.dispatchEvent(new Event('change', {bubbles: true})); c.dispatchEvent(new Event('input', {bubbles: true})) }`),
		waitFor(lab+`.querySelector('.lab-frame').title.includes('eventual shown')`),
		setSpeed(lab, "8"),
		waitFor(`Number(`+lab+`.querySelector('[data-metric=stale_read_fraction]').dataset.value) > 0`),
		logShows(lab, `europe is cut off`),
		waitFor(lab+`.querySelector('.lab-frame').title.includes('available in the partition')`),
	))
	labPicture(t, ctx, `#pacelc-lab`, "pacelc-eventual")
	require.Equal(t, "yes", evalString(t, ctx, lab+`.querySelector('[data-metric=available_during_partition]').textContent`))

	const hist = `document.getElementById('sequential-lab')`
	require.NoError(t, chromedp.Do(ctx,
		js(hist+`.scrollIntoView()`),
		js(hist+`.querySelector('.lab-run').click()`),
		waitFor(`!!`+hist+`.querySelector('.lab-frame')`),
		waitFor(hist+`.querySelector('[data-metric=linearizable]').textContent === 'yes'`),
	))
	for i := 0; i < 12 && evalString(t, ctx, hist+`.querySelector('[data-metric=linearizable]').textContent`) == "yes"; i++ {
		// A step answers with its events and state, then the metrics.
		n := messages(t, ctx, hist)
		require.NoError(t, chromedp.Do(ctx, js(hist+`.querySelector('[data-cmd=step]').click()`), moreMessages(hist, n), labFrames(hist, 3)))
	}
	require.Equal(t, "no", evalString(t, ctx, hist+`.querySelector('[data-metric=linearizable]').textContent`))
	require.Equal(t, "yes", evalString(t, ctx, hist+`.querySelector('[data-metric=sequential]').textContent`))
	require.NoError(t, chromedp.Do(ctx, logShows(hist, `P2's read of x returns 0`)))
	labPicture(t, ctx, `#sequential-lab`, "history-sequential")
}

// TestCAPOnAPhone checks the two chapters and the embed pages at 360 px.
func TestCAPOnAPhone(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 360, 780)
	for i, page := range []string{"/cap.html", "/consistency-pacelc.html", "/embed/cap.html", "/embed/pacelc.html", "/embed/history.html"} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url+page), chromedp.WaitReady(chromedp.CSS(`body`))))
		if i >= 2 {
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS(`.lab-run`)),
				waitFor(`document.querySelectorAll('.lab-log li').length > 0`),
			))
		}
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		require.NoError(t, err)
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		browsertest.Shot(t, fmt.Sprintf("cap-phone-%d", i), shot)
		require.False(t, overflow, "%s scrolls sideways at 360 px", page)
	}
}
