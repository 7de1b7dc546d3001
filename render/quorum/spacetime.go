package quorum

import (
	"fmt"
	"math"
	"time"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/quorum"
)

// The space-time strip: time runs left to right over the last moments,
// one lane per client (its operations as intervals from invocation to
// return) and one per node (a tick for each version it stored). Above the
// lanes, the linearizability verdict of the recent history; the read that
// breaks it is outlined and labelled.

// maxLaneH is the tallest a lane gets: with few nodes and clients the lanes
// share the strip's height up to it (no empty band under them).
const maxLaneH = 28.0

// strip is where the space-time strip goes: the wide layout's under the
// ring and the panel, or the narrow layout's, which is as tall but half as
// wide and shows half the time at the same pace.
type strip struct {
	top, bottom  float64
	head         float64 // the title's (and the verdict's) rows
	laneX, laneR float64 // lanes start right of their names and end here
	narrow       bool
}

var (
	wideStrip   = strip{top: 346, bottom: 554, head: 22, laneX: 70, laneR: 628}
	narrowStrip = strip{top: 12, bottom: 240, head: 54, laneX: 66, laneR: 308, narrow: true}
)

// span is the virtual time the strip shows: enough for a few operations.
func (g strip) span(m *quorum.Model) time.Duration {
	d := max(600*time.Millisecond, m.Timeout()*5/2)
	if g.narrow {
		d = d * time.Duration(g.laneR-g.laneX) / time.Duration(wideStrip.laneR-wideStrip.laneX)
	}
	return d
}

// laneY is the centre of lane i (clients first, then nodes) and the lane
// height.
func (g strip) laneY(m *quorum.Model, i int) (float64, float64) {
	lanes := m.Clients() + m.Nodes()
	h := math.Min(maxLaneH, (g.bottom-g.top-g.head)/float64(lanes))
	return g.top + g.head + (float64(i)+0.5)*h, h
}

// drawSpaceTime draws the strip.
func (g strip) drawSpaceTime(c canvas.Canvas, m *quorum.Model, th canvas.Theme) {
	rule(c, th, 12, g.laneR, g.top-4)
	now, window := m.Now(), g.span(m)
	from := now - window
	tx := func(t time.Duration) float64 {
		return g.laneX + (g.laneR-g.laneX)*float64(t-from)/float64(window)
	}
	c.Text(12, g.top+8, "Space-time, last "+clock(window), 11, th.Muted, canvas.Left)
	v := m.Verdict()
	switch {
	case g.narrow && v.Linearizable: // under the title
		c.Text(12, g.top+26, fmt.Sprintf("linearizable (last %d ops)", len(m.Window())), 12, th.OK, canvas.Left)
	case g.narrow:
		c.Text(12, g.top+26, "NOT linearizable:", 12, th.Bad, canvas.Left)
		c.Text(12, g.top+42, culpritText(m, v.Culprit), 12, th.Bad, canvas.Left)
	case v.Linearizable:
		c.Text(g.laneR, g.top+8, fmt.Sprintf("linearizable (last %d ops)", len(m.Window())), 12, th.OK, canvas.Right)
	default:
		c.Text(g.laneR, g.top+8, "NOT linearizable: "+culpritText(m, v.Culprit), 12, th.Bad, canvas.Right)
	}

	// Lanes.
	for i := range m.Clients() + m.Nodes() {
		y, h := g.laneY(m, i)
		if i%2 == 0 {
			c.Rect(g.laneX, y-h/2, g.laneR-g.laneX, h, canvas.Style{Fill: th.Surface})
		}
		name, col := "", th.Muted
		if i < m.Clients() {
			name, col = "client", th.Accent
			if m.Clients() > 1 {
				name = fmt.Sprintf("client %d", i+1)
			}
		} else {
			node := i - m.Clients()
			name = "node " + quorum.NodeName(node)
			if !m.Up(node) {
				name, col = quorum.NodeName(node)+" (down)", th.Bad
			}
		}
		c.Text(g.laneX-6, y, name, 11, col, canvas.Right)
	}

	// Versions stored, as ticks on the node lanes.
	lastLabel := make([]float64, m.Nodes())
	for i := range lastLabel {
		lastLabel[i] = math.Inf(-1)
	}
	for _, a := range m.Applied() {
		if a.At < from {
			continue
		}
		y, h := g.laneY(m, m.Clients()+a.Node)
		x := tx(a.At)
		c.Line(x, y-h*0.35, x, y+h*0.35, canvas.Style{Stroke: th.Write, StrokeWidth: 1.5})
		label := fmt.Sprintf("%s%d", m.Keys()[a.Key], a.Version)
		if x-lastLabel[a.Node] > textWidth(label, 11)+4 && h >= 12 && x+2+textWidth(label, 11) <= g.laneR+8 {
			c.Text(x+2, y, label, 11, th.Muted, canvas.Left)
			lastLabel[a.Node] = x + textWidth(label, 11)
		}
	}

	// Operations, as intervals on the client lanes.
	ops := append(windowFrom(m.Window(), from), m.InProgress()...)
	for _, op := range ops {
		end := op.Return
		if op.Outcome == quorum.Pending {
			end = now
		}
		culprit := op.ID == v.Culprit.ID && !v.Linearizable
		g.drawInterval(c, m, th, op, math.Max(g.laneX, tx(op.Invoke)), tx(end), culprit)
		if culprit {
			defer g.drawCulpritNote(c, m, th, op.Client, math.Max(g.laneX, tx(op.Invoke)))
		}
	}
}

