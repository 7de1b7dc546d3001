// Package pacelc draws the PACELC lab: a map of three regions with the shown
// configuration's messages in flight, and a chart with one row per
// configuration: read and write latency (p50 to p99, log scale), the share
// of stale reads, how stale they were, and whether the configuration kept
// answering while Europe was cut off.
package pacelc

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/pacelc"
)

// View is the PACELC lab's view.
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe, Narrow: narrowSize}

// The narrow layout: the three regions as a triangle, the chart under it
// with each configuration on two lines (its numbers, then its latencies
// across the whole width).
var (
	narrowAt   = [3]point{{72, 92}, {160, 236}, {250, 92}}
	nChartTop  = 334.0
	nRowH      = 40.0
	nAxisL     = 14.0
	nAxisR     = 306.0
	narrowSize = canvas.Size{W: canvas.NarrowWidth, H: nChartTop + 16 + 8*nRowH + 110}
	wideGeo    = geo{at: replicaAt, axisL: axisL, axisR: axisR}
	narrowGeo  = geo{narrow: true, at: narrowAt, axisL: nAxisL, axisR: nAxisR}
)

// geo is where the map's nodes go and where the latency axis runs.
type geo struct {
	narrow       bool
	at           [3]point
	axisL, axisR float64
}

func (g geo) clientAt(c int) point {
	p := g.at[c]
	if g.narrow {
		return point{p.x, p.y + 58}
	}
	return clientAt(c)
}

func (g geo) endpoint(id int) (point, float64) {
	if id < 3 {
		return g.at[id], nodeR
	}
	return g.clientAt(id - 3), clientH / 2
}

// xOf places a latency on the axis.
func (g geo) xOf(ms float64) float64 {
	ms = math.Max(minMs, math.Min(maxMs, ms))
	return g.axisL + (g.axisR-g.axisL)*math.Log(ms/minMs)/math.Log(maxMs/minMs)
}

// Layout, in logical pixels of the lab's 720×480 canvas.
const (
	nodeR            = 16.0
	clientW, clientH = 64.0, 22.0
	chartTop         = 222.0
	rowH             = 24.0
	axisL, axisR     = 160.0, 470.0
	staleX           = 548.0
	stalenessX       = 630.0
	partX            = 700.0
	minMs, maxMs     = 0.5, 1000.0
)

type point struct{ x, y float64 }

var replicaAt = [3]point{{110, 74}, {360, 128}, {610, 74}}

func clientAt(c int) point {
	p := replicaAt[c]
	if c == 1 {
		return point{p.x, p.y + 58}
	}
	return point{p.x, p.y + 62}
}

// systems are the presets placed on the chart's rows, by letter.
var systems = []struct {
	letter, name string
	row          int
}{
	{"D", "DynamoDB global tables", pacelc.Eventual},
	{"C", "Cassandra at QUORUM", pacelc.Quorum},
	{"M", "MongoDB defaults", pacelc.Majority},
	{"S", "Spanner", pacelc.Majority},
}

// Draw paints the lab.
func Draw(c canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*pacelc.Model)
	c.Clear(th.Background)
	phase := "before the cut"
	if m.Cut() {
		phase = "europe cut off"
	}
	if canvas.Narrow(c) { // drawn at scale 1, text at the narrow minimum
		c = &canvas.Sub{Canvas: c, K: 1, Wide: narrowSize, MinSize: canvas.NarrowMinText}
		c.Text(12, 14, fmt.Sprintf("t = %s · %s", clock(m.Now()), phase), 12, th.Muted, canvas.Left)
		c.Text(12, 32, "shown: "+pacelc.ConfigNames[m.Config()], 12, th.Accent, canvas.Left)
		drawMap(c, narrowGeo, m, th)
		drawNarrowChart(c, m, th)
		return
	}
	c.Text(12, 14, fmt.Sprintf("t = %s · %s", clock(m.Now()), phase), 12, th.Muted, canvas.Left)
	c.Text(708, 14, "shown: "+pacelc.ConfigNames[m.Config()], 12, th.Accent, canvas.Right)
	drawMap(c, wideGeo, m, th)
	drawChart(c, m, th)
}

