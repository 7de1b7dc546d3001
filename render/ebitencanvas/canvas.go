//go:build js && wasm

// Package ebitencanvas is the canvas backend that draws on an Ebiten image
// in the browser. It is built only for js/wasm, so native builds and tests
// never need cgo or X11 headers.
package ebitencanvas

import (
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/scaling-data/book/render/canvas"
)

// Canvas draws on dst, mapping logical pixels to device pixels by Scale.
type Canvas struct {
	dst     *ebiten.Image
	w, h    float64   // logical size
	scale   float64   // device pixels per logical pixel
	pts     []float64 // scratch: a polygon in device pixels
	normals []float64 // scratch: its edges' outward normals (fillConvex)
	b       batch     // what the frame has drawn so far (Flush)
	run     []placed  // scratch: the glyphs of a line of text
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

// Reset points the canvas at a new target, keeping its caches; what was
// drawn on the old one is flushed first.
func (c *Canvas) Reset(dst *ebiten.Image, w, h float64) {
	if c.dst != nil {
		c.Flush()
	}
	c.dst, c.w, c.h = dst, w, h
	b := dst.Bounds()
	c.scale = min(float64(b.Dx())/w, float64(b.Dy())/h)
}

func (c *Canvas) Size() (float64, float64) { return c.w, c.h }

// Clear drops what the frame has collected (it would be covered) and fills
// the target.
func (c *Canvas) Clear(col color.RGBA) {
	c.b.vs, c.b.is = c.b.vs[:0], c.b.is[:0]
	c.dst.Fill(col)
}

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
		if sp, ok := c.spriteFor(dr, 0, false); ok {
			c.stamp(sp, x, y, s.Fill)
		} else {
			c.disc(x, y, dr, s.Fill)
		}
	}
	if s.Stroke.A == 0 || s.StrokeWidth <= 0 {
		return
	}
	w := s.StrokeWidth * c.scale
	switch sp, ok := c.spriteFor(dr, w, s.Dash); {
	case ok:
		c.stamp(sp, x, y, s.Stroke)
	case s.Dash:
		for i := range dashes {
			a0 := 2 * math.Pi * float64(i) / dashes
			c.arc(x, y, dr, w, a0, a0+math.Pi/dashes, s.Stroke)
		}
	default:
		c.arc(x, y, dr, w, 0, 2*math.Pi, s.Stroke)
	}
}

// Rect fills without anti-aliasing: its edges are axis-aligned, so they
// only snap to device pixels.
func (c *Canvas) Rect(x, y, w, h float64, s canvas.Style) {
	if s.Fill.A != 0 {
		k := c.scale
		x0, y0, x1, y1 := math.Round(x*k), math.Round(y*k), math.Round((x+w)*k), math.Round((y+h)*k)
		m := c.newMesh(s.Fill, 4)
		m.quad(m.vertex(x0, y0, 1), m.vertex(x1, y0, 1), m.vertex(x1, y1, 1), m.vertex(x0, y1, 1))
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
	k, n := c.scale, len(pts)-len(pts)%2
	if s.Fill.A != 0 {
		c.pts = c.pts[:0]
		for _, v := range pts[:n] {
			c.pts = append(c.pts, v*k)
		}
		c.fillConvex(c.pts, s.Fill)
	}
	if s.Stroke.A == 0 || s.StrokeWidth <= 0 {
		return
	}
	w := s.StrokeWidth * k
	for i := 0; i < n; i += 2 {
		j := (i + 2) % n
		if s.Dash {
			c.Line(pts[i], pts[i+1], pts[j], pts[j+1], s)
			continue
		}
		c.line(pts[i]*k, pts[i+1]*k, pts[j]*k, pts[j+1]*k, w, s.Stroke)
		// A thick outline's corners are rounded by a disc.
		if w > 3 {
			if sp, ok := c.spriteFor(w/2, 0, false); ok {
				c.stamp(sp, pts[j]*k, pts[j+1]*k, s.Stroke)
			}
		}
	}
}
