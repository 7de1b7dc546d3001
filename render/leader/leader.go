// Package leader draws the leader-follower lab: the client sessions on the
// left, the servers in a column with their role, log position and lag, log
// records flowing from the primary to the replicas along a lane on the
// right of the column, and a panel with the settings, the metrics and the
// last operations.
package leader

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
	"github.com/scaling-data/book/sim/leader"
)

// View is the leader lab's view.
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe, Narrow: canvas.Size{W: canvas.NarrowWidth, H: narrowH}, FromNarrow: fromNarrow}

// The narrow layout: the clients and servers (the empty middle closed up)
// on top, the panel under them.
var (
	wide         = canvas.Size{W: 720, H: 440}
	diagramK     = 0.9
	diagramMap   = []float64{0, 2, clientX + clientW + 4, clientX + clientW + 2, nodeX - 6, 140, nodeX + nodeW + 8, 318}
	narrowLegend = 306.0 // under the last operations
	panelBox     = canvas.Box{X: panelX - 6, Y: 0, W: panelR - panelX + 12, H: narrowLegend + 30}
	panelW       = 300.0
	panelTop     = 440 * diagramK
	narrowH      = panelTop + panelBox.H*panelW/panelBox.W
)

func diagram(c canvas.Canvas) *canvas.Sub {
	return &canvas.Sub{Canvas: c, K: diagramK, Wide: wide, MinSize: canvas.NarrowMinText, XMap: diagramMap}
}

// fromNarrow maps a click on the narrow layout's servers to the wide one.
func fromNarrow(_ lab.Model, x, y float64) (float64, float64, bool) {
	if y >= panelTop {
		return 0, 0, false
	}
	m := diagramMap
	for i := 2; i < len(m); i += 2 {
		if x <= m[i+1] || i == len(m)-2 {
			return m[i-2] + (x-m[i-1])*(m[i]-m[i-2])/(m[i+1]-m[i-1]), y / diagramK, true
		}
	}
	return 0, 0, false
}

// Layout, in logical pixels of the lab's 720×440 canvas.
const (
	clientX, clientW = 14.0, 112.0
	clientH          = 44.0
	nodeX, nodeW     = 232.0, 180.0
	nodeH            = 46.0
	top, bottom      = 48.0, 430.0
	laneX            = nodeX + nodeW + 46 // where log records swing out to
	panelX, panelR   = 500.0, 708.0
)

type point struct{ x, y float64 }

// slot is the centre y of item i of n spread between top and bottom.
func slot(i, n int, h float64) float64 {
	gap := math.Min((bottom-top)/float64(n), h+34)
	total := gap * float64(n)
	return (top+bottom)/2 - total/2 + gap*(float64(i)+0.5)
}

func nodeAt(m *leader.Model, i int) point {
	return point{nodeX + nodeW/2, slot(i, len(m.Nodes), nodeH)}
}

func clientAt(m *leader.Model, c int) point {
	return point{clientX + clientW/2, slot(c, len(m.Clients), clientH)}
}

// NodeCenter is where server i is drawn: what a click must hit.
func NodeCenter(m *leader.Model, i int) (x, y float64) {
	p := nodeAt(m, i)
	return p.x, p.y
}

// Draw paints the lab.
func Draw(c canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*leader.Model)
	c.Clear(th.Background)
	if canvas.Narrow(c) {
		drawDiagram(diagram(c), m, th, true)
		drawPanel(canvas.Region(c, wide, panelBox, (canvas.NarrowWidth-panelW)/2, panelTop, panelW), m, th, narrowLegend)
		return
	}
	drawDiagram(c, m, th, false)
	drawPanel(c, m, th, 404)
}

// drawDiagram draws the clients, the servers and the messages between them.
func drawDiagram(c canvas.Canvas, m *leader.Model, th canvas.Theme, narrow bool) {
	c.Text(12, 16, "t = "+clock(m.Now()), 12, th.Muted, canvas.Left)
	drawManager(c, m, th, narrow)
	for i := range m.Nodes {
		drawNode(c, m, th, i)
	}
	for k := range m.Clients {
		drawClient(c, m, th, k)
	}
	canvas.Traffic(c, func() {
		for _, msg := range m.InFlight() {
			drawPacket(c, m, th, msg)
		}
	})
}

