package canvas

// Layouts. A lab is drawn in one of two logical sizes: its wide layout
// (the schema's Width×Height, 640–720 px) wherever the canvas is at least
// that wide on screen, so the layout is never scaled down and its text is
// never smaller than drawn; and its narrow layout (NarrowWidth wide, as
// tall as the view needs: the diagram and its panel stacked) below that,
// on phones. The live lab (wasm) picks with Pick from the canvas's CSS
// width; the page picks the matching poster with a container query on the
// same width, so a lab starting never changes its frame's shape.

// Size is a logical drawing size, in CSS pixels at scale 1.
type Size struct{ W, H float64 }

// Zero reports whether s is unset.
func (s Size) Zero() bool { return s.W <= 0 || s.H <= 0 }

const (
	// MinCSSText is the smallest text, in CSS pixels on screen, a reader
	// gets on a phone (a 320 px viewport and wider).
	MinCSSText = 11.0
	// MinDesktopText is the smallest text at desktop width (1280 px).
	MinDesktopText = 12.0
	// NarrowWidth is the logical width of every narrow layout.
	NarrowWidth = 320.0
	// PhoneStage is the narrowest canvas a page gives a lab, in CSS px:
	// a 320 px viewport less the page's and the figure's padding.
	PhoneStage = 284.0
	// NarrowMinText is the smallest text a narrow layout draws, in logical
	// px: on a PhoneStage-wide canvas it is still MinCSSText.
	NarrowMinText = 12.5
	// WideMinText is the smallest text a wide layout draws: it is never
	// shown smaller than its logical size (see Pick).
	WideMinText = 11.0
)

// Pick returns the layout for a canvas cssW CSS pixels wide: wide when it
// fits at scale 1 or more (or there is no narrow layout), narrow below.
func Pick(cssW float64, wide, narrow Size) (s Size, isNarrow bool) {
	if narrow.Zero() || cssW >= wide.W {
		return wide, false
	}
	return narrow, true
}

// Narrow reports whether c is a narrow layout: views branch on it.
func Narrow(c Canvas) bool {
	w, _ := c.Size()
	return w <= NarrowWidth
}

// MinText is the smallest text size a layout of logical width w may draw.
func MinText(w float64) float64 {
	if w <= NarrowWidth {
		return NarrowMinText
	}
	return WideMinText
}
