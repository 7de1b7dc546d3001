// Package truetime draws the truetime lab: one timeline per node with true
// time running left to right and "now" near the right edge. With TrueTime
// each node shows its interval TT.now() around true time, and every commit
// its timestamp s and the commit wait that follows it. With hybrid and
// logical clocks the picture is a space-time diagram: messages between the
// nodes, every transaction stamped by its clock, uncertainty restarts and
// out-of-order transactions marked. A panel on the right holds the metrics
// and each node's clock.
package truetime

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
	tt "github.com/scaling-data/book/sim/truetime"
)

// View is the truetime lab's view.
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe, Narrow: narrowSize, FromNarrow: fromNarrow}

// fromNarrow maps a click on a narrow layout's node name to the wide one
// (the names sit at the same place in both).
func fromNarrow(_ lab.Model, x, y float64) (float64, float64, bool) {
	if y >= narrowPanel || x > 40 {
		return 0, 0, false
	}
	return x, y, true
}

// Layout, in logical pixels of the lab's 640×400 canvas.
const (
	left, right   = 64.0, 452.0 // the timelines
	top, bottom   = 50.0, 356.0 // room for the rows
	maxRowH       = 86.0
	nowAt         = 0.78 // share of the timeline width left of "now"
	panelX        = 470.0
	panelR        = 628.0
	legendY       = 380.0
	labelGap      = 4.0 // between labels on a row
	hitSlack      = 6.0
	barH          = 9.0 // a TrueTime transaction's bar
	stampFontSize = 11.0
)

// frame maps true time to x for one drawing.
type frame struct {
	m        *tt.Model
	now      time.Duration
	past     float64 // ns shown left of now
	rowH, y0 float64

	left, right float64 // the timelines
	narrow      bool
}

func newFrame(m *tt.Model) frame { return layoutFrame(m, false) }

// layoutFrame is the wide layout's frame, or the narrow one's: timelines
// across the narrow width, as tall.
func layoutFrame(m *tt.Model, narrow bool) frame {
	f := frame{m: m, now: m.Now(), left: left, right: right, narrow: narrow}
	if narrow {
		f.left, f.right = 44, 306
	}
	if m.Mode() == tt.TrueTime {
		f.past = 14 * m.MeanEpsilon()
	} else {
		f.past = math.Max(6*float64(m.Latency()), 20e6)
	}
	n := float64(m.Nodes())
	f.rowH = math.Min(maxRowH, (bottom-top)/n)
	f.y0 = top + ((bottom-top)-f.rowH*n)/2
	return f
}

// xNow is where true time "now" is drawn.
// font is the size labels are reckoned at: the narrow layout draws them
// bigger.
func (f frame) font() float64 {
	if f.narrow {
		return canvas.NarrowMinText
	}
	return stampFontSize
}

func (f frame) xNow() float64 { return f.left + nowAt*(f.right-f.left) }

// x is where true time t (in ns) is drawn; it may fall outside the
// timelines.
func (f frame) x(t float64) float64 {
	return f.xNow() + (t-float64(f.now))/f.past*(f.xNow()-f.left)
}

func (f frame) xt(t time.Duration) float64 { return f.x(float64(t)) }

// clip limits x to the timelines.
func (f frame) clip(x float64) float64 { return math.Max(f.left, math.Min(f.right, x)) }

// row is the y of node i's timeline.
func (f frame) row(i int) float64 { return f.y0 + f.rowH*(float64(i)+0.5) }

// RowCenter is where node i's name is drawn, in logical pixels: what a
// click must hit to push its clock ahead.
func RowCenter(m *tt.Model, i int) (x, y float64) {
	return 24, newFrame(m).row(i)
}

// The narrow layout: the timelines across the narrow width (as tall), the
// legend on two lines, the panel under them.
var (
	wide        = canvas.Size{W: 640, H: 400}
	panelBox    = canvas.Box{X: panelX - 6, Y: 2, W: panelR - panelX + 12, H: 236}
	panelK      = 1.3
	narrowPanel = legendY + 36
	narrowSize  = canvas.Size{W: canvas.NarrowWidth, H: narrowPanel + panelBox.H*panelK}
)

