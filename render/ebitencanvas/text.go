//go:build js && wasm

package ebitencanvas

import (
	"image/color"
	"math"
	"strconv"
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/scaling-data/book/render/canvas"
)

// Text is drawn with the browser's own fonts and rasteriser: each glyph is
// drawn once per device pixel size on a small 2D canvas, read back, and
// kept as an Ebiten image. The lab binary then carries no font and no
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
	if halo != nil {
		d := max(1, c.scale)
		for _, o := range haloOffsets {
			c.text(x+o[0]*d/c.scale, y+o[1]*d/c.scale, s, size, *halo, a, nil)
		}
	}
	f := faceFor(size * c.scale)
	if f == nil {
		return
	}
	w := f.width(s)
	px := x * c.scale
	switch a {
	case canvas.Center:
		px -= w / 2
	case canvas.Right:
		px -= w
	}
	// The text's vertical middle sits at y: baseline = y + (ascent-descent)/2.
	py := y*c.scale + (f.ascent-f.descent)/2
	var op ebiten.DrawImageOptions
	for _, r := range s {
		g := f.glyph(r)
		if g.img != nil {
			op.GeoM.Reset()
			op.GeoM.Translate(math.Round(px)+g.dx, math.Round(py)+g.dy)
			op.ColorScale.Reset()
			op.ColorScale.ScaleWithColor(col)
			c.dst.DrawImage(g.img, &op)
		}
		px += g.advance
	}
}

// A face is the book's font at one device pixel size.
type face struct {
	font            string // CSS font shorthand
	ascent, descent float64
	glyphs          map[rune]glyph
}

type glyph struct {
	img     *ebiten.Image // nil for blanks
	dx, dy  float64       // offset of img from the pen position
	advance float64
}

// faces holds one face per device pixel size (rounded to a quarter pixel).
var (
	faces  = map[int]*face{}
	ctx2d  js.Value // the scratch 2D context, made on first use
	pixbuf []byte
)

// scratch returns a 2D context on a scratch canvas of at least w×h pixels.
func scratch(w, h int) js.Value {
	if ctx2d.IsUndefined() || ctx2d.IsNull() {
		var cv js.Value
		if oc := js.Global().Get("OffscreenCanvas"); oc.Type() == js.TypeFunction {
			cv = oc.New(64, 64)
		} else {
			cv = js.Global().Get("document").Call("createElement", "canvas")
		}
		ctx2d = cv.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
		if ctx2d.IsNull() {
			return ctx2d
		}
	}
	cv := ctx2d.Get("canvas")
	if cv.Get("width").Int() < w || cv.Get("height").Int() < h {
		cv.Set("width", max(w, cv.Get("width").Int()))
		cv.Set("height", max(h, cv.Get("height").Int()))
	}
	return ctx2d
}

func faceFor(px float64) *face {
	key := int(px*4 + 0.5)
	if f, ok := faces[key]; ok {
		return f
	}
	ctx := scratch(64, 64)
	if ctx.IsNull() {
		return nil // no 2D canvas: the lab draws without labels
	}
	f := &face{font: strconv.FormatFloat(float64(key)/4, 'f', -1, 64) + "px " + canvas.FontFamily, glyphs: map[rune]glyph{}}
	ctx.Set("font", f.font)
	m := ctx.Call("measureText", "Hg")
	f.ascent = m.Get("fontBoundingBoxAscent").Float()
	f.descent = m.Get("fontBoundingBoxDescent").Float()
	if math.IsNaN(f.ascent) || f.ascent <= 0 { // older browsers: the ink box
		f.ascent = m.Get("actualBoundingBoxAscent").Float()
		f.descent = m.Get("actualBoundingBoxDescent").Float()
	}
	faces[key] = f
	return f
}

// glyph draws r once at this size (white on transparent, so the colour
// scale can tint it) and keeps it.
func (f *face) glyph(r rune) glyph {
	if g, ok := f.glyphs[r]; ok {
		return g
	}
	s := string(r)
	ctx := scratch(0, 0)
	ctx.Set("font", f.font)
	m := ctx.Call("measureText", s)
	g := glyph{advance: m.Get("width").Float()}
	// The ink box, padded a pixel for antialiasing.
	left := math.Ceil(m.Get("actualBoundingBoxLeft").Float()) + 1
	right := math.Ceil(m.Get("actualBoundingBoxRight").Float()) + 1
	up := math.Ceil(m.Get("actualBoundingBoxAscent").Float()) + 1
	down := math.Ceil(m.Get("actualBoundingBoxDescent").Float()) + 1
	w, h := int(left+right), int(up+down)
	if w > 2 && h > 2 && w < 4096 && h < 4096 {
		ctx = scratch(w, h)
		ctx.Set("font", f.font) // resizing a canvas resets its state
		ctx.Call("clearRect", 0, 0, w, h)
		ctx.Set("fillStyle", "#fff")
		ctx.Set("textBaseline", "alphabetic")
		ctx.Set("textAlign", "left")
		ctx.Call("fillText", s, left, up)
		data := ctx.Call("getImageData", 0, 0, w, h).Get("data")
		n := w * h * 4
		if cap(pixbuf) < n {
			pixbuf = make([]byte, n)
		}
		pix := pixbuf[:n]
		js.CopyBytesToGo(pix, js.Global().Get("Uint8Array").New(data.Get("buffer"), data.Get("byteOffset"), n))
		// White with alpha, straight → premultiplied: every channel is alpha.
		for i := 0; i < n; i += 4 {
			a := pix[i+3]
			pix[i], pix[i+1], pix[i+2] = a, a, a
		}
		g.img = ebiten.NewImage(w, h)
		g.img.WritePixels(pix)
		g.dx, g.dy = -left, -up
	}
	f.glyphs[r] = g
	return g
}

// width is the advance of s.
func (f *face) width(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += f.glyph(r).advance
	}
	return w
}
