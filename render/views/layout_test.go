package views

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/golden"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/labs"
)

// scene is one drawing of one lab: a preset (or the defaults) at a moment,
// in a layout and a theme.
type scene struct {
	name string
	lab  lab.Lab
	view render.View
	vals lab.Values
	at   time.Duration
	size canvas.Size
}

// moments are when every scene is drawn: the poster, and twice mid-run
// with messages in flight.
var moments = []time.Duration{0, 700 * time.Millisecond, 2600 * time.Millisecond}

func scenes(t *testing.T) []scene {
	var out []scene
	for _, l := range labs.All() {
		v, ok := For(l.Schema.Name)
		require.True(t, ok)
		sets := map[string]lab.Values{"defaults": l.Schema.Defaults()}
		order := []string{"defaults"}
		for _, p := range l.Schema.Presets {
			vals, notes := l.Schema.Lenient(p.Values)
			require.Empty(t, notes, "%s preset %s", l.Schema.Name, p.Name)
			sets[p.Name] = vals
			order = append(order, p.Name)
		}
		sizes := []canvas.Size{{W: float64(l.Schema.Width), H: float64(l.Schema.Height)}}
		if !v.Narrow.Zero() {
			sizes = append(sizes, v.Narrow)
		}
		for _, name := range order {
			for _, at := range moments {
				for _, sz := range sizes {
					out = append(out, scene{
						name: fmt.Sprintf("%s/%s/%v/%gx%g", l.Schema.Name, name, at, sz.W, sz.H),
						lab:  l, view: v, vals: sets[name], at: at, size: sz,
					})
				}
			}
		}
	}
	return out
}

var element = regexp.MustCompile(`(?m)^<(text|rect|circle|line|polygon)\b`)

// TestEveryViewIsLegible draws every lab, every preset, at three moments,
// in its wide and narrow layouts, as the reader sees them (render.View.Paint)
// and checks what a reader on a phone or a desktop needs:
//   - no text is smaller on screen than canvas.MinCSSText on the
//     narrowest phone canvas, nor than canvas.MinDesktopText at desktop
//     width;
//   - every label lies inside the canvas;
//   - labels are drawn after every shape (no message covers a label), and
//     a label that traffic passes under has a halo.
func TestEveryViewIsLegible(t *testing.T) {
	for _, sc := range scenes(t) {
		t.Run(sc.name, func(t *testing.T) {
			m, err := sc.lab.Replay(lab.Run{Values: sc.vals, Seed: 1}, sc.at)
			require.NoError(t, err)
			if sc.size.W <= canvas.NarrowWidth {
				sc.size = sc.view.NarrowSize(m) // as tall as this configuration needs
			}
			for _, th := range []canvas.Theme{canvas.Light, canvas.Dark} {
				c := svg.New(sc.size.W, sc.size.H)
				l := sc.view.Paint(c, m, th)
				require.NotEmpty(t, l.Labels)
				narrow := sc.size.W <= canvas.NarrowWidth
				// The smallest canvas the layout is drawn on, in CSS px.
				stage := sc.size.W
				if narrow {
					stage = canvas.PhoneStage
				}
				require.GreaterOrEqual(t, l.MinText*stage/sc.size.W, canvas.MinCSSText-0.01,
					"smallest text %g px at %g px on screen", l.MinText, stage)
				desktop := 902.0 // the stage at 1280 px
				if !narrow {
					require.GreaterOrEqual(t, l.MinText*desktop/sc.size.W, canvas.MinDesktopText)
				}
				for _, lb := range l.Labels {
					require.True(t, lb.Box.Inside(sc.size.W, sc.size.H, 2), "label %q at %+v is outside the %gx%g canvas", lb.Text, lb.Box, sc.size.W, sc.size.H)
					for _, g := range l.Glyphs {
						if lb.Box.Overlaps(g) {
							require.True(t, lb.Halo, "label %q crosses traffic without a halo", lb.Text)
						}
					}
				}
				kinds := element.FindAllStringSubmatch(string(c.SVG("t")), -1)
				seenText := false
				for _, k := range kinds {
					if k[1] == "text" {
						seenText = true
					} else {
						require.False(t, seenText, "a %s is drawn over a label", k[1])
					}
				}
			}
		})
	}
}

// TestNarrowGolden keeps every narrow layout's picture, at the start and
// mid-run, in testdata (-update rewrites them; look at them).
func TestNarrowGolden(t *testing.T) {
	for _, l := range labs.All() {
		v, _ := For(l.Schema.Name)
		if v.Narrow.Zero() {
			continue
		}
		for _, at := range []time.Duration{0, 2600 * time.Millisecond} {
			for _, th := range []canvas.Theme{canvas.Light, canvas.Dark} {
				m, err := l.Replay(lab.Run{Values: l.Schema.Defaults(), Seed: 1}, at)
				require.NoError(t, err)
				size := v.NarrowSize(m)
				c := svg.New(size.W, size.H)
				v.Paint(c, m, th)
				golden.Check(t, fmt.Sprintf("%s-narrow-%dms-%s", l.Schema.Name, at.Milliseconds(), th.Name), c.SVG(l.Schema.Title))
			}
		}
	}
}

// deadSpace is how much empty canvas a layout may keep below the lowest
// thing it ever draws, in logical px.
const deadSpace = 24

