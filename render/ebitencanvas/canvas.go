//go:build js && wasm

// Package ebitencanvas is the canvas backend that draws on an Ebiten image
// in the browser. It is built only for js/wasm, so native builds and tests
// never need cgo or X11 headers.
package ebitencanvas

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/scaling-data/book/render/canvas"
)

// Canvas draws on dst, mapping logical pixels to device pixels by Scale.
type Canvas struct {
	dst   *ebiten.Image
	w, h  float64 // logical size
	scale float64 // device pixels per logical pixel
	path  vector.Path
}

var _ canvas.Canvas = (*Canvas)(nil)

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
	if !s.Dash {
		vector.StrokeLine(c.dst, c.f(x1), c.f(y1), c.f(x2), c.f(y2), c.f(s.StrokeWidth), s.Stroke, true)
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
		vector.StrokeLine(c.dst, c.f(x1+ux*d), c.f(y1+uy*d), c.f(x1+ux*e), c.f(y1+uy*e), c.f(s.StrokeWidth), s.Stroke, true)
	}
}

func (c *Canvas) Circle(cx, cy, r float64, s canvas.Style) {
	if s.Fill.A != 0 {
		vector.FillCircle(c.dst, c.f(cx), c.f(cy), c.f(r), s.Fill, true)
	}
	if s.Stroke.A != 0 && s.StrokeWidth > 0 {
		if s.Dash {
			c.dashedCircle(cx, cy, r, s)
			return
		}
		vector.StrokeCircle(c.dst, c.f(cx), c.f(cy), c.f(r), c.f(s.StrokeWidth), s.Stroke, true)
	}
}

func (c *Canvas) dashedCircle(cx, cy, r float64, s canvas.Style) {
	const segments = 16
	for i := 0; i < segments; i++ {
		a0 := 2 * math.Pi * float64(i) / segments
		a1 := a0 + math.Pi/segments
		c.path.Reset()
		c.path.Arc(c.f(cx), c.f(cy), c.f(r), float32(a0), float32(a1), vector.Clockwise)
		op := &vector.StrokeOptions{Width: c.f(s.StrokeWidth)}
		dop := &vector.DrawPathOptions{AntiAlias: true}
		dop.ColorScale.ScaleWithColor(s.Stroke)
		vector.StrokePath(c.dst, &c.path, op, dop)
	}
}

func (c *Canvas) Rect(x, y, w, h float64, s canvas.Style) {
	if s.Fill.A != 0 {
		vector.FillRect(c.dst, c.f(x), c.f(y), c.f(w), c.f(h), s.Fill, true)
	}
	if s.Stroke.A != 0 && s.StrokeWidth > 0 {
		if s.Dash {
			c.Line(x, y, x+w, y, s)
			c.Line(x+w, y, x+w, y+h, s)
			c.Line(x+w, y+h, x, y+h, s)
			c.Line(x, y+h, x, y, s)
			return
		}
		vector.StrokeRect(c.dst, c.f(x), c.f(y), c.f(w), c.f(h), c.f(s.StrokeWidth), s.Stroke, true)
	}
}

func (c *Canvas) Polygon(pts []float64, s canvas.Style) {
	if len(pts) < 6 {
		return
	}
	c.path.Reset()
	c.path.MoveTo(c.f(pts[0]), c.f(pts[1]))
	for i := 2; i+1 < len(pts); i += 2 {
		c.path.LineTo(c.f(pts[i]), c.f(pts[i+1]))
	}
	c.path.Close()
	if s.Fill.A != 0 {
		dop := &vector.DrawPathOptions{AntiAlias: true}
		dop.ColorScale.ScaleWithColor(s.Fill)
		vector.FillPath(c.dst, &c.path, nil, dop)
	}
	if s.Stroke.A != 0 && s.StrokeWidth > 0 {
		dop := &vector.DrawPathOptions{AntiAlias: true}
		dop.ColorScale.ScaleWithColor(s.Stroke)
		vector.StrokePath(c.dst, &c.path, &vector.StrokeOptions{Width: c.f(s.StrokeWidth), LineJoin: vector.LineJoinRound}, dop)
	}
}

func (c *Canvas) Text(x, y float64, s string, size float64, col color.RGBA, a canvas.Align) {
	f := faceFor(size * c.scale)
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
	prev := rune(-1)
	for _, r := range s {
		g := f.glyph(r)
		if prev >= 0 {
			px += f.kern(prev, r)
		}
		prev = r
		if g.img != nil {
			op.GeoM.Reset()
			op.GeoM.Translate(math.Round(px)+float64(g.dx), math.Round(py)+float64(g.dy))
			op.ColorScale.Reset()
			op.ColorScale.ScaleWithColor(col)
			c.dst.DrawImage(g.img, &op)
		}
		px += g.advance
	}
}

// A face is the Go font at one pixel size, its glyphs rasterised once each
// and kept as small images. (Ebiten's text package would do this too, but
// it links a full text-shaping engine: a quarter of the lab binary.)
type face struct {
	font            font.Face
	ascent, descent float64
	glyphs          map[rune]glyph
}

type glyph struct {
	img     *ebiten.Image // nil for blanks
	dx, dy  int           // offset of img from the pen position
	advance float64
}

// faces holds one face per device pixel size (rounded to a quarter pixel).
var (
	faces   = map[int]*face{}
	regular *opentype.Font
)

func faceFor(px float64) *face {
	key := int(px*4 + 0.5)
	if f, ok := faces[key]; ok {
		return f
	}
	if regular == nil {
		var err error
		regular, err = opentype.Parse(goregular.TTF)
		if err != nil {
			panic("ebitencanvas: embedded Go font: " + err.Error())
		}
	}
	of, err := opentype.NewFace(regular, &opentype.FaceOptions{Size: float64(key) / 4, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic("ebitencanvas: " + err.Error())
	}
	m := of.Metrics()
	f := &face{font: of, ascent: fixedToFloat(m.Ascent), descent: fixedToFloat(m.Descent), glyphs: map[rune]glyph{}}
	faces[key] = f
	return f
}

func fixedToFloat(x fixed.Int26_6) float64 { return float64(x) / 64 }

func (f *face) glyph(r rune) glyph {
	if g, ok := f.glyphs[r]; ok {
		return g
	}
	dr, mask, maskp, adv, ok := f.font.Glyph(fixed.Point26_6{}, r)
	if !ok {
		dr, mask, maskp, adv, _ = f.font.Glyph(fixed.Point26_6{}, '?')
	}
	g := glyph{advance: fixedToFloat(adv), dx: dr.Min.X, dy: dr.Min.Y}
	if !dr.Empty() && mask != nil {
		alpha := image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
		draw.Draw(alpha, alpha.Bounds(), mask, maskp, draw.Src)
		rgba := image.NewRGBA(alpha.Bounds())
		for i, a := range alpha.Pix {
			rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2], rgba.Pix[4*i+3] = a, a, a, a
		}
		g.img = ebiten.NewImageFromImage(rgba)
	}
	f.glyphs[r] = g
	return g
}

func (f *face) kern(a, b rune) float64 { return fixedToFloat(f.font.Kern(a, b)) }

// width is the advance of s, kerning included.
func (f *face) width(s string) float64 {
	w := 0.0
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 {
			w += f.kern(prev, r)
		}
		w += f.glyph(r).advance
		prev = r
	}
	return w
}
