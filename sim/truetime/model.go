package truetime

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
)

// Bounds on what a model keeps, so a long run uses bounded memory.
const (
	logSize      = 500 // narration events
	recentSize   = 48  // finished transactions, for the view
	deliveredLen = 48  // delivered messages, for the view
	marksSize    = 32  // restarts, violations, syncs and jumps, for the view
	versionsKept = 64  // versions of each key
)

// NodeName is the name of node i: A, B, C …
func NodeName(i int) string { return string(rune('A' + i)) }

// KeyName is the name of the key node i holds: x, y, z, u, v.
func KeyName(i int) string { return [...]string{"x", "y", "z", "u", "v"}[i] }

// Message kinds between nodes (HLC and logical clocks).
const (
	Request = "request" // gateway → the key's node: run this, here is my clock
	Reply   = "reply"   // the key's node → gateway: done, here is my clock
	Retry   = "retry"   // the key's node → gateway: uncertain value, restart the read
)

// Txn is a transaction, running or finished.
type Txn struct {
	ID     int // 1, 2, 3 … in the order transactions began
	Client int
	// Gateway is the node the client sent the transaction to; Node holds
	// its key. With TrueTime the client goes straight to Node.
	Gateway, Node int
	Read          bool
	Start         time.Duration // reached its gateway
	Stamped       time.Duration // took its timestamp (HLC: last attempt)
	WaitEnd       time.Duration // TrueTime with commit wait: when earliest passed S
	End           time.Duration // reported to the client; 0 while running
	Done          bool

	S   float64  // TrueTime: the commit timestamp s, ns
	TT  Interval // TrueTime: TT.now() when s was chosen
	Eps float64  // ε of the node's clock when the timestamp was taken, ns
	H   HLC      // HLC: the write's timestamp, or the read's (after restarts)
	L   Lamp     // Lamport: the commit event's timestamp
	V   Vec      // vector clocks: the commit event's timestamp

	Restarts int // HLC reads: uncertainty restarts
	Saw      int // reads: ID of the write returned (0 for the initial value)
	// Violation marks a transaction that began after transaction Against
	// had finished, yet is not ordered after it (for HLC reads: returned a
	// version older than Against's write).
	Violation bool
	Against   int

	after bound // what it must come after, fixed when it began
	limit HLC   // HLC reads: the top of the uncertainty window
}

// bound is the newest finished transaction, as each clock sees it.
type bound struct {
	s   float64 // TrueTime: highest s
	sID int
	l   Lamp // Lamport: highest timestamp
	lID int
	v   Vec   // vector clocks: the join of every finished transaction
	vID []int // which transaction set each entry
	h   HLC   // HLC reads: highest finished write of the read's key
	hID int
}

// Version is one write of a key.
type Version struct {
	Txn int
	H   HLC
	L   Lamp
	V   Vec
}

// Mark is something worth pointing at on the timelines.
type Mark struct {
	At   time.Duration
	Node int
	Kind string // "restart", "stale", "order", "sync", "skew"
	Txn  int
	// Window is, for a restart, the read's uncertainty window in ns of
	// wall time, and Value the timestamp that fell inside it.
	Window [2]float64
	Value  float64
}

// Model is a running truetime lab. Endpoints 0..nodes-1 of its network
// are the nodes; clients are not endpoints.
type Model struct {
	mode                  Mode
	commitWait            bool
	nodes, clients, txns  int
	epsMean, eps0, slope  float64 // ns, ns, ns per ns
	maxOffset             float64 // ns
	skewTT                float64 // ns a pushed clock jumps, TrueTime
	gap, replicate, every time.Duration
	readShare             float64

	sim *engine.Sim
	net *engine.Network
	log *engine.Log

	clk      []clock
	hlc      []HLC
	lam      []int
	vec      []Vec
	versions [][]Version // [key], oldest first
	tsCache  []HLC       // [key]: highest timestamp read

	done      bound // over every finished transaction
	doneW     []HLC // [key]: highest finished write, HLC
	doneWID   []int
	pending   []*Txn
	recent    []Txn
	delivered []engine.Message
	marks     []Mark

	issued, finished       int
	waits                  []float64 // ns, in commit order
	waitSum, epsSum, latNs float64
	epsN                   int
	violations, restarts   int
	lastEnd                time.Duration
	p99                    float64 // cached over waits[:p99n]
	p99n                   int
}

