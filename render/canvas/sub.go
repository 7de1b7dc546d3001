package canvas

import "image/color"

// Sub is a region of a wide layout redrawn elsewhere on another canvas, at
// another scale: the way views build their narrow layouts from the parts
// of their wide ones (the diagram on top, its panel under it). Drawing at
// (x, y) in the region's coordinates lands at (X+(x-Src.X)·K, Y+(y-Src.Y)·K)
// on the canvas below. Text is scaled too, but never below MinSize, and
// Size reports the wide layout's size, so the part's code runs unchanged.
type Sub struct {
	Canvas          // the canvas drawn on
	Src     Box     // the region, in the wide layout's coordinates
	X, Y, K float64 // where it goes and its scale
	Wide    Size    // the wide layout's size
	MinSize float64 // the smallest text drawn, in the canvas's logical px
	// XMap, when set, maps x piecewise instead of by K: pairs (wide x,
	// canvas x), increasing, so a view can close up the empty middle of a
	// wide diagram. Lines between mapped points stay straight.
	XMap []float64
}

// Region returns a Sub drawing the src region of a wide layout at (x, y)
// on c, scaled to width w, with text at least NarrowMinText.
func Region(c Canvas, wide Size, src Box, x, y, w float64) *Sub {
	return &Sub{Canvas: c, Src: src, X: x, Y: y, K: w / src.W, Wide: wide, MinSize: NarrowMinText}
}

// Height is the region's height on the canvas below.
func (s *Sub) Height() float64 { return s.Src.H * s.K }

func (s *Sub) px(x float64) float64 {
	if n := len(s.XMap); n >= 4 {
		i := 2
		for i < n-2 && x > s.XMap[i] {
			i += 2
		}
		x0, y0, x1, y1 := s.XMap[i-2], s.XMap[i-1], s.XMap[i], s.XMap[i+1]
		return s.X + y0 + (x-x0)*(y1-y0)/(x1-x0)
	}
	return s.X + (x-s.Src.X)*s.K
}
func (s *Sub) py(y float64) float64 { return s.Y + (y-s.Src.Y)*s.K }

func (s *Sub) Size() (float64, float64) { return s.Wide.W, s.Wide.H }

// Clear paints the region's background only.
func (s *Sub) Clear(col color.RGBA) {
	s.Canvas.Rect(s.X, s.Y, s.Src.W*s.K, s.Src.H*s.K, Style{Fill: col})
}

func (s *Sub) Line(x1, y1, x2, y2 float64, st Style) {
	st.StrokeWidth *= max(s.K, 0.75)
	s.Canvas.Line(s.px(x1), s.py(y1), s.px(x2), s.py(y2), st)
}

func (s *Sub) Circle(cx, cy, r float64, st Style) {
	st.StrokeWidth *= max(s.K, 0.75)
	s.Canvas.Circle(s.px(cx), s.py(cy), r*s.K, st)
}

func (s *Sub) Rect(x, y, w, h float64, st Style) {
	st.StrokeWidth *= max(s.K, 0.75)
	s.Canvas.Rect(s.px(x), s.py(y), s.px(x+w)-s.px(x), h*s.K, st)
}

func (s *Sub) Polygon(pts []float64, st Style) {
	st.StrokeWidth *= max(s.K, 0.75)
	out := make([]float64, len(pts))
	for i := 0; i+1 < len(pts); i += 2 {
		out[i], out[i+1] = s.px(pts[i]), s.py(pts[i+1])
	}
	s.Canvas.Polygon(out, st)
}

func (s *Sub) Text(x, y float64, str string, size float64, col color.RGBA, a Align) {
	s.Canvas.Text(s.px(x), s.py(y), str, max(size*s.K, s.MinSize), col, a)
}