// Draw paints the lab.
func Draw(c canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*tt.Model)
	c.Clear(th.Background)
	if canvas.Narrow(c) {
		f := layoutFrame(m, true)
		timelines(&canvas.Sub{Canvas: c, K: 1, Wide: wide, MinSize: canvas.NarrowMinText}, m, f, th)
		w := panelBox.W * panelK
		drawPanel(canvas.Region(c, wide, panelBox, (canvas.NarrowWidth-w)/2, narrowPanel, w), m, th)
		return
	}
	f := newFrame(m)
	timelines(c, m, f, th)
	drawPanel(c, m, th)
}

// timelines draws each node's timeline with what happens on it, and the
// legend under them.
func timelines(c canvas.Canvas, m *tt.Model, f frame, th canvas.Theme) {
	drawRows(c, f, th)
	if m.Mode() == tt.TrueTime {
		drawTrueTime(c, f, th)
	} else {
		drawMessages(c, f, th)
		drawStamps(c, f, th)
	}
	drawMarks(c, f, th)
	drawNow(c, f, th)
	drawLegend(c, m, th, f)
}

// drawRows draws each node's name, key and timeline.
func drawRows(c canvas.Canvas, f frame, th canvas.Theme) {
	axis := canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.55), StrokeWidth: 1}
	for i := range f.m.Nodes() {
		y := f.row(i)
		c.Line(f.left, y, f.right, y, axis)
		c.Circle(24, y, 13, canvas.Style{Fill: th.Surface, Stroke: th.Accent, StrokeWidth: 1.5})
		c.Text(24, y, tt.NodeName(i), 13, th.Text, canvas.Center)
		c.Text(48, y, tt.KeyName(i), 11, th.Muted, canvas.Center)
	}
	c.Text(12, 16, modeTitle(f.m), 14, th.Text, canvas.Left)
	c.Text(f.right, 16, "t = "+clock(f.now), 12, th.Muted, canvas.Right)
}

// drawNow draws the line of true time now across the rows.
func drawNow(c canvas.Canvas, f frame, th canvas.Theme) {
	x := f.xNow()
	c.Line(x, top-10, x, bottom+4, canvas.Style{Stroke: th.Text, StrokeWidth: 1, Dash: true})
	c.Text(x, top-17, "true time now", 11, th.Muted, canvas.Center)
}

// drawTrueTime draws every node's transactions and its interval now.
func drawTrueTime(c canvas.Canvas, f frame, th canvas.Theme) {
	m := f.m
	txns := append(m.Recent(), m.Running()...)
	byID := map[int]tt.Txn{}
	for _, t := range txns {
		byID[t.ID] = t
	}
	// Clients take turns in lanes, so back-to-back transactions of
	// different clients do not hide each other.
	lanes := min(m.Clients(), 2)
	if f.rowH >= 80 {
		lanes = m.Clients()
	}
	newestBad := 0 // only the newest violation gets its connecting line
	for _, t := range txns {
		if t.Violation {
			newestBad = max(newestBad, t.ID)
		}
	}
	var labels []label
	for _, t := range txns {
		end := t.End
		if !t.Done {
			end = f.now
		}
		if f.xt(end) < f.left || f.xt(t.Stamped) > f.right {
			continue
		}
		y := f.row(t.Node)
		x0, x1 := f.clip(f.xt(t.Stamped)), f.clip(f.xt(end))
		col := th.Write
		if t.Violation {
			col = th.Bad
		}
		// The bar: commit wait filled, the rest (replication) outlined.
		waitEnd := t.WaitEnd
		if !t.Done && m.CommitWait() && waitEnd == 0 {
			waitEnd = f.now
		}
		bar := y - 7 - barH - float64(t.Client%lanes)*(barH+2)
		if waitEnd > 0 {
			xw := f.clip(f.xt(waitEnd))
			c.Rect(x0, bar, math.Max(1, xw-x0), barH, canvas.Style{Fill: canvas.Mix(th.Warn, th.Background, 0.35), Stroke: th.Warn, StrokeWidth: 1})
			if x1 > xw {
				c.Rect(xw, bar, x1-xw, barH, canvas.Style{Stroke: col, StrokeWidth: 1})
			}
		} else {
			c.Rect(x0, bar, math.Max(2, x1-x0), barH, canvas.Style{Stroke: col, StrokeWidth: 1.5})
		}
		// s, on the axis of true time.
		if xs := f.x(t.S); xs >= f.left && xs <= f.right {
			diamond(c, xs, y, 4.5, canvas.Style{Fill: col})
		}
		text := fmt.Sprintf("T%d", t.ID)
		if t.Done && t.WaitEnd > 0 {
			text += fmt.Sprintf(" wait %.1f", float64(t.WaitEnd-t.Stamped)/1e6)
		}
		if t.Violation {
			text = fmt.Sprintf("T%d out of order", t.ID)
			cross(c, x0-6, bar+barH/2, 4, th.Bad)
			if a, ok := byID[t.Against]; ok && t.ID == newestBad {
				// A dashed line from this s back to the s it fell below.
				xa := f.x(a.S)
				if xa >= f.left && xa <= f.right {
					c.Line(f.x(t.S), y, xa, f.row(a.Node), canvas.Style{Stroke: th.Bad, StrokeWidth: 1.2, Dash: true})
				}
			}
		}
		labels = append(labels, label{x0, y - 7 - float64(lanes)*(barH+2) - 8, text, labelColour(t, th), t.Node, t.Violation, canvas.Left})
	}
	place(c, f, labels)
	for i := range m.Nodes() {
		drawInterval(c, f, th, i)
	}
}

