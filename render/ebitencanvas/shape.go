//go:build js && wasm

package ebitencanvas

import (
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
)

// Every shape is drawn as triangles from the ink's white pixel, tinted by
// its vertices' colours, with the same nearest-filter shader Ebitengine
// uses for DrawImage: shapes, sprites and text batch into one draw call,
// and the first picture compiles no shader beyond the one every Ebiten
// game compiles. Edges are anti-aliased by a fringe one device pixel wide
// whose outer vertices are transparent, so the GPU's own interpolation
// fades them (Ebitengine's vector package instead draws anti-aliased paths
// through a stencil buffer with shaders of its own: under software GL each
// was a pass over the shape's bounding box, and compiling them cost the
// first picture a third of a second).

// mesh builds one shape in the canvas's batch.
type mesh struct {
	c    *Canvas
	base uint32     // the batch's vertex count when the shape began
	col  [4]float32 // straight-alpha colour
}

// newMesh starts a shape of at most n vertices in col.
func (c *Canvas) newMesh(col color.RGBA, n int) mesh {
	inkImage()
	c.room(n)
	return mesh{c: c, base: uint32(len(c.b.vs)), col: straight(col)}
}

// vertex adds a point whose alpha is the colour's times a, and returns its
// index within the shape.
func (m mesh) vertex(x, y float64, a float32) uint32 {
	w := ink.white
	m.c.b.vs = append(m.c.b.vs, ebiten.Vertex{
		DstX: float32(x), DstY: float32(y), SrcX: float32(w.X) + 0.5, SrcY: float32(w.Y) + 0.5,
		ColorR: m.col[0], ColorG: m.col[1], ColorB: m.col[2], ColorA: m.col[3] * a,
	})
	return uint32(len(m.c.b.vs)) - 1 - m.base
}

func (m mesh) tri(a, b, c uint32) { m.c.b.is = append(m.c.b.is, m.base+a, m.base+b, m.base+c) }

func (m mesh) quad(a, b, c, d uint32) { m.tri(a, b, c); m.tri(a, c, d) }

// feather returns the half-width of a stroke's solid core and the alpha
// of its colour for a stroke w device pixels wide: a stroke thinner than a
// pixel is drawn a pixel wide and fainter, as coverage would have it.
func feather(w float64) (core float64, a float32) {
	if w < 1 {
		return 0, float32(w)
	}
	return w/2 - 0.5, 1
}

// fringe is the alpha of a stroke's four edges across it: transparent
// outside, a inside the core.
func fringe(a float32) [4]float32 { return [4]float32{0, a, a, 0} }

// line draws a line w device pixels wide from (x1, y1) to (x2, y2), in
// device pixels, with square ends: a solid core between two fringes.
func (c *Canvas) line(x1, y1, x2, y2, w float64, col color.RGBA) {
	dx, dy := x2-x1, y2-y1
	length := math.Hypot(dx, dy)
	if length == 0 || w <= 0 {
		return
	}
	core, a := feather(w)
	nx, ny := -dy/length, dx/length
	m := c.newMesh(col, 8)
	alpha := fringe(a)
	var rows [4][2]uint32
	for i, off := range [4]float64{core + 1, core, -core, -core - 1} {
		rows[i] = [2]uint32{m.vertex(x1+nx*off, y1+ny*off, alpha[i]), m.vertex(x2+nx*off, y2+ny*off, alpha[i])}
	}
	for i := range 3 {
		m.quad(rows[i][0], rows[i][1], rows[i+1][1], rows[i+1][0])
	}
}