func drawMap(c canvas.Canvas, g geo, m *pacelc.Model, th canvas.Theme) {
	for a := range 3 {
		for b := a + 1; b < 3; b++ {
			p, q := g.at[a], g.at[b]
			cut := m.Cut() && (a == 2 || b == 2)
			s := canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.5), StrokeWidth: 1.5}
			if cut {
				s = canvas.Style{Stroke: th.Bad, StrokeWidth: 1.5, Dash: true}
			}
			c.Line(p.x, p.y, q.x, q.y, s)
			mx, my := (p.x+q.x)/2, (p.y+q.y)/2
			label := fmt.Sprintf("RTT %s", msText(float64(m.RTT(a, b))/float64(time.Millisecond)))
			if cut {
				label += " · CUT"
			}
			w := float64(len(label))*6.6 + 6
			c.Rect(mx-w/2, my-7, w, 14, canvas.Style{Fill: th.Background})
			col := th.Muted
			if cut {
				col = th.Bad
			}
			c.Text(mx, my, label, 11, col, canvas.Center)
		}
	}
	for i := range 3 {
		p := g.at[i]
		c.Circle(p.x, p.y, nodeR, canvas.Style{Fill: th.Surface, Stroke: th.OK, StrokeWidth: 2})
		c.Text(p.x, p.y, string(rune('A'+i)), 13, th.Text, canvas.Center)
		c.Text(p.x, p.y-nodeR-9, pacelc.Regions[i], 12, th.Text, canvas.Center)
		if i == 0 && m.Leader() {
			c.Text(p.x-nodeR-6, p.y, "leader", 11, th.Accent, canvas.Right)
		}
		var vs []string
		for k := range min(3, m.Keys()) {
			vs = append(vs, fmt.Sprintf("k%d:v%d", k+1, m.Value(i, k).ID))
		}
		var y float64
		a := canvas.Center
		x := p.x
		switch {
		case g.narrow:
			y = p.y + nodeR + 12
		case i == 0:
			x, a, y = p.x+nodeR+6, canvas.Left, p.y
		case i == 2:
			x, a, y = p.x-nodeR-6, canvas.Right, p.y
		default:
			y = p.y + nodeR + 10
		}
		text := strings.Join(vs, " ")
		w := float64(len(text))*6.6 + 4
		bx := x - 2
		switch a {
		case canvas.Center:
			bx = x - w/2
		case canvas.Right:
			bx = x - w + 2
		}
		c.Rect(bx, y-7, w, 14, canvas.Style{Fill: th.Background})
		c.Text(x, y, text, 11, th.Muted, a)
	}
	for k := range 3 {
		p := g.clientAt(k)
		c.Rect(p.x-clientW/2, p.y-clientH/2, clientW, clientH, canvas.Style{Fill: th.Background, Stroke: th.Accent, StrokeWidth: 1.5})
		c.Text(p.x, p.y, "client", 12, th.Accent, canvas.Center)
	}
	canvas.Traffic(c, func() {
		for _, msg := range m.InFlight() {
			drawPacket(c, g, m, th, msg)
		}
	})
}

func drawPacket(c canvas.Canvas, g geo, m *pacelc.Model, th canvas.Theme, msg engine.Message) {
	from, r0 := g.endpoint(msg.From)
	to, r1 := g.endpoint(msg.To)
	dx, dy := to.x-from.x, to.y-from.y
	d := math.Hypot(dx, dy)
	if d < r0+r1 {
		return
	}
	ux, uy := dx/d, dy/d
	f := render.Flight(th, m.Now(), msg)
	along := r0 + f*(d-r0-r1)
	x, y := from.x+ux*along, from.y+uy*along
	s := canvas.Style{Fill: colour(th, msg.Kind)}
	if msg.Dropped {
		s = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5}
	}
	shape(c, msg.Kind, x, y, ux, uy, s)
}

