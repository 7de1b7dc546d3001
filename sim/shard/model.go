package shard

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
)

// Timing and bounds.
const (
	logSize      = 500                    // narration events kept
	copyTick     = 20 * time.Millisecond  // how often a move copies its next batch
	FlightTime   = 600 * time.Millisecond // how long the view shows a copied key flying
	scriptDelay  = time.Second            // before each scripted add or remove
	summaryEvery = 10 * time.Second       // traffic summaries in the narration
	sampleTarget = 2000                   // keys the view draws, at most (plus new writes)
	scanShare    = 0.05                   // share of traffic that is range queries
	scanWidth    = 50                     // a range query spans 1/scanWidth of the key span
	zipfS        = 1.3                    // Zipf exponent: the top key gets about a quarter of the traffic
)

// ShardName is the name of shard slot s: A, B, C …
func ShardName(s int) string { return string(rune('A' + s)) }

// Op is one client operation, for the view and the narration.
type Op struct {
	Kind  string        // "read", "write" or "scan"
	At    time.Duration // virtual time
	Index int           // read, write: the key's index
	Key   uint64        // read, write: the key; scan: the low end
	Hi    uint64        // scan: the high end
	// First is the shard the router asked first (read) or wrote to (write);
	// Served the shard that answered a read. They differ for a double read.
	First, Served int
	Shards        uint32 // scan: bit s set for every shard asked
	Manual        bool   // the reader asked for it
}

// Double reports that a read asked the new owner, missed, and asked the
// old one.
func (o Op) Double() bool { return o.Kind == "read" && o.First != o.Served }

// Flight is a drawn key copied to its new shard at At.
type Flight struct {
	Index    int
	From, To int
	At       time.Duration
}

// Rebalance describes the last change of the placement.
type Rebalance struct {
	What   string // "add E", "remove B", "split A onto E", "move partition 17 from B to E"
	At     time.Duration
	Moved  int // keys that change shard
	Keys   int // keys stored when it started
	Before int // shards before
	After  int // shards after
}

// Model is a running shard lab.
type Model struct {
	strategy   Strategy
	keyset     Keyset
	vnodes     int
	partitions int
	rate       float64 // keys per second
	traffic    float64 // ops per second
	writeShare float64
	ops        int
	stride     int

	sim  *engine.Sim
	log  *engine.Log
	gen  generator
	zipf *rand.Zipf

	// One entry per key: its value, the shard that holds it now, and the
	// shard the current placement gives it. They differ while it waits to
	// be copied.
	key    []uint64
	owner  []uint8
	next   []uint8
	load   [MaxShards]int // keys held, by shard
	lo, hi uint64         // smallest and largest key

	// The placement.
	live       []uint8 // shards in use, in placement order (key order for ranges)
	slotRegion [MaxShards]int
	geo        [][]uint8         // geo: the shards of each region
	ring       HashRing          // consistent hashing
	dir        [Tenants]uint8    // directory: tenant → shard
	tsize      [Tenants]int      // directory: keys per tenant
	rsize      [regionsCount]int // geo: keys per region
	parts      []uint8           // logical: partition → shard
	splits     []uint64          // range: live[i] holds [splits[i-1], splits[i])
	pcount     [MaxShards]int    // logical: partitions per shard

	// The move in progress.
	queue   []uint32 // keys to copy, in order
	copied  int      // how many of queue are done
	moving  bool
	paused  bool
	credit  float64 // fractional keys owed to the copier
	tickGen uint64  // invalidates copy ticks scheduled before a pause
	flights []Flight
	last    Rebalance
	hasLast bool

	// Scripted adds and removes.
	script     []string
	scriptNext int
	scriptWait bool // the next step waits for the move to finish

	// Traffic and what it saw.
	issued      int
	writes      int
	writesTo    [MaxShards]int
	doubles     int
	moveDoubles int // double reads during the current move
	rangeShards int
	lastRead    Op
	lastWrite   Op
	lastScan    Op
	window      struct {
		ops, doubles int
		writesTo     [MaxShards]int
	}
}

var _ lab.Model = (*Model)(nil)

