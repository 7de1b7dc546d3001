// Package quorum draws the quorum lab: the replicas on a ring with the
// versions they hold, the clients in the middle, messages moving between
// them, and a panel with the rule, the metrics and the last operations.
package quorum

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
	"github.com/scaling-data/book/sim/quorum"
)

// View is the quorum lab's view.
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe}

// Layout, in logical pixels of the lab's 640×400 canvas.
const (
	ringX          = 218.0        // centre of the ring; its y centres the drawing
	ringRX, ringRY = 168.0, 140.0 // radii of the ring (an ellipse)
	top, bottom    = 30.0, 396.0  // room for the ring and its labels
	nodeR          = 17.0         // radius of a replica
	clientW        = 60.0         // size of a client box
	clientH        = 22.0
	clientGap      = 44.0 // between clients, centre to centre
	panelX         = 444.0
	panelR         = 624.0 // right edge of the panel
	lineH          = 12.0  // versions under a replica
	versionCol     = 48.0  // between the two columns of versions
	hitSlack       = 6.0   // a click this close to a replica hits it
)

type point struct{ x, y float64 }

// ringY is the height of the ring's centre that centres the replicas and
// the lines under them (versions, and "down") between top and bottom.
func ringY(m *quorum.Model) float64 {
	below := nodeR + 4 + float64((len(m.Keys())+1)/2+1)*lineH
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range m.N() {
		y := -ringRY * math.Cos(angle(i, m.N()))
		lo, hi = min(lo, y-nodeR), max(hi, y+below)
	}
	return (top+bottom)/2 - (lo+hi)/2
}

func angle(i, n int) float64 { return 2 * math.Pi * float64(i) / float64(n) }

// nodeAt is the centre of replica i, clockwise from the top.
func nodeAt(m *quorum.Model, i int) point {
	a := angle(i, m.N())
	return point{ringX + ringRX*math.Sin(a), ringY(m) - ringRY*math.Cos(a)}
}

// NodeCenter is where replica i is drawn, in logical pixels: what a click
// must hit to crash or recover it.
func NodeCenter(m *quorum.Model, i int) (x, y float64) {
	p := nodeAt(m, i)
	return p.x, p.y
}

// clientAt is the centre of client c, in a column in the middle.
func clientAt(m *quorum.Model, c int) point {
	return point{ringX, ringY(m) + (float64(c)-float64(m.Clients()-1)/2)*clientGap}
}

// endpoint is the centre of a network endpoint and the radius its
// messages leave from: replicas first, then clients.
func endpoint(m *quorum.Model, id int) (point, float64) {
	if id < m.N() {
		return nodeAt(m, id), nodeR
	}
	return clientAt(m, id-m.N()), clientH / 2
}

// Draw paints the lab.
func Draw(c canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*quorum.Model)
	c.Clear(th.Background)
	drawLinks(c, m, th)
	for i := range m.N() {
		drawNode(c, m, th, i)
	}
	for k := range m.Clients() {
		drawClient(c, m, th, k)
	}
	for _, msg := range m.InFlight() {
		drawPacket(c, m, th, msg)
	}
	drawStatus(c, m, th)
	drawPanel(c, m, th)
}

// drawLinks draws the ring and, for a single client, a faint line to
// every replica (with more clients the lines would only be clutter).
func drawLinks(c canvas.Canvas, m *quorum.Model, th canvas.Theme) {
	cy := ringY(m)
	ring := make([]float64, 0, 2*96)
	for i := range 96 {
		a := angle(i, 96)
		ring = append(ring, ringX+ringRX*math.Sin(a), cy-ringRY*math.Cos(a))
	}
	c.Polygon(ring, canvas.Style{Stroke: mix(th.Muted, th.Background, 0.8), StrokeWidth: 1})
	if m.Clients() > 1 {
		return
	}
	up := canvas.Style{Stroke: mix(th.Muted, th.Background, 0.7), StrokeWidth: 1}
	down := canvas.Style{Stroke: mix(th.Bad, th.Background, 0.6), StrokeWidth: 1, Dash: true}
	p := clientAt(m, 0)
	for i := range m.N() {
		q, s := nodeAt(m, i), up
		if !m.Up(i) {
			s = down
		}
		c.Line(p.x, p.y, q.x, q.y, s)
	}
}