// drawManager says what the failover manager is doing, above the servers.
func drawManager(c canvas.Canvas, m *leader.Model, th canvas.Theme, narrow bool) {
	node, since, paged, running := m.Alarm()
	text, col := fmt.Sprintf("failover manager: %s is primary (epoch %d)", leader.NodeName(m.Primary()), m.Epoch()), th.Muted
	switch {
	case paged:
		text, col = fmt.Sprintf("manager: %s down %s — operator paged", leader.NodeName(node), clock(m.Now()-since)), th.Bad
	case running:
		text, col = fmt.Sprintf("manager: %s unreachable %s / %s", leader.NodeName(node), clock(m.Now()-since), clock(m.Detect())), th.Warn
	}
	if narrow { // under the time, left
		c.Text(12, 34, text, 12, col, canvas.Left)
		return
	}
	c.Text(nodeX-4, 16, text, 12, col, canvas.Left)
}

// drawNode draws server i: a box with its role, log position and lag.
func drawNode(c canvas.Canvas, m *leader.Model, th canvas.Theme, i int) {
	p := nodeAt(m, i)
	n := m.Nodes[i]
	x, y := nodeX, p.y-nodeH/2
	name := leader.NodeName(i)
	var role, detail string
	style := canvas.Style{Fill: th.Surface, Stroke: th.OK, StrokeWidth: 1.5}
	textCol := th.Text
	switch {
	case !m.Up(i):
		role = "DOWN"
		if m.Deposed(i) {
			role = "DOWN (deposed)"
		}
		style = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 2, Dash: true}
		textCol = th.Muted
		detail = fmt.Sprintf("LSN %d", n.Position())
	case m.Deposed(i):
		role = "OLD PRIMARY (!)"
		style = canvas.Style{Fill: th.Surface, Stroke: th.Bad, StrokeWidth: 3}
		detail = fmt.Sprintf("LSN %d · still takes writes", n.Position())
	case n.Role == leader.Primary:
		role = "PRIMARY"
		style = canvas.Style{Fill: th.Surface, Stroke: th.Accent, StrokeWidth: 3}
		detail = fmt.Sprintf("LSN %d", n.Position())
		if n.Fallback {
			detail += " · async fallback"
		}
	default:
		role = "replica"
		d, behind := m.Lag(i)
		// How far behind in time; the bar under it shows it in records.
		detail = fmt.Sprintf("LSN %d · %s behind", n.Position(), clock(d))
		_ = behind
		if n.StallUntil > m.Now() {
			detail = fmt.Sprintf("LSN %d · STALLED %s", n.Position(), clock(n.StallUntil-m.Now()))
		}
	}
	c.Rect(x, y, nodeW, nodeH, style)
	c.Text(x+10, y+14, name, 14, textCol, canvas.Left)
	roleCol := textCol
	if m.Deposed(i) || !m.Up(i) {
		roleCol = th.Bad
	}
	c.Text(x+30, y+14, role, 12, roleCol, canvas.Left)
	c.Text(x+10, y+33, detail, 11, th.Muted, canvas.Left)
	if n.Role == leader.Replica && m.Up(i) {
		// A bar shows the lag in records, up to 20.
		_, behind := m.Lag(i)
		w := math.Min(float64(behind), 20) / 20 * (nodeW - 20)
		if w > 0 {
			c.Rect(x+10, y+nodeH-4, w, 3, canvas.Style{Fill: th.Warn})
		}
	}
}

// drawClient draws session k: its name, where it sends writes, and the
// anomalies it has seen.
func drawClient(c canvas.Canvas, m *leader.Model, th canvas.Theme, k int) {
	p := clientAt(m, k)
	cl := m.Clients[k]
	x, y := clientX, p.y-clientH/2
	col := th.Accent
	c.Rect(x, y, clientW, clientH, canvas.Style{Fill: th.Background, Stroke: col, StrokeWidth: 1.5})
	c.Text(x+8, y+12, m.ClientName(k), 12, col, canvas.Left)
	c.Text(x+clientW-8, y+12, "→ "+leader.NodeName(cl.Target), 12, th.Text, canvas.Right)
	bad := cl.RYW + cl.MR
	stat, scol := fmt.Sprintf("RYW %d · MR %d", cl.RYW, cl.MR), th.Muted
	if bad > 0 {
		scol = th.Bad
	}
	c.Text(x+8, y+31, stat, 11, scol, canvas.Left)
}

// endpoint is where messages of endpoint id leave or arrive.
func endpoint(m *leader.Model, id int) point {
	if id < len(m.Nodes) {
		p := nodeAt(m, id)
		return point{nodeX, p.y}
	}
	p := clientAt(m, id-len(m.Nodes))
	return point{clientX + clientW, p.y}
}