// New returns a model at time zero with every key in place. Values out of
// range are clamped and missing ones take their defaults.
func New(v lab.Values, seed uint64) *Model {
	v = normalize(v)
	m := &Model{
		strategy:   Strategy(v.Int("strategy")),
		keyset:     Keyset(v.Int("keyset")),
		vnodes:     v.Int("vnodes"),
		partitions: v.Int("partitions"),
		rate:       v.Float("rate"),
		traffic:    v.Float("traffic"),
		writeShare: v.Float("writes") / 100,
		ops:        v.Int("ops"),
		sim:        engine.NewSim(seed),
		log:        engine.NewLog(logSize),
	}
	if m.traffic == 0 {
		m.ops = 0
	}
	n := v.Int("keys")
	m.stride = max(1, (n+sampleTarget-1)/sampleTarget)
	m.gen = generator{set: m.keyset, rng: m.sim.Rand(), partitions: m.partitions, seqs: make([]uint16, m.partitions)}
	m.key = make([]uint64, n, n+m.ops)
	m.lo = math.MaxUint64
	for i := range m.key {
		k := m.gen.initial()
		m.key[i] = k
		m.lo, m.hi = min(m.lo, k), max(m.hi, k)
		m.count(k)
	}
	if m.keyset == Zipf {
		m.zipf = rand.NewZipf(m.sim.Rand(), zipfS, 1, uint64(n-1))
	}
	m.initPlacement(v.Int("shards"))
	m.owner = make([]uint8, n, n+m.ops)
	m.next = make([]uint8, n, n+m.ops)
	for i, k := range m.key {
		s := m.place(k)
		m.owner[i], m.next[i] = s, s
		m.load[s]++
	}
	m.log.Add(0, "info", "%s keys on %d shards by %s", group(uint64(n)), len(m.live), m.strategy.Title())
	for range v.Int("add") {
		m.script = append(m.script, "add")
	}
	for range v.Int("remove") {
		m.script = append(m.script, "remove")
	}
	if len(m.script) > 0 {
		m.sim.After(scriptDelay, m.runScript)
	}
	if m.ops > 0 {
		m.scheduleOp()
		m.sim.After(summaryEvery, m.summary)
	}
	return m
}

// count adds a new key to the per-tenant or per-region totals that the
// directory and geo strategies rebalance by.
func (m *Model) count(k uint64) {
	switch m.strategy {
	case Directory:
		m.tsize[tenantOf(Hash(k))]++
	case Geo:
		m.rsize[regionOf(Hash(k))]++
	}
}

// normalize returns a complete, valid copy of v.
func normalize(in lab.Values) lab.Values {
	v := Schema.Defaults()
	for _, p := range Schema.Params {
		if x, ok := in[p.Name]; ok && !math.IsNaN(x) {
			v[p.Name] = p.Clamp(x)
		}
	}
	repair(v)
	return v
}

// Now is the current virtual time.
func (m *Model) Now() time.Duration { return m.sim.Now() }

// Advance runs the simulation up to t.
func (m *Model) Advance(t time.Duration) { m.sim.Advance(t) }

// Done reports that the scripted changes, every move and the traffic are
// over.
func (m *Model) Done() bool {
	return m.scriptNext >= len(m.script) && !m.scriptWait && !m.moving && m.issued >= m.ops
}

// Log is the narration.
func (m *Model) Log() *engine.Log { return m.log }

// Metrics returns the values of the schema's metrics, in order.
func (m *Model) Metrics() []float64 {
	maxLoad, sd := m.Balance()
	moved := 0.0
	if m.hasLast && m.last.Keys > 0 {
		moved = float64(m.last.Moved) / float64(m.last.Keys)
	}
	hottest := 0.0
	if m.writes > 0 {
		hottest = float64(slices.Max(m.writesTo[:])) / float64(m.writes)
	}
	return []float64{
		float64(len(m.key)), float64(len(m.live)), moved, float64(m.last.Moved),
		maxLoad, sd, float64(m.rangeShards), hottest, float64(m.doubles),
	}
}

