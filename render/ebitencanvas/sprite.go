//go:build js && wasm

package ebitencanvas

import (
	"image"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"
)

// Circles are drawn from sprites: each disc or ring is rasterised once per
// device-pixel size, anti-aliased, in white, and then stamped with
// DrawImage, tinted by the colour scale. Ebitengine merges consecutive
// DrawImage calls from its atlas into one draw call, so the shard lab's
// two thousand keys cost one draw instead of two thousand anti-aliased
// path fills (each a stencil pass per sample), which is what made the labs
// a slide show on software GL.

// maxSpriteRadius is the largest radius, in device pixels, drawn from a
// sprite; bigger circles are filled as paths.
const maxSpriteRadius = 48

// maxSprites bounds the cache (a lab uses a few dozen sizes).
const maxSprites = 256

type spriteKey struct {
	r, w int  // radius and stroke width in quarter device pixels; w == 0 is a disc
	dash bool // a dashed ring
}

type sprite struct {
	img  *ebiten.Image
	half float64 // the centre, in sprite pixels from its top-left corner
}

var sprites = map[spriteKey]sprite{}

// spriteFor returns the white disc (w == 0) or ring (dashed or not) of
// radius r and stroke width w, in device pixels, or false when it is too
// big for a sprite.
func spriteFor(r, w float64, dash bool) (sprite, bool) {
	if r <= 0 || r+w/2 > maxSpriteRadius {
		return sprite{}, false
	}
	k := spriteKey{int(math.Round(r * 4)), int(math.Round(w * 4)), dash && w > 0}
	if s, ok := sprites[k]; ok {
		return s, true
	}
	if len(sprites) >= maxSprites {
		for key, s := range sprites {
			s.img.Deallocate()
			delete(sprites, key)
		}
	}
	rr, ww := float32(k.r)/4, float32(k.w)/4
	half := math.Ceil(float64(rr+ww/2)) + 1
	size := int(2 * half)
	img := ebiten.NewImage(size, size)
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	switch {
	case k.w == 0:
		vector.FillCircle(img, float32(half), float32(half), rr, white, true)
	case k.dash:
		dashedRing(img, float32(half), float32(half), rr, ww, white)
	default:
		vector.StrokeCircle(img, float32(half), float32(half), rr, ww, white, true)
	}
	s := sprite{img: img, half: half}
	sprites[k] = s
	return s, true
}

// stamp draws s centred on the device pixel nearest (x, y), tinted col.
func (c *Canvas) stamp(s sprite, x, y float64, col color.RGBA) {
	var op ebiten.DrawImageOptions
	op.GeoM.Translate(math.Round(x)-s.half, math.Round(y)-s.half)
	op.ColorScale.ScaleWithColor(col)
	c.dst.DrawImage(s.img, &op)
}

// Lines are drawn as one textured quad each: a small white texture whose
// top and bottom rows are transparent, sampled with linear filtering, so
// the quad's long edges fade over one device pixel (anti-aliased) and
// consecutive lines batch into one draw call. The texture is sampled only
// in its middle column, so the ends are square and never fade.

// lineTexWidth is the texture's width; only its middle column is sampled.
const lineTexWidth = 4

var lineTex = map[int]*ebiten.Image{}

// lineTexture is a white bar wq device pixels thick between two
// transparent rows.
func lineTexture(wq int) *ebiten.Image {
	if img, ok := lineTex[wq]; ok {
		return img
	}
	img := ebiten.NewImage(lineTexWidth, wq+2)
	img.SubImage(image.Rect(0, 1, lineTexWidth, wq+1)).(*ebiten.Image).Fill(color.White)
	lineTex[wq] = img
	return img
}

// line draws a line w device pixels wide from (x1, y1) to (x2, y2), in
// device pixels.
func (c *Canvas) line(x1, y1, x2, y2, w float64, col color.RGBA) {
	dx, dy := x2-x1, y2-y1
	length := math.Hypot(dx, dy)
	if length == 0 || w <= 0 {
		return
	}
	wq := max(1, int(math.Round(w)))
	tex := lineTexture(wq)
	// The quad is the texture's full height thick (the bar plus its two
	// fading rows), scaled so the bar is w wide.
	half := float64(wq+2) / 2 * w / float64(wq)
	nx, ny := -dy/length*half, dx/length*half
	r, g, b, a := float32(col.R)/0xff, float32(col.G)/0xff, float32(col.B)/0xff, float32(col.A)/0xff
	sx, h := float32(lineTexWidth)/2, float32(wq+2)
	v := func(x, y float64, sy float32) ebiten.Vertex {
		return ebiten.Vertex{DstX: float32(x), DstY: float32(y), SrcX: sx, SrcY: sy, ColorR: r, ColorG: g, ColorB: b, ColorA: a}
	}
	vs := []ebiten.Vertex{
		v(x1+nx, y1+ny, 0), v(x2+nx, y2+ny, 0),
		v(x2-nx, y2-ny, h), v(x1-nx, y1-ny, h),
	}
	// (Vertex colours are straight alpha, Ebitengine's default.)
	c.dst.DrawTriangles32(vs, lineIndices, tex, &ebiten.DrawTrianglesOptions{Filter: ebiten.FilterLinear})
}

var lineIndices = []uint32{0, 1, 2, 0, 2, 3}
