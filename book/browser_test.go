package book_test

import (
	"context"
	"image"
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

// setSpeed picks speed x (a value of the lab bar's Speed menu: 0.25 to 8)
// for the lab of figure sel, as a reader's choice in the menu does.
func setSpeed(sel, x string) chromedp.Action[chromedp.Void] {
	return js(`{ const s = ` + sel + `.querySelector('[data-cmd=speed]'); s.value = '` + x + `'; s.dispatchEvent(new Event('change', {bubbles: true})) }`)
}

func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	require.NoError(t, err, expr)
	return s
}

const fig = `document.querySelector('figure.lab')`

// logShows waits until the event log of figure sel has had a line matching
// the JavaScript regular expression re since the lab last (re)started. It
// reads every line added, as the test browser records them
// (browsertest's logRecorder), so a line that has already scrolled out of
// the log's last 200 still counts on a busy machine.
func logShows(sel, re string) chromedp.Action[chromedp.Void] {
	return waitFor(`((log) => !!log && (log.scalingdataSeen || []).some((s) => /` + re + `/.test(s)))(` + sel + `.querySelector('.lab-log'))`)
}

// labTimeJS is the lab's virtual time in ms, as figure sel shows it.
func labTimeJS(sel string) string {
	return `((s) => { const [v, u] = s.trim().split(/\s+/); return Math.round(Number(v) * (u === 's' ? 1000 : 1)); })(` + sel + `.querySelector('.lab-time').textContent)`
}

// timeMoves waits until the lab in figure sel shows a virtual time later
// than after (ms).
func timeMoves(sel string, after float64) chromedp.Action[chromedp.Void] {
	return waitFor(labTimeJS(sel) + ` > ` + strconv.FormatFloat(after, 'f', -1, 64))
}

// settled scrolls figure sel's lab frame to the middle of the viewport
// and waits until it stays put for two animation frames (smooth scrolling
// and late layout move it).
func settled(sel string) chromedp.Action[chromedp.Void] {
	return withDeadline(`new Promise((done) => {
		const f = `+sel+`.querySelector('.lab-frame') || `+sel+`;
		f.scrollIntoView({block: 'center', behavior: 'instant'});
		let last = '', same = 0;
		const tick = () => {
			const r = f.getBoundingClientRect(), now = r.left + ',' + r.top + ',' + r.width + ',' + r.height;
			same = now === last ? same + 1 : 0;
			last = now;
			if (same >= 2) done(); else requestAnimationFrame(tick);
		};
		requestAnimationFrame(tick);
	})`, "the lab frame to stay put")
}

// explainFailure logs, if the test fails, what figure sel's lab showed at
// the end: its clock, whether it played, where its frame was, and its last
// log lines.
func explainFailure(t *testing.T, ctx context.Context, sel string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`((f) => JSON.stringify({
			time: f.querySelector('.lab-time') && f.querySelector('.lab-time').textContent,
			playing: f.querySelector('.lab-play') && f.querySelector('.lab-play').getAttribute('aria-pressed'),
			frame: f.querySelector('.lab-frame') && f.querySelector('.lab-frame').getBoundingClientRect(),
			viewport: [innerWidth, innerHeight, scrollY],
			notice: f.querySelector('.lab-notice') && f.querySelector('.lab-notice').textContent,
			log: Array.from(f.querySelectorAll('.lab-log li')).slice(-8).map((li) => li.textContent),
		}))(`+sel+`)`))
		t.Logf("the lab at the end: %s (%v)", s, err)
	})
}

