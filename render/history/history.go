// Package history draws the history lab as a space-time diagram: one lane
// per process, each operation a bar from its invocation to its response,
// dashed arrows from each write to the reads that returned it, and the four
// verdicts on the history so far.
package history

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/history"
	"github.com/scaling-data/book/sim/lab"
)

// View is the history lab's view.
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe}

// Layout, in logical pixels of the lab's 720×400 canvas.
const (
	left, right = 64.0, 700.0
	laneTop     = 62.0
	laneGap     = 50.0
	barH        = 14.0
	panelY      = 296.0
)

func xOf(m *history.Model, t time.Duration) float64 {
	return left + (right-left)*float64(t)/float64(m.End())
}

func laneY(p int) float64 { return laneTop + float64(p)*laneGap }

// Draw paints the diagram.
func Draw(c canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*history.Model)
	sc := m.Scenario()
	c.Clear(th.Background)
	c.Text(12, 16, sc.Label, 13, th.Text, canvas.Left)
	c.Text(12, 34, "t = "+ms(m.Now()), 11, th.Muted, canvas.Left)
	axisY := laneY(sc.Procs-1) + 34
	for p := range sc.Procs {
		y := laneY(p)
		c.Line(left, y, right, y, canvas.Style{Stroke: mix(th.Muted, th.Background, 0.6), StrokeWidth: 1})
		c.Text(left-12, y, fmt.Sprintf("P%d", p+1), 12, th.Text, canvas.Right)
	}
	for t := time.Duration(0); t <= m.End(); t += 20 * time.Millisecond {
		x := xOf(m, t)
		c.Line(x, axisY-4, x, axisY, canvas.Style{Stroke: th.Muted, StrokeWidth: 1})
		c.Text(x, axisY+9, ms(t), 11, th.Muted, canvas.Center)
	}
	c.Line(left, axisY-4, right, axisY-4, canvas.Style{Stroke: th.Muted, StrokeWidth: 1})
	drawArrows(c, m, th)
	v := m.Verdicts()
	for i, o := range sc.Ops {
		drawOp(c, m, th, i, o, v.Culprit == i)
	}
	now := xOf(m, m.Now())
	c.Line(now, laneTop-24, now, axisY-4, canvas.Style{Stroke: th.Accent, StrokeWidth: 1.5})
	drawVerdicts(c, m, th, v)
}

// drawArrows links every returned read to the write it read from.
func drawArrows(c canvas.Canvas, m *history.Model, th canvas.Theme) {
	ops := m.Scenario().Ops
	for i, r := range ops {
		if _, done := m.Visible(i); r.Write || !done || r.Value == 0 {
			continue
		}
		for j, w := range ops {
			if started, _ := m.Visible(j); !w.Write || !started || w.Key != r.Key || w.Value != r.Value {
				continue
			}
			x0, y0 := xOf(m, (w.Invoke+w.Return)/2), laneY(w.Proc)
			x1, y1 := xOf(m, (r.Invoke+r.Return)/2), laneY(r.Proc)
			if y1 > y0 {
				y0, y1 = y0+barH/2, y1-barH/2
			} else if y1 < y0 {
				y0, y1 = y0-barH/2, y1+barH/2
			}
			col := mix(th.Muted, th.Background, 0.3)
			c.Line(x0, y0, x1, y1, canvas.Style{Stroke: col, StrokeWidth: 1, Dash: true})
			d := math.Hypot(x1-x0, y1-y0)
			if d > 0 {
				ux, uy := (x1-x0)/d, (y1-y0)/d
				c.Polygon([]float64{x1, y1, x1 - ux*7 - uy*3.5, y1 - uy*7 + ux*3.5, x1 - ux*7 + uy*3.5, y1 - uy*7 - ux*3.5}, canvas.Style{Fill: col})
			}
		}
	}
}