// drawNode draws replica i with its name and the versions it holds.
// Versions older than the newest acknowledged write are drawn in Warn.
func drawNode(c canvas.Canvas, m *quorum.Model, th canvas.Theme, i int) {
	p := nodeAt(m, i)
	name := quorum.NodeName(i)
	if m.Up(i) {
		c.Circle(p.x, p.y, nodeR, canvas.Style{Fill: th.Surface, Stroke: th.OK, StrokeWidth: 2})
		c.Text(p.x, p.y, name, 14, th.Text, canvas.Center)
	} else {
		c.Circle(p.x, p.y, nodeR, canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 2, Dash: true})
		c.Text(p.x, p.y, name, 14, th.Muted, canvas.Center)
		// A cross on a badge: down, without relying on colour.
		bx, by := p.x+nodeR*0.75, p.y-nodeR*0.75
		c.Circle(bx, by, 6.5, canvas.Style{Fill: th.Bad})
		x := canvas.Style{Stroke: th.Background, StrokeWidth: 1.8}
		c.Line(bx-3, by-3, bx+3, by+3, x)
		c.Line(bx-3, by+3, bx+3, by-3, x)
	}
	keys := m.Keys()
	top := p.y + nodeR + 4 + lineH/2
	lines, w := (len(keys)+1)/2, versionCol
	if !m.Up(i) {
		lines++
	}
	if len(keys) > 1 {
		w *= 2
	}
	// Hide the ring behind the text.
	c.Rect(p.x-w/2, top-lineH/2, w, float64(lines)*lineH, canvas.Style{Fill: th.Background})
	if !m.Up(i) {
		c.Text(p.x, top, "down", 11, th.Bad, canvas.Center)
		top += lineH
	}
	for k, key := range keys {
		x := p.x
		if len(keys) > 1 {
			x += (float64(k%2) - 0.5) * versionCol
		}
		y := top + float64(k/2)*lineH
		v := m.Version(i, k)
		newest, _ := m.Newest(k)
		col := th.Text
		switch {
		case !m.Up(i):
			col = th.Muted
		case v < newest:
			col = th.Warn
		}
		c.Text(x, y, fmt.Sprintf("%s:v%d", key, v), 11, col, canvas.Center)
	}
}

// drawClient draws client k and what it is doing.
func drawClient(c canvas.Canvas, m *quorum.Model, th canvas.Theme, k int) {
	p := clientAt(m, k)
	c.Rect(p.x-clientW/2, p.y-clientH/2, clientW, clientH, canvas.Style{Fill: th.Background, Stroke: th.Accent, StrokeWidth: 2})
	name := "client"
	if m.Clients() > 1 {
		name = fmt.Sprintf("client %d", k+1)
	}
	c.Text(p.x, p.y, name, 12, th.Accent, canvas.Center)

	var ops []quorum.Op
	for _, op := range m.InProgress() {
		if op.Client == k {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return
	}
	text := opLabel(m, ops[len(ops)-1])
	if len(ops) > 1 {
		text += fmt.Sprintf(" (+%d)", len(ops)-1)
	}
	y := p.y + clientH/2 + 9
	w := textWidth(text, 11) + 8
	c.Rect(p.x-w/2, y-7, w, 14, canvas.Style{Fill: th.Background})
	c.Text(p.x, y, text, 11, th.Text, canvas.Center)
}

// textWidth is a generous guess at the width of s in a sans-serif font.
func textWidth(s string, size float64) float64 {
	return 0.6 * size * float64(utf8.RuneCountInString(s))
}

// opLabel says what an operation in progress is waiting for.
func opLabel(m *quorum.Model, op quorum.Op) string {
	key := m.Keys()[op.Key]
	if op.Kind == engine.Write {
		return fmt.Sprintf("write %s=v%d · %d/%d acks", key, op.Version, op.Replies, op.Need)
	}
	return fmt.Sprintf("read %s · %d/%d replies", key, op.Replies, op.Need)
}

// drawPacket draws a message where it is now on its way: writes are
// squares, reads circles, acks and replies triangles pointing where they
// go. A message that will be dropped is hollow.
func drawPacket(c canvas.Canvas, m *quorum.Model, th canvas.Theme, msg engine.Message) {
	from, r0 := endpoint(m, msg.From)
	to, r1 := endpoint(m, msg.To)
	dx, dy := to.x-from.x, to.y-from.y
	d := math.Hypot(dx, dy)
	if d < r0+r1 {
		return
	}
	ux, uy := dx/d, dy/d
	f := 1.0
	if span := msg.ArrivesAt - msg.SentAt; span > 0 {
		f = math.Max(0, math.Min(1, float64(m.Now()-msg.SentAt)/float64(span)))
	}
	along := r0 + f*(d-r0-r1)
	x, y := from.x+ux*along, from.y+uy*along

	col := th.Write
	if msg.Kind == quorum.ReadReq || msg.Kind == quorum.Reply {
		col = th.Read
	}
	s := canvas.Style{Fill: col}
	if msg.Dropped || (msg.To < m.N() && !m.Up(msg.To)) {
		s = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5}
	}
	shape(c, msg.Kind, x, y, ux, uy, s)
}