// Balance returns the keys on the fullest shard over the mean, and the
// standard deviation of keys per shard over the mean.
func (m *Model) Balance() (maxOverMean, sdOverMean float64) {
	mean := float64(len(m.key)) / float64(len(m.live))
	if mean == 0 {
		return 0, 0
	}
	peak, ss := 0.0, 0.0
	for _, s := range m.live {
		x := float64(m.load[s])
		peak = max(peak, x)
		ss += (x - mean) * (x - mean)
	}
	return peak / mean, math.Sqrt(ss/float64(len(m.live))) / mean
}

// Do applies a reader's action.
func (m *Model) Do(action string, arg int) error {
	switch action {
	case "add":
		return m.add()
	case "remove", "split", "move":
		if arg < 0 || arg >= MaxShards || !slices.Contains(m.live, uint8(arg)) {
			return fmt.Errorf("%s: shard %d is not in use (shards: %s)", action, arg, m.names())
		}
		switch action {
		case "remove":
			return m.remove(uint8(arg))
		case "split":
			return m.split(uint8(arg))
		}
		return m.move(uint8(arg))
	case "pause":
		if !m.moving {
			return fmt.Errorf("pause: no move in progress")
		}
		m.paused = !m.paused
		if m.paused {
			m.log.Add(m.Now(), "pause", "move paused with %s of %s keys copied; reads of the rest go to their new shard first", group(uint64(m.copied)), group(uint64(len(m.queue))))
		} else {
			m.log.Add(m.Now(), "resume", "move resumes at %s keys/s", group(uint64(m.rate)))
			m.tickGen++
			gen := m.tickGen
			m.sim.After(copyTick, func() { m.copyTick(gen) })
		}
		return nil
	case "read":
		m.read(true)
		return nil
	case "scan":
		m.scan(true)
		return nil
	case "write":
		m.write(true)
		return nil
	}
	return fmt.Errorf("unknown action %q (want add, remove, split, move, pause, read, scan or write)", action)
}

// names lists the shards in use: "A, B, C".
func (m *Model) names() string {
	s := ""
	for i, x := range m.live {
		if i > 0 {
			s += ", "
		}
		s += ShardName(int(x))
	}
	return s
}

// runScript performs the next scripted add or remove.
func (m *Model) runScript() {
	if m.scriptNext >= len(m.script) {
		return
	}
	if m.moving {
		m.scriptWait = true // a reader's move got there first
		return
	}
	step := m.script[m.scriptNext]
	m.scriptNext++
	var err error
	if step == "add" {
		err = m.add()
	} else {
		err = m.remove(m.live[len(m.live)-1])
	}
	if err != nil {
		m.log.Add(m.Now(), "info", "scripted %s skipped: %v", step, err)
	}
	if m.moving {
		m.scriptWait = true
	} else if m.scriptNext < len(m.script) {
		m.sim.After(scriptDelay, m.runScript)
	}
}

// busy is the error for a change asked for while keys are moving.
func (m *Model) busy(action string) error {
	if !m.moving {
		return nil
	}
	return fmt.Errorf("%s: wait until the current move finishes (%s of %s keys copied)", action, group(uint64(m.copied)), group(uint64(len(m.queue))))
}

