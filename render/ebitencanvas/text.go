//go:build js && wasm

package ebitencanvas

import (
	"encoding/binary"
	"image"
	"image/color"
	"math"
	"strconv"
	"syscall/js"

	"github.com/scaling-data/book/render/canvas"
)

// Text is drawn with the browser's own fonts and rasteriser: each glyph is
// drawn once per device pixel size on a 2D canvas, read back, and kept as
// (part of) an Ebiten image. The lab binary then carries no font and no
// font rasteriser (the Go font and x/image's TrueType stack were 0.8 MB of
// it), text is crisp at any device pixel ratio, and the live lab uses the
// same typeface as its SVG poster and the page around it.
func (c *Canvas) Text(x, y float64, s string, size float64, col color.RGBA, a canvas.Align) {
	c.text(x, y, s, size, col, a, nil)
}

// haloOffsets are where the halo's copies of a text go, in device px
// (scaled by the device pixel ratio): a ring around the text.
var haloOffsets = [][2]float64{{-1, -1}, {0, -1.4}, {1, -1}, {-1.4, 0}, {1.4, 0}, {-1, 1}, {0, 1.4}, {1, 1}}

// TextHalo draws the text over copies of itself in the halo colour.
func (c *Canvas) TextHalo(x, y float64, s string, size float64, col, halo color.RGBA, a canvas.Align) {
	c.text(x, y, s, size, col, a, &halo)
}

func (c *Canvas) text(x, y float64, s string, size float64, col color.RGBA, a canvas.Align, halo *color.RGBA) {
	f := c.faceFor(size * c.scale)
	if f == nil {
		return
	}
	// The glyphs and their pen positions, once: a halo's eight copies use
	// them too. Collected again if the ink was emptied on the way (a new
	// glyph that did not fit), which moved the ones before it.
	pen := 0.0
	for range 2 {
		gen := ink.gen
		c.run, pen = c.run[:0], 0
		for _, r := range s {
			g := f.glyph(c, r)
			if g.inked {
				c.run = append(c.run, placed{g, pen})
			}
			pen += g.advance
		}
		if ink.gen == gen {
			break
		}
	}
	px := x * c.scale // where the pen starts: pen is now the text's width
	switch a {
	case canvas.Center:
		px -= pen / 2
	case canvas.Right:
		px -= pen
	}
	// The text's vertical middle sits at y: baseline = y + (ascent-descent)/2.
	py := y*c.scale + (f.ascent-f.descent)/2
	if halo != nil {
		d := max(1, c.scale)
		for _, o := range haloOffsets {
			for _, p := range c.run {
				c.quad(p.g.src, math.Round(px+p.x+o[0]*d)+p.g.dx, math.Round(py+o[1]*d)+p.g.dy, *halo)
			}
		}
	}
	for _, p := range c.run {
		c.quad(p.g.src, math.Round(px+p.x)+p.g.dx, math.Round(py)+p.g.dy, col)
	}
}

// placed is a glyph at its pen position along a line of text, from the
// line's start.
type placed struct {
	g glyph
	x float64
}

// A face is the book's font at one device pixel size.
type face struct {
	font            string // CSS font shorthand
	ascent, descent float64
	glyphs          map[rune]glyph
}

type glyph struct {
	src     image.Rectangle // where it is in the ink
	inked   bool            // false for blanks
	dx, dy  float64         // offset of src from the pen position
	advance float64
}

// faces holds one face per device pixel size (rounded to a quarter pixel).
var faces = map[int]*face{}

// rasterize is frame.js's scalingdataGlyphs: it draws the characters of a
// string in a font, white, in one pass on a 2D canvas, reads the canvas
// back once and returns the block and each character's measurements. One
// call per font size instead of several per glyph: calls between Go and
// JavaScript are slow, and a first picture needs a hundred glyphs in
// several sizes.
var rasterize = js.Global().Get("scalingdataGlyphs")

func (c *Canvas) faceFor(px float64) *face {
	key := int(px*4 + 0.5)
	if f, ok := faces[key]; ok {
		return f
	}
	if rasterize.Type() != js.TypeFunction {
		return nil // not in the lab frame: the lab draws without labels
	}
	f := &face{font: strconv.FormatFloat(float64(key)/4, 'f', -1, 64) + "px " + canvas.FontFamily, glyphs: map[rune]glyph{}}
	if !f.prepare(c, common) {
		return nil // no 2D canvas
	}
	faces[key] = f
	return f
}

// common are the characters a face rasterises at once when it is made:
// printable ASCII and the symbols the labs' labels use.
var common = func() []rune {
	var rs []rune
	for r := ' '; r <= '~'; r++ {
		rs = append(rs, r)
	}
	return append(rs, []rune("→←↑↓↔…×·≤≥≈≠±−µε–—°✓✗")...)
}()

// glyphFields is how many numbers scalingdataGlyphs gives per character:
// advance, then the ink box's x, y, width and height in the block, then
// the pen position's offset into the box (left, top); width 0 is a blank.
const glyphFields = 7

// prepare draws the glyphs of rs that the face lacks and puts them in the
// ink; false when the browser has no 2D canvas.
func (f *face) prepare(c *Canvas, rs []rune) bool {
	var want []rune
	for _, r := range rs {
		if _, ok := f.glyphs[r]; !ok {
			want = append(want, r)
		}
	}
	if len(want) == 0 {
		return true
	}
	res := rasterize.Invoke(f.font, string(want))
	if res.IsNull() || res.IsUndefined() {
		return false
	}
	f.ascent, f.descent = res.Get("ascent").Float(), res.Get("descent").Float()
	metrics := make([]byte, 8*glyphFields*len(want))
	js.CopyBytesToGo(metrics, res.Get("metrics"))
	num := func(i, k int) float64 {
		return math.Float64frombits(binary.LittleEndian.Uint64(metrics[8*(glyphFields*i+k):]))
	}
	w, h := res.Get("width").Int(), res.Get("height").Int()
	var at image.Rectangle
	ok := w > 0 && h > 0
	if ok {
		at, ok = c.alloc(w, h) // may empty the ink, and with it f.glyphs
	}
	if ok {
		pix := make([]byte, 4*w*h)
		js.CopyBytesToGo(pix, res.Get("pixels"))
		write(at, pix)
	}
	for i, r := range want {
		g := glyph{advance: num(i, 0)}
		if gw := int(num(i, 3)); ok && gw > 0 {
			p := at.Min.Add(image.Pt(int(num(i, 1)), int(num(i, 2))))
			g.src = image.Rectangle{p, p.Add(image.Pt(gw, int(num(i, 4))))}
			g.inked = true
			g.dx, g.dy = -num(i, 5), -num(i, 6)
		}
		f.glyphs[r] = g
	}
	return true
}

// glyph returns r at this size, drawn into the ink on first use (white on
// transparent, so the vertices' colour can tint it).
func (f *face) glyph(c *Canvas, r rune) glyph {
	if g, ok := f.glyphs[r]; ok {
		return g
	}
	f.prepare(c, []rune{r})
	return f.glyphs[r]
}
