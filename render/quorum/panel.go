package quorum

import (
	"fmt"
	"image/color"
	"strings"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/quorum"
)

// The panel right of the ring: N, W, R and the rule they obey, the
// settings, the focused key's preference list, the counters, and below them
// either the anti-entropy session (when anti-entropy is on) or the last
// operations. It ends above the space-time strip.

const (
	panelX   = 404.0
	panelR   = 628.0 // right edge
	panelEnd = 336.0 // bottom edge
	rowH     = 15.0
)

// drawPanel draws the panel.
func drawPanel(c canvas.Canvas, m *quorum.Model, th canvas.Theme) {
	x, y := panelX, 16.0
	c.Text(x, y, fmt.Sprintf("N = %d   W = %d   R = %d", m.N(), m.W(), m.R()), 14, th.Text, canvas.Left)
	c.Text(panelR, y, fmt.Sprintf("%d nodes", m.Nodes()), 11, th.Muted, canvas.Right)
	y += 18
	text, col := ruleOf(m, th)
	c.Text(x, y, text, 12, col, canvas.Left)
	y += rowH
	c.Text(x, y, settings(m), 11, th.Muted, canvas.Left)
	y += rowH - 2
	c.Text(x, y, switches(m), 11, th.Muted, canvas.Left)
	y += rowH - 2
	key := focusKey(m)
	c.Text(x, y, preferenceText(m, key), 11, th.Accent, canvas.Left)

	y += 12
	rule(c, th, x, panelR, y-6)
	y += 6
	for _, r := range counters(m, th) {
		c.Text(x, y, r.label, 11, th.Muted, canvas.Left)
		c.Text(panelR, y, r.value, 11, r.col, canvas.Right)
		y += 14
	}
	y += 2
	rule(c, th, x, panelR, y-6)
	y += 6
	if m.AntiEntropyOn() {
		drawMerkle(c, m, th, x, y)
	} else {
		drawRecent(c, m, th, x, y)
	}
	drawLegend(c, th, x, panelEnd-6)
}

// ruleOf states whether reads overlap writes, and the colour to say it
// in.
func ruleOf(m *quorum.Model, th canvas.Theme) (string, color.RGBA) {
	wr := m.W() + m.R()
	if wr > m.N() {
		return fmt.Sprintf("W+R = %d > N: reads overlap writes", wr), th.OK
	}
	return fmt.Sprintf("W+R = %d ≤ N: reads can miss writes", wr), th.Bad
}

// switches says whether hinted handoff and read repair are on (the
// section below the counters says whether anti-entropy is).
func switches(m *quorum.Model) string {
	on := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	return fmt.Sprintf("hinted handoff %s · read repair %s", on(m.HandoffOn()), on(m.RepairOn()))
}

// preferenceText is a key's preference list: "x → B C D, then E A".
func preferenceText(m *quorum.Model, key int) string {
	pref := m.Preference(key)
	names := func(ns []int) string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = quorum.NodeName(n)
		}
		return strings.Join(out, " ")
	}
	text := m.Keys()[key] + " → " + names(pref[:m.N()])
	if len(pref) > m.N() {
		text += ", then " + names(pref[m.N():])
	}
	return text
}

type counter struct {
	label, value string
	col          color.RGBA
}

// counters are the panel's rows of metrics.
func counters(m *quorum.Model, th canvas.Theme) []counter {
	c := m.Counts()
	bad := func(n int) color.RGBA {
		if n > 0 {
			return th.Bad
		}
		return th.Text
	}
	mt := m.Metrics()
	num := func(i int) string { return quorum.Schema.Metrics[i].Number(mt[i]) } // as the stat cards print it
	return []counter{
		{"writes ok · failed", fmt.Sprintf("%d · %d", c.WritesOK, c.WritesFailed), bad(c.WritesFailed)},
		{"reads ok · failed", fmt.Sprintf("%d · %d", c.ReadsOK, c.ReadsFailed), bad(c.ReadsFailed)},
		{"stale reads", fmt.Sprint(c.StaleReads), bad(c.StaleReads)},
		{"hinted handoffs · read repairs", fmt.Sprintf("%d · %d", c.HintedHandoffs, c.ReadRepairs), th.Text},
		{"reads with siblings", fmt.Sprint(c.Siblings), th.Text},
		{"lost writes (LWW)", fmt.Sprint(c.LostWrites), bad(c.LostWrites)},
		{"write ms p50 · p99", num(10) + " · " + num(11), th.Text},
		{"read ms p50 · p99", num(12) + " · " + num(13), th.Text},
	}
}

