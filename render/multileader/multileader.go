// Package multileader draws the multi-leader lab: one box per region with
// its clock and its copy of the shared record (siblings stacked), the
// record's state travelling between regions along curves below the boxes,
// and a panel with the strategy, the metrics and the last conflict.
package multileader

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/multileader"
)

// View is the multi-leader lab's view.
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe, Narrow: canvas.Size{W: canvas.NarrowWidth, H: narrowH}, FromNarrow: fromNarrow,
	NarrowHeight: func(lm lab.Model) float64 { return narrowPanel(lm.(*multileader.Model)) + narrowTail }}

// The narrow layout stacks the regions' boxes (messages curve between them
// on the right) above the strategy and the metrics.
const (
	narrowBoxW = 272.0
	narrowBoxH = 178.0
	narrowGap  = 12.0
	narrowTail = 128 + 4*18 // the strategy and the metrics, under the regions
	narrowH    = boxTop + 3*(narrowBoxH+narrowGap) + 8 + narrowTail
)

// narrowPanel is the top of the narrow layout's panel: under the last
// region's box.
func narrowPanel(m *multileader.Model) float64 {
	return boxTop + float64(m.Regions())*(narrowBoxH+narrowGap) + 8
}

// fromNarrow maps a click on a narrow layout's region box to a point of
// the same region's box in the wide layout (with two or three regions).
func fromNarrow(_ lab.Model, x, y float64) (float64, float64, bool) {
	for r, wx := range []float64{100, 450} {
		b := narrowBox(r)
		if x >= b.x && x <= b.x+b.w && y >= b.y && y <= b.y+b.h {
			return wx, boxTop + narrowBoxH/2, true
		}
	}
	return 0, 0, false
}

func narrowBox(r int) rect {
	return rect{8, boxTop + float64(r)*(narrowBoxH+narrowGap), narrowBoxW, narrowBoxH}
}

// Layout, in logical pixels of the lab's 720×440 canvas.
const (
	boxTop, boxH = 34.0, 196.0
	laneTop      = boxTop + boxH // messages travel below the boxes
	panelTop     = 318.0
	lineH        = 15.0
)

type rect struct{ x, y, w, h float64 }

// box is where region r is drawn.
func box(m *multileader.Model, r int) rect { return layoutBox(m, r, false) }

func layoutBox(m *multileader.Model, r int, narrow bool) rect {
	if narrow {
		return narrowBox(r)
	}
	if m.Regions() == 2 {
		return rect{40 + float64(r)*400, boxTop, 240, boxH}
	}
	return rect{16 + float64(r)*240, boxTop, 208, boxH}
}

// RegionCenter is the centre of region r's box: what a click must hit.
func RegionCenter(m *multileader.Model, r int) (x, y float64) {
	b := box(m, r)
	return b.x + b.w/2, b.y + b.h/2
}

// Draw paints the lab.
func Draw(c canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*multileader.Model)
	c.Clear(th.Background)
	narrow := canvas.Narrow(c)
	if narrow { // drawn at scale 1, text at the narrow minimum
		c = &canvas.Sub{Canvas: c, K: 1, Wide: canvas.Size{W: canvas.NarrowWidth, H: narrowH}, MinSize: canvas.NarrowMinText}
	}
	c.Text(12, 16, "true time "+clock(m.Now()), 12, th.Muted, canvas.Left)
	for r := range m.Regions() {
		drawRegion(c, m, th, r, narrow)
	}
	canvas.Traffic(c, func() {
		for _, msg := range m.InFlight() {
			drawPacket(c, m, th, msg, narrow)
		}
	})
	if narrow {
		y := narrowPanel(m)
		drawStrategy(c, m, th, 12, y, 296*11/canvas.NarrowMinText) // fit reckons at 11 px
		drawMetrics(c, m, th, 12, y+128, 308)
		return
	}
	drawStrategy(c, m, th, 16, panelTop, 440)
	drawMetrics(c, m, th, 480, panelTop, 704)
}