var _ lab.Model = (*Model)(nil)

// New returns a model at time zero. Values out of range are clamped and
// missing ones take their defaults.
func New(v lab.Values, seed uint64) *Model {
	v = normalize(v)
	eps := v.Float("epsilon") * 1e6
	m := &Model{
		mode:       Mode(v.Int("mode")),
		commitWait: v.Bool("commitwait"),
		nodes:      v.Int("nodes"),
		clients:    v.Int("clients"),
		txns:       v.Int("txns"),
		epsMean:    eps,
		eps0:       eps / 4,
		slope:      1.5 * eps / (v.Float("sync") * 1e9),
		maxOffset:  v.Float("maxoffset") * 1e6,
		skewTT:     4 * eps,
		gap:        v.Ms("gap"),
		replicate:  v.Ms("replicate"),
		every:      time.Duration(v.Float("sync") * float64(time.Second)),
		readShare:  v.Float("reads") / 100,
		sim:        engine.NewSim(seed),
		log:        engine.NewLog(logSize),
	}
	lat := v.Ms("latency")
	m.net = engine.NewNetwork(m.sim, m.nodes, engine.Latency{Mean: lat, Spread: lat / 5})
	r := m.sim.Rand()
	drift := v.Float("drift") / 100 * m.slope
	phase := r.Float64()
	m.clk = make([]clock, m.nodes)
	m.hlc = make([]HLC, m.nodes)
	m.lam = make([]int, m.nodes)
	m.vec = make([]Vec, m.nodes)
	m.versions = make([][]Version, m.nodes)
	m.tsCache = make([]HLC, m.nodes)
	m.doneW = make([]HLC, m.nodes)
	m.doneWID = make([]int, m.nodes)
	m.done = bound{s: math.Inf(-1), v: make(Vec, m.nodes), vID: make([]int, m.nodes)}
	for i := range m.clk {
		// The nodes' sync daemons poll at evenly staggered times, so at
		// any moment some clocks are fresh and others about to resync.
		f := math.Mod(phase+float64(i)/float64(m.nodes), 1)
		c := &m.clk[i]
		c.syncAt = -time.Duration(f * float64(m.every))
		c.base = (2*r.Float64() - 1) * m.eps0
		c.rate = (2*r.Float64() - 1) * drift
		m.vec[i] = make(Vec, m.nodes)
		m.scheduleSync(i)
	}
	for c := range m.clients {
		m.rest(c)
	}
	return m
}

// normalize returns a complete, valid copy of v.
func normalize(in lab.Values) lab.Values {
	v := Schema.Defaults()
	for _, p := range Schema.Params {
		if x, ok := in[p.Name]; ok && !math.IsNaN(x) {
			v[p.Name] = p.Clamp(x)
		}
	}
	return v
}

// Now is the current virtual time.
func (m *Model) Now() time.Duration { return m.sim.Now() }

// Advance runs the simulation up to t.
func (m *Model) Advance(t time.Duration) { m.sim.Advance(t) }

// Done reports that every transaction has finished.
func (m *Model) Done() bool { return m.finished >= m.txns }

// Log is the narration.
func (m *Model) Log() *engine.Log { return m.log }

// Metrics returns the metrics in schema order.
func (m *Model) Metrics() []float64 {
	var wait, tps, lat, eps float64
	if n := len(m.waits); n > 0 {
		wait = m.waitSum / float64(n) / 1e6
	}
	if m.lastEnd > 0 {
		tps = float64(m.finished) / m.lastEnd.Seconds()
	}
	if m.finished > 0 {
		lat = m.latNs / float64(m.finished) / 1e6
	}
	if m.epsN > 0 {
		eps = m.epsSum / float64(m.epsN) / 1e6
	}
	return []float64{round(wait), round(m.waitP99() / 1e6), round(eps),
		float64(m.violations), float64(m.restarts), round(tps), round(lat)}
}