// label is a text a row would like to show.
type label struct {
	x, y   float64
	text   string
	col    color.RGBA
	row    int
	urgent bool // an out-of-order transaction: placed first
	align  canvas.Align
}

// span is the horizontal extent of the label.
func (l label) span(size float64) (float64, float64) {
	w := textWidth(l.text, size)
	switch l.align {
	case canvas.Center:
		return l.x - w/2, l.x + w/2
	case canvas.Right:
		return l.x - w, l.x
	}
	return l.x, l.x + w
}

// place writes the labels that fit: urgent ones first, then the newest
// (last) first, sliding them back from the right edge, and leaving out any
// that would overlap one already placed on its row.
func place(c canvas.Canvas, f frame, labels []label) {
	type extent struct {
		row    int
		x0, x1 float64
	}
	var placed []extent
	try := func(l label) {
		x0, x1 := l.span(f.font())
		if d := f.right - x1; d < 0 { // slide in from the f.right edge
			l.x, x0, x1 = l.x+d, x0+d, x1+d
		}
		if x0 < f.left {
			return
		}
		for _, p := range placed {
			if p.row == l.row && x0 < p.x1+labelGap && p.x0 < x1+labelGap {
				return
			}
		}
		placed = append(placed, extent{l.row, x0, x1})
		c.Text(l.x, l.y, l.text, stampFontSize, l.col, l.align)
	}
	for pass := range 2 {
		for j := len(labels) - 1; j >= 0; j-- {
			if labels[j].urgent == (pass == 0) {
				try(labels[j])
			}
		}
	}
}

func labelColour(t tt.Txn, th canvas.Theme) color.RGBA {
	if t.Violation {
		return th.Bad
	}
	return th.Text
}

// drawInterval draws node i's TT.now() below its timeline: a bracket from
// earliest to latest with a dot at the clock's reading.
func drawInterval(c canvas.Canvas, f frame, th canvas.Theme, i int) {
	m := f.m
	iv := m.TTNow(i)
	y := f.row(i) + 11
	col := th.Read
	if !m.InBounds(i) {
		col = th.Bad
	}
	x0, x1 := f.x(iv.Earliest), f.x(iv.Latest)
	s := canvas.Style{Stroke: col, StrokeWidth: 2}
	c.Line(f.clip(x0), y, f.clip(x1), y, s)
	for _, x := range []float64{x0, x1} {
		if x >= f.left && x <= f.right {
			c.Line(x, y-4, x, y+4, s)
		}
	}
	if x1 > f.right {
		arrow(c, f.right, y, 1, col)
	}
	if xr := f.x(float64(f.now) + m.Offset(i)); xr >= f.left && xr <= f.right {
		c.Circle(xr, y, 2.5, canvas.Style{Fill: col})
	}
	text := fmt.Sprintf("±%.1f", m.Epsilon(i)/1e6)
	if !m.InBounds(i) {
		text = "outside interval"
	}
	c.Text(f.clip(x0)-4, y, text, 11, col, canvas.Right)
}

