// Package quorum draws the quorum lab. The canvas has three parts:
//
//   - the ring (ring.go): nodes with the versions and hints they hold, the
//     keys' positions and the focused key's preference list, the clients,
//     messages moving, and the line where a partition cuts the ring;
//   - the panel on the right (panel.go): N, W, R and the rule they obey,
//     the settings, the counters, and either the anti-entropy session's
//     Merkle tree or the last operations;
//   - the space-time strip at the bottom (spacetime.go): one lane per client
//     and per node over the last moments of virtual time, with the
//     linearizability verdict and the read that breaks it.
package quorum

import (
	"fmt"
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
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe, Narrow: canvas.Size{W: canvas.NarrowWidth, H: narrowH}, FromNarrow: fromNarrow}

// fromNarrow maps a click on the narrow layout's ring to the wide one.
func fromNarrow(_ lab.Model, x, y float64) (float64, float64, bool) {
	if y >= narrowPanel {
		return 0, 0, false
	}
	return x / ringK, y / ringK, true
}

// The narrow layout stacks the ring (scaled to the width), the panel and
// a space-time strip of its own, half as wide.
var (
	wide        = canvas.Size{W: 640, H: 560}
	ringBox     = canvas.Box{X: 0, Y: 0, W: 400, H: 340}
	panelBox    = canvas.Box{X: panelX - 6, Y: 4, W: panelR - panelX + 12, H: panelEnd + 4}
	ringK       = canvas.NarrowWidth / ringBox.W
	panelW      = 280.0
	panelK      = panelW / panelBox.W
	narrowPanel = ringBox.H * ringK
	narrowStrp  = narrowPanel + panelBox.H*panelK
	narrowH     = narrowStrp + narrowStrip.bottom + 6
)

// Draw paints the lab.
func Draw(c canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*quorum.Model)
	c.Clear(th.Background)
	if canvas.Narrow(c) {
		drawRing(canvas.Region(c, wide, ringBox, 0, 0, canvas.NarrowWidth), m, th)
		drawPanel(canvas.Region(c, wide, panelBox, (canvas.NarrowWidth-panelW)/2, narrowPanel, panelW), m, th)
		narrowStrip.drawSpaceTime(&canvas.Sub{Canvas: c, K: 1, Y: narrowStrp, Wide: wide, MinSize: canvas.NarrowMinText}, m, th)
		return
	}
	drawRing(c, m, th)
	drawPanel(c, m, th)
	wideStrip.drawSpaceTime(c, m, th)
}

// Hit maps a click on a node to crashing it (or recovering it if it is
// down), and a click on the cut line to partitioning the ring (or healing
// it).
func Hit(lm lab.Model, x, y float64) (string, int, bool) {
	m := lm.(*quorum.Model)
	for i := range m.Nodes() {
		p := nodeAt(m, i)
		if math.Hypot(x-p.x, y-p.y) <= nodeR+hitSlack {
			if m.Up(i) {
				return "crash", i, true
			}
			return "recover", i, true
		}
	}
	if a, b, ok := cutLine(m); ok && segmentDistance(x, y, a, b) <= cutSlack {
		if m.Split() {
			return "heal", 0, true
		}
		return "partition", 0, true
	}
	return "", 0, false
}

// Describe says in words what the picture shows.
func Describe(lm lab.Model) string {
	m := lm.(*quorum.Model)
	var down []string
	for i := range m.Nodes() {
		if !m.Up(i) {
			down = append(down, quorum.NodeName(i))
		}
	}
	var b strings.Builder
	switch {
	case len(down) == 0 && m.Nodes() == 1:
		b.WriteString("1 node, up")
	case len(down) == 0:
		fmt.Fprintf(&b, "%d nodes, all up", m.Nodes())
	default:
		fmt.Fprintf(&b, "%d nodes, %d down (%s)", m.Nodes(), len(down), strings.Join(down, ", "))
	}
	if m.Split() {
		b.WriteString(", ring partitioned")
	}
	fmt.Fprintf(&b, ". N=%d W=%d R=%d, %s. ", m.N(), m.W(), m.R(), settings(m))
	c := m.Counts()
	fmt.Fprintf(&b, "%d writes ok, %d failed; %d reads ok, %d failed, %d stale.",
		c.WritesOK, c.WritesFailed, c.ReadsOK, c.ReadsFailed, c.StaleReads)
	if c.HintedHandoffs+c.ReadRepairs+c.Siblings+c.LostWrites > 0 {
		fmt.Fprintf(&b, " %d hinted handoffs, %d read repairs, %d reads with siblings, %d lost writes.",
			c.HintedHandoffs, c.ReadRepairs, c.Siblings, c.LostWrites)
	}
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
			fmt.Fprintf(&b, " Last: read %s returned %s, stale: v%d was acknowledged.", key, op.Result.Nums(), op.Newest)
		default:
			fmt.Fprintf(&b, " Last: read %s returned %s.", key, op.Result.Nums())
		}
	}
	if v := m.Verdict(); !v.Linearizable {
		fmt.Fprintf(&b, " Not linearizable: %s.", culpritText(m, v.Culprit))
	} else if len(m.Window()) > 0 {
		b.WriteString(" The recent history is linearizable.")
	}
	return b.String()
}

// settings names the quorum kind and version policy: "strict quorum,
// last-write-wins".
func settings(m *quorum.Model) string {
	q := "strict quorum"
	if m.Sloppy() {
		q = "sloppy quorum"
	}
	if m.Policy() == quorum.VClock {
		return q + ", vector clocks"
	}
	return q + ", last-write-wins"
}

// culpritText says which read broke linearizability: "client 2's read of
// x → v3 at 1.24 s".
func culpritText(m *quorum.Model, op quorum.Op) string {
	if op.ID == 0 {
		return "no single operation to blame"
	}
	who := "the client"
	if m.Clients() > 1 {
		who = fmt.Sprintf("client %d", op.Client+1)
	}
	key := m.Keys()[op.Key]
	if op.Kind == engine.Write {
		return fmt.Sprintf("%s's write %s=v%d at %s", who, key, op.Version, clock(op.Invoke))
	}
	return fmt.Sprintf("%s's read of %s → v%d at %s", who, key, op.Version, clock(op.Invoke))
}

// clock formats a virtual time for the reader: "812 ms", "12.3 s".
func clock(t time.Duration) string {
	if t < 10*time.Second {
		return fmt.Sprintf("%.0f ms", float64(t)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", t.Seconds())
}

// textWidth is a generous guess at the width of s in a sans-serif font.
func textWidth(s string, size float64) float64 {
	return 0.6 * size * float64(utf8.RuneCountInString(s))
}

// rule draws a thin separator.
func rule(c canvas.Canvas, th canvas.Theme, x1, x2, y float64) {
	c.Line(x1, y, x2, y, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.7), StrokeWidth: 1})
}