func colour(th canvas.Theme, kind string) color.RGBA {
	switch kind {
	case pacelc.MsgWrite, pacelc.MsgRepl:
		return th.Write
	case pacelc.MsgRead:
		return th.Read
	case pacelc.MsgResp:
		return th.Accent
	}
	return canvas.Mix(th.Muted, th.Background, 0.2)
}

func shape(c canvas.Canvas, kind string, x, y, ux, uy float64, s canvas.Style) {
	switch kind {
	case pacelc.MsgWrite:
		c.Rect(x-4.5, y-4.5, 9, 9, s)
	case pacelc.MsgRead:
		c.Circle(x, y, 5, s)
	case pacelc.MsgRepl:
		c.Polygon([]float64{x, y - 5.5, x + 5.5, y, x, y + 5.5, x - 5.5, y}, s)
	case pacelc.MsgAck, pacelc.MsgBeat:
		c.Circle(x, y, 2.5, s)
	default:
		const l, w = 6.5, 5.0
		c.Polygon([]float64{
			x + ux*l, y + uy*l,
			x - ux*l/2 - uy*w, y - uy*l/2 + ux*w,
			x - ux*l/2 + uy*w, y - uy*l/2 - ux*w,
		}, s)
	}
}

// xOf places a latency on the chart's log axis.
func xOf(ms float64) float64 {
	ms = math.Max(minMs, math.Min(maxMs, ms))
	return axisL + (axisR-axisL)*math.Log(ms/minMs)/math.Log(maxMs/minMs)
}

func drawChart(c canvas.Canvas, m *pacelc.Model, th canvas.Theme) {
	y := chartTop
	c.Line(12, y-10, 708, y-10, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.6), StrokeWidth: 1})
	c.Text(12, y+2, "configuration", 11, th.Muted, canvas.Left)
	c.Text((axisL+axisR)/2, y+2, "latency p50 → p99 (log scale)", 11, th.Muted, canvas.Center)
	c.Text(staleX, y-4, "stale", 11, th.Muted, canvas.Right)
	c.Text(staleX, y+8, "reads", 11, th.Muted, canvas.Right)
	c.Text(stalenessX, y-4, "staleness", 11, th.Muted, canvas.Right)
	c.Text(stalenessX, y+8, "p99", 11, th.Muted, canvas.Right)
	c.Text(partX, y-4, "in a", 11, th.Muted, canvas.Right)
	c.Text(partX, y+8, "partition", 11, th.Muted, canvas.Right)
	top := y + 16
	bottom := top + float64(pacelc.Configs)*rowH
	for _, tick := range []float64{1, 10, 100, 1000} {
		x := xOf(tick)
		c.Line(x, top, x, bottom, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.8), StrokeWidth: 1})
		c.Text(x, bottom+8, msText(tick), 11, th.Muted, canvas.Center)
	}
	rows := m.Rows()
	for i, r := range rows {
		cy := top + (float64(i)+0.5)*rowH
		if i == m.Config() {
			c.Rect(8, cy-rowH/2+1, 704, rowH-2, canvas.Style{Fill: th.Surface, Stroke: th.Accent, StrokeWidth: 1.5})
		}
		c.Text(14, cy, pacelc.ConfigNames[i], 12, th.Text, canvas.Left)
		bx := 112.0
		for _, s := range systems {
			if s.row == i {
				c.Rect(bx-1, cy-7, 14, 14, canvas.Style{Stroke: th.Accent, StrokeWidth: 1})
				c.Text(bx+6, cy, s.letter, 11, th.Accent, canvas.Center)
				bx += 17
			}
		}
		span(c, th, r.ReadP50, r.ReadP99, cy-4, pacelc.MsgRead)
		span(c, th, r.WriteP50, r.WriteP99, cy+4, pacelc.MsgWrite)
		if r.Reads > 0 {
			col := th.Text
			if r.StaleFraction > 0 {
				col = th.Warn
			}
			c.Text(staleX, cy, fmt.Sprintf("%.1f%%", 100*r.StaleFraction), 12, col, canvas.Right)
			stale := "–"
			if r.StaleFraction > 0 {
				stale = msText(r.StalenessP99)
			}
			c.Text(stalenessX, cy, stale, 12, col, canvas.Right)
		} else {
			c.Text(staleX, cy, "…", 12, th.Muted, canvas.Right)
			c.Text(stalenessX, cy, "…", 12, th.Muted, canvas.Right)
		}
		switch {
		case r.PartitionOps == 0:
			c.Text(partX, cy, "…", 12, th.Muted, canvas.Right)
		case r.Available():
			c.Text(partX, cy, "PA", 12, th.OK, canvas.Right)
		default:
			c.Text(partX, cy, "PC", 12, th.Bad, canvas.Right)
		}
	}
	ly := bottom + 24
	x := 12.0
	shape(c, pacelc.MsgRead, x+4, ly, 1, 0, canvas.Style{Fill: th.Read})
	c.Text(x+12, ly, "read", 11, th.Muted, canvas.Left)
	shape(c, pacelc.MsgWrite, x+52, ly, 1, 0, canvas.Style{Fill: th.Write})
	c.Text(x+60, ly, "write", 11, th.Muted, canvas.Left)
	var names []string
	for _, s := range systems {
		names = append(names, s.letter+" "+s.name)
	}
	c.Text(708, ly, strings.Join(names, " · ")+" (simplified)", 11, th.Muted, canvas.Right)
}

