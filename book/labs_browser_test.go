package book_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
	"github.com/scaling-data/book/sim/labs"
)

// TestEveryLabEmbed opens every lab's embed page in Chromium, starts it, and
// checks that it draws, narrates, reports its metrics, and survives every
// action button (each lab's own test checks what the actions do).
func TestEveryLabEmbed(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	const f = `document.querySelector('figure.lab')`
	for _, l := range labs.All() {
		name := l.Schema.Name
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := browsertest.Browser(t, 1000, 900)
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(url+"/embed/"+name+".html"),
				chromedp.Click(chromedp.CSS(`.lab-run`)),
				waitFor(f+`.querySelectorAll('[data-metric]').length > 0 && Array.from(`+f+`.querySelectorAll('[data-metric]')).every(d => d.textContent !== '–')`),
				waitFor(f+`.querySelectorAll('.lab-log li').length > 0`),
			))
			shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`.lab-stage`), chromedp.NodeVisible))
			require.NoError(t, err)
			require.Greater(t, browsertest.Colours(browsertest.Shot(t, "embed-"+name, shot)), 12, "%s draws nothing", name)

			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](f+`.querySelectorAll('[data-action]').length`))
			require.NoError(t, err)
			for i := 0; i < n; i++ {
				// Each action reaches the lab and has its turn before the next.
				require.NoError(t, chromedp.Do(ctx,
					js(f+`.querySelectorAll('[data-action]')[`+strconv.Itoa(i)+`].click()`),
					labFrames(f, 2),
				))
			}
			notice, err := chromedp.Run(ctx, chromedp.Evaluate[string](f+`.querySelector('.lab-notice').textContent`))
			require.NoError(t, err)
			require.NotContains(t, notice, "The lab stopped", "%s crashed after its actions", name)
			alive, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!`+f+`.querySelector('.lab-frame')`))
			require.NoError(t, err)
			require.True(t, alive)
		})
	}
}
