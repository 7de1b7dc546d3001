package quorum

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/quorum"
)

// The ring. Node i sits at (i + 1/4)/nodes of a turn clockwise from the
// top, so the first half of the nodes (partition side 0) is right of the
// vertical line through the centre and the rest left of it: that line is
// where a partition cuts the ring. Clients sit inside the ring on their
// side, side 0 right.

const (
	ringX          = 196.0        // centre of the ring; its y depends on the text under the nodes
	ringRX, ringRY = 150.0, 100.0 // radii of the ring (an ellipse)
	top, bottom    = 30.0, 338.0  // room for the ring and its labels
	nodeR          = 16.0         // radius of a node
	clientW        = 54.0         // size of a client box
	clientH        = 20.0
	clientDX       = 40.0 // from the cut line to a client's centre
	clientGap      = 34.0 // between clients on one side, centre to centre
	lineH          = 12.0 // text lines under a node
	versionCol     = 52.0 // between the two columns of versions
	hitSlack       = 6.0  // a click this close to a node hits it
	cutSlack       = 7.0  // a click this close to the cut line hits it
	hintLines      = 1    // hint lines under a node (sloppy quorums)
)

type point struct{ x, y float64 }

// turn is the angle of a ring position (a fraction of a turn, node A at
// 0).
func turn(m *quorum.Model, pos float64) float64 {
	return 2 * math.Pi * (pos + 0.25/float64(m.Nodes()))
}

// below is the height of the text under a node, at most: its versions in
// two columns, hints (sloppy quorums only) and "down".
func below(m *quorum.Model) float64 {
	lines := (len(m.Keys())+1)/2 + 1
	if m.Sloppy() {
		lines += hintLines
	}
	return nodeR + 4 + float64(lines)*lineH
}

// ringY is the height of the ring's centre that centres the nodes and the
// text under them between top and bottom.
func ringY(m *quorum.Model) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range m.Nodes() {
		y := -ringRY * math.Cos(turn(m, float64(i)/float64(m.Nodes())))
		lo, hi = min(lo, y-nodeR), max(hi, y+below(m))
	}
	return (top+bottom)/2 - (lo+hi)/2
}

// onRing is the point of the ring at a position (a fraction of a turn).
func onRing(m *quorum.Model, pos float64) point {
	a := turn(m, pos)
	return point{ringX + ringRX*math.Sin(a), ringY(m) - ringRY*math.Cos(a)}
}

// nodeAt is the centre of node i.
func nodeAt(m *quorum.Model, i int) point { return onRing(m, float64(i)/float64(m.Nodes())) }

// NodeCenter is where node i is drawn, in logical pixels: what a click
// must hit to crash or recover it.
func NodeCenter(m *quorum.Model, i int) (x, y float64) {
	p := nodeAt(m, i)
	return p.x, p.y
}

// clientAt is the centre of client c: on its side of the cut line,
// stacked with the other clients of that side.
func clientAt(m *quorum.Model, c int) point {
	side := m.Side(m.Nodes() + c)
	perSide := (m.Clients() + 1 - side) / 2
	x := ringX + clientDX
	if side == 1 {
		x = ringX - clientDX
	}
	return point{x, ringY(m) - 10 + (float64(c/2)-float64(perSide-1)/2)*clientGap}
}

// cutLine is where a partition cuts the ring: the vertical chord through
// its centre. A ring of one node has no line.
func cutLine(m *quorum.Model) (a, b point, ok bool) {
	if m.Nodes() < 2 {
		return point{}, point{}, false
	}
	cy := ringY(m)
	return point{ringX, cy - ringRY - 12}, point{ringX, cy + ringRY + 12}, true
}

// CutPoint is a point of the cut line, between the top of the ring and
// the clients, where a click partitions the ring (or heals it).
func CutPoint(m *quorum.Model) (x, y float64) {
	return ringX, ringY(m) - 0.6*ringRY
}

// segmentDistance is the distance from (x, y) to the segment ab.
func segmentDistance(x, y float64, a, b point) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((x-a.x)*dx+(y-a.y)*dy)/l))
	}
	return math.Hypot(x-(a.x+t*dx), y-(a.y+t*dy))
}

// endpoint is the centre of a network endpoint and the radius its
// messages leave from: nodes first, then clients.
func endpoint(m *quorum.Model, id int) (point, float64) {
	if id < m.Nodes() {
		return nodeAt(m, id), nodeR
	}
	return clientAt(m, id-m.Nodes()), clientH / 2
}

// focusKey is the key whose preference list is highlighted: the key of
// the newest operation in progress, else of the last one completed.
func focusKey(m *quorum.Model) int {
	if p := m.InProgress(); len(p) > 0 {
		return p[len(p)-1].Key
	}
	if r := m.Recent(); len(r) > 0 {
		return r[len(r)-1].Key
	}
	return 0
}