// round keeps three decimals, enough for milliseconds and rates.
func round(x float64) float64 { return math.Round(x*1000) / 1000 }

// waitP99 is the 99th percentile (nearest rank) of the commit waits, in ns.
func (m *Model) waitP99() float64 {
	n := len(m.waits)
	if n == 0 {
		return 0
	}
	if n != m.p99n {
		s := slices.Clone(m.waits)
		slices.Sort(s)
		m.p99, m.p99n = s[int(math.Ceil(0.99*float64(n)))-1], n
	}
	return m.p99
}

// Mode is how transactions are timestamped.
func (m *Model) Mode() Mode { return m.mode }

// CommitWait reports whether TrueTime commits wait out the uncertainty.
func (m *Model) CommitWait() bool { return m.commitWait }

// Nodes is the number of nodes.
func (m *Model) Nodes() int { return m.nodes }

// Clients is the number of clients.
func (m *Model) Clients() int { return m.clients }

// MeanEpsilon is the mean uncertainty ε̄, in ns.
func (m *Model) MeanEpsilon() float64 { return m.epsMean }

// MaxOffset is the HLC max clock offset, in ns.
func (m *Model) MaxOffset() float64 { return m.maxOffset }

// Latency is the mean one-way delay between nodes.
func (m *Model) Latency() time.Duration { return m.net.Latency(0, 1).Mean }

// Violations is the number of transactions out of order.
func (m *Model) Violations() int { return m.violations }

// Restarts is the number of uncertainty restarts.
func (m *Model) Restarts() int { return m.restarts }

// Finished is the number of transactions finished.
func (m *Model) Finished() int { return m.finished }

// Epsilon is node i's uncertainty ε now, in ns.
func (m *Model) Epsilon(i int) float64 { return m.eps(i, m.Now()) }

// Offset is how far node i's clock is ahead of true time now, in ns.
func (m *Model) Offset(i int) float64 { return m.clk[i].offset(m.Now()) }

// Now returns node i's TrueTime interval TT.now(), in ns of true time.
func (m *Model) TTNow(i int) Interval { return m.ttNow(i, m.Now()) }

// InBounds reports whether node i's interval contains true time, as
// TrueTime promises: false after its clock was pushed ahead, or when it
// drifts faster than ε allows for.
func (m *Model) InBounds(i int) bool { return math.Abs(m.Offset(i)) <= m.Epsilon(i) }

// Clock returns node i's hybrid logical clock.
func (m *Model) Clock(i int) HLC { return m.hlc[i] }

// Lamport returns node i's Lamport counter.
func (m *Model) Lamport(i int) int { return m.lam[i] }

// Vector returns node i's vector clock.
func (m *Model) Vector(i int) Vec { return slices.Clone(m.vec[i]) }

// Running returns the transactions not yet finished, oldest first.
func (m *Model) Running() []Txn {
	out := make([]Txn, len(m.pending))
	for i, t := range m.pending {
		out[i] = *t
	}
	return out
}

// Recent returns the last transactions to finish, oldest first.
func (m *Model) Recent() []Txn { return slices.Clone(m.recent) }

// InFlight returns the messages on their way, oldest first.
func (m *Model) InFlight() []engine.Message { return m.net.InFlight() }

// Delivered returns the last messages delivered, oldest first.
func (m *Model) Delivered() []engine.Message { return slices.Clone(m.delivered) }

// Marks returns the last restarts, violations, syncs and clock jumps,
// oldest first.
func (m *Model) Marks() []Mark { return slices.Clone(m.marks) }

// eps is node i's ε at t, in ns.
func (m *Model) eps(i int, t time.Duration) float64 {
	return m.eps0 + m.slope*float64(t-m.clk[i].syncAt)
}

// ttNow is node i's TT.now() at t.
func (m *Model) ttNow(i int, t time.Duration) Interval {
	off, e := m.clk[i].offset(t), m.eps(i, t)
	return Interval{float64(t) + (off - e), float64(t) + (off + e)}
}

