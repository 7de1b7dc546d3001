package book_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/book/internal/browsertest"
	"github.com/scaling-data/book/render/canvas"
)

// phoneWidths are the screens every page must fit without sideways
// scrolling: the narrowest phones in use (320) and iPhones (390). (360
// and 414 fit too; measuring them as well doubles the test's time.)
var phoneWidths = []int64{320, 390}

// overflowScript measures one page at the current viewport. It reports the
// document's scroll width, the viewport's width, how html and body clip
// overflow (clipping there would hide the fault, not fix it), and the
// element that reaches furthest right of the viewport without a scrolling
// or clipping box of its own around it: the deepest such element, with the
// ancestors it pushes out.
const overflowScript = `(() => {
  const de = document.documentElement, iw = innerWidth;
  const clip = [getComputedStyle(de).overflowX, getComputedStyle(document.body).overflowX].filter((o) => o !== 'visible' && o !== 'auto').join(' ');
  if (de.scrollWidth <= iw) return JSON.stringify({ scroll: de.scrollWidth, inner: iw, clip, widest: '' }); // the usual case: cheap
  const name = (el) => {
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const r = el.getBoundingClientRect();
    return el.tagName.toLowerCase() + cls + ' (' + Math.round(r.width) + ' px wide, right edge at ' + Math.round(r.right) + ')';
  };
  // An element counts when nothing between it and the page clips it and
  // it is not fixed (fixed boxes never make the page scroll).
  const counts = (el) => {
    for (let p = el; p && p !== document.body && p !== de; p = p.parentElement) {
      const cs = getComputedStyle(p);
      if (cs.position === 'fixed') return false;
      if (p !== el && cs.overflowX !== 'visible') return false;
    }
    return true;
  };
  let worst = null, right = iw + 0.5;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || r.right < right) continue;
    if (!counts(el)) continue;
    worst = el; right = r.right;
  }
  let widest = '';
  if (worst) {
    const chain = [name(worst)];
    for (let p = worst.parentElement; p && p !== document.body && chain.length < 5; p = p.parentElement) {
      if (p.getBoundingClientRect().right > iw + 0.5) chain.push(name(p));
    }
    widest = chain.join(' in ');
  }
  return JSON.stringify({ scroll: de.scrollWidth, inner: iw, clip, widest });
})()`

// builtPages lists every HTML page of the built site, relative to dir,
// except lab.html: that is the canvas's own document inside a lab's
// iframe (it clips itself to the frame and shows nothing on its own).
func builtPages(t *testing.T, dir string) []string {
	t.Helper()
	var pages []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".html" {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if rel = filepath.ToSlash(rel); rel != "lab.html" {
			pages = append(pages, rel)
		}
		return nil
	})
	require.NoError(t, err)
	return pages
}