// drawRing draws everything on the ring's side of the canvas.
func drawRing(c canvas.Canvas, m *quorum.Model, th canvas.Theme) {
	c.Text(12, 14, "t = "+clock(m.Now()), 12, th.Muted, canvas.Left)
	drawTrack(c, m, th)
	drawCut(c, m, th)
	drawLinks(c, m, th)
	for i := range m.Nodes() {
		drawNode(c, m, th, i)
	}
	for k := range m.Clients() {
		drawClient(c, m, th, k)
	}
	canvas.Traffic(c, func() {
		for _, msg := range m.InFlight() {
			drawPacket(c, m, th, msg)
		}
	})
}

// drawTrack draws the ring, the keys' positions on it, and the focused
// key's arc from its position to its N-th replica.
func drawTrack(c canvas.Canvas, m *quorum.Model, th canvas.Theme) {
	const steps = 96
	ring := make([]float64, 0, 2*steps)
	for i := range steps {
		p := onRing(m, float64(i)/steps)
		ring = append(ring, p.x, p.y)
	}
	c.Polygon(ring, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.75), StrokeWidth: 1})

	key := focusKey(m)
	pref := m.Preference(key)
	start := quorum.KeyPosition(key)
	end := float64(pref[m.N()-1]) / float64(m.Nodes())
	for end < start {
		end++
	}
	arc := canvas.Style{Stroke: canvas.Mix(th.Accent, th.Background, 0.35), StrokeWidth: 4}
	prev := onRing(m, start)
	for f := start; f < end; f += 1.0 / steps {
		p := onRing(m, math.Min(f+1.0/steps, end))
		c.Line(prev.x, prev.y, p.x, p.y, arc)
		prev = p
	}
	for k, name := range m.Keys() {
		p := onRing(m, quorum.KeyPosition(k))
		col := th.Muted
		if k == key {
			col = th.Accent
		}
		c.Polygon([]float64{p.x, p.y - 5, p.x + 5, p.y, p.x, p.y + 5, p.x - 5, p.y}, canvas.Style{Fill: col})
		// The key's name just outside the ring.
		dx, dy := p.x-ringX, p.y-ringY(m)
		d := math.Hypot(dx, dy)
		c.Text(p.x+dx/d*12, p.y+dy/d*12, name, 11, col, canvas.Center)
	}
}

// drawCut draws the line a partition cuts along: faint and dotted while the
// ring is whole, bold with a label while it is cut.
func drawCut(c canvas.Canvas, m *quorum.Model, th canvas.Theme) {
	a, b, ok := cutLine(m)
	if !ok {
		return
	}
	if !m.Split() {
		c.Line(a.x, a.y, b.x, b.y, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.8), StrokeWidth: 1, Dash: true})
		return
	}
	c.Line(a.x, a.y, b.x, b.y, canvas.Style{Stroke: th.Bad, StrokeWidth: 3, Dash: true})
	c.Rect(a.x-36, a.y-16, 72, 14, canvas.Style{Fill: th.Background})
	c.Text(a.x, a.y-9, "partition", 11, th.Bad, canvas.Center)
}

// drawLinks draws, for a single client, a faint line to each node its
// current operation went to (with more clients the lines are clutter).
func drawLinks(c canvas.Canvas, m *quorum.Model, th canvas.Theme) {
	ops := m.InProgress()
	if m.Clients() > 1 || len(ops) == 0 {
		return
	}
	p := clientAt(m, 0)
	for _, t := range ops[len(ops)-1].Targets {
		q := nodeAt(m, t.Node)
		s := canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.7), StrokeWidth: 1}
		if !m.Up(t.Node) {
			s = canvas.Style{Stroke: canvas.Mix(th.Bad, th.Background, 0.6), StrokeWidth: 1, Dash: true}
		}
		c.Line(p.x, p.y, q.x, q.y, s)
	}
}