// drawRecent lists the last operations, newest first and boxed.
func drawRecent(c canvas.Canvas, m *quorum.Model, th canvas.Theme, x, y float64) {
	c.Text(x, y, "Last operations (anti-entropy off)", 11, th.Muted, canvas.Left)
	y += 16
	recent := m.Recent()
	if len(recent) == 0 {
		c.Text(x, y, "none yet", 11, th.Muted, canvas.Left)
		return
	}
	for i := len(recent) - 1; i >= 0 && y < panelEnd-30; i-- {
		y = drawOp(c, m, th, recent[i], x, y, i == len(recent)-1)
	}
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
		what = fmt.Sprintf("read %s → %s", key, versionsText(op.Result))
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
	h := 15.0
	detail := newest && op.Outcome == quorum.Stale
	if detail {
		h += 13
	}
	if newest {
		c.Rect(x-4, y-8, panelR-x+8, h, canvas.Style{Fill: th.Surface, Stroke: col, StrokeWidth: 1.5})
	}
	c.Text(x, y, what, 11, th.Text, canvas.Left)
	c.Text(panelR, y, outcome, 11, col, canvas.Right)
	if detail {
		c.Text(x, y+13, fmt.Sprintf("missed v%d, acked at %s", op.Newest, clock(op.NewestAt)), 11, th.Bad, canvas.Left)
	}
	return y + h + 1
}

// drawMerkle draws the current (or last) anti-entropy session: which two
// nodes compare which keys, the tree with each compared hash marked equal
// or different (shape and colour), and what was exchanged.
func drawMerkle(c canvas.Canvas, m *quorum.Model, th canvas.Theme, x, y float64) {
	s := m.Session()
	if s == nil {
		c.Text(x, y, "Anti-entropy: waiting for the first round", 11, th.Muted, canvas.Left)
		return
	}
	a, b := quorum.NodeName(s.A), quorum.NodeName(s.B)
	col := th.Text
	switch s.Phase {
	case quorum.InSync:
		col = th.OK
	case quorum.Aborted:
		col = th.Bad
	}
	c.Text(x, y, fmt.Sprintf("Merkle trees %s ↔ %s: %s", a, b, s.Phase), 11, col, canvas.Left)
	y += 14
	c.Text(x, y, fmt.Sprintf("root %s %04x · %s %04x", a, s.Trees[0][0]&0xffff, b, s.Trees[1][0]&0xffff), 11, th.Muted, canvas.Left)

	// The tree, root at the top; leaves carry their keys' names.
	depth := s.Depth()
	top, levelH := y+14, 17.0
	width := panelR - x - 8
	for level := range depth {
		first, count := 1<<level-1, 1<<level
		ly := top + float64(level)*levelH
		for j := range count {
			node := first + j
			nx := x + 4 + width*(float64(j)+0.5)/float64(count)
			if level+1 < depth {
				// Edges to the children.
				for _, child := range []int{2 * j, 2*j + 1} {
					cx := x + 4 + width*(float64(child)+0.5)/float64(2*count)
					c.Line(nx, ly+4, cx, ly+levelH-4, canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.6), StrokeWidth: 1})
				}
			}
			drawTreeNode(c, th, s, node, level, nx, ly)
			if level == depth-1 && j < len(s.Keys) {
				c.Text(nx, ly+11, m.Keys()[s.Keys[j]], 11, th.Muted, canvas.Center)
			}
		}
	}
	y = top + float64(depth-1)*levelH + 24
	switch {
	case len(s.Exchanged) > 0:
		keys := make([]string, len(s.Exchanged))
		for i, k := range s.Exchanged {
			keys[i] = m.Keys()[k]
		}
		c.Text(x, y, "exchanged: "+strings.Join(keys, ", "), 11, th.Accent, canvas.Left)
	case s.Phase == quorum.InSync:
		c.Text(x, y, "same hashes: nothing to send", 11, th.OK, canvas.Left)
	}
}

// drawTreeNode draws one hash of the session's tree: not yet compared
// (small, muted), equal (OK, "="), or different (Bad, "≠").
func drawTreeNode(c canvas.Canvas, th canvas.Theme, s *quorum.Session, node, level int, x, y float64) {
	const r = 5.5
	switch {
	case level > s.Level:
		c.Circle(x, y, 3, canvas.Style{Fill: canvas.Mix(th.Muted, th.Background, 0.4)})
	case s.Differ[node]:
		c.Rect(x-r, y-r, 2*r, 2*r, canvas.Style{Fill: th.Bad})
		c.Text(x, y, "≠", 11, th.Background, canvas.Center)
	case level == 0 || s.Differ[(node-1)/2]:
		c.Circle(x, y, r, canvas.Style{Fill: th.Background, Stroke: th.OK, StrokeWidth: 1.5})
		c.Text(x, y, "=", 11, th.OK, canvas.Center)
	default: // below an equal hash: never compared
		c.Circle(x, y, 3, canvas.Style{Fill: canvas.Mix(th.Muted, th.Background, 0.4)})
	}
}

// drawLegend explains the message marks in one row.
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
		ix := x + 4 + float64(i)*48
		shape(c, it.kind, ix, y, 1, 0, canvas.Style{Fill: it.col})
		c.Text(ix+9, y, it.label, 11, th.Muted, canvas.Left)
	}
}
