package book_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/views"
	"github.com/scaling-data/book/sim/labs"
)

// TestLabsLegibleOnEveryWidth runs every lab's embed page at 320, 390 and
// 1280 px wide and reads what the canvas reports it drew: the narrow layout
// on phones (for labs that have one), no text under canvas.MinCSSText on
// screen (canvas.MinDesktopText at 1280 px), and a frame exactly as tall as
// the poster it replaces at that width, so nothing jumps when a lab starts
// or when the reader turns the phone. Each lab starts once, at one of the
// widths (a different one lab by lab), and is then resized to the others
// while it runs, as a reader's window is: a lab start is the dearest thing
// a test does (2.3–2.8 s of CPU under software GL), and the relayout of a
// running lab is checked on the way. Screenshots of every lab at each width
// land in SCREENSHOT_DIR. (Every preset is checked natively, by
// render/views' TestEveryViewIsLegible.) At 1280 px each lab's embed page
// also shows every metric and its log, draws something, and survives every
// action (everyAction).
func TestLabsLegibleOnEveryWidth(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	const f = `document.querySelector('figure.lab')`
	const stage = f + `.querySelector('.lab-stage').getBoundingClientRect().height`
	widths := []int{320, 390, 1280}
	for i, l := range labs.All() {
		name := l.Schema.Name
		v, _ := views.For(name)
		// The start width rotates: every width sees some labs start.
		order := slices.Concat(widths[i%len(widths):], widths[:i%len(widths)])
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := browsertest.Browser(t, order[0], 900)
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(url+"/embed/"+name+".html"),
				waitFor(`document.readyState === 'complete' && `+stage+` > 100`),
			))
			// The poster's height at each width, before the lab runs.
			poster := map[int]float64{}
			for _, width := range slices.Concat(order[1:], order[:1]) { // ending at the start width
				require.NoError(t, chromedp.Do(ctx, browsertest.Viewport(width, 900), waitFor(stage+` > 100`)))
				h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](stage))
				require.NoError(t, err)
				poster[width] = h
			}
			require.NoError(t, chromedp.Do(ctx,
				js(f+`.querySelector('.lab-run').click()`),
				waitFor(f+`.dataset.minText && `+f+`.dataset.firstFrame`),
				labFrames(f, 3),
			))
			for k, width := range order {
				want := "wide"
				if width < 500 && !v.Narrow.Zero() {
					want = "narrow"
				}
				if k > 0 {
					require.NoError(t, chromedp.Do(ctx,
						browsertest.Viewport(width, 900),
						waitFor(f+`.dataset.layout === '`+want+`'`),
						labFrames(f, 3),
					), "resized to %d px", width)
				}
				got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`({
					layout: `+f+`.dataset.layout,
					minText: Number(`+f+`.dataset.minText),
					height: `+stage+`,
					frame: `+f+`.querySelector('.lab-frame').getBoundingClientRect().height,
				})`))
				require.NoError(t, err)
				labPicture(t, ctx, `figure.lab`, fmt.Sprintf("legible-%d-%s", width, name))

				how := "started"
				if k > 0 {
					how = "resized"
				}
				min := canvas.MinCSSText
				if width >= 1280 {
					min = canvas.MinDesktopText
				}
				require.GreaterOrEqual(t, got["minText"].(float64), min, "%s %s at %d px: the smallest canvas text is %v CSS px", name, how, width, got["minText"])
				require.Equal(t, want, got["layout"], "%s %s at %d px", name, how, width)
				require.InDelta(t, poster[width], got["height"].(float64), 2, "%s %s at %d px: the stage is not as tall as the poster it replaced", name, how, width)
				require.InDelta(t, got["height"].(float64), got["frame"].(float64), 2, "%s %s at %d px", name, how, width)
				require.False(t, math.IsNaN(got["minText"].(float64)))
				if width >= 1280 {
					everyAction(t, ctx, name)
				}
			}
		})
	}
}

// everyAction checks the running lab of an embed page: every stat card
// has a value, the log has an event, the canvas draws, and each action
// button reaches the lab and has its turn without stopping it.
func everyAction(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	const f = `document.querySelector('figure.lab')`
	require.NoError(t, chromedp.Do(ctx,
		waitFor(f+`.querySelectorAll('[data-metric]').length > 0 && Array.from(`+f+`.querySelectorAll('[data-metric]')).every(d => d.textContent !== '–')`),
		waitFor(f+`.querySelectorAll('.lab-log li').length > 0`),
	), name)
	labPicture(t, ctx, `figure.lab`, "embed-"+name)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](f+`.querySelectorAll('[data-action]').length`))
	require.NoError(t, err)
	for i := range n {
		// Each action reaches the lab and has its turn before the next.
		require.NoError(t, chromedp.Do(ctx,
			js(f+`.querySelectorAll('[data-action]')[`+strconv.Itoa(i)+`].click()`),
			labFrames(f, 2),
		), "%s: action %d", name, i)
	}
	notice, err := chromedp.Run(ctx, chromedp.Evaluate[string](f+`.querySelector('.lab-notice').textContent`))
	require.NoError(t, err)
	require.NotContains(t, notice, "The lab stopped", "%s crashed after its actions", name)
	alive, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!`+f+`.querySelector('.lab-frame')`))
	require.NoError(t, err)
	require.True(t, alive, name)
}