// drawNode draws node i: its name, a halo if it is a replica of the
// focused key, the versions it holds as a replica (behind the newest
// acknowledged write: Warn), the hints it holds as a stand-in, and "down".
func drawNode(c canvas.Canvas, m *quorum.Model, th canvas.Theme, i int) {
	p := nodeAt(m, i)
	name := quorum.NodeName(i)
	if m.Home(i, focusKey(m)) {
		c.Circle(p.x, p.y, nodeR+4, canvas.Style{Stroke: th.Accent, StrokeWidth: 2})
	}
	up := m.Up(i)
	if up {
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

	type line struct {
		text string
		col  color.RGBA
	}
	var cells []line // two columns
	keys := m.Keys()
	for k, key := range keys {
		if !m.Home(i, k) {
			continue
		}
		s := m.Versions(i, k)
		newest, _ := m.Newest(k)
		col := th.Text
		switch {
		case !up:
			col = th.Muted
		case s.Max() < newest:
			col = th.Warn
		}
		cells = append(cells, line{key + ":" + versionsText(s), col})
	}
	var rows []line // full width
	if h := hintText(m, i); h != "" {
		rows = append(rows, line{h, th.Warn})
	}
	if !up {
		rows = append([]line{{"down", th.Bad}}, rows...)
	}

	y := p.y + nodeR + 4 + lineH/2
	n := len(rows) + (len(cells)+1)/2
	if n == 0 {
		return
	}
	w := versionCol
	if len(cells) > 1 {
		w *= 2
	}
	for _, r := range rows {
		w = math.Max(w, textWidth(r.text, 11))
	}
	// Hide the ring behind the text.
	c.Rect(p.x-w/2, y-lineH/2, w, float64(n)*lineH, canvas.Style{Fill: th.Background})
	for _, r := range rows {
		c.Text(p.x, y, r.text, 11, r.col, canvas.Center)
		y += lineH
	}
	for j, cell := range cells {
		x := p.x
		if len(cells) > 1 {
			x += (float64(j%2) - 0.5) * versionCol
		}
		c.Text(x, y+float64(j/2)*lineH, cell.text, 11, cell.col, canvas.Center)
	}
}

// versionsText writes a replica's versions compactly: "v4", "v4|v5",
// "v7|+2" for three siblings or more.
func versionsText(s quorum.Set) string {
	if len(s) <= 2 {
		return s.Nums()
	}
	return fmt.Sprintf("v%d|+%d", s.Max(), len(s)-1)
}

// hintText sums up the hints node i holds in one line: "x:v4 → C" for
// one, "3 hints → C, A" for more.
func hintText(m *quorum.Model, i int) string {
	hints := m.Hints(i)
	switch len(hints) {
	case 0:
		return ""
	case 1:
		h := hints[0]
		return fmt.Sprintf("%s:%s → %s", m.Keys()[h.Key], versionsText(h.Versions), quorum.NodeName(h.Home))
	}
	var homes []string
	for _, h := range hints {
		if name := quorum.NodeName(h.Home); !slices.Contains(homes, name) {
			homes = append(homes, name)
		}
	}
	return fmt.Sprintf("%d hints → %s", len(hints), strings.Join(homes, ", "))
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
		text += fmt.Sprintf(" +%d", len(ops)-1)
	}
	y := p.y + clientH/2 + 7
	w := textWidth(text, 11) + 6
	c.Rect(p.x-w/2, y-6, w, 12, canvas.Style{Fill: th.Background})
	c.Text(p.x, y, text, 11, th.Text, canvas.Center)
}

// opLabel says in a few characters, to fit beside the cut line, what an
// operation in progress waits for: "x=v3 1/2" (a write with one of two
// acks), "x? 0/2" (a read with no reply yet).
func opLabel(m *quorum.Model, op quorum.Op) string {
	key := m.Keys()[op.Key]
	if op.Kind == engine.Write {
		return fmt.Sprintf("%s=v%d %d/%d", key, op.Version, op.Replies, op.Need)
	}
	return fmt.Sprintf("%s? %d/%d", key, op.Replies, op.Need)
}

// drawPacket draws a message where it is now on its way. Data travels as
// squares (writes, repairs, handoffs, anti-entropy exchanges), questions as
// circles (reads, Merkle hashes), answers as triangles pointing where they
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
	f := render.Flight(th, m.Now(), msg)
	along := r0 + f*(d-r0-r1)
	x, y := from.x+ux*along, from.y+uy*along
	s := canvas.Style{Fill: kindColour(th, msg.Kind)}
	if msg.Dropped || (msg.To < m.Nodes() && !m.Up(msg.To)) {
		s = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5}
	}
	shape(c, msg.Kind, x, y, ux, uy, s)
}

// kindColour is the colour of a message kind.
func kindColour(th canvas.Theme, kind string) color.RGBA {
	switch kind {
	case quorum.WriteReq, quorum.Ack:
		return th.Write
	case quorum.ReadReq, quorum.Reply:
		return th.Read
	case quorum.RepairReq:
		return th.OK
	case quorum.Handoff, quorum.HandoffAck:
		return th.Warn
	}
	return th.Accent // anti-entropy
}

// shape draws the mark of a message kind at (x, y), heading (ux, uy).
func shape(c canvas.Canvas, kind string, x, y, ux, uy float64, s canvas.Style) {
	switch kind {
	case quorum.WriteReq, quorum.RepairReq, quorum.Handoff, quorum.SyncReq:
		c.Rect(x-4.5, y-4.5, 9, 9, s)
	case quorum.ReadReq, quorum.MerkleReq:
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