// drawCulpritNote labels the operation that breaks linearizability, above
// its interval, over everything else.
func (g strip) drawCulpritNote(c canvas.Canvas, m *quorum.Model, th canvas.Theme, client int, x0 float64) {
	const note = "breaks linearizability"
	y, h := g.laneY(m, client)
	nw := textWidth(note, 11) + 6
	nx := math.Min(x0, g.laneR-nw)
	ny := y - h/2 - 5
	c.Rect(nx, ny-6, nw, 12, canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1})
	c.Text(nx+3, ny, note, 11, th.Bad, canvas.Left)
}

// windowFrom returns the operations of w that returned at or after t.
func windowFrom(w []quorum.Op, t time.Duration) []quorum.Op {
	i := len(w)
	for i > 0 && w[i-1].Return >= t {
		i--
	}
	return w[i:]
}

// drawInterval draws one operation from x0 to x1 on its client's lane:
// writes filled, reads outlined; failed ones dashed in Bad, stale reads in
// Bad with "stale", the culprit thick (its note is drawn last, on top).
func (g strip) drawInterval(c canvas.Canvas, m *quorum.Model, th canvas.Theme, op quorum.Op, x0, x1 float64, culprit bool) {
	if x1 < g.laneX {
		return
	}
	y, h := g.laneY(m, op.Client)
	bh := math.Max(6, h-7)
	w := math.Max(2, x1-x0)
	key := m.Keys()[op.Key]
	var s canvas.Style
	var label string
	textCol := th.Text
	if op.Kind == engine.Write {
		label = fmt.Sprintf("%s=%d", key, op.Version)
		s = canvas.Style{Fill: canvas.Mix(th.Write, th.Background, 0.55), Stroke: th.Write, StrokeWidth: 1}
		if op.Outcome == quorum.Pending {
			s.Fill = canvas.Mix(th.Write, th.Background, 0.8)
		}
	} else {
		label = key + "→" + fmt.Sprint(op.Version)
		if op.Outcome == quorum.Pending {
			label = key + "?"
		}
		s = canvas.Style{Fill: th.Background, Stroke: th.Read, StrokeWidth: 1.5}
	}
	switch op.Outcome {
	case quorum.Failed:
		s = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5, Dash: true}
		if op.Kind == engine.Read {
			label = key // a failed read returned nothing
		}
		label += " failed"
		textCol = th.Bad
	case quorum.Stale:
		s.Stroke = th.Bad
		label += " stale"
		textCol = th.Bad
	}
	if culprit {
		s = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 3}
		textCol = th.Bad
	}
	c.Rect(x0, y-bh/2, w, bh, s)
	if textWidth(label, 11)+4 <= w {
		c.Text(x0+w/2, y, label, 11, textCol, canvas.Center)
	}
}
