// Package cap draws the CAP lab: two sites with their replicas and clients,
// the link between them (cut or not), messages on their way, a partition
// timeline of what each side's client saw, and the lab's readouts.
package cap

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/cap"
	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
)

// View is the CAP lab's view.
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe, Narrow: canvas.Size{W: canvas.NarrowWidth, H: narrowH}, FromNarrow: fromNarrow}

// Layout, in logical pixels of the lab's 720×480 canvas.
const (
	siteTop, siteBottom = 30.0, 252.0
	site1L, site1R      = 12.0, 300.0
	site2L, site2R      = 420.0, 708.0
	gapX                = 360.0 // the boundary between the sites
	nodeY               = 92.0
	nodeR               = 17.0
	clientY             = 206.0
	clientW, clientH    = 66.0, 22.0
	lineH               = 13.0
	tlTop               = 268.0 // partition timeline
	tlL, tlR            = 70.0, 708.0
	rowH                = 54.0
	readY               = 452.0 // readouts
	hitSlack            = 6.0
)

type point struct{ x, y float64 }

// geo is where things go: the wide layout (sites side by side), or the
// narrow one (site 1 above site 2, the link between them vertical, the
// timeline and the readouts under them, readouts two by three).
type geo struct {
	narrow           bool
	siteT, siteH     [2]float64 // top and height of each site
	siteL, siteR     [2]float64
	nodeDY, clientDY float64 // below a site's top
	tlTop, tlL, tlR  float64
	readY, right     float64
	headLines        int
}

var wideGeo = geo{
	siteT: [2]float64{siteTop, siteTop}, siteH: [2]float64{siteBottom - siteTop, siteBottom - siteTop},
	siteL: [2]float64{site1L, site2L}, siteR: [2]float64{site1R, site2R},
	nodeDY: nodeY - siteTop, clientDY: clientY - siteTop,
	tlTop: tlTop, tlL: tlL, tlR: tlR, readY: readY, right: site2R, headLines: 1,
}

// The narrow layout, top to bottom.
const (
	nSiteT1 = 56.0
	nSiteH  = 182.0
	nBand   = 58.0 // the link between the sites
	nSiteT2 = nSiteT1 + nSiteH + nBand
	nTlTop  = nSiteT2 + nSiteH + 18
	nReadY  = nTlTop + 240
	narrowH = nReadY + 2*42 + 26
)

var narrowGeo = geo{
	narrow: true,
	siteT:  [2]float64{nSiteT1, nSiteT2}, siteH: [2]float64{nSiteH, nSiteH},
	siteL: [2]float64{8, 8}, siteR: [2]float64{312, 312},
	nodeDY: 50, clientDY: 126,
	tlTop: nTlTop, tlL: 56, tlR: 308, readY: nReadY, right: 308, headLines: 2,
}

// nodeAt is the centre of replica i, spread evenly across its site.
func nodeAt(m *cap.Model, i int) point { return wideGeo.nodeAt(m, i) }

func (g geo) nodeAt(m *cap.Model, i int) point {
	s := m.Site(i)
	first, count := 0, m.Site1()
	if s == 1 {
		first, count = m.Site1(), m.N()-m.Site1()
	}
	l, r := g.siteL[s], g.siteR[s]
	step := (r - l) / float64(count)
	return point{l + step*(float64(i-first)+0.5), g.siteT[s] + g.nodeDY}
}

// gap is the link's click target between the sites.
func (g geo) gap() (x0, y0, x1, y1 float64) {
	if g.narrow {
		return 8, nSiteT1 + nSiteH, 312, nSiteT2
	}
	return site1R, siteTop, site2L, siteBottom
}

// fromNarrow maps a click on a narrow layout's replica or link to the
// wide layout: replicas by their place in their site, the link to its
// middle.
func fromNarrow(_ lab.Model, x, y float64) (float64, float64, bool) {
	if x0, y0, x1, y1 := narrowGeo.gap(); x > x0 && x < x1 && y > y0 && y < y1 {
		return gapX, (siteTop + siteBottom) / 2, true
	}
	for s := range 2 {
		g := narrowGeo
		if y >= g.siteT[s] && y <= g.siteT[s]+g.siteH[s] {
			f := (x - g.siteL[s]) / (g.siteR[s] - g.siteL[s])
			return wideGeo.siteL[s] + f*(wideGeo.siteR[s]-wideGeo.siteL[s]), wideGeo.siteT[s] + (y - g.siteT[s]), true
		}
	}
	return 0, 0, false
}