// plan recomputes every key's shard under the new placement and starts
// moving the keys whose shard changed.
//
// Rendezvous hashing needs no full recount: after adding shard c a key
// moves only if c outbids its owner, and after removing c only c's keys
// move. Every key is settled when a plan starts (owner == next).
func (m *Model) plan(what string, before int, c change) {
	m.queue = m.queue[:0]
	for i, k := range m.key {
		var s uint8
		switch {
		case m.strategy == Rendezvous && c.added:
			s = m.owner[i]
			if h := Hash(k); rendezvousWeight(h, c.slot) > rendezvousWeight(h, s) {
				s = c.slot
			}
		case m.strategy == Rendezvous && c.removed && m.owner[i] != c.slot:
			s = m.owner[i]
		default:
			s = m.place(k)
		}
		m.next[i] = s
		if s != m.owner[i] {
			m.queue = append(m.queue, uint32(i))
		}
	}
	m.last = Rebalance{What: what, At: m.Now(), Moved: len(m.queue), Keys: len(m.key), Before: before, After: len(m.live)}
	m.hasLast = true
	m.flights = m.flights[:0]
	pct := 100 * float64(len(m.queue)) / float64(max(1, len(m.key)))
	if len(m.queue) == 0 {
		m.log.Add(m.Now(), "move", "%s: no key changes shard", what)
		return
	}
	m.log.Add(m.Now(), "move", "%s: %s of %s keys (%.1f%%) change shard; copying at %s keys/s", what,
		group(uint64(len(m.queue))), group(uint64(len(m.key))), pct, group(uint64(m.rate)))
	m.moving, m.paused, m.copied, m.credit, m.moveDoubles = true, false, 0, 0, 0
	m.tickGen++
	gen := m.tickGen
	m.sim.After(copyTick, func() { m.copyTick(gen) })
}

// change is what a rebalance did to the set of shards.
type change struct {
	added, removed bool
	slot           uint8
}

// copyTick copies the next batch of keys, as many as the rate allows.
func (m *Model) copyTick(gen uint64) {
	if gen != m.tickGen || !m.moving || m.paused {
		return
	}
	m.credit += m.rate * copyTick.Seconds()
	n := int(m.credit)
	m.credit -= float64(n)
	end := min(m.copied+n, len(m.queue))
	now := m.Now()
	keep := 0
	for _, f := range m.flights {
		if now-f.At < FlightTime {
			m.flights[keep] = f
			keep++
		}
	}
	m.flights = m.flights[:keep]
	half := len(m.queue) / 2
	for _, i := range m.queue[m.copied:end] {
		from, to := m.owner[i], m.next[i]
		if from == to {
			continue // written at its new shard meanwhile: nothing to copy
		}
		m.owner[i] = to
		m.load[from]--
		m.load[to]++
		if int(i)%m.stride == 0 {
			m.flights = append(m.flights, Flight{Index: int(i), From: int(from), To: int(to), At: now})
		}
	}
	if m.copied < half && end >= half && end < len(m.queue) {
		m.log.Add(now, "move", "halfway: %s of %s keys copied", group(uint64(end)), group(uint64(len(m.queue))))
	}
	m.copied = end
	if m.copied < len(m.queue) {
		m.sim.After(copyTick, func() { m.copyTick(gen) })
		return
	}
	m.moving = false
	m.log.Add(now, "move", "move complete: %s keys copied in %.1f s, %d double reads during the move",
		group(uint64(len(m.queue))), (now - m.last.At).Seconds(), m.moveDoubles)
	if m.scriptWait {
		m.scriptWait = false
		m.sim.After(scriptDelay, m.runScript)
	}
}

// scheduleOp schedules the next client operation.
func (m *Model) scheduleOp() {
	d := time.Duration(m.sim.Rand().ExpFloat64() / m.traffic * float64(time.Second))
	m.sim.After(d, func() {
		if m.issued >= m.ops {
			return
		}
		m.issued++
		switch u := m.sim.Rand().Float64(); {
		case u < m.writeShare:
			m.write(false)
		case u < m.writeShare+scanShare:
			m.scan(false)
		default:
			m.read(false)
		}
		if m.issued < m.ops {
			m.scheduleOp()
		}
	})
}

// summary narrates the last stretch of traffic.
func (m *Model) summary() {
	w := &m.window
	if w.ops > 0 {
		total, hot := 0, 0
		for s, c := range w.writesTo {
			total += c
			if c > w.writesTo[hot] {
				hot = s
			}
		}
		text := fmt.Sprintf("last %.0f s: %d operations", summaryEvery.Seconds(), w.ops)
		if total > 0 {
			text += fmt.Sprintf("; writes busiest on %s (%.0f%%)", ShardName(hot), 100*float64(w.writesTo[hot])/float64(total))
		}
		if w.doubles > 0 {
			text += fmt.Sprintf("; %d double reads", w.doubles)
		}
		m.log.Add(m.Now(), "traffic", "%s", text)
	}
	w.ops, w.doubles, w.writesTo = 0, 0, [MaxShards]int{}
	if m.issued < m.ops {
		m.sim.After(summaryEvery, m.summary)
	}
}