// messages is how many messages figure sel has had from its lab frame.
func messages(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Number(`+sel+`.dataset.messages || 0)`))
	require.NoError(t, err)
	return n
}

// moreMessages waits until figure sel has had more than n messages.
func moreMessages(sel string, n int) chromedp.Action[chromedp.Void] {
	return waitFor(`Number(` + sel + `.dataset.messages || 0) > ` + strconv.Itoa(n))
}

// labPicture returns a screenshot of the stage of the lab figure that css
// selects, saved as name, showing the lab as it is now. A test's lab is
// paced (browsertest.TestFPS), so it is first asked for a picture of the
// moment (scalingdataFrames.paint()) and the screenshot waits until that
// picture is painted and the page has composited it (two more animation
// frames). A frame on another origin (file://) cannot be asked: there the
// screenshot follows the lab's first picture. Either way it is retaken
// until it holds more colours than a blank canvas (for up to two
// minutes, failing if none does).
func labPicture(t *testing.T, ctx context.Context, css, name string) image.Image {
	t.Helper()
	sel := `document.querySelector('` + css + `')`
	require.NoError(t, chromedp.Do(ctx, waitFor(sel+`.dataset.firstFrame`)), "%s: the lab never reported a picture", name)
	asked, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		try {
			const f = `+sel+`.querySelector('.lab-frame').contentWindow.scalingdataFrames;
			const n = f.value;
			f.paint();
			return n;
		} catch (e) { return -1; } // a frame on another origin
	})()`))
	require.NoError(t, err)
	if asked >= 0 {
		require.NoError(t, chromedp.Do(ctx,
			waitFor(sel+`.querySelector('.lab-frame').contentWindow.scalingdataFrames.value > `+strconv.Itoa(asked)),
			labFrames(sel, 2),
		), "%s: the lab did not paint when asked", name)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(css+` .lab-stage`), chromedp.NodeVisible))
		require.NoError(t, err)
		img := browsertest.Shot(t, name, shot)
		if n := browsertest.Colours(img); n > 12 || time.Now().After(deadline) {
			require.Greater(t, n, 12, "%s: the lab canvas looks blank", name)
			return img
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: %v", name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// labFrames waits for n animation frames of the lab frame in figure sel:
// the lab's game loop has had n turns to update (and to report).
func labFrames(sel string, n int) chromedp.Action[chromedp.Void] {
	return withDeadline(`new Promise((done) => {
		const w = `+sel+`.querySelector('.lab-frame').contentWindow;
		let left = `+strconv.Itoa(n)+`;
		const tick = () => (--left <= 0 ? done() : w.requestAnimationFrame(tick));
		w.requestAnimationFrame(tick);
	})`, strconv.Itoa(n)+" animation frames of the lab")
}

// withDeadline awaits a promise in the page, failing with what it waited
// for if it has not settled within two minutes (a page that stops drawing
// never calls its animation frames).
func withDeadline(promise, what string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`Promise.race([`+promise+`,
		new Promise((_, fail) => setTimeout(() => fail(new Error('timed out waiting for `+what+`')), 120000))])`, chromedp.EvalAwaitPromise)
}

// TestQuorumLabInChromium opens the quorum chapter, starts its first lab,
// and checks that it draws, animates, and answers the page's controls.
func TestQuorumLabInChromium(t *testing.T) {
	t.Parallel()
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
	labPicture(t, ctx, `figure.lab`, "quorum-running")

	// It animates: virtual time moves.
	require.NoError(t, chromedp.Do(ctx, timeMoves(fig, labTime(t, ctx))), "virtual time does not advance while playing")

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
		logShows(fig, `[Cc]rash`),
		waitFor(fig+`.querySelector('.lab-frame').title.includes('down')`),
	))
	before := metric(t, ctx, "writes_ok")
	require.NoError(t, chromedp.Do(ctx, waitFor(`Number(`+fig+`.querySelector('[data-metric=writes_ok]').textContent) > `+strconv.Itoa(before))))

	// Clicking replica B on the canvas is a shortcut for its crash button.
	bx, by := nodeOnPage(t, ctx, 1)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.MouseClickXY(bx, by),
		logShows(fig, `node B crashes`),
	))

	labPicture(t, ctx, `figure.lab`, "quorum-crashed")

	// The test browser paces the lab (browsertest.TestFPS): while it plays
	// it paints, but no more than that many pictures a second. The frame
	// is watched until it has painted and for at least two pacing gaps
	// (40 animation frames once, under a second at 60 Hz: less than one
	// gap, so a pass depended on when the last picture was painted).
	paint, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`new Promise((done) => {
		const w = `+fig+`.querySelector('.lab-frame').contentWindow;
		const n0 = w.scalingdataFrames.value, t0 = performance.now();
		const tick = () => {
			const n = w.scalingdataFrames.value - n0, s = (performance.now() - t0) / 1000;
			if (n > 0 && s >= 2 / `+browsertest.FormatFPS()+`) done([n, s]); else w.requestAnimationFrame(tick);
		};
		w.requestAnimationFrame(tick);
	})`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Positive(t, paint[0], "the playing lab painted nothing in 40 frames")
	require.LessOrEqual(t, paint[0], paint[1]*browsertest.TestFPS+1, "%v pictures in %.2f s: the lab is not paced", paint[0], paint[1])

	// Pause stops virtual time: once the lab reports it paused (the
	// button follows the lab's state), its clock stands still however
	// many turns its game loop takes.
	require.NoError(t, chromedp.Do(ctx,
		js(fig+`.querySelector('.lab-play').click()`),
		waitFor(fig+`.querySelector('.lab-play').getAttribute('aria-pressed') === 'false'`),
	))
	p1 := labTime(t, ctx)
	require.NoError(t, chromedp.Do(ctx, labFrames(fig, 20)))
	require.Equal(t, p1, labTime(t, ctx), "virtual time moves while paused")
}

// nodeOnPage is where replica i of the first lab (nodes=3 n=3) is on the
// page.
func nodeOnPage(t *testing.T, ctx context.Context, i int) (float64, float64) {
	t.Helper()
	vals, err := quorum.Schema.Parse(map[string]string{"nodes": "3", "n": "3", "w": "1", "r": "2"})
	require.NoError(t, err)
	x, y := quorumview.NodeCenter(quorum.New(vals, 7), i)
	require.NoError(t, chromedp.Do(ctx, settled(fig)))
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
