// Package shard draws the shard lab: one column per shard holding a sample
// of its keys as dots, keys flying to their new shard during a move, a load
// bar and write share under each column, the router's last read and range
// query, and a panel with the last rebalance (and, for Instagram-style ids,
// the last id taken apart into its bit fields).
package shard

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/shard"
)

// View is the shard lab's view.
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe}

// Layout, in logical pixels of the lab's 640×460 canvas.
const (
	left, right  = 16.0, 624.0
	gap          = 6.0
	headTop      = 58.0  // top of the column headers
	bodyTop      = 92.0  // top of the column bodies (the dots)
	bodyBottom   = 282.0 // bottom of the bodies
	barY         = 288.0 // load bars
	barH         = 6.0
	countY       = 304.0 // keys per shard
	shareY       = 318.0 // write share per shard
	panelY       = 338.0 // first line of the panel
	lineH        = 16.0
	dotR         = 1.8
	addX, addY   = 566.0, 29.0 // the "+ shard" button
	addW, addH   = 58.0, 20.0
	routerX      = 492.0
	routerY      = 38.0
	showRead     = 3 * time.Second // how long a reader's read stays drawn
	showScan     = 3 * time.Second
	smallText    = 11.0
	normalText   = 12.0
	titleText    = 13.0
	charW        = 0.56 // text width per character, as a share of the size
	closeBoxSize = 14.0
	closeMinW    = 40.0 // narrower columns have no ×: use the shard picker
)

// palettes are the shard colours, by slot, for light and dark pages. The
// column a key sits in also tells its shard, so colour is never the only
// cue.
var palettes = map[string][]color.RGBA{
	"light": hexes(0x2563eb, 0xc2410c, 0x047857, 0xb91c1c, 0x7c3aed, 0x0e7490, 0xbe185d, 0x4d7c0f,
		0x1e3a8a, 0x92400e, 0x065f46, 0x7f1d1d, 0x5b21b6, 0x155e75, 0x9d174d, 0x3f6212),
	"dark": hexes(0x60a5fa, 0xfb923c, 0x34d399, 0xf87171, 0xa78bfa, 0x22d3ee, 0xf472b6, 0xa3e635,
		0x93c5fd, 0xfcd34d, 0x6ee7b7, 0xfca5a5, 0xc4b5fd, 0x67e8f9, 0xf9a8d4, 0xbef264),
}

func hexes(xs ...uint32) []color.RGBA {
	out := make([]color.RGBA, len(xs))
	for i, x := range xs {
		out[i] = canvas.RGB(x)
	}
	return out
}

func shardColor(th canvas.Theme, s int) color.RGBA {
	p := palettes[th.Name]
	if p == nil {
		p = palettes["light"]
	}
	return p[s%len(p)]
}

// column is where one shard is drawn.
type column struct {
	slot    int
	x, w    float64
	leaving bool // removed, still handing its keys over
}

// columns lays out the shards in use, in placement order, then any shard
// that was removed but still holds keys.
func columns(m *shard.Model) []column {
	slots := m.Live()
	live := len(slots)
	for s := range shard.MaxShards {
		if m.Load(s) > 0 && !contains(slots, s) {
			slots = append(slots, s)
		}
	}
	n := float64(len(slots))
	w := (right - left - gap*(n-1)) / n
	out := make([]column, len(slots))
	for i, s := range slots {
		out[i] = column{slot: s, x: left + float64(i)*(w+gap), w: w, leaving: i >= live}
	}
	return out
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// at returns the column of slot s.
func at(cols []column, s int) (column, bool) {
	for _, c := range cols {
		if c.slot == s {
			return c, true
		}
	}
	return column{}, false
}

// dotAt is where key i sits inside column c: a fixed spot from its hash.
func dotAt(m *shard.Model, c column, i int) (x, y float64) {
	h := shard.Hash(m.Key(i) ^ 0xd07)
	u := float64(h>>40) / (1 << 24)
	v := float64(h&(1<<24-1)) / (1 << 24)
	return c.x + 4 + u*(c.w-8), bodyTop + 4 + v*(bodyBottom-bodyTop-8)
}

// Draw paints the whole lab.
func Draw(cv canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*shard.Model)
	cv.Clear(th.Background)
	cols := columns(m)
	drawTop(cv, m, th)
	drawColumns(cv, m, cols, th)
	drawKeys(cv, m, cols, th)
	drawRead(cv, m, cols, th)
	drawPanel(cv, m, th)
}