// NodeCenter is where replica i is drawn: what a click must hit to isolate
// it.
func NodeCenter(m *cap.Model, i int) (x, y float64) {
	p := nodeAt(m, i)
	return p.x, p.y
}

// BoundaryCenter is where a click cuts or heals the link between the sites.
func BoundaryCenter() (x, y float64) { return gapX, (siteTop + siteBottom) / 2 }

func (g geo) clientAt(c int) point {
	return point{(g.siteL[c] + g.siteR[c]) / 2, g.siteT[c] + g.clientDY}
}

// endpoint is the centre of a network endpoint and the radius its messages
// leave from.
func (g geo) endpoint(m *cap.Model, id int) (point, float64) {
	if id < m.N() {
		return g.nodeAt(m, id), nodeR
	}
	return g.clientAt(id - m.N()), clientH / 2
}

// Draw paints the lab.
func Draw(c canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*cap.Model)
	c.Clear(th.Background)
	g := wideGeo
	if canvas.Narrow(c) { // drawn at scale 1, text at the narrow minimum
		g = narrowGeo
		c = &canvas.Sub{Canvas: c, K: 1, Wide: canvas.Size{W: canvas.NarrowWidth, H: narrowH}, MinSize: canvas.NarrowMinText}
	}
	drawHeader(c, g, m, th)
	for s := range 2 {
		drawSite(c, g, m, th, s)
	}
	drawBoundary(c, g, m, th)
	for i := range m.N() {
		drawNode(c, g, m, th, i)
	}
	for k := range 2 {
		drawClient(c, g, m, th, k)
	}
	canvas.Traffic(c, func() {
		for _, msg := range m.InFlight() {
			drawPacket(c, g, m, th, msg)
		}
	})
	drawTimeline(c, g, m, th)
	drawReadouts(c, g, m, th)
}

func drawHeader(c canvas.Canvas, g geo, m *cap.Model, th canvas.Theme) {
	c.Text(12, 14, "t = "+clock(m.Now()), 12, th.Muted, canvas.Left)
	if g.narrow { // the mode on lines of its own
		line, y := "", 32.0
		for _, part := range strings.Split(modeLine(m), " · ") {
			if line != "" && textWidth(line+" · "+part, canvas.NarrowMinText)*0.92 > 296 {
				c.Text(12, y, line, 12, th.Text, canvas.Left)
				line, y = "", y+16
			}
			if line != "" {
				line += " · "
			}
			line += part
		}
		c.Text(12, y, line, 12, th.Text, canvas.Left)
		return
	}
	c.Text(site2R, 14, modeLine(m), 12, th.Text, canvas.Right)
}

func modeLine(m *cap.Model) string {
	if m.Mode() == cap.AP {
		return "AP · every replica accepts · reconcile: " + [...]string{"last-write-wins", "vector-clock siblings", "CRDT set"}[m.Merge()]
	}
	s := fmt.Sprintf("CP · leader commits on %d of %d", m.N()/2+1, m.N())
	if m.LocalReads() {
		s += " · reads from any replica"
	} else {
		s += " · reads through the leader"
	}
	if !m.Failover() {
		s += " · no failover"
	}
	return s
}

func drawSite(c canvas.Canvas, g geo, m *cap.Model, th canvas.Theme, s int) {
	l, r := g.siteL[s], g.siteR[s]
	top, bottom := g.siteT[s], g.siteT[s]+g.siteH[s]
	c.Rect(l, top, r-l, bottom-top, canvas.Style{Fill: th.Surface, Stroke: canvas.Mix(th.Muted, th.Background, 0.6), StrokeWidth: 1})
	c.Text(l+8, top+12, fmt.Sprintf("site %d", s+1), 12, th.Muted, canvas.Left)
	st := m.ClientStats(s)
	c.Text((l+r)/2, bottom-12, fmt.Sprintf("client %d: %d answered · %d errors · %d stale", s+1, st.Answered, st.Errors, st.Stale), 11, th.Text, canvas.Center)
}