// drawNarrowChart is the chart of the narrow layout: per configuration a
// line with its name, stale reads, staleness p99 and partition behaviour,
// and under it its read and write latencies on a log axis the width of the
// canvas.
func drawNarrowChart(c canvas.Canvas, m *pacelc.Model, th canvas.Theme) {
	g := narrowGeo
	const staleR, stalenessR, partR = 206.0, 262.0, 308.0
	y := nChartTop
	c.Line(12, y-10, 308, y-10, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.6), StrokeWidth: 1})
	c.Text(12, y+2, "configuration", 11, th.Muted, canvas.Left)
	c.Text(staleR, y+2, "stale", 11, th.Muted, canvas.Right)
	c.Text(stalenessR, y+2, "p99", 11, th.Muted, canvas.Right)
	c.Text(partR, y+2, "part.", 11, th.Muted, canvas.Right)
	top := y + 16
	bottom := top + float64(pacelc.Configs)*nRowH
	for _, tick := range []float64{1, 10, 100, 1000} {
		x := g.xOf(tick)
		c.Line(x, top, x, bottom, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.8), StrokeWidth: 1})
		a := canvas.Center
		if tick == 1000 {
			a = canvas.Right
		}
		c.Text(x, bottom+8, msText(tick), 11, th.Muted, a)
	}
	for i, r := range m.Rows() {
		ry := top + float64(i)*nRowH
		if i == m.Config() {
			c.Rect(6, ry+1, 308, nRowH-2, canvas.Style{Fill: th.Surface, Stroke: th.Accent, StrokeWidth: 1.5})
		}
		cy := ry + 11
		c.Text(12, cy, pacelc.ConfigNames[i], 12, th.Text, canvas.Left)
		bx := 112.0
		for _, s := range systems {
			if s.row == i {
				c.Rect(bx-1, cy-7, 14, 14, canvas.Style{Stroke: th.Accent, StrokeWidth: 1})
				c.Text(bx+6, cy, s.letter, 11, th.Accent, canvas.Center)
				bx += 17
			}
		}
		stale, staleness, col := "…", "…", th.Muted
		if r.Reads > 0 {
			col, staleness = th.Text, "–"
			if r.StaleFraction > 0 {
				col, staleness = th.Warn, msText(r.StalenessP99)
			}
			stale = fmt.Sprintf("%.1f%%", 100*r.StaleFraction)
		}
		c.Text(staleR, cy, stale, 12, col, canvas.Right)
		c.Text(stalenessR, cy, staleness, 12, col, canvas.Right)
		switch {
		case r.PartitionOps == 0:
			c.Text(partR, cy, "…", 12, th.Muted, canvas.Right)
		case r.Available():
			c.Text(partR, cy, "PA", 12, th.OK, canvas.Right)
		default:
			c.Text(partR, cy, "PC", 12, th.Bad, canvas.Right)
		}
		spanOn(c, g, th, r.ReadP50, r.ReadP99, ry+25, pacelc.MsgRead)
		spanOn(c, g, th, r.WriteP50, r.WriteP99, ry+32, pacelc.MsgWrite)
	}
	ly := bottom + 26
	shape(c, pacelc.MsgRead, 16, ly, 1, 0, canvas.Style{Fill: th.Read})
	c.Text(24, ly, "read", 11, th.Muted, canvas.Left)
	shape(c, pacelc.MsgWrite, 70, ly, 1, 0, canvas.Style{Fill: th.Write})
	c.Text(78, ly, "write", 11, th.Muted, canvas.Left)
	c.Text(124, ly, "latency p50 → p99, log", 11, th.Muted, canvas.Left)
	var names []string
	for _, s := range systems {
		names = append(names, s.letter+" "+s.name)
	}
	names[len(names)-1] += " (simplified)"
	for i, n := range names {
		c.Text(12, ly+16*float64(1+i), n, 11, th.Muted, canvas.Left)
	}
}

