// Package render holds how labs look. Each lab has a View in its own
// package (render/quorum, …) that draws the model's state through the
// canvas interface; render/views lists them by lab name.
package render

import (
	"math"
	"time"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
)

// View draws one lab. It must be a pure function of the model's state and
// the theme: drawing twice draws the same picture.
type View struct {
	// Draw paints the whole canvas.
	Draw func(c canvas.Canvas, m lab.Model, th canvas.Theme)
	// Hit maps a click at (x, y), in logical pixels, to the action it is a
	// shortcut for (crash a node, …). ok is false where a click does nothing.
	Hit func(m lab.Model, x, y float64) (action string, arg int, ok bool)
	// Describe is a short text alternative of the current state for screen
	// readers: "5 nodes, 1 down (C). Last read x=3 fresh."
	Describe func(m lab.Model) string
	// Narrow is the logical size of the view's narrow layout (width
	// canvas.NarrowWidth; diagram and panel stacked), drawn when the
	// canvas is narrower on screen than the schema's Width. Draw tells the
	// layouts apart with canvas.Narrow. Zero: the view has only its wide
	// layout.
	Narrow canvas.Size
	// FromNarrow maps a point of the narrow layout to the wide layout's
	// coordinates that Hit reads (ok is false where nothing is clickable).
	FromNarrow func(m lab.Model, x, y float64) (wx, wy float64, ok bool)
	// NarrowHeight, when set, is how tall the narrow layout is for the
	// model's configuration (at most Narrow.H, which fits the fullest
	// one): on a phone the canvas is as tall as what it draws, so two
	// regions leave no room for a third. Nil: always Narrow.H.
	NarrowHeight func(m lab.Model) float64
}

// Size is the logical size the view draws model m at (m may be nil: the
// fullest configuration) on a canvas cssW CSS pixels wide, and whether it
// is the narrow layout (see canvas.Pick).
func (v View) Size(s *lab.Schema, m lab.Model, cssW float64) (canvas.Size, bool) {
	size, narrow := canvas.Pick(cssW, canvas.Size{W: float64(s.Width), H: float64(s.Height)}, v.Narrow)
	if narrow {
		size = v.NarrowSize(m)
	}
	return size, narrow
}

// NarrowSize is the narrow layout's size for model m (nil: the fullest
// configuration's, Narrow).
func (v View) NarrowSize(m lab.Model) canvas.Size {
	if v.NarrowHeight == nil || m == nil || v.Narrow.Zero() {
		return v.Narrow
	}
	return canvas.Size{W: v.Narrow.W, H: min(v.Narrow.H, v.NarrowHeight(m))}
}

// Paint draws the model on c the way readers see it: through a
// canvas.Layered, so labels sit above traffic (with a halo where they
// meet). It returns the Layered, which records the labels, the traffic's
// glyphs and the smallest text drawn.
func (v View) Paint(c canvas.Canvas, m lab.Model, th canvas.Theme) *canvas.Layered {
	l := canvas.NewLayered(c)
	v.Draw(l, m, th)
	l.Flush()
	return l
}

// Flight is how far along its link a message is drawn at now: 0 at its
// sender, 1 at its receiver, and at rest halfway when the reader prefers
// reduced motion (canvas.Theme.Still).
func Flight(th canvas.Theme, now time.Duration, msg engine.Message) float64 {
	f := 1.0
	if span := msg.ArrivesAt - msg.SentAt; span > 0 {
		f = math.Max(0, math.Min(1, float64(now-msg.SentAt)/float64(span)))
	}
	return th.Travel(f)
}