// drawBoundary draws the wide-area link between the sites and how it is
// cut: a solid double line when linked, a dashed one with a cross when cut,
// an arrow when only one way works. It is also a click target.
func drawBoundary(c canvas.Canvas, g geo, m *cap.Model, th canvas.Theme) {
	if g.narrow {
		drawNarrowBoundary(c, m, th)
		return
	}
	y := (siteTop + siteBottom) / 2
	c.Text(gapX, siteTop+12, "WAN", 11, th.Muted, canvas.Center)
	switch m.SiteCut() {
	case "":
		s := canvas.Style{Stroke: th.OK, StrokeWidth: 2}
		c.Line(site1R, y-4, site2L, y-4, s)
		c.Line(site1R, y+4, site2L, y+4, s)
		c.Text(gapX, y+18, "linked", 11, th.OK, canvas.Center)
		c.Text(gapX, y+31, "click to cut", 11, th.Muted, canvas.Center)
	case "both":
		s := canvas.Style{Stroke: th.Bad, StrokeWidth: 2, Dash: true}
		c.Line(site1R, y, site2L, y, s)
		cross(c, gapX, y, 9, th.Bad)
		c.Text(gapX, y+20, "CUT", 12, th.Bad, canvas.Center)
		c.Text(gapX, y+33, "click to heal", 11, th.Muted, canvas.Center)
	default:
		c.Line(site1R, y-5, site2L, y-5, canvas.Style{Stroke: th.OK, StrokeWidth: 2})
		arrow(c, site2L-2, y-5, 1, th.OK)
		c.Text(gapX, y-16, "1 → 2 works", 11, th.OK, canvas.Center)
		c.Line(site1R, y+5, site2L, y+5, canvas.Style{Stroke: th.Bad, StrokeWidth: 2, Dash: true})
		cross(c, gapX, y+5, 6, th.Bad)
		c.Text(gapX, y+22, "2 → 1 cut", 11, th.Bad, canvas.Center)
		c.Text(gapX, y+35, "click to heal", 11, th.Muted, canvas.Center)
	}
}

// drawNarrowBoundary draws the link of the narrow layout: vertical, from
// site 1 down to site 2, its state written beside it.
func drawNarrowBoundary(c canvas.Canvas, m *cap.Model, th canvas.Theme) {
	x0, y0, _, y1 := narrowGeo.gap()
	x := 60.0
	ym := (y0 + y1) / 2
	c.Text(x0+8, ym, "WAN", 11, th.Muted, canvas.Left)
	tx := x + 20
	switch m.SiteCut() {
	case "":
		s := canvas.Style{Stroke: th.OK, StrokeWidth: 2}
		c.Line(x-4, y0, x-4, y1, s)
		c.Line(x+4, y0, x+4, y1, s)
		c.Text(tx, ym-8, "linked", 11, th.OK, canvas.Left)
		c.Text(tx, ym+8, "tap the link to cut it", 11, th.Muted, canvas.Left)
	case "both":
		c.Line(x, y0, x, y1, canvas.Style{Stroke: th.Bad, StrokeWidth: 2, Dash: true})
		cross(c, x, ym, 9, th.Bad)
		c.Text(tx, ym-8, "CUT", 12, th.Bad, canvas.Left)
		c.Text(tx, ym+8, "tap the link to heal it", 11, th.Muted, canvas.Left)
	default:
		c.Line(x-5, y0, x-5, y1, canvas.Style{Stroke: th.OK, StrokeWidth: 2})
		c.Polygon([]float64{x - 5, y1 - 2, x - 10, y1 - 10, x, y1 - 10}, canvas.Style{Fill: th.OK})
		c.Line(x+5, y0, x+5, y1, canvas.Style{Stroke: th.Bad, StrokeWidth: 2, Dash: true})
		cross(c, x+5, ym, 6, th.Bad)
		c.Text(tx, ym-16, "1 → 2 works", 11, th.OK, canvas.Left)
		c.Text(tx, ym, "2 → 1 cut", 11, th.Bad, canvas.Left)
		c.Text(tx, ym+16, "tap the link to heal it", 11, th.Muted, canvas.Left)
	}
}