// shape draws the mark of a message kind at (x, y), heading (ux, uy).
func shape(c canvas.Canvas, kind string, x, y, ux, uy float64, s canvas.Style) {
	switch kind {
	case quorum.WriteReq:
		c.Rect(x-4.5, y-4.5, 9, 9, s)
	case quorum.ReadReq:
		c.Circle(x, y, 5, s)
	default: // a triangle pointing along the way
		const l, w = 6.5, 5.0
		c.Polygon([]float64{
			x + ux*l, y + uy*l,
			x - ux*l/2 - uy*w, y - uy*l/2 + ux*w,
			x - ux*l/2 + uy*w, y - uy*l/2 - ux*w,
		}, s)
	}
}

// drawStatus writes the virtual clock at the top left.
func drawStatus(c canvas.Canvas, m *quorum.Model, th canvas.Theme) {
	c.Text(12, 14, "t = "+clock(m.Now()), 12, th.Muted, canvas.Left)
}

// drawPanel draws the rule, the metrics, the last operations and a legend.
func drawPanel(c canvas.Canvas, m *quorum.Model, th canvas.Theme) {
	x, y := panelX, 18.0
	c.Text(x, y, fmt.Sprintf("N = %d   W = %d   R = %d", m.N(), m.W(), m.R()), 15, th.Text, canvas.Left)
	y += 22
	rule, col := ruleOf(m, th)
	c.Text(x, y, rule[0], 12, col, canvas.Left)
	c.Text(x, y+15, rule[1], 12, th.Text, canvas.Left)

	y += 40
	c.Line(x, y-10, panelR, y-10, canvas.Style{Stroke: mix(th.Muted, th.Background, 0.7), StrokeWidth: 1})
	stale := m.Counts().StaleReads
	for i, v := range m.Metrics() {
		mt := quorum.Schema.Metrics[i]
		col := th.Text
		if mt.Name == "stale_reads" && stale > 0 {
			col = th.Bad
		}
		c.Text(x, y, mt.Label, 12, th.Muted, canvas.Left)
		c.Text(panelR, y, fmt.Sprint(v), 12, col, canvas.Right)
		y += 17
	}

	y += 6
	c.Line(x, y-10, panelR, y-10, canvas.Style{Stroke: mix(th.Muted, th.Background, 0.7), StrokeWidth: 1})
	c.Text(x, y, "Last operations", 11, th.Muted, canvas.Left)
	y += 18
	recent := m.Recent()
	for i := len(recent) - 1; i >= 0 && i >= len(recent)-6; i-- {
		y = drawOp(c, m, th, recent[i], x, y, i == len(recent)-1)
	}
	if len(recent) == 0 {
		c.Text(x, y, "none yet", 11, th.Muted, canvas.Left)
	}
	drawLegend(c, th, x, 348)
}

// ruleOf states whether reads overlap writes, in two lines, and the colour
// to say it in.
func ruleOf(m *quorum.Model, th canvas.Theme) ([2]string, color.RGBA) {
	wr := m.W() + m.R()
	if wr > m.N() {
		return [2]string{fmt.Sprintf("W+R = %d > N = %d:", wr, m.N()), "reads overlap the last write"}, th.OK
	}
	return [2]string{fmt.Sprintf("W+R = %d ≤ N = %d:", wr, m.N()), "a read may miss the last write"}, th.Bad
}

