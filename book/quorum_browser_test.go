package book_test

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
	quorumview "github.com/scaling-data/book/render/quorum"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/quorum"
)

// TestQuorumPresetsInChromium checks every preset of the quorum lab in the
// browser. Choosing the preset sets the page's controls; then the preset's
// run opens at the first moment the headless model shows the verdict the
// preset is there to show (a share link, so no test waits for virtual time
// to pass at the renderer's pace), and the page must show that verdict:
// the linearizability readout, the canvas's text alternative and the
// preset's own counter. Played on, the run moves.
func TestQuorumPresetsInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	const f = `document.querySelector('figure.lab')`
	metric := func(name string) string { return f + `.querySelector('[data-metric=` + name + `]').textContent` }
	control := func(name string) string {
		return `(() => { const e = ` + f + `.querySelector('[name=` + name + `]'); return e.type === 'checkbox' ? (e.checked ? 'on' : 'off') : e.value })()`
	}
	value := func(name string) string {
		return `Number(` + f + `.querySelector('[data-metric=` + name + `]').dataset.value)`
	}
	ops := func(m map[string]float64) bool { return m["writes_ok"]+m["reads_ok"] > 40 }
	tests := []struct {
		preset       string
		seed         uint64
		linearizable bool
		also         func(map[string]float64) bool // a further condition the preset shows
		alsoJS       string                        // the same, as the page shows it
	}{
		{"dynamo", 1, true, ops, value("writes_ok") + ` + ` + value("reads_ok") + ` > 40`},
		{"fast-stale", 2, false, func(m map[string]float64) bool { return m["stale_reads"] > 0 }, value("stale_reads") + ` > 0`},
		{"strict5", 1, true, ops, value("writes_ok") + ` + ` + value("reads_ok") + ` > 40`},
		{"overlap-not-linearizable", 5, false, func(m map[string]float64) bool { return m["stale_reads"] == 0 }, value("stale_reads") + ` === 0`},
		{"sloppy-partition", 1, false, func(m map[string]float64) bool { return m["siblings"] > 0 && m["hinted_handoffs"] > 0 },
			value("siblings") + ` > 0 && ` + value("hinted_handoffs") + ` > 0`},
	}
	require.Len(t, tests, len(quorum.Schema.Presets), "a test for every preset")
	for i, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			t.Parallel()
			p, ok := quorum.Schema.Preset(tt.preset)
			require.True(t, ok)
			vals, err := quorum.Schema.Parse(p.Values)
			require.NoError(t, err)

			// The moment the headless model first shows the verdict.
			m := quorum.Lab.New(vals, tt.seed)
			shows := func() bool {
				got := lab.MetricMap(&quorum.Schema, m)
				return (got["linearizable"] == 1) == tt.linearizable && tt.also(got)
			}
			for !shows() {
				require.Less(t, m.Now(), 10*time.Minute, "preset %s never shows its verdict headless", tt.preset)
				m.Advance(m.Now() + 100*time.Millisecond)
			}
			at := m.Now()

			ctx := browsertest.Browser(t, 1100, 1000)
			choose := func(name string) chromedp.Action[chromedp.Void] {
				return js(`{ const p = ` + f + `.querySelector('[name=preset]'); p.value = '` + name + `'; p.dispatchEvent(new Event('change', {bubbles: true})); p.dispatchEvent(new Event('input', {bubbles: true})) }`)
			}
			// Every other preset first, the one just before it in the list
			// last, then this one: what a preset sets must not depend on the
			// one chosen before it (a bounded slider once kept the earlier
			// preset's bound, an unset checkbox its value).
			var others []chromedp.Action[chromedp.Void]
			for k := 1; k < len(tests); k++ {
				others = append(others, choose(tests[(i+k)%len(tests)].preset))
			}
			form := `Object.fromEntries(Array.from(` + f + `.querySelector('.lab-controls').elements).filter(e => e.name && e.name !== 'preset').map(e => [e.name, e.type === 'checkbox' ? (e.checked ? 'on' : 'off') : e.value]))`
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(url+"/embed/quorum.html"),
				chromedp.WaitVisible(chromedp.CSS(`.lab-run`)),
			))
			want, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](form))
			require.NoError(t, err)
			maps.Copy(want, p.Values)
			require.NoError(t, chromedp.Do(ctx, others...))
			require.NoError(t, chromedp.Do(ctx, choose(tt.preset)))
			// The preset's values, and the page's own for the rest.
			got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](form))
			require.NoError(t, err)
			require.Equal(t, want, got, "preset %s after the others", tt.preset)

			link := fmt.Sprintf("%s/embed/quorum.html?lab=quorum&%s&seed=%d&t=%d", url, quorum.Schema.Encode(vals), tt.seed, at.Milliseconds())
			verdict := "yes"
			describe := "The recent history is linearizable."
			if !tt.linearizable {
				verdict, describe = "no", "Not linearizable: "
			}
			err = chromedp.Do(ctx,
				chromedp.Navigate(link),
				waitFor(labTimeJS(f)+` === `+strconv.FormatInt(at.Milliseconds(), 10)),
				waitFor(metric("linearizable")+` === '`+verdict+`'`),
				waitFor(f+`.querySelector('.lab-frame').title.includes('`+describe+`')`),
				waitFor(tt.alsoJS),
			)
			require.NoError(t, err, "%s at %v: %s", link, at,
				evalString(t, ctx, `Array.from(`+f+`.querySelectorAll('[data-metric]')).map(d => d.dataset.metric + '=' + d.textContent).join(' ')`))
			// The link's values are the controls' values, even where one bounds
			// another (n ≤ nodes: strict5's n=5 once clamped to the default 3).
			for k, v := range p.Values {
				require.Equal(t, v, evalString(t, ctx, control(k)), "the link sets %s", k)
			}
			labPicture(t, ctx, `figure.lab`, "quorum-"+tt.preset)

			// Played on, it animates: virtual time moves.
			require.NoError(t, chromedp.Do(ctx,
				js(f+`.querySelector('.lab-play').click()`),
				timeMoves(f, float64(at.Milliseconds())),
			), "virtual time does not advance")
		})
	}
}