// fillConvex fills the convex polygon through pts (device pixels): a fan
// over the outline pulled in half a pixel, and a fringe out to half a
// pixel beyond it.
func (c *Canvas) fillConvex(pts []float64, col color.RGBA) {
	n := len(pts) / 2
	if n < 3 {
		return
	}
	var cx, cy float64
	for i := range n {
		cx += pts[2*i]
		cy += pts[2*i+1]
	}
	cx, cy = cx/float64(n), cy/float64(n)
	// normals[2i:2i+2] is the unit normal of the edge from point i to
	// point i+1 that points away from the centre (zero for a point
	// repeated).
	c.normals = c.normals[:0]
	for i := range n {
		j := (i + 1) % n
		ex, ey := pts[2*j]-pts[2*i], pts[2*j+1]-pts[2*i+1]
		var nx, ny float64
		if l := math.Hypot(ex, ey); l > 0 {
			nx, ny = ey/l, -ex/l
			if nx*((pts[2*i]+pts[2*j])/2-cx)+ny*((pts[2*i+1]+pts[2*j+1])/2-cy) < 0 {
				nx, ny = -nx, -ny
			}
		}
		c.normals = append(c.normals, nx, ny)
	}
	m := c.newMesh(col, 2*n)
	// Inner points are vertices 0, 2, 4…; outer ones 1, 3, 5…
	inner := func(i int) uint32 { return uint32(2 * i) }
	outer := func(i int) uint32 { return uint32(2*i + 1) }
	for i := range n {
		h := (i + n - 1) % n
		ax, ay := c.normals[2*h], c.normals[2*h+1]
		bx, by := c.normals[2*i], c.normals[2*i+1]
		// The miter: half a pixel from both edges, no further than 2 px
		// from the corner (a sharp arrow tip).
		mx, my := (ax+bx)/2, (ay+by)/2
		if d := mx*mx + my*my; d > 1e-9 {
			k := min(0.5/d, 2/math.Sqrt(d))
			mx, my = mx*k, my*k
		}
		x, y := pts[2*i], pts[2*i+1]
		m.vertex(x-mx, y-my, 1)
		m.vertex(x+mx, y+my, 0)
	}
	for i := 1; i+1 < n; i++ {
		m.tri(inner(0), inner(i), inner(i+1))
	}
	for i := range n {
		j := (i + 1) % n
		m.quad(inner(i), inner(j), outer(j), outer(i))
	}
}

// arc strokes the part of the circle of radius r around (cx, cy) from
// angle a0 to a1 (radians, clockwise on screen) with a stroke w wide, all
// in device pixels: circles too big for a sprite.
func (c *Canvas) arc(cx, cy, r, w, a0, a1 float64, col color.RGBA) {
	core, a := feather(w)
	// A segment every 4 px of arc, at most maxSegments (a mesh must fit
	// in one draw call).
	steps := min(maxSegments, max(2, int(math.Ceil((a1-a0)*max(r, 8)/4))))
	m := c.newMesh(col, 4*(steps+1))
	radii := [4]float64{r + core + 1, r + core, max(0, r-core), max(0, r-core-1)}
	alpha := fringe(a)
	prev := [4]uint32{}
	for s := 0; s <= steps; s++ {
		t := a0 + (a1-a0)*float64(s)/float64(steps)
		cos, sin := math.Cos(t), math.Sin(t)
		var row [4]uint32
		for i, rr := range radii {
			row[i] = m.vertex(cx+cos*rr, cy+sin*rr, alpha[i])
		}
		if s > 0 {
			for i := range 3 {
				m.quad(prev[i], row[i], row[i+1], prev[i+1])
			}
		}
		prev = row
	}
}

// disc fills a circle too big for a sprite as a polygon.
func (c *Canvas) disc(cx, cy, r float64, col color.RGBA) {
	n := min(maxSegments, max(16, int(math.Ceil(2*math.Pi*r/4))))
	c.pts = c.pts[:0]
	for i := range n {
		t := 2 * math.Pi * float64(i) / float64(n)
		c.pts = append(c.pts, cx+r*math.Cos(t), cy+r*math.Sin(t))
	}
	c.fillConvex(c.pts, col)
}

// maxSegments bounds the segments of a circle drawn as a polygon.
const maxSegments = 1024

// dashes is how many dashes a dashed ring has; each covers half its
// share of the circle.
const dashes = 16