// drawMessages draws the messages between nodes: delivered ones as lines
// from sending to arrival, those in flight up to where they are now.
func drawMessages(c canvas.Canvas, f frame, th canvas.Theme) {
	for _, msg := range f.m.Delivered() {
		drawMessage(c, f, th, msg, 1)
	}
	canvas.Traffic(c, func() {
		for _, msg := range f.m.InFlight() {
			drawMessage(c, f, th, msg, render.Flight(th, f.now, msg))
		}
	})
}

// drawMessage draws the part frac of a message's way.
func drawMessage(c canvas.Canvas, f frame, th canvas.Theme, msg engine.Message, frac float64) {
	x0, y0 := f.xt(msg.SentAt), f.row(msg.From)
	x1, y1 := f.xt(msg.ArrivesAt), f.row(msg.To)
	xe, ye := x0+(x1-x0)*frac, y0+(y1-y0)*frac
	if xe < f.left {
		return
	}
	if x0 < f.left { // enter from the f.left edge
		k := (f.left - x0) / (xe - x0)
		x0, y0 = f.left, y0+(ye-y0)*k
	}
	col, dash := th.Write, false
	if msg.Payload.(tt.Packet).Read {
		col = th.Read
	}
	if msg.Kind == tt.Retry {
		col, dash = th.Warn, true
	}
	c.Line(x0, y0, xe, ye, canvas.Style{Stroke: col, StrokeWidth: 1.3, Dash: dash})
	if d := math.Hypot(xe-x0, ye-y0); d > 8 {
		head(c, xe, ye, (xe-x0)/d, (ye-y0)/d, col)
	}
}

// drawStamps draws each transaction where its key's node ran it, with
// its timestamp; labels that would overlap are left out, newest first.
func drawStamps(c canvas.Canvas, f frame, th canvas.Theme) {
	m := f.m
	var labels []label
	for _, t := range append(m.Recent(), m.Running()...) {
		if t.Stamped == 0 && !t.Done { // on its way to its node
			continue
		}
		x, y := f.xt(t.Stamped), f.row(t.Node)
		if x < f.left || x > f.right {
			continue
		}
		col := th.Write
		if t.Read {
			col = th.Read
		}
		if t.Violation {
			col = th.Bad
		}
		if t.Read {
			c.Circle(x, y, 4.5, canvas.Style{Fill: col, Stroke: th.Background, StrokeWidth: 1})
		} else {
			c.Rect(x-4, y-4, 8, 8, canvas.Style{Fill: col, Stroke: th.Background, StrokeWidth: 1})
		}
		labels = append(labels, label{x, y - 12, stamp(m, t), labelColour(t, th), t.Node, t.Violation, canvas.Center})
	}
	place(c, f, labels)
}

// stamp writes a transaction's timestamp for its label.
func stamp(m *tt.Model, t tt.Txn) string {
	switch m.Mode() {
	case tt.Hybrid:
		return t.H.Short()
	case tt.Lamport:
		return fmt.Sprintf("%d.%s", t.L.Count, tt.NodeName(t.L.Node))
	case tt.Vector:
		return t.V.String()
	}
	return ""
}

