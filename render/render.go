// Package render holds how labs look. Each lab has a View in its own
// package (render/quorum, …) that draws the model's state through the
// canvas interface; render/views lists them by lab name.
package render

import (
	"github.com/scaling-data/book/render/canvas"
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
}