// drawPacket draws a message on its way. Log records and flush reports
// swing along the lane on the right of the servers; client messages fly
// straight. Writes are squares, reads circles, answers triangles, log
// records diamonds.
func drawPacket(c canvas.Canvas, m *leader.Model, th canvas.Theme, msg engine.Message) {
	f := render.Flight(th, m.Now(), msg)
	var x, y, ux, uy float64
	if msg.Kind == leader.WAL || msg.Kind == leader.Flush {
		a, b := nodeAt(m, msg.From), nodeAt(m, msg.To)
		x0, x1 := nodeX+nodeW, nodeX+nodeW
		cx := laneX + math.Abs(b.y-a.y)*0.05
		// A quadratic Bézier from a's right edge to b's.
		x = (1-f)*(1-f)*x0 + 2*(1-f)*f*cx + f*f*x1
		y = (1-f)*(1-f)*a.y + 2*(1-f)*f*(a.y+b.y)/2 + f*f*b.y
		ux, uy = 0, 1
		if b.y < a.y {
			uy = -1
		}
	} else {
		a, b := endpoint(m, msg.From), endpoint(m, msg.To)
		x, y = a.x+(b.x-a.x)*f, a.y+(b.y-a.y)*f
		d := math.Hypot(b.x-a.x, b.y-a.y)
		if d > 0 {
			ux, uy = (b.x-a.x)/d, (b.y-a.y)/d
		}
	}
	s := canvas.Style{Fill: colour(th, msg.Kind)}
	if msg.Dropped || !m.Up(msg.To) {
		s = canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5}
	}
	shape(c, msg.Kind, x, y, ux, uy, s)
}

func colour(th canvas.Theme, kind string) color.RGBA {
	switch kind {
	case leader.ReadReq, leader.Reply:
		return th.Read
	case leader.WAL:
		return th.Accent
	case leader.Flush:
		return th.Muted
	case leader.Refuse:
		return th.Bad
	}
	return th.Write
}

// shape draws the mark of a message kind at (x, y), heading (ux, uy).
func shape(c canvas.Canvas, kind string, x, y, ux, uy float64, s canvas.Style) {
	switch kind {
	case leader.WriteReq:
		c.Rect(x-4.5, y-4.5, 9, 9, s)
	case leader.ReadReq:
		c.Circle(x, y, 5, s)
	case leader.WAL:
		c.Polygon([]float64{x, y - 6, x + 5, y, x, y + 6, x - 5, y}, s)
	default:
		const l, w = 6.5, 5.0
		c.Polygon([]float64{
			x + ux*l, y + uy*l,
			x - ux*l/2 - uy*w, y - uy*l/2 + ux*w,
			x - ux*l/2 + uy*w, y - uy*l/2 - ux*w,
		}, s)
	}
}

var modeNames = []string{"synchronous", "semi-synchronous", "asynchronous"}

// drawPanel draws the settings, the metrics, the last operations and a
// legend.
func drawPanel(c canvas.Canvas, m *leader.Model, th canvas.Theme, legendY float64) {
	x, y := panelX, 18.0
	c.Text(x, y, modeNames[m.Mode()]+" replication", 14, th.Text, canvas.Left)
	y += 18
	reads := "primary"
	if m.ReadsToReplicas() {
		reads = "replicas"
	}
	c.Text(x, y, fmt.Sprintf("reads → %s · RYW %s · MR %s", reads, onOff(m.RYW()), onOff(m.Monotonic())), 11, th.Muted, canvas.Left)
	y += 14
	c.Text(x, y, "fencing "+onOff(m.Fencing()), 11, th.Muted, canvas.Left)
	y += 18
	rule := canvas.Style{Stroke: canvas.Mix(th.Muted, th.Background, 0.7), StrokeWidth: 1}
	c.Line(x, y-8, panelR, y-8, rule)
	for i, v := range m.Metrics() {
		mt := leader.Schema.Metrics[i]
		col := th.Text
		bad := mt.Name == "ryw_violations" || mt.Name == "monotonic_violations" || mt.Name == "lost_writes" || mt.Name == "split_brain_writes"
		if bad && v > 0 {
			col = th.Bad
		}
		val := mt.Format(v)
		c.Text(x, y, short(mt.Label), 11, th.Muted, canvas.Left)
		c.Text(panelR, y, val, 12, col, canvas.Right)
		y += 16
	}
	y += 4
	c.Line(x, y-8, panelR, y-8, rule)
	c.Text(x, y, "Last operations", 11, th.Muted, canvas.Left)
	y += 16
	recent := m.Recent()
	for i := len(recent) - 1; i >= 0 && i >= len(recent)-5; i-- {
		op := recent[i]
		what, outcome, col := opText(m, op)
		c.Text(x, y, what, 11, th.Text, canvas.Left)
		c.Text(panelR, y, outcome, 11, col(th), canvas.Right)
		y += 15
	}
	if len(recent) == 0 {
		c.Text(x, y, "none yet", 11, th.Muted, canvas.Left)
	}
	drawLegend(c, th, x, legendY)
}