// span draws a p50 marker and a line to p99.
func span(c canvas.Canvas, th canvas.Theme, p50, p99, y float64, kind string) {
	spanOn(c, wideGeo, th, p50, p99, y, kind)
}

func spanOn(c canvas.Canvas, g geo, th canvas.Theme, p50, p99, y float64, kind string) {
	if math.IsNaN(p50) {
		return
	}
	col := th.Read
	if kind == pacelc.MsgWrite {
		col = th.Write
	}
	x0, x1 := g.xOf(p50), g.xOf(p99)
	c.Line(x0, y, x1, y, canvas.Style{Stroke: col, StrokeWidth: 2})
	c.Line(x1, y-3, x1, y+3, canvas.Style{Stroke: col, StrokeWidth: 2})
	s := canvas.Style{Fill: col}
	if kind == pacelc.MsgWrite {
		c.Rect(x0-3.5, y-3.5, 7, 7, s)
	} else {
		c.Circle(x0, y, 3.5, s)
	}
}

// Hit ignores clicks: the lab has no actions (its controls are its
// parameters and the page's play and step buttons).
func Hit(lab.Model, float64, float64) (string, int, bool) { return "", 0, false }

// Describe says in words what the chart shows.
func Describe(lm lab.Model) string {
	m := lm.(*pacelc.Model)
	var b strings.Builder
	fmt.Fprintf(&b, "Three regions; %s shown (%s). ", pacelc.ConfigNames[m.Config()], pacelc.Describe(m.Config()))
	if m.Cut() {
		b.WriteString("Europe is cut off. ")
	}
	for i, r := range m.Rows() {
		if math.IsNaN(r.P50) {
			continue
		}
		fmt.Fprintf(&b, "%s: read p50 %s, write p50 %s, %.1f%% stale", pacelc.ConfigNames[i], msText(r.ReadP50), msText(r.WriteP50), 100*r.StaleFraction)
		if r.PartitionOps > 0 {
			if r.Available() {
				b.WriteString(", available in the partition")
			} else {
				b.WriteString(", refuses some requests in the partition")
			}
		}
		b.WriteString(". ")
	}
	return strings.TrimSpace(b.String())
}

func msText(x float64) string {
	switch {
	case math.IsNaN(x):
		return "…"
	case x >= 1000:
		return fmt.Sprintf("%.1f s", x/1000)
	case x >= 10:
		return fmt.Sprintf("%.0f ms", x)
	}
	return fmt.Sprintf("%.1f ms", x)
}

func clock(t time.Duration) string { return fmt.Sprintf("%.1f s", t.Seconds()) }
