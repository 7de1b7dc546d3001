package book_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
)

// TestShardLabInChromium opens the rebalancing chapter, starts its first lab
// (hash mod N on four shards), adds a shard and removes one with the page's
// buttons, and checks that keys move and the readouts and log follow.
func TestShardLabInChromium(t *testing.T) {
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
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(url+"/rebalancing.html"),
				chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-run`)),
				js(fig+`.scrollIntoView()`),
				chromedp.Click(chromedp.CSS(`figure.lab .lab-run`)),
				chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-frame`)),
				waitFor(fig+`.querySelector('[data-metric=shards]').textContent === '4'`),
				logShows(fig, `keys on 4 shards by hash mod N`),
			))
			require.Zero(t, metric(t, ctx, "moved_keys"))

			// Slow the move down so it is still running when we look.
			require.NoError(t, chromedp.Do(ctx,
				js(`const r = `+fig+`.querySelector('[name=rate]'); r.value = '500'; r.dispatchEvent(new Event('input', {bubbles: true}))`),
				waitFor(fig+`.querySelector('.lab-frame').title.includes('Hash mod N over 4 shards')`),
				waitFor(fig+`.querySelector('[data-metric=shards]').textContent === '4'`),
			))

			// Add a shard: about 80% of the keys must move, and they do, over time.
			require.NoError(t, chromedp.Do(ctx,
				js(fig+`.querySelector('[data-action=add]').click()`),
				logShows(fig, `add E: .* keys \(7\d\.\d%\) change shard`),
				waitFor(fig+`.querySelector('[data-metric=shards]').textContent === '5'`),
				waitFor(`Number(`+fig+`.querySelector('[data-metric=moved_fraction]').dataset.value) > 0.75`),
				waitFor(fig+`.querySelector('.lab-frame').title.includes('Move in progress')`),
				waitFor(`Number(`+fig+`.querySelector('[data-metric=moved_keys]').textContent) > 7000`),
				settled(fig),
			))
			labPicture(t, ctx, `figure.lab`, "shard-moving-"+size.name)
			if size.name == "phone" {
				// Pausing, reading and removing shards work the same at any
				// width (the desktop run checks them); on a phone what
				// differs is the layout, checked above and by
				// TestLabsLegibleOnEveryWidth. The steps below take a
				// software-rendered lab minutes of moving keys.
				return
			}

			// Pause the move halfway and read: the log shows where the read went.
			require.NoError(t, chromedp.Do(ctx,
				js(fig+`.querySelector('[data-action=pause]').click()`),
				logShows(fig, `move paused with`),
				js(fig+`.querySelector('[data-action=read]').click()`),
				logShows(fig, `^read |read [^ ]+: `),
				js(fig+`.querySelector('[data-action=pause]').click()`),
				logShows(fig, `move resumes`),
			))

			// Removing a shard while keys are moving is refused, with a reason.
			require.NoError(t, chromedp.Do(ctx,
				js(fig+`.querySelector('.lab-arg').value = '1'`),
				js(fig+`.querySelector('[data-action=remove]').click()`),
				waitFor(fig+`.querySelector('.lab-notice').textContent.includes('wait until the current move finishes')`),
			))

			// Speed the copy up, let it finish, then remove shard B. (A lab
			// scrolled out of view is paused by the page, so bring it back.)
			require.NoError(t, chromedp.Do(ctx,
				setSpeed(fig, "8"),
				js(fig+`.querySelector('.lab-stage').scrollIntoView()`),
				logShows(fig, `move complete`),
				js(fig+`.querySelector('.lab-arg').value = '1'`),
				js(fig+`.querySelector('[data-action=remove]').click()`),
				logShows(fig, `remove B: `),
				js(fig+`.querySelector('.lab-stage').scrollIntoView()`),
				waitFor(fig+`.querySelector('[data-metric=shards]').textContent === '4'`),
			))
			labPicture(t, ctx, `figure.lab`, "shard-removed-"+size.name)
		})
	}
}