// drawOp draws one operation: nothing before it starts, a dashed bar up to
// now while it runs, a filled bar once it has returned. Writes are blue
// with square ends, reads teal with round labels; the operation that breaks
// linearizability is outlined in red and marked.
func drawOp(c canvas.Canvas, m *history.Model, th canvas.Theme, i int, o history.Op, culprit bool) {
	started, done := m.Visible(i)
	if !started {
		return
	}
	col := th.Read
	if o.Write {
		col = th.Write
	}
	y := laneY(o.Proc)
	x0 := xOf(m, o.Invoke)
	end := o.Return
	label := o.String()
	if !done {
		end = m.Now()
		if o.Write {
			label += " …"
		} else {
			label = fmt.Sprintf("r(%s) …", o.Key)
		}
	}
	x1 := math.Max(x0+2, xOf(m, end))
	switch {
	case !done:
		c.Rect(x0, y-barH/2, x1-x0, barH, canvas.Style{Fill: th.Background, Stroke: col, StrokeWidth: 1.5, Dash: true})
	case culprit:
		c.Rect(x0, y-barH/2, x1-x0, barH, canvas.Style{Fill: col, Stroke: th.Bad, StrokeWidth: 3})
	default:
		c.Rect(x0, y-barH/2, x1-x0, barH, canvas.Style{Fill: col})
	}
	c.Text((x0+x1)/2, y-barH/2-8, label, 12, th.Text, canvas.Center)
	if culprit {
		c.Text((x0+x1)/2, y+barH/2+9, "not linearizable from here", 11, th.Bad, canvas.Center)
	}
}

func drawVerdicts(c canvas.Canvas, m *history.Model, th canvas.Theme, v history.Verdicts) {
	names := []string{"Linearizable", "Sequential", "Causal", "Eventual"}
	vals := []bool{v.Linearizable, v.Sequential, v.Causal, v.Eventual}
	w := (right - 12) / 4
	for i, name := range names {
		x := 12 + float64(i)*w
		col, mark := th.OK, "yes"
		if !vals[i] {
			col, mark = th.Bad, "NO"
		}
		c.Rect(x+2, panelY, w-8, 40, canvas.Style{Fill: th.Surface, Stroke: col, StrokeWidth: 2})
		c.Text(x+w/2-2, panelY+13, name, 12, th.Text, canvas.Center)
		c.Text(x+w/2-2, panelY+28, mark, 13, col, canvas.Center)
	}
	y := panelY + 60
	for _, line := range wrap(m.Scenario().Note, right-12, 11) {
		c.Text(12, y, line, 11, th.Muted, canvas.Left)
		y += 15
	}
}

// wrap breaks s into lines about width wide.
func wrap(s string, width, size float64) []string {
	var lines []string
	var cur string
	for _, word := range strings.Fields(s) {
		next := strings.TrimSpace(cur + " " + word)
		if 0.56*size*float64(utf8.RuneCountInString(next)) > width && cur != "" {
			lines = append(lines, cur)
			next = word
		}
		cur = next
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// Hit ignores clicks: the lab has no actions (its controls are its
// parameters and the page's play and step buttons).
func Hit(lab.Model, float64, float64) (string, int, bool) { return "", 0, false }

// Describe says in words what the diagram shows.
func Describe(lm lab.Model) string {
	m := lm.(*history.Model)
	var done []string
	for i, o := range m.Scenario().Ops {
		if _, ok := m.Visible(i); ok {
			done = append(done, fmt.Sprintf("P%d %s", o.Proc+1, o))
		}
	}
	v := m.Verdicts()
	s := fmt.Sprintf("%s. At %s: ", m.Scenario().Label, ms(m.Now()))
	if len(done) == 0 {
		s += "nothing has returned yet. "
	} else {
		s += "returned " + strings.Join(done, ", ") + ". "
	}
	return s + fmt.Sprintf("Linearizable %s, sequential %s, causal %s, eventual %s.", yes(v.Linearizable), yes(v.Sequential), yes(v.Causal), yes(v.Eventual))
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func ms(t time.Duration) string { return fmt.Sprintf("%.0f ms", float64(t)/float64(time.Millisecond)) }

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xff}
}
