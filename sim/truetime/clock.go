package truetime

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// clock is a node's physical clock. Its offset from true time is set at
// each synchronisation (within ±ε/4) and then grows at the oscillator's
// drift rate; the reader can push it further. Times and offsets are in
// nanoseconds of true time, as float64 so intervals compare exactly.
type clock struct {
	syncAt time.Duration // true time of the last synchronisation
	base   float64       // offset right after it, ns
	rate   float64       // drift: ns gained per ns (100 µs/s = 1e-4)
	jump   float64       // ns the reader pushed the clock ahead since the sync
	gen    int           // synchronisations so far; a scheduled sync of an older generation is void
}

// offset is how far the clock is ahead of true time at t, in ns.
func (c *clock) offset(t time.Duration) float64 {
	return c.base + c.rate*float64(t-c.syncAt) + c.jump
}

// Interval is a TrueTime interval [Earliest, Latest], in ns of true time.
type Interval struct{ Earliest, Latest float64 }

// HLC is a hybrid logical clock value: the largest physical time seen
// (Wall, in ns) and a counter that orders events sharing it.
type HLC struct {
	Wall    int64
	Logical int
}

// Less reports whether h comes before o.
func (h HLC) Less(o HLC) bool {
	return h.Wall < o.Wall || h.Wall == o.Wall && h.Logical < o.Logical
}

// next is the smallest value after h.
func (h HLC) next() HLC { return HLC{h.Wall, h.Logical + 1} }

// String writes an HLC as "812.41 ms +2": the wall time in milliseconds and
// the logical counter.
func (h HLC) String() string {
	return fmt.Sprintf("%.2f ms +%d", float64(h.Wall)/1e6, h.Logical)
}

// Short writes an HLC compactly for a drawing: "812.41+2".
func (h HLC) Short() string { return fmt.Sprintf("%.2f+%d", float64(h.Wall)/1e6, h.Logical) }

// tick is a local or send event at physical time pt (Kulkarni et al.).
func (h *HLC) tick(pt int64) {
	if pt > h.Wall {
		*h = HLC{pt, 0}
		return
	}
	h.Logical++
}

// recv is the receipt of a message stamped m at physical time pt.
func (h *HLC) recv(m HLC, pt int64) {
	w := max(h.Wall, m.Wall, pt)
	switch {
	case w == h.Wall && w == m.Wall:
		h.Logical = max(h.Logical, m.Logical) + 1
	case w == h.Wall:
		h.Logical++
	case w == m.Wall:
		h.Logical = m.Logical + 1
	default:
		h.Logical = 0
	}
	h.Wall = w
}

// Lamp is a Lamport timestamp: the counter, with the node as tie-break.
type Lamp struct{ Count, Node int }

// Less reports whether l comes before o in the total order.
func (l Lamp) Less(o Lamp) bool {
	return l.Count < o.Count || l.Count == o.Count && l.Node < o.Node
}

// Vec is a vector clock: one counter per node.
type Vec []int

// merge raises v to at least o, entry by entry.
func (v Vec) merge(o Vec) {
	for i := range v {
		v[i] = max(v[i], o[i])
	}
}

// below returns the first entry where v is behind o, or -1 when v ≥ o.
func (v Vec) below(o Vec) int {
	for i := range v {
		if v[i] < o[i] {
			return i
		}
	}
	return -1
}

// String writes a vector as "[3,0,1]".
func (v Vec) String() string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// ms writes ns as milliseconds with two decimals: "812.41".
func ms(ns float64) string { return strconv.FormatFloat(ns/1e6, 'f', 2, 64) }

// msd writes a duration as milliseconds with one decimal: "7.9 ms".
func msd(d float64) string { return strconv.FormatFloat(d/1e6, 'f', 1, 64) + " ms" }

// ceilTime is the first whole nanosecond at or after ns.
func ceilTime(ns float64) time.Duration { return time.Duration(math.Ceil(ns)) }