func cross(c canvas.Canvas, x, y, r float64, col color.RGBA) {
	s := canvas.Style{Stroke: col, StrokeWidth: 3}
	c.Line(x-r, y-r, x+r, y+r, s)
	c.Line(x-r, y+r, x+r, y-r, s)
}

func arrow(c canvas.Canvas, x, y, dir float64, col color.RGBA) {
	c.Polygon([]float64{x, y, x - dir*8, y - 5, x - dir*8, y + 5}, canvas.Style{Fill: col})
}

// drawNode draws replica i: its name, its role (CP), whether it is
// isolated, and what it holds for each key.
func drawNode(c canvas.Canvas, g geo, m *cap.Model, th canvas.Theme, i int) {
	p := g.nodeAt(m, i)
	name := cap.NodeName(i)
	role, term, leader := m.Role(i)
	st := canvas.Style{Fill: th.Background, Stroke: th.OK, StrokeWidth: 2}
	if m.Isolated(i) {
		st = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 2, Dash: true}
	}
	if m.Mode() == cap.CP && role == cap.Leader {
		c.Circle(p.x, p.y, nodeR+4, canvas.Style{Stroke: th.Accent, StrokeWidth: 2})
	}
	c.Circle(p.x, p.y, nodeR, st)
	c.Text(p.x, p.y, name, 14, th.Text, canvas.Center)
	y := p.y + nodeR + 14
	if m.Mode() == cap.CP {
		label, col := roleLabel(role, term, leader)
		c.Text(p.x, y, label, 11, col(th), canvas.Center)
		y += lineH
	}
	if m.Isolated(i) {
		c.Text(p.x, p.y-nodeR-9, "isolated", 11, th.Bad, canvas.Center)
	}
	for k, key := range m.Keys() {
		v := m.Value(i, k)
		c.Text(p.x, y+float64(k)*lineH, key+": "+short(m, v), 11, valueColour(th, v), canvas.Center)
	}
}

func roleLabel(r cap.Role, term, leader int) (string, func(canvas.Theme) color.RGBA) {
	switch {
	case r == cap.Leader:
		return fmt.Sprintf("leader t%d", term), func(th canvas.Theme) color.RGBA { return th.Accent }
	case r == cap.Candidate:
		return fmt.Sprintf("candidate t%d", term), func(th canvas.Theme) color.RGBA { return th.Warn }
	case leader < 0:
		return "no leader", func(th canvas.Theme) color.RGBA { return th.Bad }
	}
	return "follows " + cap.NodeName(leader), func(th canvas.Theme) color.RGBA { return th.Muted }
}

// short writes a value in at most about ten characters.
func short(m *cap.Model, v cap.Value) string {
	s := m.Show(v)
	if utf8.RuneCountInString(s) > 10 && len(v.Vers) > 1 {
		return fmt.Sprintf("%d siblings", len(v.Vers))
	}
	return s
}

// valueColour marks siblings (a conflict the reader must merge) in Warn.
func valueColour(th canvas.Theme, v cap.Value) color.RGBA {
	if len(v.Vers) > 1 {
		return th.Warn
	}
	return th.Text
}

// drawClient draws client k and its operation in progress.
func drawClient(c canvas.Canvas, g geo, m *cap.Model, th canvas.Theme, k int) {
	p := g.clientAt(k)
	c.Rect(p.x-clientW/2, p.y-clientH/2, clientW, clientH, canvas.Style{Fill: th.Background, Stroke: th.Accent, StrokeWidth: 2})
	c.Text(p.x, p.y, fmt.Sprintf("client %d", k+1), 12, th.Accent, canvas.Center)
	var text string
	col := th.Muted
	if op, ok := m.InProgress(k); ok {
		text = opLabel(m, op)
	} else if r := m.Recent(k); len(r) > 0 {
		op := r[len(r)-1]
		text = opLabel(m, op)
		switch op.Outcome {
		case cap.Failed:
			text, col = text+" · ERROR", th.Bad
		case cap.Stale:
			text, col = text+" · STALE", th.Warn
		default:
			text, col = text+" · ok", th.OK
		}
	}
	if text != "" {
		c.Text(p.x, p.y+clientH/2+10, text, 11, col, canvas.Center)
	}
}