func drawTop(cv canvas.Canvas, m *shard.Model, th canvas.Theme) {
	title := fmt.Sprintf("%s · %d shards · %s keys", capital(m.Strategy().Title()), len(m.Live()), group(m.Keys()))
	switch m.Strategy() {
	case shard.Ring:
		title += fmt.Sprintf(" · V=%d", m.VNodes())
	case shard.Logical:
		title += fmt.Sprintf(" · %s partitions", group(m.Partitions()))
	}
	cv.Text(left, 14, title, titleText, th.Text, canvas.Left)
	copied, total, moving, paused := m.Move()
	status := "settled: every key on its shard"
	col := th.Muted
	switch {
	case paused:
		status, col = fmt.Sprintf("move paused: %s of %s keys copied", group(copied), group(total)), th.Warn
	case moving:
		status, col = fmt.Sprintf("moving: %s of %s keys copied", group(copied), group(total)), th.Accent
	}
	cv.Text(right, 14, status, normalText, col, canvas.Right)

	// Legend: what a dot's shape means.
	y := routerY
	x := left
	cv.Circle(x+3, y, dotR+0.6, canvas.Style{Fill: th.Text})
	cv.Text(x+10, y, "stored", smallText, th.Muted, canvas.Left)
	x += 56
	cv.Circle(x+3, y, dotR+0.8, canvas.Style{Stroke: th.Text, StrokeWidth: 1})
	cv.Text(x+10, y, "waiting to move", smallText, th.Muted, canvas.Left)
	x += 104
	cv.Rect(x, y-2.5, 5, 5, canvas.Style{Fill: th.Text})
	cv.Text(x+10, y, "copying", smallText, th.Muted, canvas.Left)
	x += 62
	cv.Rect(x, y-3, 16, barH, canvas.Style{Fill: th.Muted})
	cv.Line(x+11, y-5, x+11, y+5, canvas.Style{Stroke: th.Text, StrokeWidth: 1})
	cv.Text(x+22, y, "keys (| mean), % writes", smallText, th.Muted, canvas.Left)

	// The router, which every read and query goes through.
	cv.Rect(routerX-30, routerY-9, 60, 18, canvas.Style{Fill: th.Surface, Stroke: th.Muted, StrokeWidth: 1})
	cv.Text(routerX, routerY, "router", smallText, th.Text, canvas.Center)

	if len(m.Live()) < shard.MaxShards {
		cv.Rect(addX, addY, addW, addH, canvas.Style{Fill: th.Surface, Stroke: th.Accent, StrokeWidth: 1})
		cv.Text(addX+addW/2, addY+addH/2, "+ shard", normalText, th.Accent, canvas.Center)
	}
}

func drawColumns(cv canvas.Canvas, m *shard.Model, cols []column, th canvas.Theme) {
	scan := m.LastScan()
	scanOn := scan.Manual && m.Since(scan.At) < showScan
	maxLoad := 1
	for _, c := range cols {
		maxLoad = max(maxLoad, m.Load(c.slot))
	}
	mean := float64(m.Keys()) / float64(len(m.Live()))
	for i, c := range cols {
		sc := shardColor(th, c.slot)
		cx := c.x + c.w/2
		// Header: name, and what the strategy says about the shard.
		name := shard.ShardName(c.slot)
		if c.leaving && c.w > 60 {
			name += " (leaving)"
		}
		cv.Rect(c.x, headTop, c.w, bodyTop-headTop-4, canvas.Style{Fill: th.Surface})
		cv.Rect(c.x, headTop, c.w, 3, canvas.Style{Fill: sc})
		cv.Text(cx, headTop+12, name, titleText, th.Text, canvas.Center)
		if sub := subLabel(m, c, i); sub != "" && textW(sub, smallText) <= c.w-2 {
			cv.Text(cx, headTop+25, sub, smallText, th.Muted, canvas.Center)
		}
		if !c.leaving && len(m.Live()) > 1 && c.w >= closeMinW {
			bx, by := closeBox(c)
			cv.Text(bx+closeBoxSize/2, by+closeBoxSize/2, "×", normalText, th.Muted, canvas.Center)
		}
		// Body.
		body := canvas.Style{Stroke: th.Muted, StrokeWidth: 1, Dash: c.leaving}
		if scanOn && scan.Shards&(1<<c.slot) != 0 {
			body = canvas.Style{Stroke: th.Accent, StrokeWidth: 2.5}
		}
		cv.Rect(c.x, bodyTop, c.w, bodyBottom-bodyTop, body)
		// Load bar, scaled to the fullest shard, with a tick at the mean.
		load := m.Load(c.slot)
		cv.Rect(c.x, barY, c.w, barH, canvas.Style{Fill: th.Surface})
		cv.Rect(c.x, barY, c.w*float64(load)/float64(maxLoad), barH, canvas.Style{Fill: sc})
		if mx := c.x + c.w*mean/float64(maxLoad); mx <= c.x+c.w {
			cv.Line(mx, barY-2, mx, barY+barH+2, canvas.Style{Stroke: th.Text, StrokeWidth: 1})
		}
		cv.Text(cx, countY, compact(load), smallText, th.Text, canvas.Center)
		if share := m.WriteShare(c.slot); share > 0 {
			cv.Text(cx, shareY, fmt.Sprintf("%.0f%%", 100*share), smallText, th.Muted, canvas.Center)
		}
	}
}

