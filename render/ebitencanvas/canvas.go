//go:build js && wasm

// Package ebitencanvas is the canvas backend that draws on an Ebiten image
// in the browser. It is built only for js/wasm, so native builds and tests
// never need cgo or X11 headers.
package ebitencanvas

import (
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"github.com/scaling-data/book/render/canvas"
)

// Canvas draws on dst, mapping logical pixels to device pixels by Scale.
type Canvas struct {
	dst   *ebiten.Image
	w, h  float64 // logical size
	scale float64 // device pixels per logical pixel
	path  vector.Path
}

var (
	_ canvas.Canvas     = (*Canvas)(nil)
	_ canvas.HaloTexter = (*Canvas)(nil)
)

// New returns a canvas over dst whose logical size is w×h.
func New(dst *ebiten.Image, w, h float64) *Canvas {
	c := &Canvas{}
	c.Reset(dst, w, h)
	return c
}

// Reset points the canvas at a new target, keeping its caches.
func (c *Canvas) Reset(dst *ebiten.Image, w, h float64) {
	c.dst, c.w, c.h = dst, w, h
	b := dst.Bounds()
	c.scale = min(float64(b.Dx())/w, float64(b.Dy())/h)
}

func (c *Canvas) Size() (float64, float64) { return c.w, c.h }

func (c *Canvas) Clear(col color.RGBA) { c.dst.Fill(col) }

func (c *Canvas) f(x float64) float32 { return float32(x * c.scale) }

func (c *Canvas) Line(x1, y1, x2, y2 float64, s canvas.Style) {
	if s.Stroke.A == 0 || s.StrokeWidth <= 0 {
		return
	}
	k := c.scale
	if !s.Dash {
		c.line(x1*k, y1*k, x2*k, y2*k, s.StrokeWidth*k, s.Stroke)
		return
	}
	dash := s.StrokeWidth * 3
	gap := s.StrokeWidth * 2
	dx, dy := x2-x1, y2-y1
	length := math.Hypot(dx, dy)
	if length == 0 {
		return
	}
	ux, uy := dx/length, dy/length
	for d := 0.0; d < length; d += dash + gap {
		e := min(d+dash, length)
		c.line((x1+ux*d)*k, (y1+uy*d)*k, (x1+ux*e)*k, (y1+uy*e)*k, s.StrokeWidth*k, s.Stroke)
	}
}

func (c *Canvas) Circle(cx, cy, r float64, s canvas.Style) {
	x, y, dr := cx*c.scale, cy*c.scale, r*c.scale
	if s.Fill.A != 0 {
		if sp, ok := spriteFor(dr, 0, false); ok {
			c.stamp(sp, x, y, s.Fill)
		} else {
			vector.FillCircle(c.dst, c.f(cx), c.f(cy), c.f(r), s.Fill, true)
		}
	}
	if s.Stroke.A == 0 || s.StrokeWidth <= 0 {
		return
	}
	w := s.StrokeWidth * c.scale
	switch sp, ok := spriteFor(dr, w, s.Dash); {
	case ok:
		c.stamp(sp, x, y, s.Stroke)
	case s.Dash:
		dashedRing(c.dst, c.f(cx), c.f(cy), c.f(r), float32(w), s.Stroke)
	default:
		vector.StrokeCircle(c.dst, c.f(cx), c.f(cy), c.f(r), float32(w), s.Stroke, true)
	}
}

// dashedRing strokes a circle in 16 dashes.
func dashedRing(dst *ebiten.Image, cx, cy, r, w float32, col color.Color) {
	const segments = 16
	var path vector.Path
	for i := range segments {
		a0 := 2 * math.Pi * float64(i) / segments
		a1 := a0 + math.Pi/segments
		path.MoveTo(cx+r*float32(math.Cos(a0)), cy+r*float32(math.Sin(a0)))
		path.Arc(cx, cy, r, float32(a0), float32(a1), vector.Clockwise)
	}
	dop := &vector.DrawPathOptions{AntiAlias: true}
	dop.ColorScale.ScaleWithColor(col)
	vector.StrokePath(dst, &path, &vector.StrokeOptions{Width: w}, dop)
}

// Rect fills without anti-aliasing: its edges are axis-aligned, so they
// only snap to device pixels, and unlike anti-aliased path fills the
// rectangles of a frame batch into one draw call.
func (c *Canvas) Rect(x, y, w, h float64, s canvas.Style) {
	if s.Fill.A != 0 {
		vector.FillRect(c.dst, c.f(x), c.f(y), c.f(w), c.f(h), s.Fill, false)
	}
	if s.Stroke.A != 0 && s.StrokeWidth > 0 {
		if s.Dash {
			c.Line(x, y, x+w, y, s)
			c.Line(x+w, y, x+w, y+h, s)
			c.Line(x+w, y+h, x, y+h, s)
			c.Line(x, y+h, x, y, s)
			return
		}
		// Four lines; the horizontal ones reach over the corners.
		k, sw := c.scale, s.StrokeWidth
		c.line((x-sw/2)*k, y*k, (x+w+sw/2)*k, y*k, sw*k, s.Stroke)
		c.line((x-sw/2)*k, (y+h)*k, (x+w+sw/2)*k, (y+h)*k, sw*k, s.Stroke)
		c.line(x*k, (y+sw/2)*k, x*k, (y+h-sw/2)*k, sw*k, s.Stroke)
		c.line((x+w)*k, (y+sw/2)*k, (x+w)*k, (y+h-sw/2)*k, sw*k, s.Stroke)
	}
}

func (c *Canvas) Polygon(pts []float64, s canvas.Style) {
	if len(pts) < 6 {
		return
	}
	stroke := s.Stroke.A != 0 && s.StrokeWidth > 0
	// A thin outline (quorum's ring) is drawn as line quads: a stroked path
	// is a stencil pass over its whole bounding box per sample, and at this
	// width the joins do not show.
	thin := stroke && !s.Dash && s.StrokeWidth*c.scale <= 3
	if s.Fill.A != 0 || (stroke && !thin) {
		c.path.Reset()
		c.path.MoveTo(c.f(pts[0]), c.f(pts[1]))
		for i := 2; i+1 < len(pts); i += 2 {
			c.path.LineTo(c.f(pts[i]), c.f(pts[i+1]))
		}
		c.path.Close()
	}
	if s.Fill.A != 0 {
		dop := &vector.DrawPathOptions{AntiAlias: true}
		dop.ColorScale.ScaleWithColor(s.Fill)
		vector.FillPath(c.dst, &c.path, nil, dop)
	}
	switch {
	case thin:
		k, n := c.scale, len(pts)-len(pts)%2
		for i := 0; i < n; i += 2 {
			j := (i + 2) % n
			c.line(pts[i]*k, pts[i+1]*k, pts[j]*k, pts[j+1]*k, s.StrokeWidth*k, s.Stroke)
		}
	case stroke:
		dop := &vector.DrawPathOptions{AntiAlias: true}
		dop.ColorScale.ScaleWithColor(s.Stroke)
		vector.StrokePath(c.dst, &c.path, &vector.StrokeOptions{Width: c.f(s.StrokeWidth), LineJoin: vector.LineJoinRound}, dop)
	}
}