// drawMarks draws restarts, violations, syncs and clock jumps on their
// node's timeline.
func drawMarks(c canvas.Canvas, f frame, th canvas.Theme) {
	marks := f.m.Marks()
	lastRestart, lastBad := -1, -1
	for i, k := range marks {
		switch {
		case f.xt(k.At) < left:
		case k.Kind == "restart":
			lastRestart = i
		case k.Kind == "stale" || k.Kind == "order":
			lastBad = i
		}
	}
	for i, k := range marks {
		x, y := f.xt(k.At), f.row(k.Node)
		if x < f.left || x > f.right {
			continue
		}
		switch k.Kind {
		case "restart":
			c.Circle(x, y, 7, canvas.Style{Stroke: th.Warn, StrokeWidth: 2})
			c.Text(x, y+15, "restart", 11, th.Warn, canvas.Center)
			if i == lastRestart {
				drawWindow(c, f, th, k)
			}
		case "stale", "order":
			if f.m.Mode() == tt.TrueTime {
				continue // the transaction's bar says so
			}
			cross(c, x, y+15, 4.5, th.Bad)
			if i == lastBad {
				what := map[tt.Mode]string{tt.Hybrid: "stale read", tt.Lamport: "out of order", tt.Vector: "concurrent"}[f.m.Mode()]
				if x+8+textWidth(what, 11) > f.right {
					c.Text(x-8, y+15, what, 11, th.Bad, canvas.Right)
				} else {
					c.Text(x+8, y+15, what, 11, th.Bad, canvas.Left)
				}
			}
		case "sync":
			c.Line(x, y-5, x, y+5, canvas.Style{Stroke: th.OK, StrokeWidth: 2})
			c.Text(x+3, y+f.rowH/2-8, "sync", 11, th.OK, canvas.Left)
		case "skew":
			c.Line(x, y-5, x, y+5, canvas.Style{Stroke: th.Bad, StrokeWidth: 2})
			c.Text(x+3, y+f.rowH/2-8, "clock pushed", 11, th.Bad, canvas.Left)
		}
	}
}

// drawWindow draws a restarted read's uncertainty window: from its
// timestamp up to the max offset above it, with the value that fell in.
func drawWindow(c canvas.Canvas, f frame, th canvas.Theme, k tt.Mark) {
	y := f.row(k.Node) - 22
	x0, x1 := f.x(k.Window[0]), f.x(k.Window[1])
	s := canvas.Style{Stroke: th.Warn, StrokeWidth: 1.5, Dash: true}
	if x1 < f.left || x0 > f.right {
		return
	}
	c.Line(f.clip(x0), y, f.clip(x1), y, s)
	if x0 >= f.left {
		c.Line(x0, y-4, x0, y+4, s)
	}
	if x1 > f.right {
		arrow(c, f.right, y, 1, th.Warn)
	} else {
		c.Line(x1, y-4, x1, y+4, s)
	}
	if xv := f.x(k.Value); xv >= f.left && xv <= f.right {
		diamond(c, xv, y, 4, canvas.Style{Fill: th.Warn})
	}
}

// drawPanel writes the mode, the metrics that matter for it and each
// node's clock.
func drawPanel(c canvas.Canvas, m *tt.Model, th canvas.Theme) {
	x, y := panelX, 16.0
	sep := canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.7), StrokeWidth: 1}
	c.Text(x, y, subtitle(m), 11, th.Muted, canvas.Left)
	y += 20
	c.Line(x, y-9, panelR, y-9, sep)
	vals := m.Metrics()
	for i, mt := range tt.Schema.Metrics {
		if !shown(m, mt.Name) {
			continue
		}
		col, label := th.Text, mt.Label
		switch mt.Name {
		case "commit_wait_ms_mean":
			label = "Mean wait"
		case "commit_wait_ms_p99":
			label = "p99 wait"
		case "uncertainty_restarts":
			label = "Restarts"
		case "order_violations":
			if m.Mode() == tt.Hybrid {
				label = "Stale reads"
			}
			if vals[i] > 0 {
				col = th.Bad
			}
		}
		c.Text(x, y, label, 12, th.Muted, canvas.Left)
		c.Text(panelR, y, mt.Format(vals[i]), 12, col, canvas.Right)
		y += 17
	}
	y += 4
	c.Line(x, y-9, panelR, y-9, sep)
	c.Text(x, y, clockHeading(m), 11, th.Muted, canvas.Left)
	y += 16
	for i := range m.Nodes() {
		text, col := nodeClock(m, i, th)
		c.Text(x, y, tt.NodeName(i), 12, th.Text, canvas.Left)
		c.Text(panelR, y, text, 12, col, canvas.Right)
		y += 16
	}
}

// shown says which metrics the panel lists in the model's mode.
func shown(m *tt.Model, name string) bool {
	switch name {
	case "commit_wait_ms_mean", "commit_wait_ms_p99":
		return m.Mode() == tt.TrueTime && m.CommitWait()
	case "epsilon_ms_mean":
		return m.Mode() == tt.TrueTime || m.Mode() == tt.Hybrid
	case "uncertainty_restarts":
		return m.Mode() == tt.Hybrid
	}
	return true
}