// pt is node i's physical clock reading at t, in whole ns.
func (m *Model) pt(i int) int64 {
	t := m.Now()
	return int64(math.Floor(float64(t) + m.clk[i].offset(t)))
}

// Do applies a reader's action: "skew" pushes node arg's clock ahead,
// "sync" resynchronises it now.
func (m *Model) Do(action string, arg int) error {
	if action != "skew" && action != "sync" {
		return fmt.Errorf("unknown action %q (want skew or sync)", action)
	}
	if arg < 0 || arg >= m.nodes {
		return fmt.Errorf("%s: node %d out of range 0..%d", action, arg, m.nodes-1)
	}
	if m.mode == Lamport || m.mode == Vector {
		return fmt.Errorf("%s: %s clocks count events and never read a physical clock; choose truetime or hlc", action, m.mode)
	}
	if action == "sync" {
		m.sync(arg)
		return nil
	}
	c, name := &m.clk[arg], NodeName(arg)
	if m.mode == TrueTime {
		c.jump += m.skewTT
		m.log.Add(m.Now(), "skew", "%s's clock jumps %s ahead: it is now %s ahead of true time, outside its ±%s interval",
			name, msd(m.skewTT), msd(m.Offset(arg)), msd(m.Epsilon(arg)))
	} else {
		j := 1.5 * m.maxOffset
		c.jump += j
		m.log.Add(m.Now(), "skew", "%s's clock jumps %s ahead, beyond the %s max offset (CockroachDB would shut %s down once it noticed)",
			name, msd(j), msd(m.maxOffset), name)
	}
	m.mark(Mark{Node: arg, Kind: "skew"})
	return nil
}

// scheduleSync schedules node i's next periodic synchronisation.
func (m *Model) scheduleSync(i int) {
	c := &m.clk[i]
	gen := c.gen
	m.sim.At(c.syncAt+m.every, func() {
		if m.clk[i].gen == gen {
			m.sync(i)
		}
	})
}

// sync resynchronises node i's clock now.
func (m *Model) sync(i int) {
	c := &m.clk[i]
	was := c.offset(m.Now())
	c.gen++
	c.syncAt = m.Now()
	c.base = (2*m.sim.Rand().Float64() - 1) * m.eps0
	c.jump = 0
	m.scheduleSync(i)
	if m.mode == TrueTime || m.mode == Hybrid {
		m.log.Add(m.Now(), "sync", "%s syncs its clock: offset %+.2f → %+.2f ms, ε back to %s",
			NodeName(i), was/1e6, c.base/1e6, msd(m.eps0))
	}
	m.mark(Mark{Node: i, Kind: "sync"})
}

// rest lets client c pause, then start its next transaction.
func (m *Model) rest(c int) {
	d := time.Duration(m.sim.Rand().ExpFloat64() * float64(m.gap))
	m.sim.After(d, func() {
		if m.issued < m.txns {
			m.begin(c)
		}
	})
}

// begin starts a transaction of client c at a random node.
func (m *Model) begin(c int) {
	r := m.sim.Rand()
	m.issued++
	t := &Txn{ID: m.issued, Client: c, Node: r.IntN(m.nodes), Start: m.Now()}
	t.Gateway = t.Node
	if m.mode != TrueTime {
		t.Gateway = r.IntN(m.nodes)
		t.Read = r.Float64() < m.readShare
	}
	t.after = m.done
	t.after.v = slices.Clone(m.done.v)
	t.after.vID = slices.Clone(m.done.vID)
	if t.Read && m.mode == Hybrid {
		t.after.h, t.after.hID = m.doneW[t.Node], m.doneWID[t.Node]
	}
	m.pending = append(m.pending, t)
	if m.mode == TrueTime {
		m.commitTT(t)
		return
	}
	g := t.Gateway
	var p Packet
	switch m.mode {
	case Hybrid:
		m.hlc[g].tick(m.pt(g))
		t.H = m.hlc[g]
		if t.Read {
			t.limit = HLC{t.H.Wall + int64(m.maxOffset), math.MaxInt}
		}
		t.Eps = m.eps(g, m.Now())
		m.epsSum += t.Eps
		m.epsN++
		p.H = t.H
	case Lamport:
		m.lam[g]++
		p.L = m.lam[g]
	case Vector:
		m.vec[g][g]++
		p.V = slices.Clone(m.vec[g])
	}
	m.forward(t, p)
}