func opLabel(m *cap.Model, op cap.Op) string {
	key := m.Keys()[op.Key]
	if op.Kind == engine.Write {
		return fmt.Sprintf("write %s=v%d", key, op.Version)
	}
	if op.Outcome == cap.OK || op.Outcome == cap.Stale {
		return fmt.Sprintf("read %s → %s", key, short(m, op.Result))
	}
	return "read " + key
}

// drawPacket draws a message on its way: client requests are squares
// (writes) or circles (reads), answers triangles, the leader's appends
// small dots, votes diamonds, AP replication and sync hollow diamonds.
func drawPacket(c canvas.Canvas, g geo, m *cap.Model, th canvas.Theme, msg engine.Message) {
	from, r0 := g.endpoint(m, msg.From)
	to, r1 := g.endpoint(m, msg.To)
	dx, dy := to.x-from.x, to.y-from.y
	d := math.Hypot(dx, dy)
	if d < r0+r1 {
		return
	}
	ux, uy := dx/d, dy/d
	f := render.Flight(th, m.Now(), msg)
	along := r0 + f*(d-r0-r1)
	x, y := from.x+ux*along, from.y+uy*along
	col := packetColour(th, msg.Kind)
	s := canvas.Style{Fill: col}
	if msg.Dropped || !m.Linked(msg.From, msg.To) {
		s = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5}
	}
	shape(c, msg.Kind, x, y, ux, uy, s)
}

func packetColour(th canvas.Theme, kind string) color.RGBA {
	switch kind {
	case cap.MsgWrite, cap.MsgRepl, cap.MsgSync:
		return th.Write
	case cap.MsgRead:
		return th.Read
	case cap.MsgAppend, cap.MsgAppendOK:
		return canvas.Mix(th.Muted, th.Background, 0.2)
	case cap.MsgResp:
		return th.Accent
	}
	return th.Warn // elections
}

func shape(c canvas.Canvas, kind string, x, y, ux, uy float64, s canvas.Style) {
	switch kind {
	case cap.MsgWrite:
		c.Rect(x-4.5, y-4.5, 9, 9, s)
	case cap.MsgRead:
		c.Circle(x, y, 5, s)
	case cap.MsgAppend, cap.MsgAppendOK:
		c.Circle(x, y, 2.5, s)
	case cap.MsgRepl, cap.MsgSync, cap.MsgPreVote, cap.MsgVote, cap.MsgPreVoteResp, cap.MsgVoteResp:
		c.Polygon([]float64{x, y - 5.5, x + 5.5, y, x, y + 5.5, x - 5.5, y}, s)
	default: // an answer: a triangle pointing along the way
		const l, w = 6.5, 5.0
		c.Polygon([]float64{
			x + ux*l, y + uy*l,
			x - ux*l/2 - uy*w, y - uy*l/2 + ux*w,
			x - ux*l/2 + uy*w, y - uy*l/2 - ux*w,
		}, s)
	}
}