// value formats a metric for the panel.
func clockHeading(m *tt.Model) string {
	switch m.Mode() {
	case tt.TrueTime:
		return "Clocks now: offset, ε"
	case tt.Hybrid:
		return "HLC now (ms + logical)"
	}
	return "Clocks now"
}

// nodeClock writes node i's clock for the panel, and the colour to write
// it in.
func nodeClock(m *tt.Model, i int, th canvas.Theme) (string, color.RGBA) {
	switch m.Mode() {
	case tt.TrueTime:
		off := math.Round(m.Offset(i)/1e5) / 10
		if off == 0 {
			off = 0 // not -0
		}
		s := fmt.Sprintf("%+.1f, ±%.1f ms", off, m.Epsilon(i)/1e6)
		if !m.InBounds(i) {
			return fmt.Sprintf("%+.1f ms: outside", off), th.Bad
		}
		return s, th.Text
	case tt.Hybrid:
		s := m.Clock(i).Short()
		if math.Abs(m.Offset(i)) > m.MaxOffset()/2 {
			return "fast " + s, th.Bad
		}
		return s, th.Text
	case tt.Lamport:
		return fmt.Sprint(m.Lamport(i)), th.Text
	}
	return m.Vector(i).String(), th.Text
}

func modeTitle(m *tt.Model) string {
	switch m.Mode() {
	case tt.TrueTime:
		if m.CommitWait() {
			return "TrueTime with commit wait"
		}
		return "TrueTime, commit wait off"
	case tt.Hybrid:
		return "Hybrid logical clocks"
	case tt.Lamport:
		return "Lamport clocks"
	}
	return "Vector clocks"
}

func subtitle(m *tt.Model) string {
	switch m.Mode() {
	case tt.TrueTime:
		return fmt.Sprintf("mean ε %s ms, %d nodes", trim(m.MeanEpsilon()/1e6), m.Nodes())
	case tt.Hybrid:
		return fmt.Sprintf("max offset %s ms, %d nodes", trim(m.MaxOffset()/1e6), m.Nodes())
	}
	return fmt.Sprintf("latency %s ms, %d nodes", trim(float64(m.Latency())/1e6), m.Nodes())
}

func trim(x float64) string { return strings.TrimSuffix(fmt.Sprintf("%.1f", x), ".0") }

// drawLegend explains the marks of the mode, under the timelines.
func drawLegend(c canvas.Canvas, m *tt.Model, th canvas.Theme, f frame) {
	x, y := f.left, legendY
	item := func(w float64, draw func(x float64), label string) {
		if x+w+5+textWidth(label, f.font()) > f.right+8 && x > f.left { // the next line
			x, y = f.left, y+18
		}
		draw(x)
		c.Text(x+w+5, y, label, 11, th.Muted, canvas.Left)
		x += w + 5 + textWidth(label, f.font()) + 12
	}
	if m.Mode() == tt.TrueTime {
		if m.CommitWait() {
			item(14, func(x float64) {
				c.Rect(x, y-4.5, 14, barH, canvas.Style{Fill: canvas.Mix(th.Warn, th.Background, 0.35), Stroke: th.Warn, StrokeWidth: 1})
			}, "commit wait")
		} else {
			item(14, func(x float64) { c.Rect(x, y-4.5, 14, barH, canvas.Style{Stroke: th.Write, StrokeWidth: 1.5}) }, "commit")
		}
		item(9, func(x float64) { diamond(c, x+4.5, y, 4.5, canvas.Style{Fill: th.Write}) }, "timestamp s")
		item(16, func(x float64) {
			s := canvas.Style{Stroke: th.Read, StrokeWidth: 2}
			c.Line(x, y, x+16, y, s)
			c.Line(x, y-4, x, y+4, s)
			c.Line(x+16, y-4, x+16, y+4, s)
		}, "TT.now()")
		item(9, func(x float64) { cross(c, x+4.5, y, 4, th.Bad) }, "out of order")
		return
	}
	item(8, func(x float64) { c.Rect(x, y-4, 8, 8, canvas.Style{Fill: th.Write}) }, "write")
	item(9, func(x float64) { c.Circle(x+4.5, y, 4.5, canvas.Style{Fill: th.Read}) }, "read")
	item(16, func(x float64) {
		c.Line(x, y, x+16, y, canvas.Style{Stroke: th.Write, StrokeWidth: 1.3})
		head(c, x+16, y, 1, 0, th.Write)
	}, "message")
	if m.Mode() == tt.Hybrid {
		item(14, func(x float64) { c.Circle(x+7, y, 6, canvas.Style{Stroke: th.Warn, StrokeWidth: 2}) }, "restart")
		item(9, func(x float64) { cross(c, x+4.5, y, 4, th.Bad) }, "stale")
		return
	}
	item(9, func(x float64) { cross(c, x+4.5, y, 4, th.Bad) }, "not after an earlier txn")
}