// drawOp draws one completed operation as a row and returns the next
// row's y. The newest is boxed; a stale read says which write it missed.
func drawOp(c canvas.Canvas, m *quorum.Model, th canvas.Theme, op quorum.Op, x, y float64, newest bool) float64 {
	key := m.Keys()[op.Key]
	var what string
	switch {
	case op.Kind == engine.Write:
		what = fmt.Sprintf("write %s=v%d", key, op.Version)
	case op.Outcome == quorum.Failed:
		what = "read " + key
	default:
		what = fmt.Sprintf("read %s → v%d", key, op.Version)
	}
	if m.Clients() > 1 {
		what = fmt.Sprintf("%d: %s", op.Client+1, what)
	}
	outcome, col := "ok", th.OK
	switch op.Outcome {
	case quorum.Failed:
		outcome, col = "failed", th.Bad
	case quorum.Stale:
		outcome, col = "STALE", th.Bad
	}
	h := 17.0
	detail := newest && op.Outcome == quorum.Stale
	if detail {
		h += 14
	}
	if newest {
		c.Rect(x-6, y-9, panelR-x+12, h, canvas.Style{Fill: th.Surface, Stroke: col, StrokeWidth: 1.5})
	}
	c.Text(x, y, what, 12, th.Text, canvas.Left)
	c.Text(panelR, y, outcome, 12, col, canvas.Right)
	if detail {
		c.Text(x, y+14, fmt.Sprintf("missed v%d, acked at %s", op.Newest, clock(op.NewestAt)), 11, th.Bad, canvas.Left)
	}
	return y + h + 1
}

// drawLegend explains the marks.
func drawLegend(c canvas.Canvas, th canvas.Theme, x, y float64) {
	items := []struct {
		kind  string
		col   color.RGBA
		label string
	}{
		{quorum.WriteReq, th.Write, "write"},
		{quorum.Ack, th.Write, "ack"},
		{quorum.ReadReq, th.Read, "read"},
		{quorum.Reply, th.Read, "reply"},
	}
	for i, it := range items {
		ix, iy := x+4+float64(i%2)*68, y+float64(i/2)*16
		shape(c, it.kind, ix, iy, 1, 0, canvas.Style{Fill: it.col})
		c.Text(ix+11, iy, it.label, 11, th.Muted, canvas.Left)
	}
	ix, iy := x+4+136, y
	shape(c, quorum.WriteReq, ix, iy, 1, 0, canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5})
	c.Text(ix+11, iy, "lost", 11, th.Muted, canvas.Left)
	c.Text(ix-4, iy+16, "v3", 11, th.Warn, canvas.Left)
	c.Text(ix+14, iy+16, "behind", 11, th.Muted, canvas.Left)
}

// Hit maps a click on a replica to crashing it, or recovering it if it is
// down.
func Hit(lm lab.Model, x, y float64) (string, int, bool) {
	m := lm.(*quorum.Model)
	for i := range m.N() {
		p := nodeAt(m, i)
		if math.Hypot(x-p.x, y-p.y) <= nodeR+hitSlack {
			if m.Up(i) {
				return "crash", i, true
			}
			return "recover", i, true
		}
	}
	return "", 0, false
}

// Describe says in words what the picture shows.
func Describe(lm lab.Model) string {
	m := lm.(*quorum.Model)
	var down []string
	for i := range m.N() {
		if !m.Up(i) {
			down = append(down, quorum.NodeName(i))
		}
	}
	var b strings.Builder
	switch {
	case len(down) == 0 && m.N() == 1:
		b.WriteString("1 replica, up. ")
	case len(down) == 0:
		fmt.Fprintf(&b, "%d replicas, all up. ", m.N())
	default:
		fmt.Fprintf(&b, "%d replicas, %d down (%s). ", m.N(), len(down), strings.Join(down, ", "))
	}
	c := m.Counts()
	fmt.Fprintf(&b, "N=%d W=%d R=%d. %d writes ok, %d failed; %d reads ok, %d failed, %d stale.",
		m.N(), m.W(), m.R(), c.WritesOK, c.WritesFailed, c.ReadsOK, c.ReadsFailed, c.StaleReads)
	if r := m.Recent(); len(r) > 0 {
		op := r[len(r)-1]
		key := m.Keys()[op.Key]
		switch {
		case op.Kind == engine.Write && op.Outcome == quorum.OK:
			fmt.Fprintf(&b, " Last: write %s=v%d succeeded.", key, op.Version)
		case op.Kind == engine.Write:
			fmt.Fprintf(&b, " Last: write %s=v%d failed.", key, op.Version)
		case op.Outcome == quorum.Failed:
			fmt.Fprintf(&b, " Last: read %s failed.", key)
		case op.Outcome == quorum.Stale:
			fmt.Fprintf(&b, " Last: read %s returned v%d, stale: v%d was acknowledged.", key, op.Version, op.Newest)
		default:
			fmt.Fprintf(&b, " Last: read %s returned v%d.", key, op.Version)
		}
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

// mix blends a towards b by t (0 gives a, 1 gives b), opaque.
func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xff}
}