// drawTimeline draws, for each site's client, what its operations did over
// the run (answered above the line, errors below, stale reads hatched),
// the cut intervals, and the heals with what reconciliation found.
func drawTimeline(c canvas.Canvas, g geo, m *cap.Model, th canvas.Theme) {
	tlTop, tlL, tlR := g.tlTop, g.tlL, g.tlR
	c.Text(12, tlTop, "Partition timeline", 12, th.Text, canvas.Left)
	if g.narrow {
		c.Text(12, tlTop+16, "bars: answered ↑ · errors ↓ · stale hatched", 11, th.Muted, canvas.Left)
		tlTop += 18
	} else {
		c.Text(tlR, tlTop, "bars: ops answered ↑ · errors ↓ · stale reads hatched", 11, th.Muted, canvas.Right)
	}
	top := tlTop + 12
	bottom := top + 2*rowH + 14
	until := m.Until()
	xOf := func(t time.Duration) float64 {
		return tlL + (tlR-tlL)*math.Min(1, float64(t)/float64(until))
	}
	// Cut intervals under everything; a label that would run into the
	// previous one drops to the next lane.
	spans := m.Spans()
	for _, s := range spans {
		end := s.End
		if end < 0 {
			end = m.Now()
		}
		x0, x1 := xOf(s.Start), xOf(end)
		c.Rect(x0, top, math.Max(1, x1-x0), bottom-top, canvas.Style{Fill: canvas.Mix(th.Bad, th.Background, 0.85)})
		c.Line(x0, top, x0, bottom, canvas.Style{Stroke: th.Bad, StrokeWidth: 1, Dash: true})
	}
	var laneEnd [3]float64
	for _, s := range spans {
		x0 := xOf(s.Start)
		lane := 0
		for lane < len(laneEnd)-1 && laneEnd[lane] > x0 {
			lane++
		}
		laneEnd[lane] = x0 + 6 + textWidth(s.What, 11)
		c.Text(x0+3, top+6+float64(lane)*12, s.What, 11, th.Bad, canvas.Left)
	}
	bins := m.Bins()
	peak := 1
	for _, b := range bins {
		for s := range 2 {
			peak = max(peak, b.OK[s]+b.Stale[s], b.Errors[s])
		}
	}
	w := (tlR - tlL) / cap.Bins
	for s := range 2 {
		base := top + 8 + float64(s)*rowH + rowH/2
		c.Text(tlL-8, base, fmt.Sprintf("site %d", s+1), 11, th.Muted, canvas.Right)
		c.Line(tlL, base, tlR, base, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.5), StrokeWidth: 1})
		unit := (rowH/2 - 3) / float64(peak)
		for i, b := range bins {
			x := tlL + float64(i)*w
			ok, stale, bad := float64(b.OK[s]), float64(b.Stale[s]), float64(b.Errors[s])
			if ok > 0 {
				c.Rect(x+0.5, base-ok*unit, w-1, ok*unit, canvas.Style{Fill: th.OK})
			}
			if stale > 0 {
				h := stale * unit
				y := base - ok*unit - h
				c.Rect(x+0.5, y, w-1, h, canvas.Style{Fill: th.Background, Stroke: th.Warn, StrokeWidth: 1})
				c.Line(x+0.5, y+h, x+w-0.5, y, canvas.Style{Stroke: th.Warn, StrokeWidth: 1})
			}
			if bad > 0 {
				c.Rect(x+0.5, base, w-1, bad*unit, canvas.Style{Fill: th.Bad})
			}
		}
	}
	for _, h := range m.Heals() {
		x := xOf(h.At)
		c.Line(x, top, x, bottom, canvas.Style{Stroke: th.OK, StrokeWidth: 2})
		label := "heal"
		if m.Mode() == cap.AP {
			label += fmt.Sprintf(": %d conflict%s", h.Conflicts, plural(h.Conflicts))
			if m.Merge() == cap.LWW {
				label += fmt.Sprintf(", %d lost", h.Lost)
			}
		}
		a := canvas.Left
		if x > tlR-140 {
			a = canvas.Right
			x -= 6
		} else {
			x += 4
		}
		c.Text(x, bottom-6, label, 11, th.OK, a)
	}
	now := xOf(m.Now())
	c.Line(now, top, now, bottom, canvas.Style{Stroke: th.Accent, StrokeWidth: 1})
	c.Text(tlL, bottom+10, "0 s", 11, th.Muted, canvas.Left)
	c.Text(tlR, bottom+10, clock(until), 11, th.Muted, canvas.Right)
	if g.narrow {
		drawLegend(c, th, 12, bottom+30, 308)
		return
	}
	drawLegend(c, th, tlL+90, bottom+10, tlR)
}

// drawLegend explains the marks of messages in flight.
func drawLegend(c canvas.Canvas, th canvas.Theme, x, y, right float64) {
	x0 := x
	size := canvas.MinText(right + 12) // the layout's text size
	next := func(label string) {
		if x+9+textWidth(label, size)*0.92 > right {
			x, y = x0, y+17
		}
	}
	items := []struct{ kind, label string }{
		{cap.MsgWrite, "write"}, {cap.MsgRead, "read"}, {cap.MsgResp, "answer"},
		{cap.MsgAppend, "leader heartbeat"}, {cap.MsgVote, "vote"}, {cap.MsgRepl, "replication"},
	}
	for _, it := range items {
		next(it.label)
		shape(c, it.kind, x, y, 1, 0, canvas.Style{Fill: packetColour(th, it.kind)})
		c.Text(x+9, y, it.label, 11, th.Muted, canvas.Left)
		x += 20 + textWidth(it.label, size)*0.92
	}
	next("dropped")
	shape(c, cap.MsgWrite, x, y, 1, 0, canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5})
	c.Text(x+9, y, "dropped", 11, th.Muted, canvas.Left)
}