// TestNoDeadSpace: no layout is taller than what it draws. Every lab, in
// each layout, is drawn for the defaults, every preset and every
// parameter at its maximum (the most nodes, rows, shards), at several
// moments; the lowest point drawn across all of them must come within
// deadSpace of the canvas's bottom, or the canvas wastes a reader's
// screen (and pushes the caption and controls down).
func TestNoDeadSpace(t *testing.T) {
	for _, l := range labs.All() {
		v, ok := For(l.Schema.Name)
		require.True(t, ok)
		sets := []lab.Values{l.Schema.Defaults()}
		for _, p := range l.Schema.Presets {
			vals, _ := l.Schema.Lenient(p.Values)
			sets = append(sets, vals)
		}
		most := map[string]string{}
		for _, p := range l.Schema.Params {
			if p.Kind == lab.Int || p.Kind == lab.Float {
				most[p.Name] = p.Format(p.Max)
			}
		}
		vals, _ := l.Schema.Lenient(most)
		sets = append(sets, vals)
		sizes := []canvas.Size{{W: float64(l.Schema.Width), H: float64(l.Schema.Height)}}
		if !v.Narrow.Zero() {
			sizes = append(sizes, v.Narrow)
		}
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%gx%g", l.Schema.Name, sz.W, sz.H), func(t *testing.T) {
				lowest := 0.0
				for _, vals := range sets {
					for _, at := range []time.Duration{0, 700 * time.Millisecond, 2600 * time.Millisecond, 10 * time.Second} {
						m, err := l.Replay(lab.Run{Values: vals, Seed: 1}, at)
						require.NoError(t, err)
						lowest = max(lowest, v.Paint(svg.New(sz.W, sz.H), m, canvas.Light).Bottom)
					}
				}
				require.GreaterOrEqual(t, lowest, sz.H-deadSpace,
					"the lowest thing drawn is at %.0f px: %.0f px of the %gx%g canvas are always empty", lowest, sz.H-lowest, sz.W, sz.H)
				if sz.W > canvas.NarrowWidth || v.NarrowHeight == nil {
					return
				}
				// A narrow layout that sizes itself to its configuration
				// leaves no empty band in any of them.
				for i, vals := range sets {
					m, err := l.Replay(lab.Run{Values: vals, Seed: 1}, 2600*time.Millisecond)
					require.NoError(t, err)
					size := v.NarrowSize(m)
					bottom := v.Paint(svg.New(size.W, size.H), m, canvas.Light).Bottom
					require.GreaterOrEqual(t, bottom, size.H-deadSpace, "configuration %d: %.0f px of the %gx%g narrow canvas are empty", i, size.H-bottom, size.W, size.H)
					require.LessOrEqual(t, bottom, size.H+1, "configuration %d draws below its %gx%g narrow canvas", i, size.W, size.H)
				}
			})
		}
	}
}

// convexCanvas records every filled polygon that is not convex.
type convexCanvas struct {
	*svg.Canvas
	filled  int
	concave [][]float64
}

func (c *convexCanvas) Polygon(pts []float64, s canvas.Style) {
	if s.Fill.A != 0 {
		c.filled++
		if !convex(pts) {
			c.concave = append(c.concave, pts)
		}
	}
	c.Canvas.Polygon(pts, s)
}

// convex reports whether the polygon through pts turns the same way at
// every corner (straight corners allowed).
func convex(pts []float64) bool {
	n := len(pts) / 2
	sign := 0.0
	for i := range n {
		j, k := (i+1)%n, (i+2)%n
		cross := (pts[2*j]-pts[2*i])*(pts[2*k+1]-pts[2*j+1]) - (pts[2*j+1]-pts[2*i+1])*(pts[2*k]-pts[2*j])
		if cross*sign < -1e-9 {
			return false
		}
		if sign == 0 && cross != 0 {
			sign = cross
		}
	}
	return true
}

func TestConvex(t *testing.T) {
	for _, tc := range []struct {
		name string
		pts  []float64
		want bool
	}{
		{"triangle", []float64{0, 0, 4, 0, 2, 3}, true},
		{"diamond, other way round", []float64{0, -5, -5, 0, 0, 5, 5, 0}, true},
		{"square with a point on an edge", []float64{0, 0, 2, 0, 4, 0, 4, 4, 0, 4}, true},
		{"arrow with a notch", []float64{0, 0, 10, 5, 0, 10, 3, 5}, false},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, convex(tc.pts)) })
	}
}

// TestPolygonsAreConvex: the browser canvas fills a polygon as a fan of
// triangles (render/ebitencanvas), which is right only for convex shapes,
// so every filled polygon of every view, preset, moment and layout must
// be convex.
func TestPolygonsAreConvex(t *testing.T) {
	filled := 0
	for _, sc := range scenes(t) {
		m, err := sc.lab.Replay(lab.Run{Values: sc.vals, Seed: 1}, sc.at)
		require.NoError(t, err)
		c := &convexCanvas{Canvas: svg.New(sc.size.W, sc.size.H)}
		sc.view.Paint(c, m, canvas.Light)
		require.Empty(t, c.concave, "%s: filled polygons that are not convex", sc.name)
		filled += c.filled
	}
	require.Positive(t, filled, "no view filled a polygon: the test saw nothing")
}