// TestNoSidewaysScroll opens every page the build writes, in both themes,
// and measures it at every phone width: no page may be wider than the
// screen. It measures without mobile emulation, which would widen the
// layout viewport to fit the content and hide the overflow. One tab, one
// navigation per page; themes and widths change in place.
func TestNoSidewaysScroll(t *testing.T) {
	browsertest.Require(t)
	t.Parallel()
	site := browsertest.Site(t)
	url := browsertest.Serve(t, site)
	ctx := browsertest.Browser(t, 1280, 900)
	pages := builtPages(t, site)
	require.Greater(t, len(pages), 30, "the built site has every chapter, part page, glossary, references, print and embed page")
	shots := os.Getenv("SCREENSHOT_DIR") != ""

	// The measurement can fail: a box wider than the screen is found and
	// named, and a wide table that scrolls in its own box is not.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(320, 800),
		chromedp.Navigate(url+"/index.html"),
		browsertest.WaitFor(`document.readyState === 'complete'`),
		js(`{ const w = document.createElement('div'); w.style.overflowX = 'auto'; w.innerHTML = '<table style="width:900px"><tr><td>a</td></tr></table>'; document.querySelector('article').append(w) }`),
	))
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](overflowScript))
	require.NoError(t, err)
	require.Contains(t, res, `"scroll":320,`, "a table in a scrolling box does not widen the page")
	require.NoError(t, chromedp.Do(ctx, js(`{ const d = document.createElement('div'); d.className = 'too-wide'; d.style.width = '900px'; d.style.height = '1em'; document.querySelector('article').append(d) }`)))
	res, err = chromedp.Run(ctx, chromedp.Evaluate[string](overflowScript))
	require.NoError(t, err)
	require.Contains(t, res, `div.too-wide (900 px wide`, "the probe names the widest element")

	start := time.Now()
	var faults []string
	for _, page := range pages {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.EmulateViewport(phoneWidths[0], 800),
			chromedp.Navigate(url+"/"+page),
			browsertest.WaitFor(`document.readyState === 'complete'`),
		), page)
		for _, theme := range []string{"light", "dark"} {
			// The theme as theme.js applies a reader's choice.
			require.NoError(t, chromedp.Do(ctx, js(`document.documentElement.dataset.theme = '`+theme+`'`)))
			for _, w := range phoneWidths {
				require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(w, 800)))
				res, err := chromedp.Run(ctx, chromedp.Evaluate[string](overflowScript))
				require.NoError(t, err, page)
				var m struct {
					Scroll, Inner int
					Clip, Widest  string
				}
				require.NoError(t, json.Unmarshal([]byte(res), &m), res)
				require.EqualValues(t, w, m.Inner, "%s: the viewport is not %d px wide", page, w)
				where := fmt.Sprintf("%s at %d px (%s)", page, w, theme)
				if m.Clip != "" {
					faults = append(faults, where+": html or body clips sideways overflow (overflow-x: "+m.Clip+"), which hides content instead of fitting it")
				}
				if m.Scroll > m.Inner {
					faults = append(faults, fmt.Sprintf("%s: %d px wide; widest: %s", where, m.Scroll, orNone(m.Widest)))
				}
				if shots && (w == 320 || w == 390) || m.Scroll > m.Inner {
					png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
					require.NoError(t, err)
					browsertest.Shot(t, fmt.Sprintf("phone-%d-%s-%s", w, theme, strings.ReplaceAll(strings.TrimSuffix(page, ".html"), "/", "-")), png)
				}
			}
		}
	}
	t.Logf("%d pages × 2 themes × %d widths in %v", len(pages), len(phoneWidths), time.Since(start).Round(time.Millisecond))
	require.Empty(t, faults, "pages that scroll sideways on a phone:\n%s", strings.Join(faults, "\n"))
}

func orNone(s string) string {
	if s == "" {
		return "no element found (a pseudo-element or a margin?)"
	}
	return s
}

// TestLabFigureFolds: a lab's settings and numbers start folded on a
// phone and open on a wide screen, and a control that does not apply is
// hidden until it does (multileader's Asia skew needs three regions).
func TestLabFigureFolds(t *testing.T) {
	browsertest.Require(t)
	t.Parallel()
	url := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 1280, 900)
	const f = `document.querySelector('figure.lab')`
	folds := f + `.querySelectorAll('details.lab-fold')`
	asia := f + `.querySelector('[name=skew_asia]').closest('label')`
	regions := func(n string) string {
		return `{ const r = ` + f + `.querySelector('[name=regions]'); r.value = '` + n + `'; r.dispatchEvent(new Event('input', {bubbles: true})) }`
	}
	for _, tt := range []struct {
		width int64
		open  bool
	}{{390, false}, {1280, true}} {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.EmulateViewport(tt.width, 800),
			chromedp.Navigate(url+"/multi-leader.html"),
			browsertest.WaitFor(`document.readyState === 'complete'`),
		))
		require.Equal(t, "2", evalString(t, ctx, `String(`+folds+`.length)`))
		require.Equal(t, "true", evalString(t, ctx, `String(Array.from(`+folds+`).every(d => d.open === `+fmt.Sprint(tt.open)+`))`), "folds open: %v at %d px", tt.open, tt.width)
		require.Equal(t, "none", evalString(t, ctx, `getComputedStyle(`+asia+`).display`), "Asia's skew with two regions")
		require.NoError(t, chromedp.Do(ctx, js(regions("3"))))
		require.NotEqual(t, "none", evalString(t, ctx, `getComputedStyle(`+asia+`).display`), "Asia's skew with three regions")
		require.NoError(t, chromedp.Do(ctx, js(regions("2"))))
		require.Equal(t, "none", evalString(t, ctx, `getComputedStyle(`+asia+`).display`))
	}
}