// pickKey chooses the key a read or an update uses.
func (m *Model) pickKey() int {
	if m.zipf != nil {
		return int(m.zipf.Uint64())
	}
	return m.sim.Rand().IntN(len(m.key))
}

// read looks one key up. The router knows only the current placement, so
// a key not yet copied is asked for at its new shard first, missed, and
// read again at its old one.
func (m *Model) read(manual bool) {
	i := m.pickKey()
	op := Op{Kind: "read", At: m.Now(), Index: i, Key: m.key[i], First: int(m.next[i]), Served: int(m.owner[i]), Manual: manual}
	m.lastRead = op
	m.window.ops++
	if op.Double() {
		m.doubles++
		m.moveDoubles++
		m.window.doubles++
	}
	if !manual {
		return
	}
	k := FormatKey(m.keyset, op.Key)
	if op.Double() {
		m.log.Add(m.Now(), "read", "read %s: asks %s, its new shard — not copied yet — then %s, which still holds it (double read)", k, ShardName(op.First), ShardName(op.Served))
		return
	}
	m.log.Add(m.Now(), "read", "read %s: one shard, %s", k, ShardName(op.Served))
}

// write stores a new key, or, with the Zipf key set, updates an existing
// one. It goes to the key's shard under the current placement.
func (m *Model) write(manual bool) {
	var i int
	if m.keyset == Zipf {
		i = m.pickKey()
		if from, to := m.owner[i], m.next[i]; from != to {
			m.owner[i] = to // the new shard now holds the newest version
			m.load[from]--
			m.load[to]++
		}
	} else {
		k := m.gen.fresh(m.Now())
		s := m.place(k)
		i = len(m.key)
		m.key = append(m.key, k)
		m.owner = append(m.owner, s)
		m.next = append(m.next, s)
		m.load[s]++
		m.lo, m.hi = min(m.lo, k), max(m.hi, k)
		m.count(k)
	}
	s := int(m.next[i])
	m.writes++
	m.writesTo[s]++
	m.window.ops++
	m.window.writesTo[s]++
	m.lastWrite = Op{Kind: "write", At: m.Now(), Index: i, Key: m.key[i], First: s, Served: s, Manual: manual}
	if !manual {
		return
	}
	if m.keyset == IDs {
		d := DecodeID(m.key[i])
		m.log.Add(m.Now(), "write", "write id %d (time %d ms, logical shard %d, sequence %d) to %s", m.key[i], d.Ms, d.Shard, d.Seq, ShardName(s))
		return
	}
	m.log.Add(m.Now(), "write", "write %s to %s", FormatKey(m.keyset, m.key[i]), ShardName(s))
}

// scan runs a range query over 1/scanWidth of the key span, starting at a
// stored key. Only range placement lets the router skip shards.
func (m *Model) scan(manual bool) {
	lo := m.key[m.sim.Rand().IntN(len(m.key))]
	hi := lo + (m.hi-m.lo)/scanWidth
	if hi < lo {
		hi = math.MaxUint64
	}
	var mask uint32
	if m.strategy == Range {
		for j := m.rangeIndex(lo); j <= m.rangeIndex(hi); j++ {
			mask |= 1 << m.live[j]
		}
	} else {
		for _, s := range m.live {
			mask |= 1 << s
		}
	}
	m.rangeShards = bits.OnesCount32(mask)
	m.lastScan = Op{Kind: "scan", At: m.Now(), Key: lo, Hi: hi, Shards: mask, Manual: manual}
	m.window.ops++
	if manual {
		what := "scatter-gather: the keys could be anywhere"
		if m.strategy == Range {
			what = "only the ranges it overlaps"
		}
		m.log.Add(m.Now(), "scan", "range query %s…%s asks %d of %d shards (%s)",
			FormatKey(m.keyset, lo), FormatKey(m.keyset, hi), m.rangeShards, len(m.live), what)
	}
}
