//go:build js && wasm

package ebitencanvas

import (
	"image"
	"image/color"
	"math"
)

// Circles are drawn from sprites: each disc or ring is rasterised once per
// device-pixel size, anti-aliased, in white, by this package (coverage
// from each pixel centre's distance to the circle), kept in the ink, and
// stamped as a quad tinted by its vertices, so the shard lab's two
// thousand keys cost no draw call of their own instead of two thousand
// anti-aliased path fills, which is what made the labs a slide show on
// software GL.

// maxSpriteRadius is the largest radius, in device pixels, drawn from a
// sprite; bigger circles are drawn as polygons (shape.go).
const maxSpriteRadius = 96

// maxSprites bounds the cache (a lab uses a few dozen sizes).
const maxSprites = 256

type spriteKey struct {
	r, w int  // radius and stroke width in quarter device pixels; w == 0 is a disc
	dash bool // a dashed ring
}

type sprite struct {
	src  image.Rectangle // where it is in the ink
	half float64         // the centre, in sprite pixels from its top-left corner
}

var sprites = map[spriteKey]sprite{}

// spriteFor returns the white disc (w == 0) or ring (dashed or not) of
// radius r and stroke width w, in device pixels, or false when it is too
// big for a sprite.
func (c *Canvas) spriteFor(r, w float64, dash bool) (sprite, bool) {
	if r <= 0 || r+w/2 > maxSpriteRadius {
		return sprite{}, false
	}
	k := spriteKey{int(math.Round(r * 4)), int(math.Round(w * 4)), dash && w > 0}
	if s, ok := sprites[k]; ok {
		return s, true
	}
	if len(sprites) >= maxSprites {
		c.emptyInk()
	}
	half, pix := rasterCircle(float64(k.r)/4, float64(k.w)/4, k.dash)
	size := int(2 * half)
	src, ok := c.alloc(size, size)
	if !ok {
		return sprite{}, false
	}
	write(src, pix)
	s := sprite{src: src, half: half}
	sprites[k] = s
	return s, true
}

// rasterCircle draws a white disc of radius r (w == 0) or a ring of
// radius r and stroke width w, dashed or not, on a square of transparent
// pixels (premultiplied RGBA) centred half pixels from its corner.
func rasterCircle(r, w float64, dash bool) (half float64, pix []byte) {
	half = math.Ceil(r+w/2) + 1
	size := int(2 * half)
	pix = make([]byte, size*size*4)
	core, fade := feather(w)
	const period = 2 * math.Pi / dashes
	for y := range size {
		for x := range size {
			px, py := float64(x)+0.5-half, float64(y)+0.5-half
			d := math.Hypot(px, py)
			var cov float64
			if w == 0 {
				cov = coverage(r - d)
			} else {
				cov = coverage(core+0.5-math.Abs(d-r)) * float64(fade)
				if dash {
					// How far inside its dash the pixel is, along the arc.
					t := math.Mod(math.Atan2(py, px)+2*math.Pi, period)
					in := min(t, period/2-t)
					if t > period/2 {
						in = -min(t-period/2, period-t)
					}
					cov *= coverage(in * r)
				}
			}
			v := byte(math.Round(cov * 0xff))
			i := 4 * (y*size + x)
			pix[i], pix[i+1], pix[i+2], pix[i+3] = v, v, v, v
		}
	}
	return half, pix
}

// coverage is how much of a pixel an edge covers when the pixel's centre
// is inside it by d pixels (negative: outside).
func coverage(d float64) float64 { return min(1, max(0, d+0.5)) }

// stamp draws s centred on the device pixel nearest (x, y), tinted col.
func (c *Canvas) stamp(s sprite, x, y float64, col color.RGBA) {
	c.quad(s.src, math.Round(x)-s.half, math.Round(y)-s.half, col)
}