// TestNarrowLabFollowsItsConfiguration: on a phone a lab's narrow layout is
// as tall as its configuration needs. The multi-leader lab with two
// regions, then three, then two again: the stage grows and shrinks with
// the canvas, the frame always fills the stage (no letterboxing, so the
// text keeps its size), and stopping the lab gives the poster its height.
func TestNarrowLabFollowsItsConfiguration(t *testing.T) {
	t.Parallel()
	url := browsertest.Serve(t, browsertest.Site(t))
	ctx := browsertest.Browser(t, 390, 844)
	const f = `document.querySelector('figure.lab')`
	type look struct {
		Stage, Frame, MinText float64
		Layout                string
	}
	see := func() look {
		l, err := chromedp.Run(ctx, chromedp.Evaluate[look](`({stage: `+f+`.querySelector('.lab-stage').getBoundingClientRect().height,
			frame: `+f+`.querySelector('.lab-frame').getBoundingClientRect().height,
			minText: Number(`+f+`.dataset.minText), layout: `+f+`.dataset.layout})`))
		require.NoError(t, err)
		return l
	}
	regions := func(n int) chromedp.Action[chromedp.Void] {
		return js(`{ const r = ` + f + `.querySelector('[name=regions]'); r.value = '` + strconv.Itoa(n) + `'; r.dispatchEvent(new Event('input', {bubbles: true})); }`)
	}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(url+"/embed/multileader.html?regions=2"),
		waitFor(`document.readyState === 'complete'`),
	))
	poster, err := chromedp.Run(ctx, chromedp.Evaluate[float64](f+`.querySelector('.lab-stage').getBoundingClientRect().height`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		js(f+`.querySelector('.lab-run').click()`),
		waitFor(f+`.dataset.firstFrame && `+f+`.dataset.layout === 'narrow'`),
		labFrames(f, 2),
	))
	two := see()
	require.InDelta(t, poster, two.Stage, 2, "the lab starts in its poster's shape")
	require.InDelta(t, two.Stage, two.Frame, 2)

	require.NoError(t, chromedp.Do(ctx, regions(3),
		waitFor(f+`.querySelector('.lab-stage').getBoundingClientRect().height > `+strconv.FormatFloat(two.Stage+100, 'f', 0, 64)),
		labFrames(f, 2),
	))
	three := see()
	require.InDelta(t, three.Stage, three.Frame, 2, "the frame fills the taller stage")
	require.GreaterOrEqual(t, three.MinText, canvas.MinCSSText, "three regions keep their text size")
	labPicture(t, ctx, `figure.lab`, "multileader-three-regions-390")

	require.NoError(t, chromedp.Do(ctx, regions(2),
		waitFor(f+`.querySelector('.lab-stage').getBoundingClientRect().height < `+strconv.FormatFloat(two.Stage+2, 'f', 0, 64)),
		labFrames(f, 2),
	))
	back := see()
	require.InDelta(t, two.Stage, back.Stage, 2)
	require.InDelta(t, back.Stage, back.Frame, 2)
	require.GreaterOrEqual(t, back.MinText, canvas.MinCSSText)
}