// Packet is the payload of every message: the transaction, whether it
// reads, and the sender's clock.
type Packet struct {
	Txn  int
	Read bool
	H    HLC
	L    int
	V    Vec
}

// forward sends t from its gateway to its key's node, or serves it there
// when the gateway holds the key.
func (m *Model) forward(t *Txn, p Packet) {
	p.Txn, p.Read = t.ID, t.Read
	if t.Gateway == t.Node {
		m.serve(t, p)
		return
	}
	m.net.Send(t.Gateway, t.Node, Request, p, m.deliver)
}

// deliver handles a message arriving at a node.
func (m *Model) deliver(msg engine.Message) {
	if len(m.delivered) == deliveredLen {
		m.delivered = slices.Delete(m.delivered, 0, 1)
	}
	m.delivered = append(m.delivered, msg)
	p := msg.Payload.(Packet)
	i := slices.IndexFunc(m.pending, func(t *Txn) bool { return t.ID == p.Txn })
	t := m.pending[i]
	switch msg.Kind {
	case Request:
		m.serve(t, p)
	case Reply:
		m.receive(msg.To, p)
		m.finish(t)
	case Retry:
		g := t.Gateway
		m.hlc[g].recv(p.H, m.pt(g))
		m.forward(t, Packet{H: t.H})
	}
}

// receive merges a message's clock into node i's.
func (m *Model) receive(i int, p Packet) {
	switch m.mode {
	case Hybrid:
		m.hlc[i].recv(p.H, m.pt(i))
	case Lamport:
		m.lam[i] = max(m.lam[i], p.L) + 1
	case Vector:
		m.vec[i].merge(p.V)
		m.vec[i][i]++
	}
}

// serve runs t at the node that holds its key, then replies.
func (m *Model) serve(t *Txn, p Packet) {
	k := t.Node
	m.receive(k, p)
	t.Stamped = m.Now()
	switch m.mode {
	case Hybrid:
		if t.Read {
			if !m.readHLC(t) {
				return // restarted
			}
		} else {
			m.writeHLC(t)
		}
	case Lamport:
		t.L = Lamp{m.lam[k], k}
		if t.after.lID != 0 && !t.after.l.Less(t.L) {
			m.violate(t, t.after.lID, fmt.Sprintf("Lamport %d.%s is not after T%d's %d.%s",
				t.L.Count, NodeName(k), t.after.lID, t.after.l.Count, NodeName(t.after.l.Node)))
		}
		m.apply(t, Version{Txn: t.ID, L: t.L})
	case Vector:
		t.V = slices.Clone(m.vec[k])
		if j := t.V.below(t.after.v); j >= 0 {
			id := t.after.vID[j]
			m.violate(t, id, fmt.Sprintf("vector %s is concurrent with T%d's, not after it", t.V, id))
		}
		m.apply(t, Version{Txn: t.ID, V: t.V})
	}
	var reply Packet
	switch m.mode {
	case Hybrid:
		m.hlc[k].tick(m.pt(k))
		reply.H = m.hlc[k]
	case Lamport:
		m.lam[k]++
		reply.L = m.lam[k]
	case Vector:
		m.vec[k][k]++
		reply.V = slices.Clone(m.vec[k])
	}
	if t.Gateway == k {
		m.finish(t)
		return
	}
	reply.Txn, reply.Read = t.ID, t.Read
	m.net.Send(k, t.Gateway, Reply, reply, m.deliver)
}

// apply stores a logical-clock write, or narrates a logical-clock read.
func (m *Model) apply(t *Txn, v Version) {
	k := t.Node
	stamp := fmt.Sprintf("L=%d", t.L.Count)
	if m.mode == Vector {
		stamp = t.V.String()
	}
	if t.Read {
		if vs := m.versions[k]; len(vs) > 0 {
			t.Saw = vs[len(vs)-1].Txn
		}
		m.log.Add(m.Now(), "read", "T%d reads %s at %s: %s", t.ID, KeyName(k), NodeName(k), stamp)
		return
	}
	m.store(k, v)
	m.log.Add(m.Now(), "write", "T%d writes %s at %s: %s", t.ID, KeyName(k), NodeName(k), stamp)
}