// diamond draws a diamond of radius r at (x, y).
func diamond(c canvas.Canvas, x, y, r float64, s canvas.Style) {
	c.Polygon([]float64{x, y - r, x + r, y, x, y + r, x - r, y}, s)
}

// cross draws an × of half-size r at (x, y).
func cross(c canvas.Canvas, x, y, r float64, col color.RGBA) {
	s := canvas.Style{Stroke: col, StrokeWidth: 2.2}
	c.Line(x-r, y-r, x+r, y+r, s)
	c.Line(x-r, y+r, x+r, y-r, s)
}

// head draws an arrowhead at (x, y) pointing along (ux, uy).
func head(c canvas.Canvas, x, y, ux, uy float64, col color.RGBA) {
	const l, w = 7.0, 3.5
	c.Polygon([]float64{x, y, x - ux*l - uy*w, y - uy*l + ux*w, x - ux*l + uy*w, y - uy*l - ux*w}, canvas.Style{Fill: col})
}

// arrow draws a small arrowhead at the edge: the line goes on beyond it.
func arrow(c canvas.Canvas, x, y, dir float64, col color.RGBA) {
	head(c, x+dir*3, y, dir, 0, col)
}

// textWidth is a generous guess at the width of s in a sans-serif font.
func textWidth(s string, size float64) float64 {
	return 0.58 * size * float64(utf8.RuneCountInString(s))
}

// Hit maps a click on a node's name to pushing its clock ahead, for the
// clocks that read physical time.
func Hit(lm lab.Model, x, y float64) (string, int, bool) {
	m := lm.(*tt.Model)
	if m.Mode() == tt.Lamport || m.Mode() == tt.Vector {
		return "", 0, false
	}
	for i := range m.Nodes() {
		cx, cy := RowCenter(m, i)
		if math.Hypot(x-cx, y-cy) <= 13+hitSlack {
			return "skew", i, true
		}
	}
	return "", 0, false
}

// Describe says in words what the picture shows.
func Describe(lm lab.Model) string {
	m := lm.(*tt.Model)
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s. %d transactions finished", modeTitle(m), subtitle(m), m.Finished())
	v := m.Metrics()
	switch m.Mode() {
	case tt.TrueTime:
		if m.CommitWait() {
			fmt.Fprintf(&b, ", mean commit wait %.1f ms", v[0])
		}
		fmt.Fprintf(&b, ", %d out of order.", m.Violations())
		var out []string
		for i := range m.Nodes() {
			if !m.InBounds(i) {
				out = append(out, tt.NodeName(i))
			}
		}
		if len(out) > 0 {
			fmt.Fprintf(&b, " Clock outside its interval: %s.", strings.Join(out, ", "))
		}
	case tt.Hybrid:
		fmt.Fprintf(&b, ", %d uncertainty restarts, %d stale reads.", m.Restarts(), m.Violations())
	default:
		fmt.Fprintf(&b, ", %d not ordered after a transaction that finished before they began.", m.Violations())
	}
	return b.String()
}

// clock formats a virtual time for the reader: "812 ms", "12.3 s".
func clock(t time.Duration) string {
	if t < 10*time.Second {
		return fmt.Sprintf("%.0f ms", float64(t)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", t.Seconds())
}
