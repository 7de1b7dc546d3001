// Package svg is the canvas backend that writes SVG: lab posters (what
// print, no-JS and not-yet-started readers see) and golden tests of views
// without a GPU. Output is deterministic: numbers are rounded to 0.01.
package svg

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"strconv"

	"github.com/scaling-data/book/render/canvas"
)

// Canvas records drawing calls as SVG elements.
type Canvas struct {
	w, h float64
	buf  bytes.Buffer
}

var (
	_ canvas.Canvas     = (*Canvas)(nil)
	_ canvas.HaloTexter = (*Canvas)(nil)
)

// New returns an empty canvas of the given logical size.
func New(w, h float64) *Canvas { return &Canvas{w: w, h: h} }

func (c *Canvas) Size() (float64, float64) { return c.w, c.h }

func (c *Canvas) Clear(col color.RGBA) {
	c.buf.Reset()
	fmt.Fprintf(&c.buf, `<rect width="%s" height="%s" fill="%s"/>`+"\n", num(c.w), num(c.h), hex(col))
}

func (c *Canvas) Line(x1, y1, x2, y2 float64, s canvas.Style) {
	fmt.Fprintf(&c.buf, `<line x1="%s" y1="%s" x2="%s" y2="%s"%s/>`+"\n", num(x1), num(y1), num(x2), num(y2), stroke(s))
}

func (c *Canvas) Circle(cx, cy, r float64, s canvas.Style) {
	fmt.Fprintf(&c.buf, `<circle cx="%s" cy="%s" r="%s"%s%s/>`+"\n", num(cx), num(cy), num(r), fill(s), stroke(s))
}

func (c *Canvas) Rect(x, y, w, h float64, s canvas.Style) {
	fmt.Fprintf(&c.buf, `<rect x="%s" y="%s" width="%s" height="%s"%s%s/>`+"\n", num(x), num(y), num(w), num(h), fill(s), stroke(s))
}

func (c *Canvas) Polygon(pts []float64, s canvas.Style) {
	var p bytes.Buffer
	for i := 0; i+1 < len(pts); i += 2 {
		if i > 0 {
			p.WriteByte(' ')
		}
		p.WriteString(num(pts[i]) + "," + num(pts[i+1]))
	}
	fmt.Fprintf(&c.buf, `<polygon points="%s"%s%s/>`+"\n", p.String(), fill(s), stroke(s))
}

func (c *Canvas) Text(x, y float64, s string, size float64, col color.RGBA, a canvas.Align) {
	fmt.Fprintf(&c.buf, `<text x="%s" y="%s" font-size="%s" fill="%s" text-anchor="%s" dominant-baseline="central">%s</text>`+"\n",
		num(x), num(y), num(size), hex(col), anchorOf(a), html.EscapeString(s))
}

// TextHalo draws text over an outline in the halo colour (SVG's
// paint-order puts the stroke under the fill).
func (c *Canvas) TextHalo(x, y float64, s string, size float64, col, halo color.RGBA, a canvas.Align) {
	fmt.Fprintf(&c.buf, `<text x="%s" y="%s" font-size="%s" fill="%s" stroke="%s" stroke-width="3" stroke-linejoin="round" paint-order="stroke" text-anchor="%s" dominant-baseline="central">%s</text>`+"\n",
		num(x), num(y), num(size), hex(col), hex(halo), anchorOf(a), html.EscapeString(s))
}

func anchorOf(a canvas.Align) string {
	switch a {
	case canvas.Center:
		return "middle"
	case canvas.Right:
		return "end"
	}
	return "start"
}

// SVG returns the whole document. title becomes the accessible name.
func (c *Canvas) SVG(title string) []byte {
	var out bytes.Buffer
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s" font-family="%s">`+"\n",
		num(c.w), num(c.h), num(c.w), num(c.h), html.EscapeString(title), canvas.FontFamily) // FontFamily has no double quotes
	fmt.Fprintf(&out, "<title>%s</title>\n", html.EscapeString(title))
	out.Write(c.buf.Bytes())
	out.WriteString("</svg>\n")
	return out.Bytes()
}

func num(x float64) string {
	return strconv.FormatFloat(float64(int64(x*100+copysign(0.5, x)))/100, 'f', -1, 64)
}

func copysign(v, sign float64) float64 {
	if sign < 0 {
		return -v
	}
	return v
}

func hex(c color.RGBA) string {
	if c.A == 0xff {
		return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	}
	return fmt.Sprintf("rgba(%d,%d,%d,%s)", c.R, c.G, c.B, strconv.FormatFloat(float64(c.A)/255, 'f', 3, 64))
}

func fill(s canvas.Style) string {
	if s.Fill.A == 0 {
		return ` fill="none"`
	}
	return fmt.Sprintf(` fill="%s"`, hex(s.Fill))
}

func stroke(s canvas.Style) string {
	if s.Stroke.A == 0 || s.StrokeWidth <= 0 {
		return ""
	}
	out := fmt.Sprintf(` stroke="%s" stroke-width="%s"`, hex(s.Stroke), num(s.StrokeWidth))
	if s.Dash {
		out += fmt.Sprintf(` stroke-dasharray="%s %s"`, num(s.StrokeWidth*3), num(s.StrokeWidth*2))
	}
	return out
}
