//go:build js && wasm

package ebitencanvas

import (
	"image"
	"image/color"

	"github.com/hajimehoshi/ebiten/v2"
)

// Everything a lab draws comes from one image, the ink: a white pixel for
// shapes, circle sprites and the glyphs of every font size, packed in
// shelves. A frame's shapes, circles and text are then triangles from that
// one image, tinted by their vertices' colours, collected in draw order
// and handed to Ebitengine in one DrawTriangles32 call at the end of the
// frame (Flush). Hundreds of DrawImage calls a frame, each a walk through
// Ebitengine's image layers, were most of a first picture's work: run
// once they are slow, and run often they are what V8 spends its
// background optimising on while the lab is starting.

// inkSize is the ink's side in pixels: room for a dozen font sizes and
// every sprite a lab uses. When it is full it is cleared and refilled.
const inkSize = 2048

var ink struct {
	img        *ebiten.Image
	x, y, rowH int // the shelf being filled
	white      image.Point
	gen        int // how many times it was emptied
}

// inkImage returns the ink, made on first use with its white pixel.
func inkImage() *ebiten.Image {
	if ink.img == nil {
		ink.img = ebiten.NewImage(inkSize, inkSize)
		resetInk()
	}
	return ink.img
}

// resetInk empties the ink and forgets what was in it (sprites, glyphs),
// keeping only the white pixel: a 3×3 white block whose centre shapes
// sample, so nearest filtering never reaches a neighbour.
func resetInk() {
	ink.gen++
	ink.img.Clear()
	ink.x, ink.y, ink.rowH = 0, 0, 0
	clear(sprites)
	for _, f := range faces {
		clear(f.glyphs)
	}
	clear(faces)
	r, _ := place(3, 3)
	ink.img.SubImage(r).(*ebiten.Image).Fill(color.White)
	ink.white = r.Min.Add(image.Pt(1, 1))
}

// place reserves a w×h rectangle of the ink, one pixel apart from its
// neighbours, or reports that the ink is full.
func place(w, h int) (image.Rectangle, bool) {
	if w+1 > inkSize || h+1 > inkSize {
		return image.Rectangle{}, false
	}
	if ink.x+w+1 > inkSize {
		ink.x, ink.y, ink.rowH = 0, ink.y+ink.rowH, 0
	}
	if ink.y+h+1 > inkSize {
		return image.Rectangle{}, false
	}
	r := image.Rect(ink.x, ink.y, ink.x+w, ink.y+h)
	ink.x += w + 1
	ink.rowH = max(ink.rowH, h+1)
	return r, true
}

// alloc reserves a w×h rectangle of the ink for c's drawing; when the ink
// is full, what c has collected is drawn first, and the ink is cleared.
func (c *Canvas) alloc(w, h int) (image.Rectangle, bool) {
	inkImage()
	if r, ok := place(w, h); ok {
		return r, true
	}
	c.emptyInk()
	return place(w, h)
}

// emptyInk draws what c has collected, then clears the ink.
func (c *Canvas) emptyInk() {
	c.Flush()
	resetInk()
}

// write puts premultiplied pixels into rectangle r of the ink.
func write(r image.Rectangle, pix []byte) {
	ink.img.SubImage(r).(*ebiten.Image).WritePixels(pix)
}

// batch is a frame's triangles, in draw order.
type batch struct {
	vs []ebiten.Vertex
	is []uint32
}

// Flush draws what the canvas has collected. Call it when a frame is drawn.
func (c *Canvas) Flush() {
	if len(c.b.is) > 0 {
		c.dst.DrawTriangles32(c.b.vs, c.b.is, inkImage(), nil)
	}
	c.b.vs, c.b.is = c.b.vs[:0], c.b.is[:0]
}

// room makes sure the batch can take n more vertices.
func (c *Canvas) room(n int) {
	if len(c.b.vs)+n > ebiten.MaxVertexCount {
		c.Flush()
	}
}

// quad adds the ink rectangle src drawn at (x, y) (device pixels,
// top-left), tinted col.
func (c *Canvas) quad(src image.Rectangle, x, y float64, col color.RGBA) {
	c.room(4)
	k := straight(col)
	w, h := float64(src.Dx()), float64(src.Dy())
	base := uint32(len(c.b.vs))
	for _, p := range [4][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 1}} {
		c.b.vs = append(c.b.vs, ebiten.Vertex{
			DstX: float32(x + p[0]*w), DstY: float32(y + p[1]*h),
			SrcX: float32(float64(src.Min.X) + p[0]*w), SrcY: float32(float64(src.Min.Y) + p[1]*h),
			ColorR: k[0], ColorG: k[1], ColorB: k[2], ColorA: k[3],
		})
	}
	c.b.is = append(c.b.is, base, base+1, base+2, base, base+2, base+3)
}

// straight is col as the straight-alpha floats of a vertex's colour.
func straight(col color.RGBA) [4]float32 {
	return [4]float32{float32(col.R) / 0xff, float32(col.G) / 0xff, float32(col.B) / 0xff, float32(col.A) / 0xff}
}