// subLabel says what a shard holds under the strategy: its range, region,
// partitions or tenants.
func subLabel(m *shard.Model, c column, i int) string {
	if c.leaving {
		return "leaving"
	}
	switch m.Strategy() {
	case shard.Range:
		if i == 0 {
			return "from start"
		}
		return "≥ " + shard.FormatKey(m.Keyset(), m.RangeStart(i))
	case shard.Geo:
		return shard.RegionShort(m.Region(c.slot))
	case shard.Logical:
		return fmt.Sprintf("%s parts", compact(m.PartitionsOn(c.slot)))
	case shard.Directory:
		n := m.TenantsOn(c.slot)
		if n == 1 {
			return "1 tenant"
		}
		return fmt.Sprintf("%d tenants", n)
	}
	return ""
}

// closeBox is the top-left corner of the "×" that removes column c's shard.
func closeBox(c column) (x, y float64) {
	return c.x + c.w - closeBoxSize - 1, headTop + 4
}

func drawKeys(cv canvas.Canvas, m *shard.Model, cols []column, th canvas.Theme) {
	flying := map[int]shard.Flight{}
	for _, f := range m.Flights() {
		flying[f.Index] = f
	}
	stride := m.Stride()
	for i := 0; i < m.Keys(); i += stride {
		owner, next := m.Owner(i), m.Next(i)
		if f, ok := flying[i]; ok {
			from, ok1 := at(cols, f.From)
			to, ok2 := at(cols, f.To)
			if ok1 && ok2 {
				x, y := flightAt(m, th, from, to, f)
				cv.Rect(x-2, y-2, 4, 4, canvas.Style{Fill: shardColor(th, f.To)})
				continue
			}
		}
		c, ok := at(cols, owner)
		if !ok {
			continue
		}
		x, y := dotAt(m, c, i)
		if owner != next {
			cv.Circle(x, y, dotR+0.4, canvas.Style{Stroke: shardColor(th, next), StrokeWidth: 0.9})
			continue
		}
		cv.Circle(x, y, dotR, canvas.Style{Fill: shardColor(th, owner)})
	}
}

// flightAt is where key f.Index is drawn on its way between shards. With
// reduced motion it rests halfway, as packets do in the other labs.
func flightAt(m *shard.Model, th canvas.Theme, from, to column, f shard.Flight) (x, y float64) {
	x1, y1 := dotAt(m, from, f.Index)
	x2, y2 := dotAt(m, to, f.Index)
	p := th.Travel(easeInOut(float64(m.Since(f.At)) / float64(shard.FlightTime)))
	return x1 + (x2-x1)*p, y1 + (y2-y1)*p
}

func easeInOut(p float64) float64 {
	p = math.Max(0, math.Min(1, p))
	return p * p * (3 - 2*p)
}

