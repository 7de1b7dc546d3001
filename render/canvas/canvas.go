// Package canvas is the small drawing surface every lab view draws on. It
// has two backends: Ebiten in the browser (render/ebitencanvas, js/wasm only)
// and SVG (render/svg) for posters, print and golden tests.
//
// Coordinates are logical CSS pixels with the origin at the top left; the
// backend scales for the device. Views are pure functions of model state:
// they never keep state of their own between frames.
//
// A view draws one of two layouts (layout.go): its wide one, or a narrow
// one for phones (Pick chooses by the canvas's width on screen; Narrow
// tells a view which it got; Sub redraws a part of a wide layout in a
// narrow one, with its text never under NarrowMinText). Views are painted
// through a Layered canvas (layered.go), which draws every label above the
// traffic (Traffic) with a halo where they meet, and records the labels,
// the traffic's boxes and the smallest text for tests and the live lab.
package canvas

import (
	"image/color"
	"math"
)

// Align is the horizontal anchor of a text.
type Align int

const (
	Left Align = iota
	Center
	Right
)

// Style is how a shape is painted. A zero Fill or Stroke (alpha 0) is not
// painted.
type Style struct {
	Fill        color.RGBA
	Stroke      color.RGBA
	StrokeWidth float64
	Dash        bool // dashed stroke (lines and outlines)
}

// Canvas is what a view draws on.
type Canvas interface {
	// Size is the logical size of the drawing area.
	Size() (w, h float64)
	// Clear fills the whole area.
	Clear(c color.RGBA)
	Line(x1, y1, x2, y2 float64, s Style)
	Circle(cx, cy, r float64, s Style)
	Rect(x, y, w, h float64, s Style)
	// Polygon draws a closed shape through the points (x0, y0, x1, y1, …).
	// A filled polygon must be convex (the browser canvas fills it as a
	// fan of triangles); TestPolygonsAreConvex holds every view to it.
	Polygon(pts []float64, s Style)
	// Text draws a single line whose baseline-centre sits near y: the text's
	// vertical middle is at y. size is the font size in logical pixels.
	Text(x, y float64, s string, size float64, c color.RGBA, a Align)
}

// FontFamily is the typeface of every lab's text, as a CSS font-family
// list: the page's own (book.css), so the SVG poster, the live canvas and
// the prose around them match.
const FontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', sans-serif"

// Theme is the palette a view uses, so light and dark pages both read well.
// Every state also has a shape or a label, so colour is never the only cue.
type Theme struct {
	Name       string
	Background color.RGBA
	Surface    color.RGBA // node bodies, panels
	Text       color.RGBA
	Muted      color.RGBA // secondary text, idle links
	Accent     color.RGBA // the client, highlights
	OK         color.RGBA // acks, up nodes
	Bad        color.RGBA // failures, down nodes, stale reads
	Warn       color.RGBA // hints, pending
	Write      color.RGBA // write requests in flight
	Read       color.RGBA // read requests in flight
	// Still is set when the reader prefers reduced motion: things in
	// transit are drawn at rest (see Travel) instead of flying.
	Still bool
}

// Travel maps the fraction f (0…1) of a journey to where a view draws the
// traveller: f itself, or the midpoint when the reader prefers reduced
// motion, so packets appear on their link without flying along it.
func (t Theme) Travel(f float64) float64 {
	if t.Still {
		return 0.5
	}
	return f
}

// RGB is a short way to write an opaque colour: RGB(0x1f2937).
func RGB(hex uint32) color.RGBA {
	return color.RGBA{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 0xff}
}

// Light and Dark are the two page themes. Pairs of text and background
// colours keep a contrast of at least 4.5:1.
var (
	Light = Theme{
		Name:       "light",
		Background: RGB(0xffffff),
		Surface:    RGB(0xf3f4f6),
		Text:       RGB(0x111827),
		Muted:      RGB(0x5b6472),
		Accent:     RGB(0x6d28d9),
		OK:         RGB(0x047857),
		Bad:        RGB(0xb91c1c),
		Warn:       RGB(0xa16207),
		Write:      RGB(0x1d4ed8),
		Read:       RGB(0x0e7490),
	}
	Dark = Theme{
		Name:       "dark",
		Background: RGB(0x111318),
		Surface:    RGB(0x1f232b),
		Text:       RGB(0xe5e7eb),
		Muted:      RGB(0x9ca3af),
		Accent:     RGB(0xc4b5fd),
		OK:         RGB(0x34d399),
		Bad:        RGB(0xf87171),
		Warn:       RGB(0xfbbf24),
		Write:      RGB(0x93c5fd),
		Read:       RGB(0x67e8f9),
	}
)

// ThemeNamed returns Dark for "dark" and Light otherwise.
func ThemeNamed(name string) Theme {
	if name == "dark" {
		return Dark
	}
	return Light
}

// Mix blends a towards b by t (0 gives a, 1 gives b), opaque: the faint
// rules, tracks and fills every view derives from its theme's colours.
func Mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xff}
}
