package canvas

import (
	"image/color"
	"unicode/utf8"
)

// Box is a rectangle in logical pixels.
type Box struct{ X, Y, W, H float64 }

// Overlaps reports whether a and b share any area.
func (a Box) Overlaps(b Box) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// Inside reports whether a lies within the w×h area (with slack px).
func (a Box) Inside(w, h, slack float64) bool {
	return a.X >= -slack && a.Y >= -slack && a.X+a.W <= w+slack && a.Y+a.H <= h+slack
}

// TextBox is where text drawn by Text(x, y, s, size, …, a) lies: its width
// estimated at 0.55 em per character (the book's sans-serif averages less),
// its height one em.
func TextBox(x, y float64, s string, size float64, a Align) Box {
	w := 0.55 * size * float64(utf8.RuneCountInString(s))
	switch a {
	case Center:
		x -= w / 2
	case Right:
		x -= w
	}
	return Box{x, y - size/2, w, size}
}

// HaloTexter is a backend that can draw text with a halo: an outline in
// the background colour that keeps the text legible over lines and
// traffic.
type HaloTexter interface {
	TextHalo(x, y float64, s string, size float64, col, halo color.RGBA, a Align)
}

// Traffic marks what fn draws as traffic, the messages in flight: a
// Layered canvas draws every label above it, with a halo where a label
// and a message meet. On any other canvas it just calls fn.
func Traffic(c Canvas, fn func()) {
	for {
		switch t := c.(type) {
		case *Layered:
			t.inTraffic++
			defer func() { t.inTraffic-- }()
		case *Sub:
			c = t.Canvas
			continue
		}
		break
	}
	fn()
}

// A Label is a piece of text a Layered canvas drew.
type Label struct {
	Text string
	Size float64
	Box  Box
	Halo bool // drawn with a halo because traffic passes under it
}

// Layered is the canvas every view is painted through (render.Paint): it
// passes shapes straight to its backend, keeps the text back and draws it
// last, above every shape, so no message ever covers a node's or a value's
// label; a label that traffic passes under gets a halo. It also records
// what tests and the live lab report: the labels with their boxes, the
// traffic's glyph boxes and the smallest text drawn.
type Layered struct {
	Canvas
	bg        color.RGBA
	inTraffic int
	queue     []queued
	Labels    []Label
	Glyphs    []Box
	MinText   float64 // smallest text size drawn, in logical px (0: none)
	// Bottom is the lowest point anything was drawn at, in logical px:
	// below it the canvas is empty.
	Bottom float64
}

type queued struct {
	x, y, size float64
	s          string
	col        color.RGBA
	a          Align
}

// NewLayered wraps c.
func NewLayered(c Canvas) *Layered { return &Layered{Canvas: c} }

func (l *Layered) Clear(col color.RGBA) {
	l.bg = col
	l.queue, l.Labels, l.Glyphs, l.MinText, l.Bottom = l.queue[:0], l.Labels[:0], l.Glyphs[:0], 0, 0
	l.Canvas.Clear(col)
}

func (l *Layered) glyph(b Box) {
	l.Bottom = max(l.Bottom, b.Y+b.H)
	if l.inTraffic > 0 {
		l.Glyphs = append(l.Glyphs, b)
	}
}

func (l *Layered) Line(x1, y1, x2, y2 float64, s Style) {
	l.glyph(Box{min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)})
	l.Canvas.Line(x1, y1, x2, y2, s)
}

func (l *Layered) Circle(cx, cy, r float64, s Style) {
	l.glyph(Box{cx - r, cy - r, 2 * r, 2 * r})
	l.Canvas.Circle(cx, cy, r, s)
}

func (l *Layered) Rect(x, y, w, h float64, s Style) {
	l.glyph(Box{x, y, w, h})
	l.Canvas.Rect(x, y, w, h, s)
}

func (l *Layered) Polygon(pts []float64, s Style) {
	if len(pts) >= 2 {
		b := Box{pts[0], pts[1], 0, 0}
		for i := 2; i+1 < len(pts); i += 2 {
			x0, y0 := min(b.X, pts[i]), min(b.Y, pts[i+1])
			b = Box{x0, y0, max(b.X+b.W, pts[i]) - x0, max(b.Y+b.H, pts[i+1]) - y0}
		}
		l.glyph(b)
	}
	l.Canvas.Polygon(pts, s)
}

func (l *Layered) Text(x, y float64, s string, size float64, col color.RGBA, a Align) {
	if s == "" {
		return
	}
	if l.MinText == 0 || size < l.MinText {
		l.MinText = size
	}
	b := TextBox(x, y, s, size, a)
	l.Bottom = max(l.Bottom, b.Y+b.H)
	if l.inTraffic > 0 { // a message's own text travels with it
		l.Canvas.Text(x, y, s, size, col, a)
		l.Glyphs = append(l.Glyphs, b)
		return
	}
	l.queue = append(l.queue, queued{x: x, y: y, size: size, s: s, col: col, a: a})
}

// Flush draws the labels kept back, above everything else. Call it once
// the view has drawn.
func (l *Layered) Flush() {
	hb, _ := l.Canvas.(HaloTexter)
	for _, q := range l.queue {
		b := TextBox(q.x, q.y, q.s, q.size, q.a)
		halo := false
		for _, g := range l.Glyphs {
			if b.Overlaps(g) {
				halo = true
				break
			}
		}
		if halo && hb != nil {
			hb.TextHalo(q.x, q.y, q.s, q.size, q.col, l.bg, q.a)
		} else {
			l.Canvas.Text(q.x, q.y, q.s, q.size, q.col, q.a)
		}
		l.Labels = append(l.Labels, Label{Text: q.s, Size: q.size, Box: b, Halo: halo})
	}
	l.queue = l.queue[:0]
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
