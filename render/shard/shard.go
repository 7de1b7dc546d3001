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
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/shard"
)

// View is the shard lab's view.
var View = render.View{Draw: Draw, Hit: Hit, Describe: Describe, Narrow: narrowSize, FromNarrow: fromNarrow}

var narrowSize = canvas.Size{W: canvas.NarrowWidth, H: 620}

// geo is where things go: the wide layout's, or the narrow one's, whose
// top (title, status, legend, router and "+ shard") takes more lines, so
// everything under it is drawn shift lower.
type geo struct {
	narrow           bool
	left, right      float64
	shift            float64
	routerX, routerY float64 // before the shift
	addX, addY       float64 // after it
}

var (
	wideGeo   = geo{left: left, right: right, routerX: routerX, routerY: routerY, addX: addX, addY: addY}
	narrowGeo = geo{narrow: true, left: 8, right: 312, shift: 66, routerX: 44, routerY: 108 - 66, addX: 120, addY: 98}
)

// fromNarrow maps a click on the narrow layout to the wide one: "+ shard"
// to "+ shard", a point of a column to the same point of that column.
func fromNarrow(lm lab.Model, x, y float64) (float64, float64, bool) {
	m := lm.(*shard.Model)
	g := narrowGeo
	if x >= g.addX && x <= g.addX+addW && y >= g.addY && y <= g.addY+addH {
		return addX + addW/2, addY + addH/2, true
	}
	wide := columnsIn(m, left, right)
	for i, c := range columnsIn(m, g.left, g.right) {
		if x >= c.x && x <= c.x+c.w {
			w := wide[i]
			return w.x + (x-c.x)*w.w/c.w, y - g.shift, true
		}
	}
	return 0, 0, false
}

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
func columns(m *shard.Model) []column { return columnsIn(m, left, right) }

func columnsIn(m *shard.Model, left, right float64) []column {
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
	return c.x + 4 + u*(c.w-8), bodyTop + 4 + v*(bodyBottom+grow(m)-bodyTop-8)
}

// grow is how much taller the column bodies are drawn, and how much lower
// everything under them, than the layout constants say: the panel under
// the columns needs the constants' room only to take an Instagram-style id
// apart (drawID); for other keys the columns take that room, so the canvas
// has no empty band at its bottom.
func grow(m *shard.Model) float64 {
	if m.Keyset() == shard.IDs {
		return 0
	}
	return 44
}

// Draw paints the whole lab.
func Draw(cv canvas.Canvas, lm lab.Model, th canvas.Theme) {
	m := lm.(*shard.Model)
	cv.Clear(th.Background)
	g := wideGeo
	if canvas.Narrow(cv) { // drawn at scale 1, text at the narrow minimum
		g = narrowGeo
		top := &canvas.Sub{Canvas: cv, K: 1, Wide: narrowSize, MinSize: canvas.NarrowMinText}
		drawNarrowTop(top, m, th)
		cv = &canvas.Sub{Canvas: cv, K: 1, Y: g.shift, Wide: narrowSize, MinSize: canvas.NarrowMinText}
	} else {
		drawTop(cv, m, th)
	}
	cols := columnsIn(m, g.left, g.right)
	drawColumns(cv, m, cols, th)
	drawKeys(cv, m, cols, th)
	drawRead(cv, g, m, cols, th)
	drawPanel(cv, g, m, th)
}

// drawNarrowTop is drawTop on the narrow layout: the title wrapped, the
// status under it, the legend on two lines, then the router and "+ shard".
func drawNarrowTop(cv canvas.Canvas, m *shard.Model, th canvas.Theme) {
	g := narrowGeo
	y := 14.0
	for _, line := range wrap(title(m), g.right-g.left, canvas.NarrowMinText) {
		cv.Text(g.left, y, line, titleText, th.Text, canvas.Left)
		y += 16
	}
	if y < 46 {
		y = 46
	}
	status, col := moveStatus(m, th)
	cv.Text(g.left, y, status, normalText, col, canvas.Left)
	y += 18
	drawLegend(cv, m, th, g.left, y, g.right)
	drawButtons(cv, m, th, g)
}