// TestQuorumPartitionAndHintsInChromium starts the Dynamo chapter's
// sloppy-quorum lab, crashes a node with its button and partitions the
// ring by clicking the cut line, and checks that the narration and the
// canvas's text alternative follow.
func TestQuorumPartitionAndHintsInChromium(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 1280, 900)
	const lab = `document.getElementById('sloppy-lab')`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/dynamo.html"),
		chromedp.WaitVisible(chromedp.CSS(`figure.lab .lab-run`)),
		js(lab+`.scrollIntoView()`),
		js(lab+`.querySelector('.lab-run').click()`),
		waitFor(`!!`+lab+`.querySelector('.lab-frame')`),
		waitFor(lab+`.querySelector('[data-metric=writes_ok]').textContent !== '–'`),
		setSpeed(lab, "4"),
		// Crash C, a replica of several keys: a stand-in takes its writes.
		js(lab+`.querySelector('.lab-arg').value = '2'`),
		js(lab+`.querySelector('[data-action=crash]').click()`),
		logShows(lab, `node C crashes`),
		waitFor(lab+`.querySelector('.lab-frame').title.includes('1 down (C)')`),
		logShows(lab, `stands in for C`),
	))
	labPicture(t, ctx, `#sloppy-lab`, "quorum-dynamo-hints")
	require.NoError(t, chromedp.Do(ctx,
		js(lab+`.querySelector('[data-action=recover]').click()`),
		logShows(lab, `hands .* off to C`),
		waitFor(`Number(`+lab+`.querySelector('[data-metric=hinted_handoffs]').textContent) > 0`),
	))

	// The cut line runs through the ring's centre: click just below its top.
	vals, err := quorum.Schema.Parse(map[string]string{"keys": "5", "sloppy": "on"})
	require.NoError(t, err)
	m := quorum.New(vals, 1)
	ax, ay := quorumview.CutPoint(m)
	quorumClick(t, ctx, lab, ax, ay, float64(quorum.Schema.Width), float64(quorum.Schema.Height))
	err = chromedp.Do(ctx, waitFor(lab+`.querySelector('.lab-frame').title.includes('ring partitioned')`))
	require.NoError(t, err, "clicked (%.0f, %.0f); log: %s", ax, ay, evalString(t, ctx, `Array.from(`+lab+`.querySelectorAll('.lab-log li')).slice(-8).map(li => li.textContent).join(' | ')`))
	labPicture(t, ctx, `#sloppy-lab`, "quorum-dynamo-partition")
	require.NoError(t, chromedp.Do(ctx,
		js(lab+`.querySelector('[data-action=heal]').click()`),
		waitFor(`!`+lab+`.querySelector('.lab-frame').title.includes('ring partitioned')`),
	))
	require.False(t, strings.Contains(evalString(t, ctx, lab+`.querySelector('.lab-notice').textContent`), "The lab stopped"))
}

// quorumClick clicks the lab's canvas at logical point (x, y) of a w×h
// lab.
func quorumClick(t *testing.T, ctx context.Context, sel string, x, y, w, h float64) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, settled(sel)))
	rect, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = `+sel+`.querySelector('.lab-frame').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.MouseClickXY(rect[0]+x/w*rect[2], rect[1]+y/h*rect[3])))
}

// TestQuorumPhoneLayout checks the Dynamo chapter at 360 px: no sideways
// scroll.
func TestQuorumPhoneLayout(t *testing.T) {
	t.Parallel()
	browsertest.Require(t)
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 360, 780)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url+"/dynamo.html"), chromedp.WaitReady(chromedp.CSS(`body`))))
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, settled(`document.querySelector('figure.lab')`)))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	browsertest.Shot(t, "phone-dynamo", shot)
	require.False(t, overflow, "dynamo.html scrolls sideways at 360 px")
}
