package book_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
	leaderview "github.com/scaling-data/book/render/leader"
	"github.com/scaling-data/book/sim/leader"
)

// TestLeaderLabInChromium opens the leader-follower chapter, starts its
// first lab, turns read-your-writes on, posts, kills the primary by
// clicking it on the canvas, and checks the failover in the log and the
// readouts, on a desktop and a phone.
func TestLeaderLabInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 900}, {"phone", 360, 780}} {
		t.Run(size.name, func(t *testing.T) {
			t.Parallel()
			ctx := browsertest.Browser(t, size.width, size.height)
			explainFailure(t, ctx, fig)
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(url+"/leader-follower.html"),
				chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-run`)),
				js(fig+`.scrollIntoView()`),
				chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
				chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-frame`)),
				logShows(fig, `commits r\d=v\d+ at LSN`),
				// Replicas lag by about 100 ms: read-backs miss writes.
				waitFor(`Number(`+fig+`.querySelector('[data-metric=ryw_violations]').textContent) > 0`),
			))
			labPicture(t, ctx, `figure.lab`, "leader-"+size.name+"-running")

			// Read-your-writes on: the lab restarts and your post always shows.
			require.NoError(t, chromedp.Do(ctx,
				js(`const r = `+fig+`.querySelector('[name=ryw]'); r.checked = true; r.dispatchEvent(new Event('input', {bubbles: true}))`),
				waitFor(fig+`.querySelector('[data-metric=ryw_violations]').textContent === '0'`),
				// The restart can change the stage's height on a phone: bring
				// the frame back into view, or the lab idles as a reader who
				// scrolled away would have it (no frame, no read-back).
				settled(fig),
				js(fig+`.querySelector('[data-action=post]').click()`),
				logShows(fig, `you writes yours=v1`),
				logShows(fig, `you: read yours from [A-C] returns v1`),
			))
			require.Zero(t, metric(t, ctx, "ryw_violations"))

			// Clicking the primary on the canvas kills it; the manager
			// promotes a replica. Where the lab draws its narrow layout the
			// click goes to the Kill primary button (render/leader maps a
			// narrow click back to the wide drawing; the controller tests
			// check that mapping).
			kill := chromedp.MouseClickXY(serverOnPage(t, ctx, 0))
			if evalString(t, ctx, fig+`.dataset.layout || "wide"`) == "narrow" {
				kill = js(fig + `.querySelector("[data-action=kill]").click()`)
			}
			// Failover takes seconds of virtual time (detection, then
			// promotion): at speed 4 they pass in a quarter of the wall time.
			require.NoError(t, chromedp.Do(ctx,
				setSpeed(fig, "4"),
				kill,
				logShows(fig, `primary A crashes`),
				logShows(fig, `promotes [BC] to primary \(epoch 2\)`),
				waitFor(`Number(`+fig+`.querySelector('[data-metric=failover_downtime_ms]').textContent.replace(/[^0-9.]/g, '')) > 0`),
			))
			labPicture(t, ctx, `figure.lab`, "leader-"+size.name+"-failover")
		})
	}
}

// serverOnPage is where server i of the first lab is on the page.
func serverOnPage(t *testing.T, ctx context.Context, i int) (float64, float64) {
	t.Helper()
	vals, err := leader.Schema.Parse(map[string]string{"lag": "100", "ryw": "on"})
	require.NoError(t, err)
	x, y := leaderview.NodeCenter(leader.New(vals, 1), i)
	require.NoError(t, chromedp.Do(ctx, settled(fig)))
	rect, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = `+fig+`.querySelector('.lab-frame').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	require.NoError(t, err)
	w, h := float64(leader.Schema.Width), float64(leader.Schema.Height)
	return rect[0] + x/w*rect[2], rect[1] + y/h*rect[3]
}

// TestMultiLeaderLabInChromium opens the multi-leader chapter, starts its
// first lab, makes Alice and Bob edit at once, and switches the strategy to
// CRDTs.
func TestMultiLeaderLabInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 1280, 900)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/multi-leader.html"),
		chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-run`)),
		js(fig+`.scrollIntoView()`),
		chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
		chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-frame`)),
		logShows(fig, `(US|EU): (title|items|likes)`),
		js(fig+`.querySelector('[data-action=both]').click()`),
		logShows(fig, `Alice edits the record in US`),
		logShows(fig, `Bob edits the record in EU`),
		waitFor(`Number(`+fig+`.querySelector('[data-metric=conflicts]').textContent) >= 3`),
		waitFor(`Number(`+fig+`.querySelector('[data-metric=lost_writes]').textContent) > 0`),
	))
	require.NoError(t, chromedp.Do(ctx, js(fig+`.querySelector('.lab-stage').scrollIntoView({block: 'center'})`)))
	labPicture(t, ctx, `figure.lab`, "multileader-lww")

	// CRDTs on the same seed: Alice and Bob's edits all survive.
	require.NoError(t, chromedp.Do(ctx,
		js(`const s = `+fig+`.querySelector('[name=strategy]'); s.value = 'crdt'; s.dispatchEvent(new Event('input', {bubbles: true}))`),
		waitFor(fig+`.querySelector('.lab-frame').title.includes('CRDTs')`),
		js(fig+`.querySelector('[data-action=both]').click()`),
		logShows(fig, `title has 2 concurrent values`),
		// The metrics follow the events within a few turns of the lab.
		waitFor(`Number(`+fig+`.querySelector('[data-metric=conflicts]').textContent) >= 3`),
	))
	require.Zero(t, metric(t, ctx, "lost_writes"))
	conflicts := metric(t, ctx, "conflicts")
	require.GreaterOrEqual(t, conflicts, 3, "conflicts = "+strconv.Itoa(conflicts))
	require.NoError(t, chromedp.Do(ctx, js(fig+`.querySelector('.lab-stage').scrollIntoView({block: 'center'})`)))
	labPicture(t, ctx, `figure.lab`, "multileader-crdt")
}