// title says the strategy, the shards and the keys.
func title(m *shard.Model) string {
	title := fmt.Sprintf("%s · %d shards · %s keys", capital(m.Strategy().Title()), len(m.Live()), group(m.Keys()))
	switch m.Strategy() {
	case shard.Ring:
		title += fmt.Sprintf(" · V=%d", m.VNodes())
	case shard.Logical:
		title += fmt.Sprintf(" · %s partitions", group(m.Partitions()))
	}
	return title
}

// moveStatus says whether keys are moving, and the colour to say it in.
func moveStatus(m *shard.Model, th canvas.Theme) (string, color.RGBA) {
	copied, total, moving, paused := m.Move()
	status := "settled: every key on its shard"
	col := th.Muted
	switch {
	case paused:
		status, col = fmt.Sprintf("move paused: %s of %s keys copied", group(copied), group(total)), th.Warn
	case moving:
		status, col = fmt.Sprintf("moving: %s of %s keys copied", group(copied), group(total)), th.Accent
	}
	return status, col
}

func drawTop(cv canvas.Canvas, m *shard.Model, th canvas.Theme) {
	cv.Text(left, 14, title(m), titleText, th.Text, canvas.Left)
	status, col := moveStatus(m, th)
	cv.Text(right, 14, status, normalText, col, canvas.Right)
	drawLegend(cv, m, th, left, routerY, routerX-36)
	drawButtons(cv, m, th, wideGeo)
}

// drawLegend says what a dot's shape and a bar mean, in a row from (x, y)
// that wraps before right.
func drawLegend(cv canvas.Canvas, m *shard.Model, th canvas.Theme, x, y, right float64) {
	x0 := x
	size := canvas.MinText(right + x0)
	items := []struct {
		w     float64
		draw  func(x, y float64)
		label string
	}{
		{6, func(x, y float64) { cv.Circle(x+3, y, dotR+0.6, canvas.Style{Fill: th.Text}) }, "stored"},
		{6, func(x, y float64) { cv.Circle(x+3, y, dotR+0.8, canvas.Style{Stroke: th.Text, StrokeWidth: 1}) }, "waiting to move"},
		{5, func(x, y float64) { cv.Rect(x, y-2.5, 5, 5, canvas.Style{Fill: th.Text}) }, "copying"},
		{16, func(x, y float64) {
			cv.Rect(x, y-3, 16, barH, canvas.Style{Fill: th.Muted})
			cv.Line(x+11, y-5, x+11, y+5, canvas.Style{Stroke: th.Text, StrokeWidth: 1})
		}, "keys (| mean), % writes"},
	}
	for _, it := range items {
		w := it.w + 4 + textW(it.label, size)
		if x+w > right && x > x0 {
			x, y = x0, y+16
		}
		it.draw(x, y)
		cv.Text(x+it.w+4, y, it.label, smallText, th.Muted, canvas.Left)
		x += w + 12
	}
}

// drawButtons draws the router, which every read and query goes through,
// and the "+ shard" button.
func drawButtons(cv canvas.Canvas, m *shard.Model, th canvas.Theme, g geo) {
	ry := g.routerY + g.shift
	cv.Rect(g.routerX-30, ry-9, 60, 18, canvas.Style{Fill: th.Surface, Stroke: th.Muted, StrokeWidth: 1})
	cv.Text(g.routerX, ry, "router", smallText, th.Text, canvas.Center)
	if len(m.Live()) < shard.MaxShards {
		cv.Rect(g.addX, g.addY, addW, addH, canvas.Style{Fill: th.Surface, Stroke: th.Accent, StrokeWidth: 1})
		cv.Text(g.addX+addW/2, g.addY+addH/2, "+ shard", normalText, th.Accent, canvas.Center)
	}
}

// wrap breaks s into lines about width wide at the given text size.
func wrap(s string, width, size float64) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		next := strings.TrimSpace(cur + " " + word)
		if textW(next, size) > width && cur != "" {
			lines = append(lines, cur)
			next = word
		}
		cur = next
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