// store appends a version of key k, keeping the last few.
func (m *Model) store(k int, v Version) {
	if len(m.versions[k]) == versionsKept {
		m.versions[k] = slices.Delete(m.versions[k], 0, 1)
	}
	m.versions[k] = append(m.versions[k], v)
}

// writeHLC commits an HLC write at its key's node. Its timestamp is the
// gateway's, pushed above the key's newest version and newest read, as
// CockroachDB does, so writes of a key never go back in time.
func (m *Model) writeHLC(t *Txn) {
	k := t.Node
	ts := t.H
	if vs := m.versions[k]; len(vs) > 0 && !vs[len(vs)-1].H.Less(ts) {
		ts = vs[len(vs)-1].H.next()
	}
	if !m.tsCache[k].Less(ts) {
		ts = m.tsCache[k].next()
	}
	pushed := ts != t.H
	t.H = ts
	if m.hlc[k].Less(ts) {
		m.hlc[k] = ts
	}
	m.store(k, Version{Txn: t.ID, H: ts})
	how := ""
	if pushed {
		how = " (pushed above a newer value or read)"
	}
	m.log.Add(m.Now(), "write", "T%d writes %s at %s with HLC %s%s", t.ID, KeyName(k), NodeName(k), ts, how)
}

// readHLC runs an HLC read at its key's node. A version above the read's
// timestamp but within its uncertainty window may have been written before
// the read began, on a clock that runs ahead: the read restarts at that
// version's timestamp and reports false. Otherwise it returns the newest
// version at or below its timestamp and reports true.
func (m *Model) readHLC(t *Txn) bool {
	k := t.Node
	vs := m.versions[k]
	for j := len(vs) - 1; j >= 0; j-- {
		v := vs[j]
		if !t.H.Less(v.H) {
			break
		}
		if v.H.Less(t.limit) || v.H == t.limit {
			m.restart(t, v)
			return false
		}
	}
	var saw Version
	for j := len(vs) - 1; j >= 0; j-- {
		if !t.H.Less(vs[j].H) {
			saw = vs[j]
			break
		}
	}
	t.Saw = saw.Txn
	if m.tsCache[k].Less(t.H) {
		m.tsCache[k] = t.H
	}
	what := "the initial value"
	if saw.Txn != 0 {
		what = fmt.Sprintf("T%d's write (HLC %s)", saw.Txn, saw.H)
	}
	if a := t.after; a.hID != 0 && (saw.Txn == 0 || saw.H.Less(a.h)) {
		m.violate(t, a.hID, fmt.Sprintf("read at HLC %s returned %s and missed T%d's write (HLC %s), which had committed before the read began: a clock is beyond the max offset",
			t.H, what, a.hID, a.h))
		return true
	}
	m.log.Add(m.Now(), "read", "T%d reads %s at %s with HLC %s: %s", t.ID, KeyName(k), NodeName(k), t.H, what)
	return true
}

// restart sends an HLC read back to its gateway to try again at the
// uncertain version's timestamp.
func (m *Model) restart(t *Txn, v Version) {
	k := t.Node
	t.Restarts++
	m.restarts++
	m.log.Add(m.Now(), "restart", "T%d's read of %s at HLC %s meets T%d's value at %s, within the %s uncertainty window: restart at %s",
		t.ID, KeyName(k), t.H, v.Txn, v.H, msd(m.maxOffset), v.H)
	m.mark(Mark{Node: k, Kind: "restart", Txn: t.ID,
		Window: [2]float64{float64(t.H.Wall), float64(t.limit.Wall)}, Value: float64(v.H.Wall)})
	t.H = v.H
	if t.Gateway == k {
		m.serve(t, Packet{Txn: t.ID, H: t.H})
		return
	}
	m.hlc[k].tick(m.pt(k))
	m.net.Send(k, t.Gateway, Retry, Packet{Txn: t.ID, Read: true, H: m.hlc[k]}, m.deliver)
}