// textWidth is a generous guess at the width of s in a sans-serif font.
func textWidth(s string, size float64) float64 {
	return 0.6 * size * float64(utf8.RuneCountInString(s))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// drawReadouts writes the lab's metrics in a row.
func drawReadouts(c canvas.Canvas, g geo, m *cap.Model, th canvas.Theme) {
	vals := m.Metrics()
	cols := len(vals)
	if g.narrow {
		cols = 2
	}
	readY := g.readY
	w := (g.right - 12) / float64(cols)
	c.Line(12, readY-18, g.right, readY-18, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.7), StrokeWidth: 1})
	for i, v := range vals {
		mt := cap.Schema.Metrics[i]
		x := 12 + float64(i%cols)*w + w/2
		readY := readY + float64(i/cols)*42
		text, col := mt.Format(v), th.Text
		switch {
		case mt.Bool && v != 0:
			col = th.OK
		case mt.Bool:
			col = th.Bad
		case mt.Name == "availability":
			if v < 1 {
				col = th.Bad
			}
		case v > 0 && mt.Name != "conflicts_on_heal":
			col = th.Bad
		}
		c.Text(x, readY-4, strings.ToLower(mt.Label), 11, th.Muted, canvas.Center)
		c.Text(x, readY+12, text, 14, col, canvas.Center)
	}
}

// Hit maps a click on the gap between the sites to cutting or healing,
// and a click on a replica to isolating or reconnecting it.
func Hit(lm lab.Model, x, y float64) (string, int, bool) {
	m := lm.(*cap.Model)
	for i := range m.N() {
		p := nodeAt(m, i)
		if math.Hypot(x-p.x, y-p.y) <= nodeR+hitSlack {
			if m.Isolated(i) {
				return "rejoin", i, true
			}
			return "isolate", i, true
		}
	}
	if x0, y0, x1, y1 := wideGeo.gap(); x > x0 && x < x1 && y > y0 && y < y1 {
		if m.SiteCut() == "" {
			return "cut", 0, true
		}
		return "heal", 0, true
	}
	return "", 0, false
}

// Describe says in words what the picture shows.
func Describe(lm lab.Model) string {
	m := lm.(*cap.Model)
	var b strings.Builder
	fmt.Fprintf(&b, "%s. ", modeLine(m))
	switch m.SiteCut() {
	case "":
		b.WriteString("The sites are linked. ")
	case "both":
		b.WriteString("The network between the sites is cut. ")
	default:
		b.WriteString("Messages from site 2 to site 1 are dropped. ")
	}
	var iso []string
	for i := range m.N() {
		if m.Isolated(i) {
			iso = append(iso, cap.NodeName(i))
		}
	}
	if len(iso) > 0 {
		fmt.Fprintf(&b, "Isolated: %s. ", strings.Join(iso, ", "))
	}
	if m.Mode() == cap.CP {
		leader := "No leader"
		for i := range m.N() {
			if r, t, _ := m.Role(i); r == cap.Leader {
				leader = fmt.Sprintf("Leader %s (term %d)", cap.NodeName(i), t)
			}
		}
		b.WriteString(leader + ". ")
	}
	for k := range 2 {
		s := m.ClientStats(k)
		fmt.Fprintf(&b, "Client %d: %d answered, %d errors, %d stale. ", k+1, s.Answered, s.Errors, s.Stale)
	}
	v := m.Metrics()
	lin := "yes"
	if v[5] == 0 {
		lin = "no"
	}
	fmt.Fprintf(&b, "Conflicts on heal %d, lost writes %d, linearizable %s.", int(v[3]), int(v[4]), lin)
	return b.String()
}

// clock formats a virtual time for the reader: "812 ms", "12.3 s".
func clock(t time.Duration) string {
	if t < time.Second {
		return fmt.Sprintf("%.0f ms", float64(t)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", t.Seconds())
}
