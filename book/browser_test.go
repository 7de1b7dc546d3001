package book_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
	quorumview "github.com/scaling-data/book/render/quorum"
	"github.com/scaling-data/book/sim/quorum"
)

// waitFor polls a JavaScript expression until it is true (see
// browsertest.WaitFor).
func waitFor(expr string) chromedp.Action[chromedp.Void] { return browsertest.WaitFor(expr) }

// js runs an expression for its effect.
func js(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](expr + `; undefined`)
}

func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	require.NoError(t, err, expr)
	return s
}

const fig = `document.querySelector('figure.lab')`

// TestQuorumLabInChromium opens the quorum chapter, starts its first lab,
// and checks that it draws, animates, and answers the page's controls.
func TestQuorumLabInChromium(t *testing.T) {
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 1280, 900)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/quorums.html"),
		chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-run`)),
	))
	title, err := chromedp.Run(ctx, chromedp.Title())
	require.NoError(t, err)
	require.Contains(t, title, "quorums")

	// Start the lab: the frame loads the wasm and reports metrics.
	require.NoError(t, chromedp.Do(ctx,
		js(fig+`.scrollIntoView()`),
		chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
		chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-frame`)),
		waitFor(fig+`.querySelector('[data-metric=writes_ok]').textContent !== '–'`),
		waitFor(fig+`.querySelectorAll('.lab-log li').length >= 3`),
		waitFor(`Number(`+fig+`.querySelector('[data-metric=writes_ok]').textContent) + Number(`+fig+`.querySelector('[data-metric=reads_ok]').textContent) > 0`),
	))

	// The canvas is drawn: a screenshot of the stage holds many colours.
	shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`figure.lab .lab-stage`), chromedp.NodeVisible))
	require.NoError(t, err)
	img := browsertest.Shot(t, "quorum-running", shot)
	require.Greater(t, browsertest.Colours(img), 12, "the lab canvas looks blank")

	// It animates: virtual time moves.
	t1 := labTime(t, ctx)
	require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(700*time.Millisecond)))
	require.Greater(t, labTime(t, ctx), t1, "virtual time does not advance while playing")

	// Change W through the page's control: the lab restarts with W=1.
	require.NoError(t, chromedp.Do(ctx,
		js(`const w = `+fig+`.querySelector('[name=w]'); w.value = '1'; w.dispatchEvent(new Event('input', {bubbles: true}))`),
		waitFor(fig+`.querySelector('.lab-frame').title.includes('W=1')`),
	))

	// Crash node A with its button: the log says so, and with W=1 writes
	// keep succeeding.
	require.NoError(t, chromedp.Do(ctx,
		js(fig+`.querySelector('.lab-arg').value = '0'`),
		// A script click: chromedp's pointer click lands by coordinates,
		// which a busy software renderer can shift between scroll and click.
		js(fig+`.querySelector('[data-action=crash]').click()`),
		waitFor(`Array.from(`+fig+`.querySelectorAll('.lab-log li')).some(li => /crash/i.test(li.textContent))`),
		waitFor(fig+`.querySelector('.lab-frame').title.includes('down')`),
	))
	before := metric(t, ctx, "writes_ok")
	require.NoError(t, chromedp.Do(ctx, waitFor(`Number(`+fig+`.querySelector('[data-metric=writes_ok]').textContent) > `+strconv.Itoa(before))))

	// Clicking replica B on the canvas is a shortcut for its crash button.
	bx, by := nodeOnPage(t, ctx, 1)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.MouseClickXY(bx, by),
		waitFor(`Array.from(`+fig+`.querySelectorAll('.lab-log li')).some(li => /node B crashes/.test(li.textContent))`),
	))

	shot, err = chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`figure.lab .lab-stage`), chromedp.NodeVisible))
	require.NoError(t, err)
	browsertest.Shot(t, "quorum-crashed", shot)

	// Pause stops virtual time.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`figure.lab .lab-play`)),
		waitFor(fig+`.querySelector('.lab-play').getAttribute('aria-pressed') === 'false'`),
		chromedp.Sleep(300*time.Millisecond),
	))
	p1 := labTime(t, ctx)
	require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(600*time.Millisecond)))
	require.Equal(t, p1, labTime(t, ctx), "virtual time moves while paused")
}

// nodeOnPage is where replica i of the first lab (nodes=3 n=3) is on the
// page.
func nodeOnPage(t *testing.T, ctx context.Context, i int) (float64, float64) {
	t.Helper()
	vals, err := quorum.Schema.Parse(map[string]string{"nodes": "3", "n": "3", "w": "1", "r": "2"})
	require.NoError(t, err)
	x, y := quorumview.NodeCenter(quorum.New(vals, 7), i)
	require.NoError(t, chromedp.Do(ctx, js(fig+`.scrollIntoView()`)))
	rect, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = `+fig+`.querySelector('.lab-frame').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	require.NoError(t, err)
	w, h := float64(quorum.Schema.Width), float64(quorum.Schema.Height)
	return rect[0] + x/w*rect[2], rect[1] + y/h*rect[3]
}

func labTime(t *testing.T, ctx context.Context) float64 {
	t.Helper()
	s := evalString(t, ctx, fig+`.querySelector('.lab-time').textContent`)
	f := strings.Fields(s)
	require.GreaterOrEqual(t, len(f), 2, "lab time %q", s)
	v, err := strconv.ParseFloat(f[0], 64)
	require.NoError(t, err, "lab time %q", s)
	if f[1] == "s" {
		v *= 1000
	}
	return v
}

func metric(t *testing.T, ctx context.Context, name string) int {
	t.Helper()
	s := evalString(t, ctx, fig+`.querySelector('[data-metric=`+name+`]').textContent`)
	v, err := strconv.Atoi(s)
	require.NoError(t, err, "metric %s = %q", name, s)
	return v
}