// commitTT commits t with TrueTime: s = TT.now().latest, then commit
// wait, alongside replication.
func (m *Model) commitTT(t *Txn) {
	k, now := t.Node, m.Now()
	t.Stamped = now
	t.TT = m.ttNow(k, now)
	t.S = t.TT.Latest
	t.Eps = m.eps(k, now)
	m.epsSum += t.Eps
	m.epsN++
	m.log.Add(now, "commit", "T%d at %s: TT.now() = [%s, %s], s = %s ms", t.ID, NodeName(k), ms(t.TT.Earliest), ms(t.TT.Latest), ms(t.S))
	if a := t.after; a.sID != 0 && t.S <= a.s {
		m.violate(t, a.sID, fmt.Sprintf("s = %s ms is below T%d's s = %s ms, yet T%d committed before T%d began: a snapshot read between them sees T%d without T%d",
			ms(t.S), a.sID, ms(a.s), a.sID, t.ID, t.ID, a.sID))
	}
	if !m.commitWait {
		m.sim.After(m.replicate, func() { m.finish(t) })
		return
	}
	m.waitFor(t)
}

// waitFor ends t's commit wait once TT.after(s) holds at its node, or
// checks again when it should.
func (m *Model) waitFor(t *Txn) {
	k, now := t.Node, m.Now()
	if m.ttNow(k, now).Earliest > t.S {
		t.WaitEnd = now
		w := float64(now - t.Stamped)
		m.waits = append(m.waits, w)
		m.waitSum += w
		m.log.Add(now, "wait", "T%d at %s: TT.after(%s) is true after a commit wait of %s", t.ID, NodeName(k), ms(t.S), msd(w))
		m.sim.At(t.Stamped+m.replicate, func() { m.finish(t) })
		return
	}
	// earliest(t) = t + offset(t) - ε(t) is linear in t until the next
	// sync: solve earliest(t) = s.
	c := &m.clk[k]
	sa := float64(c.syncAt)
	d := c.rate - m.slope
	at := (t.S - c.base - c.jump + m.eps0 + d*sa) / (1 + d)
	m.sim.At(max(ceilTime(at), now+1), func() { m.waitFor(t) })
}

// violate counts t as out of order with transaction against.
func (m *Model) violate(t *Txn, against int, why string) {
	t.Violation, t.Against = true, against
	m.violations++
	m.log.Add(m.Now(), "order", "T%d OUT OF ORDER at %s: %s", t.ID, NodeName(t.Node), why)
	kind := "order"
	if m.mode == Hybrid {
		kind = "stale"
	}
	m.mark(Mark{Node: t.Node, Kind: kind, Txn: t.ID})
}

// finish reports t to its client and lets the client go on.
func (m *Model) finish(t *Txn) {
	now := m.Now()
	t.End, t.Done = now, true
	m.pending = slices.DeleteFunc(m.pending, func(p *Txn) bool { return p == t })
	m.finished++
	m.latNs += float64(now - t.Start)
	m.lastEnd = now
	d := &m.done
	switch m.mode {
	case TrueTime:
		if t.S > d.s {
			d.s, d.sID = t.S, t.ID
		}
	case Lamport:
		if d.l.Less(t.L) {
			d.l, d.lID = t.L, t.ID
		}
	case Vector:
		for j, x := range t.V {
			if x > d.v[j] {
				d.v[j], d.vID[j] = x, t.ID
			}
		}
	case Hybrid:
		if k := t.Node; !t.Read && m.doneW[k].Less(t.H) {
			m.doneW[k], m.doneWID[k] = t.H, t.ID
		}
	}
	if len(m.recent) == recentSize {
		m.recent = slices.Delete(m.recent, 0, 1)
	}
	m.recent = append(m.recent, *t)
	m.rest(t.Client)
}

// mark remembers something to point at, at the current time.
func (m *Model) mark(k Mark) {
	k.At = m.Now()
	if len(m.marks) == marksSize {
		m.marks = slices.Delete(m.marks, 0, 1)
	}
	m.marks = append(m.marks, k)
}