// drawRegion draws region r's leader and its copy of the record.
func drawRegion(c canvas.Canvas, m *multileader.Model, th canvas.Theme, r int, narrow bool) {
	b := layoutBox(m, r, narrow)
	c.Rect(b.x, b.y, b.w, b.h, canvas.Style{Fill: th.Surface, Stroke: th.Accent, StrokeWidth: 2})
	x, y := b.x+10, b.y+16
	user := ""
	switch r {
	case 0:
		user = " · Alice"
	case 1:
		user = " · Bob"
	}
	c.Text(x, y, multileader.RegionName(r)+" leader"+user, 14, th.Text, canvas.Left)
	y += 18
	skew := m.Skew(r)
	col := th.Muted
	if skew != 0 {
		col = th.Warn
	}
	c.Text(x, y, fmt.Sprintf("clock %s (%+.0f ms)", clock(m.Clock(r)), float64(skew)/float64(time.Millisecond)), 11, col, canvas.Left)
	y += 14
	seen := m.Seen(r)
	var parts []string
	for i, n := range seen {
		parts = append(parts, fmt.Sprintf("%s %d", multileader.RegionName(i), n))
	}
	c.Text(x, y, "seen: "+strings.Join(parts, " · "), 11, th.Muted, canvas.Left)
	y += 20
	for f := range 3 {
		vals := m.Values(r, f)
		label := multileader.FieldName(f)
		if len(vals) > 1 {
			label += fmt.Sprintf(" — %d siblings", len(vals))
		}
		lcol := th.Muted
		if len(vals) > 1 {
			lcol = th.Bad
		}
		c.Text(x, y, label, 11, lcol, canvas.Left)
		y += lineH
		for i, v := range vals {
			if i == 2 && len(vals) > 3 {
				c.Text(x+8, y, fmt.Sprintf("… and %d more", len(vals)-2), 12, th.Text, canvas.Left)
				y += lineH
				break
			}
			c.Text(x+8, y, fit(show(f, v), b.w-24, 12), 12, th.Text, canvas.Left)
			y += lineH
		}
		y += 3
	}
}

// show writes a field's value for a reader.
func show(f int, v string) string {
	switch {
	case f == multileader.Items && v == "":
		return "(empty list)"
	case f == multileader.Items:
		return strings.ReplaceAll(v, ",", ", ")
	case v == "":
		return "(untitled)"
	}
	return v
}

// fit shortens s to about w pixels at size.
func fit(s string, w, size float64) string {
	n := int(w / (0.56 * size))
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:max(1, n-1)]) + "…"
}

// drawPacket draws a region's record on its way, along a curve below the
// boxes: a filled square, hollow if it will be dropped.
func drawPacket(c canvas.Canvas, m *multileader.Model, th canvas.Theme, msg engine.Message, narrow bool) {
	f := render.Flight(th, m.Now(), msg)
	a, b := layoutBox(m, msg.From, narrow), layoutBox(m, msg.To, narrow)
	if narrow { // on the right of the stacked boxes, curving out
		y0, y1 := a.y+a.h/2, b.y+b.h/2
		x0 := a.x + a.w
		depth := 12 + math.Abs(y1-y0)*0.04
		if msg.From > msg.To {
			depth += 8
		}
		cx, cy := x0+2*depth, (y0+y1)/2
		x := (1-f)*(1-f)*x0 + 2*(1-f)*f*cx + f*f*x0
		y := (1-f)*(1-f)*y0 + 2*(1-f)*f*cy + f*f*y1
		s := canvas.Style{Fill: th.Write}
		if msg.Dropped {
			s = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5}
		}
		c.Rect(x-5, y-5, 10, 10, s)
		return
	}
	x0, x1 := a.x+a.w/2, b.x+b.w/2
	y0 := laneTop
	// Farther regions get a deeper curve; each direction its own depth.
	depth := 22 + math.Abs(x1-x0)*0.08
	if msg.From > msg.To {
		depth += 14
	}
	cx, cy := (x0+x1)/2, y0+2*depth
	x := (1-f)*(1-f)*x0 + 2*(1-f)*f*cx + f*f*x1
	y := (1-f)*(1-f)*y0 + 2*(1-f)*f*cy + f*f*y0
	s := canvas.Style{Fill: th.Write}
	if msg.Dropped {
		s = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5}
	}
	c.Rect(x-5, y-5, 10, 10, s)
}