func drawColumns(cv canvas.Canvas, m *shard.Model, cols []column, th canvas.Theme) {
	scan := m.LastScan()
	scanOn := scan.Manual && m.Since(scan.At) < showScan
	maxLoad := 1
	for _, c := range cols {
		maxLoad = max(maxLoad, m.Load(c.slot))
	}
	mean := float64(m.Keys()) / float64(len(m.Live()))
	d := grow(m)
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
		cv.Rect(c.x, bodyTop, c.w, bodyBottom+d-bodyTop, body)
		// Load bar, scaled to the fullest shard, with a tick at the mean.
		load := m.Load(c.slot)
		cv.Rect(c.x, barY+d, c.w, barH, canvas.Style{Fill: th.Surface})
		cv.Rect(c.x, barY+d, c.w*float64(load)/float64(maxLoad), barH, canvas.Style{Fill: sc})
		if mx := c.x + c.w*mean/float64(maxLoad); mx <= c.x+c.w {
			cv.Line(mx, barY+d-2, mx, barY+d+barH+2, canvas.Style{Stroke: th.Text, StrokeWidth: 1})
		}
		cv.Text(cx, countY+d, compact(load), smallText, th.Text, canvas.Center)
		if share := m.WriteShare(c.slot); share > 0 {
			cv.Text(cx, shareY+d, fmt.Sprintf("%.0f%%", 100*share), smallText, th.Muted, canvas.Center)
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
func drawRead(cv canvas.Canvas, g geo, m *shard.Model, cols []column, th canvas.Theme) {
	r := m.LastRead()
	if r.Kind == "" || !r.Manual || m.Since(r.At) > showRead {
		return
	}
	served, ok := at(cols, r.Served)
	if !ok {
		return
	}
	x0, y0 := g.routerX, g.routerY+9
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

func drawPanel(cv canvas.Canvas, g geo, m *shard.Model, th canvas.Theme) {
	y := panelY + grow(m)
	left, right := g.left, g.right
	raw := func(s string, c color.RGBA) {
		if !g.narrow {
			cv.Text(left, y, s, normalText, c, canvas.Left)
			y += lineH
			return
		}
		for _, l := range wrap(s, right-left, canvas.NarrowMinText) {
			cv.Text(left, y, l, normalText, c, canvas.Left)
			y += lineH
		}
	}
	line := func(s string, c color.RGBA) { raw(numbers(m, s), c) }
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
	if m.Keyset() == shard.Uniform && m.Strategy() == shard.Range {
		raw("Keys are numbers: a column headed ≥ 759G starts at key 759 billion.", th.Muted)
	}
	if m.Keyset() == shard.IDs {
		drawID(cv, g, m, th, y)
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
func drawID(cv canvas.Canvas, g geo, m *shard.Model, th canvas.Theme, y float64) {
	left, right := g.left, g.right
	w := m.LastWrite()
	if w.Kind == "" {
		msg := "Write a key to see a new id taken apart into its bit fields."
		if g.narrow {
			for _, l := range wrap(msg, right-left, canvas.NarrowMinText) {
				cv.Text(left, y, l, normalText, th.Muted, canvas.Left)
				y += lineH
			}
			return
		}
		cv.Text(left, y, msg, normalText, th.Muted, canvas.Left)
		return
	}
	d := shard.DecodeID(w.Key)
	last := fmt.Sprintf("Last id %d, written to shard %s:", w.Key, shard.ShardName(w.First))
	if g.narrow {
		cv.Text(left, y, fmt.Sprintf("Last id %d,", w.Key), normalText, th.Text, canvas.Left)
		y += lineH
		last = fmt.Sprintf("written to shard %s:", shard.ShardName(w.First))
	}
	cv.Text(left, y, last, normalText, th.Text, canvas.Left)
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
	made := fmt.Sprintf("made %s UTC; logical shard %s lives on %s; sequence number mod 1024",
		d.Time.Format("2006-01-02 15:04:05.000"), group(d.Shard), shard.ShardName(w.First))
	if !g.narrow {
		cv.Text(left, y, made, smallText, th.Muted, canvas.Left)
		return
	}
	for _, l := range wrap(made, right-left, canvas.NarrowMinText) {
		cv.Text(left, y, l, smallText, th.Muted, canvas.Left)
		y += lineH
	}
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
		if y >= bodyTop && y <= bodyBottom+grow(m) {
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

// bigKey is a key of the uniform keyset as FormatKey writes it: "759G".
var bigKey = regexp.MustCompile(`\b(\d+)G\b`)

// numbers spells out the uniform keyset's keys in the panel's sentences:
// "759G" is "759 billion".
func numbers(m *shard.Model, s string) string {
	if m.Keyset() != shard.Uniform {
		return s
	}
	return bigKey.ReplaceAllString(s, "key $1 billion")
}