// drawRead draws the route of the reader's last read: straight to the shard
// that serves it, or first to the new owner (a miss) and then to the old.
func drawRead(cv canvas.Canvas, m *shard.Model, cols []column, th canvas.Theme) {
	r := m.LastRead()
	if r.Kind == "" || !r.Manual || m.Since(r.At) > showRead {
		return
	}
	served, ok := at(cols, r.Served)
	if !ok {
		return
	}
	x0, y0 := routerX, routerY+9
	x, y := dotAt(m, served, r.Index)
	if r.Double() {
		if first, ok := at(cols, r.First); ok {
			fx, fy := dotAt(m, first, r.Index)
			cv.Line(x0, y0, fx, fy, canvas.Style{Stroke: th.Bad, StrokeWidth: 1.5, Dash: true})
			cv.Circle(fx, fy, 5, canvas.Style{Fill: th.Background, Stroke: th.Bad, StrokeWidth: 1.5})
			cv.Text(fx, fy-12, "miss", smallText, th.Bad, canvas.Center)
			x0, y0 = fx, fy
		}
	}
	cv.Line(x0, y0, x, y, canvas.Style{Stroke: th.Read, StrokeWidth: 2})
	cv.Circle(x, y, 5, canvas.Style{Stroke: th.Read, StrokeWidth: 2})
	cv.Text(x, y-12, "read", smallText, th.Read, canvas.Center)
}

func drawPanel(cv canvas.Canvas, m *shard.Model, th canvas.Theme) {
	y := panelY
	line := func(s string, c color.RGBA) {
		cv.Text(left, y, s, normalText, c, canvas.Left)
		y += lineH
	}
	if reb, ok := m.LastRebalance(); ok {
		pct := 100 * float64(reb.Moved) / float64(max(1, reb.Keys))
		s := fmt.Sprintf("Last rebalance: %s — %s of %s keys moved (%.1f%%)", reb.What, group(reb.Moved), group(reb.Keys), pct)
		if reb.After == reb.Before+1 {
			s += fmt.Sprintf("; the least possible is 1/%d = %.1f%%", reb.After, 100/float64(reb.After))
		}
		line(s, th.Text)
	} else {
		line("No rebalance yet: add a shard (+ shard), remove one (×), split a range or move a partition.", th.Muted)
	}
	maxLoad, sd := m.Balance()
	copied, total, moving, paused := m.Move()
	if moving {
		w := right - left
		cv.Rect(left, y-5, w, 10, canvas.Style{Fill: th.Surface, Stroke: th.Muted, StrokeWidth: 1})
		cv.Rect(left, y-5, w*float64(copied)/float64(max(1, total)), 10, canvas.Style{Fill: th.Accent})
		y += lineH
		state := "in progress"
		if paused {
			state = "paused"
		}
		line(fmt.Sprintf("Move %s: %s of %s keys copied, %s to go.", state, group(copied), group(total), group(total-copied)), th.Text)
	} else {
		line(fmt.Sprintf("Keys per shard: fullest %.2f× the mean, spread (stddev/mean) %.1f%%.", maxLoad, 100*sd), th.Text)
	}
	if r := m.LastRead(); r.Kind != "" {
		k := shard.FormatKey(m.Keyset(), r.Key)
		if r.Double() {
			line(fmt.Sprintf("Last read %s: asked %s (new owner, not copied yet), then %s: a double read.", k, shard.ShardName(r.First), shard.ShardName(r.Served)), th.Bad)
		} else {
			line(fmt.Sprintf("Last read %s: one shard, %s.", k, shard.ShardName(r.Served)), th.Text)
		}
	}
	if m.Keyset() == shard.IDs {
		drawID(cv, m, th, y)
		return
	}
	if s := m.LastScan(); s.Kind != "" {
		what := "scatter-gather"
		if m.Strategy() == shard.Range {
			what = "only the ranges it overlaps"
		}
		line(fmt.Sprintf("Last range query %s to %s: asked %d of %d shards (%s).", shard.FormatKey(m.Keyset(), s.Key), shard.FormatKey(m.Keyset(), s.Hi),
			popcount(s.Shards), len(m.Live()), what), th.Text)
	}
}