// drawPanel draws the strategy, the metrics, the last conflict and a
// legend.
func drawStrategy(c canvas.Canvas, m *multileader.Model, th canvas.Theme, x, y, width float64) {
	name, how := strategyText(m.Strategy())
	c.Text(x, y, name, 14, th.Text, canvas.Left)
	c.Text(x, y+17, fit(how, width, 11), 11, th.Muted, canvas.Left)
	last := m.LastConflict()
	if last == "" {
		last = "none yet"
	}
	c.Text(x, y+40, "Last conflict:", 11, th.Muted, canvas.Left)
	c.Text(x, y+55, fit(last, width-20, 12), 12, th.Text, canvas.Left)
	click := "Click a region's box (US or EU) for Alice's or Bob's edit."
	if width < 400 {
		click = "Click US or EU for Alice's or Bob's edit."
	}
	c.Text(x, y+84, click, 11, th.Muted, canvas.Left)
	c.Text(x, y+100, "■ a region's record on its way", 11, th.Write, canvas.Left)
}

// drawMetrics draws the lab's metrics, labels from x, values to right.
func drawMetrics(c canvas.Canvas, m *multileader.Model, th canvas.Theme, mx, my, right float64) {
	for i, v := range m.Metrics() {
		mt := multileader.Schema.Metrics[i]
		val, col := mt.Format(v), th.Text
		switch {
		case mt.Bool && v != 0:
			col = th.OK
		case mt.Bool:
			col = th.Warn
		case mt.Name == "lost_writes" && v > 0:
			col = th.Bad
		}
		c.Text(mx, my, mt.Label, 12, th.Muted, canvas.Left)
		c.Text(right, my, val, 12, col, canvas.Right)
		my += 18
	}
}

func strategyText(s int) (string, string) {
	switch s {
	case multileader.CRDT:
		return "CRDTs", "multi-value register, OR-set, PN-counter: every write survives"
	case multileader.App:
		return "Application merge", "siblings kept; the next edit merges them (title: own region's, list: union, likes: max)"
	}
	return "Last write wins", "each field keeps the value with the highest timestamp"
}

// Hit maps a click on the US box to Alice's edit and on the EU box to
// Bob's.
func Hit(lm lab.Model, x, y float64) (string, int, bool) {
	m := lm.(*multileader.Model)
	for r, a := range []string{"alice", "bob"} {
		b := box(m, r)
		if x >= b.x && x <= b.x+b.w && y >= b.y && y <= b.y+b.h {
			return a, 0, true
		}
	}
	return "", 0, false
}

// Describe says in words what the picture shows.
func Describe(lm lab.Model) string {
	m := lm.(*multileader.Model)
	name, _ := strategyText(m.Strategy())
	var b strings.Builder
	fmt.Fprintf(&b, "%d regions, %s. ", m.Regions(), name)
	for r := range m.Regions() {
		fmt.Fprintf(&b, "%s shows title %s, items %s, likes %s. ", multileader.RegionName(r),
			strings.Join(m.Values(r, multileader.Title), " | "), show(multileader.Items, strings.Join(m.Values(r, multileader.Items), " | ")),
			strings.Join(m.Values(r, multileader.Likes), " | "))
	}
	mt := m.Metrics()
	conv := "not converged"
	if mt[2] != 0 {
		conv = "converged"
	}
	fmt.Fprintf(&b, "%.0f conflicts, %.0f lost writes, %s, %.0f siblings merged.", mt[0], mt[1], conv, mt[3])
	return b.String()
}

// clock formats a time: "812 ms", "12.3 s"; negative clocks keep their sign.
func clock(t time.Duration) string {
	if math.Abs(float64(t)) < float64(10*time.Second) {
		return fmt.Sprintf("%.0f ms", float64(t)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", t.Seconds())
}
