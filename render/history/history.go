// Package history draws the history lab as a space-time diagram: one lane
// per process, each operation a bar from its invocation to its response,
// dashed arrows from each write to the reads that returned it, and the four
// verdicts on the history so far.
package history

import (
	"fmt"
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
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe, Narrow: narrowSize}

var narrowSize = canvas.Size{W: canvas.NarrowWidth, H: 520}

// Layout, in logical pixels of the lab's 720×400 canvas.
const (
	laneGap = 50.0
	barH    = 14.0
)

// geo is where things go: the wide layout's, or the narrow one's (lanes
// across the narrow width, the title wrapped, the verdicts two by two).
type geo struct {
	left, right     float64
	laneTop, panelY float64
	title           []string // the scenario's title, one line each
	narrow          bool
}

func layout(m *history.Model, narrow bool) geo {
	label := m.Scenario().Label
	if !narrow {
		return geo{left: 64, right: 700, laneTop: 62, panelY: 296, title: []string{label}}
	}
	g := geo{left: 44, right: 304, title: wrap(label, 296, 13), narrow: true}
	g.laneTop = 34 + 17*float64(len(g.title)) + 28
	g.panelY = g.laneY(3) + 60
	return g
}

func (g geo) xOf(m *history.Model, t time.Duration) float64 {
	return g.left + (g.right-g.left)*float64(t)/float64(m.End())
}

func (g geo) laneY(p int) float64 { return g.laneTop + float64(p)*laneGap }

// Draw paints the diagram.
func Draw(c canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*history.Model)
	sc := m.Scenario()
	c.Clear(th.Background)
	g := layout(m, canvas.Narrow(c))
	if g.narrow { // drawn at scale 1, text at the narrow minimum
		c = &canvas.Sub{Canvas: c, K: 1, Wide: narrowSize, MinSize: canvas.NarrowMinText}
	}
	y := 16.0
	for _, line := range g.title {
		c.Text(12, y, line, 13, th.Text, canvas.Left)
		y += 17
	}
	c.Text(12, y+1, "t = "+ms(m.Now()), 11, th.Muted, canvas.Left)
	axisY := g.laneY(sc.Procs-1) + 34
	for p := range sc.Procs {
		y := g.laneY(p)
		c.Line(g.left, y, g.right, y, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.6), StrokeWidth: 1})
		c.Text(g.left-12, y, fmt.Sprintf("P%d", p+1), 12, th.Text, canvas.Right)
	}
	for t := time.Duration(0); t <= m.End(); t += 20 * time.Millisecond {
		x := g.xOf(m, t)
		c.Line(x, axisY-4, x, axisY, canvas.Style{Stroke: th.Muted, StrokeWidth: 1})
		c.Text(x, axisY+9, ms(t), 11, th.Muted, canvas.Center)
	}
	c.Line(g.left, axisY-4, g.right, axisY-4, canvas.Style{Stroke: th.Muted, StrokeWidth: 1})
	canvas.Traffic(c, func() { drawArrows(c, g, m, th) }) // labels above the arrows, with a halo
	v := m.Verdicts()
	for i, o := range sc.Ops {
		drawOp(c, g, m, th, i, o, v.Culprit == i)
	}
	now := g.xOf(m, m.Now())
	c.Line(now, g.laneTop-24, now, axisY-4, canvas.Style{Stroke: th.Accent, StrokeWidth: 1.5})
	drawVerdicts(c, g, m, th, v)
}

// drawArrows links every returned read to the write it read from.
func drawArrows(c canvas.Canvas, g geo, m *history.Model, th canvas.Theme) {
	ops := m.Scenario().Ops
	for i, r := range ops {
		if _, done := m.Visible(i); r.Write || !done || r.Value == 0 {
			continue
		}
		for j, w := range ops {
			if started, _ := m.Visible(j); !w.Write || !started || w.Key != r.Key || w.Value != r.Value {
				continue
			}
			x0, y0 := g.xOf(m, (w.Invoke+w.Return)/2), g.laneY(w.Proc)
			x1, y1 := g.xOf(m, (r.Invoke+r.Return)/2), g.laneY(r.Proc)
			if y1 > y0 {
				y0, y1 = y0+barH/2, y1-barH/2
			} else if y1 < y0 {
				y0, y1 = y0-barH/2, y1+barH/2
			}
			col := canvas.Mix(th.Muted, th.Background, 0.3)
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
func drawOp(c canvas.Canvas, g geo, m *history.Model, th canvas.Theme, i int, o history.Op, culprit bool) {
	started, done := m.Visible(i)
	if !started {
		return
	}
	col := th.Read
	if o.Write {
		col = th.Write
	}
	y := g.laneY(o.Proc)
	x0 := g.xOf(m, o.Invoke)
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
	x1 := math.Max(x0+2, g.xOf(m, end))
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
		const note = "not linearizable from here"
		half := 0.55 * canvas.MinText(g.right) * float64(len(note)) / 2 // kept inside the lanes
		c.Text(math.Min(math.Max((x0+x1)/2, g.left-30+half), g.right+8-half), y+barH/2+9, note, 11, th.Bad, canvas.Center)
	}
}

func drawVerdicts(c canvas.Canvas, g geo, m *history.Model, th canvas.Theme, v history.Verdicts) {
	names := []string{"Linearizable", "Sequential", "Causal", "Eventual"}
	vals := []bool{v.Linearizable, v.Sequential, v.Causal, v.Eventual}
	w, cols := (g.right-12)/4, 4
	if g.narrow {
		w, cols = 148, 2
	}
	for i, name := range names {
		x := 12 + float64(i%cols)*w
		py := g.panelY + float64(i/cols)*48
		col, mark := th.OK, "yes"
		if !vals[i] {
			col, mark = th.Bad, "NO"
		}
		c.Rect(x+2, py, w-8, 40, canvas.Style{Fill: th.Surface, Stroke: col, StrokeWidth: 2})
		c.Text(x+w/2-2, py+13, name, 12, th.Text, canvas.Center)
		c.Text(x+w/2-2, py+28, mark, 13, col, canvas.Center)
	}
	y := g.panelY + 60
	size := 11.0
	if g.narrow {
		y += 48
		size = canvas.NarrowMinText
	}
	for _, line := range wrap(m.Scenario().Note, g.right-12, size) {
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