// drawID takes the last written id apart: 41 bits of time, 13 of logical
// shard, 10 of sequence.
func drawID(cv canvas.Canvas, m *shard.Model, th canvas.Theme, y float64) {
	w := m.LastWrite()
	if w.Kind == "" {
		cv.Text(left, y, "Write a key to see a new id taken apart into its bit fields.", normalText, th.Muted, canvas.Left)
		return
	}
	d := shard.DecodeID(w.Key)
	cv.Text(left, y, fmt.Sprintf("Last id %d, written to shard %s:", w.Key, shard.ShardName(w.First)), normalText, th.Text, canvas.Left)
	y += 14
	width := right - left
	fields := []struct {
		bits  int
		label string
		c     color.RGBA
	}{
		{shard.TimeBits, "time " + group64(d.Ms) + " ms", th.Write},
		{shard.ShardBits, "shard " + group(d.Shard), th.OK},
		{shard.SeqBits, "seq " + group(d.Seq), th.Warn},
	}
	x := left
	for _, f := range fields {
		fw := width * float64(f.bits) / 64
		cv.Text(x+2, y, fmt.Sprintf("%d bits", f.bits), smallText, th.Muted, canvas.Left)
		cv.Rect(x, y+7, fw, 18, canvas.Style{Fill: th.Surface, Stroke: f.c, StrokeWidth: 1.5})
		cv.Text(x+fw/2, y+16, f.label, smallText, th.Text, canvas.Center)
		x += fw
	}
	y += 36
	cv.Text(left, y, fmt.Sprintf("made %s UTC; logical shard %s lives on %s; sequence number mod 1024",
		d.Time.Format("2006-01-02 15:04:05.000"), group(d.Shard), shard.ShardName(w.First)), smallText, th.Muted, canvas.Left)
}

// Hit maps a click to an action: "+ shard" adds, a column's × removes its
// shard, and a click on a column splits its range (range strategy) or
// moves its biggest partition or tenant (logical, directory).
func Hit(lm lab.Model, x, y float64) (string, int, bool) {
	m := lm.(*shard.Model)
	if x >= addX && x <= addX+addW && y >= addY && y <= addY+addH && len(m.Live()) < shard.MaxShards {
		return "add", 0, true
	}
	for _, c := range columns(m) {
		if c.leaving || x < c.x || x > c.x+c.w {
			continue
		}
		bx, by := closeBox(c)
		if len(m.Live()) > 1 && c.w >= closeMinW && x >= bx-2 && x <= bx+closeBoxSize+2 && y >= by-2 && y <= by+closeBoxSize+2 {
			return "remove", c.slot, true
		}
		if y >= bodyTop && y <= bodyBottom {
			switch m.Strategy() {
			case shard.Range:
				return "split", c.slot, true
			case shard.Logical, shard.Directory:
				return "move", c.slot, true
			}
		}
	}
	return "", 0, false
}

// Describe is the text alternative of the canvas.
func Describe(lm lab.Model) string {
	m := lm.(*shard.Model)
	var b strings.Builder
	fmt.Fprintf(&b, "%s over %d shards, %s keys.", capital(m.Strategy().Title()), len(m.Live()), group(m.Keys()))
	var loads []string
	for _, c := range columns(m) {
		loads = append(loads, fmt.Sprintf("%s %s", shard.ShardName(c.slot), group(m.Load(c.slot))))
	}
	fmt.Fprintf(&b, " Keys per shard: %s.", strings.Join(loads, ", "))
	if copied, total, moving, paused := m.Move(); moving {
		state := "in progress"
		if paused {
			state = "paused"
		}
		fmt.Fprintf(&b, " Move %s: %s of %s keys copied.", state, group(copied), group(total))
	}
	if reb, ok := m.LastRebalance(); ok {
		fmt.Fprintf(&b, " Last rebalance, %s, moved %.1f%% of keys.", reb.What, 100*float64(reb.Moved)/float64(max(1, reb.Keys)))
	}
	if r := m.LastRead(); r.Manual {
		if r.Double() {
			fmt.Fprintf(&b, " Last read went to %s, missed, then to %s.", shard.ShardName(r.First), shard.ShardName(r.Served))
		} else {
			fmt.Fprintf(&b, " Last read went to %s.", shard.ShardName(r.Served))
		}
	}
	return b.String()
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func textW(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * charW
}

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// compact writes a count in at most five characters: 812, 2.5k, 25k, 1.0M.
func compact(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprint(n)
	case n < 10_000:
		return fmt.Sprintf("%.1fk", float64(n)/1000)
	case n < 1_000_000:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}

// group writes n with thousands separators: 12,345.
func group(n int) string {
	if n < 0 {
		return "-" + group64(uint64(-n))
	}
	return group64(uint64(n))
}

func group64(n uint64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