func short(label string) string {
	return strings.NewReplacer("Read-your-writes violations", "RYW violations", "Monotonic-read violations", "Monotonic violations").Replace(label)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// opText describes a completed operation in a row of the panel.
func opText(m *leader.Model, op leader.Op) (string, string, func(canvas.Theme) color.RGBA) {
	who := m.ClientName(op.Client)
	if op.Client < len(m.Clients)-1 {
		who = fmt.Sprintf("c%d", op.Client+1)
	}
	key := m.KeyName(op.Key)
	var what string
	if op.Kind == engine.Write {
		what = fmt.Sprintf("%s: write %s=v%d → %s", who, key, op.Version, leader.NodeName(op.Node))
	} else {
		what = fmt.Sprintf("%s: read %s@%s → v%d", who, key, leader.NodeName(op.Node), op.Version)
	}
	switch op.Outcome {
	case leader.Failed:
		return what, "failed", func(th canvas.Theme) color.RGBA { return th.Bad }
	case leader.Anomaly:
		return what, "STALE", func(th canvas.Theme) color.RGBA { return th.Bad }
	}
	return what, "ok", func(th canvas.Theme) color.RGBA { return th.OK }
}

// drawLegend explains the marks.
func drawLegend(c canvas.Canvas, th canvas.Theme, x, y float64) {
	items := []struct {
		kind  string
		col   color.RGBA
		label string
	}{
		{leader.WriteReq, th.Write, "write"},
		{leader.ReadReq, th.Read, "read"},
		{leader.WAL, th.Accent, "log record"},
		{leader.WriteOK, th.Write, "ack"},
		{leader.Reply, th.Read, "reply"},
		{leader.Flush, th.Muted, "flushed"},
	}
	for i, it := range items {
		ix, iy := x+4+float64(i%3)*70, y+float64(i/3)*16
		shape(c, it.kind, ix, iy, 1, 0, canvas.Style{Fill: it.col})
		c.Text(ix+10, iy, it.label, 11, th.Muted, canvas.Left)
	}
}

// Hit maps a click on a server to killing the primary, restarting a down
// server or stalling a replica, and a click on your box to a post.
func Hit(lm lab.Model, x, y float64) (string, int, bool) {
	m := lm.(*leader.Model)
	for i, n := range m.Nodes {
		p := nodeAt(m, i)
		if x < nodeX || x > nodeX+nodeW || math.Abs(y-p.y) > nodeH/2 {
			continue
		}
		switch {
		case !m.Up(i):
			return "restart", i, true
		case n.Role == leader.Primary && !m.Deposed(i):
			return "kill", i, true
		case n.Role == leader.Replica:
			return "spike", i, true
		}
		return "", 0, false
	}
	you := clientAt(m, len(m.Clients)-1)
	if x >= clientX && x <= clientX+clientW && math.Abs(y-you.y) <= clientH/2 {
		return "post", 0, true
	}
	return "", 0, false
}

// Describe says in words what the picture shows.
func Describe(lm lab.Model) string {
	m := lm.(*leader.Model)
	var b strings.Builder
	fmt.Fprintf(&b, "%s replication, %d servers. ", strings.ToUpper(modeNames[m.Mode()][:1])+modeNames[m.Mode()][1:], len(m.Nodes))
	var parts []string
	for i, n := range m.Nodes {
		name := leader.NodeName(i)
		switch {
		case !m.Up(i):
			parts = append(parts, name+" down")
		case m.Deposed(i):
			parts = append(parts, name+" old primary still taking writes")
		case n.Role == leader.Primary:
			parts = append(parts, fmt.Sprintf("%s primary at LSN %d", name, n.Position()))
		default:
			d, behind := m.Lag(i)
			parts = append(parts, fmt.Sprintf("%s replica %d behind (%s)", name, behind, clock(d)))
		}
	}
	b.WriteString(strings.Join(parts, ", ") + ". ")
	c := m.Counts()
	fmt.Fprintf(&b, "%d read-your-writes and %d monotonic-read violations, %d lost writes, %d split-brain writes.", c.RYW, c.Monotonic, c.Lost, c.SplitBrain)
	return b.String()
}

// clock formats a virtual time: "812 ms", "12.3 s".
func clock(t time.Duration) string {
	if t < 10*time.Second {
		return fmt.Sprintf("%.0f ms", float64(t)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", t.Seconds())
}
