package cap

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/linear"
)

// Bounds on what a model keeps, so a long run uses bounded memory.
const (
	logSize     = 500  // narration events
	windowSize  = 200  // completed operations the checker looks at
	writeMemory = 1024 // recent writes, to find the write a read returned
	recentSize  = 6    // completed operations per client for the view
	Bins        = 96   // columns of the partition timeline
	maxSpans    = 32   // cut intervals kept for the timeline
	maxHeals    = 32   // heal markers kept for the timeline
)

var keyNames = []string{"x", "y", "z"}

var mergeNames = []string{"last-write-wins", "vector-clock siblings", "CRDT union"}

// NodeName is the name of replica i: A, B, C …
func NodeName(i int) string { return string(rune('A' + i)) }

// Outcome is how an operation ended.
type Outcome int

const (
	Pending Outcome = iota // waiting for an answer
	OK                     // answered, and for a read, fresh
	Failed                 // refused or timed out
	Stale                  // a read that missed an acknowledged write
)

func (o Outcome) String() string { return [...]string{"pending", "ok", "failed", "stale"}[o] }

// Op is a client operation, in progress or completed.
type Op struct {
	ID     int
	Client int // 0 (site 1) or 1 (site 2)
	Kind   engine.OpKind
	Key    int
	// Version is the ID written, or the newest version a read returned.
	Version int
	Result  Value // what a read returned
	Via     int   // the replica the client asked
	Invoke  time.Duration
	Return  time.Duration
	Outcome Outcome
	Err     string // why it failed

	front  []Version // acknowledged writes of the key no read may miss, at invocation
	newest Version   // the newest acknowledged write by timestamp, at invocation
}

// ClientStats are one client's counters.
type ClientStats struct {
	Answered, Errors, Stale int
}

type client struct {
	id     int
	pref   []int // replicas in the order the client tries them
	op     *Op
	stats  ClientStats
	recent []Op
}

// Bin is one column of the partition timeline: what each client saw in a
// slice of the run.
type Bin struct {
	OK, Errors, Stale [2]int
}

// Span is an interval during which part of the network was cut.
type Span struct {
	Start, End time.Duration // End is -1 while the cut lasts
	What       string        // "cut", "one-way cut", "A isolated"
}

// Heal is a reconciliation point on the timeline.
type Heal struct {
	At        time.Duration
	Conflicts int
	Lost      int // writes lost to last-write-wins at this heal
}

// Network cut states between the sites.
const (
	linked = iota
	cutBoth
	cutOneWay // site 2 → site 1 dropped
)

// Model is a running CAP lab. Endpoints 0..n-1 of its network are the
// replicas, n and n+1 the clients of site 1 and site 2.
type Model struct {
	n, keys               int
	mode, merge           int
	localReads, failover  bool
	writeShare            float64
	think, timeout, until time.Duration
	local, wan            time.Duration

	sim *engine.Sim
	net *engine.Network
	log *engine.Log

	reps    []*replica
	clients [2]*client

	siteCut  int
	isolated []bool
	spans    []Span
	heals    []Heal
	bins     [Bins]Bin

	issued  int // operations invoked (also the last op ID)
	nextID  int // last version ID handed out
	front   [][]Version
	newest  []Version
	lost    []bool // by version ID: lost to last-write-wins
	ackedID []bool // by version ID: acknowledged to the client
	nLost   int

	conflicts int
	hist      *engine.History // completed operations, for the checker
	writes    *engine.History // recent writes (completed or not)
	verdict   bool
	checkedAt int // m.issued + completions when verdict was computed
	completed int
}

var _ lab.Model = (*Model)(nil)

// New returns a CAP model at time zero. Values out of range are clamped
// and missing ones take their defaults.
func New(v lab.Values, seed uint64) *Model {
	v = normalize(v)
	m := &Model{
		n:          v.Int("replicas"),
		keys:       v.Int("keys"),
		mode:       v.Int("mode"),
		merge:      v.Int("merge"),
		localReads: v.Int("reads") == LocalReads,
		failover:   v.Bool("failover"),
		writeShare: v.Float("writes") / 100,
		think:      v.Ms("think"),
		timeout:    v.Ms("timeout"),
		until:      time.Duration(v.Float("duration") * float64(time.Second)),
		local:      v.Ms("local"),
		wan:        v.Ms("wan"),
		sim:        engine.NewSim(seed),
		log:        engine.NewLog(logSize),
		hist:       engine.NewHistory(windowSize),
		writes:     engine.NewHistory(writeMemory),
		verdict:    true,
	}
	m.net = engine.NewNetwork(m.sim, m.n+2, engine.Latency{})
	for a := range m.n + 2 {
		for b := range m.n + 2 {
			d := m.local
			if m.site(a) != m.site(b) {
				d = m.wan
			}
			m.net.SetLatency(a, b, engine.Latency{Mean: d, Spread: d / 4})
		}
	}
	m.isolated = make([]bool, m.n)
	m.front = make([][]Version, m.keys)
	m.newest = make([]Version, m.keys)
	m.reps = make([]*replica, m.n)
	for i := range m.n {
		m.reps[i] = newReplica(i, m.keys)
	}
	for c := range 2 {
		m.clients[c] = &client{id: c, pref: m.preference(c)}
	}
	if m.mode == CP {
		m.startCP()
	}
	for c := range 2 {
		m.rest(c)
	}
	if v.Bool("partition") {
		m.sim.At(m.until/3, func() {
			m.log.Add(m.Now(), "cut", "scheduled cut between the sites")
			m.setSiteCut(cutBoth)
		})
		m.sim.At(2*m.until/3, func() {
			if m.anyCut() {
				m.log.Add(m.Now(), "heal", "scheduled heal")
				m.heal()
			}
		})
	}
	m.describeSetup()
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

func (m *Model) describeSetup() {
	s1, s2 := m.siteNames(0), m.siteNames(1)
	if m.mode == CP {
		reads := "reads through the leader"
		if m.localReads {
			reads = "reads from any replica"
		}
		fo := "elections on"
		if !m.failover {
			fo = "no failover"
		}
		m.log.Add(0, "info", "CP: site 1 has %s, site 2 has %s; a leader commits on %d of %d; %s; %s",
			s1, s2, m.majority(), m.n, reads, fo)
		return
	}
	m.log.Add(0, "info", "AP: site 1 has %s, site 2 has %s; every replica accepts writes; reconcile by %s",
		s1, s2, mergeNames[m.merge])
}

func (m *Model) siteNames(s int) string {
	var names []string
	for i := range m.n {
		if m.site(i) == s {
			names = append(names, NodeName(i))
		}
	}
	return strings.Join(names, ", ")
}

// Site1 is the number of replicas in site 1: the larger half.
func (m *Model) Site1() int { return (m.n + 1) / 2 }

// site is the site (0 or 1) of an endpoint.
func (m *Model) site(e int) int {
	switch {
	case e < m.Site1():
		return 0
	case e < m.n:
		return 1
	}
	return e - m.n
}

// Site is the site (0 or 1) of replica i.
func (m *Model) Site(i int) int { return m.site(i) }

func (m *Model) majority() int { return m.n/2 + 1 }

// preference lists the replicas client c tries: the second of its own
// site first (so site 1's client is not on the initial leader), then the
// rest of its site, then the other site.
func (m *Model) preference(c int) []int {
	var own, other []int
	for i := range m.n {
		if m.site(i) == c {
			own = append(own, i)
		} else {
			other = append(other, i)
		}
	}
	if c == 0 && len(own) > 1 {
		own[0], own[1] = own[1], own[0]
	}
	return append(own, other...)
}

// Now is the current virtual time.
func (m *Model) Now() time.Duration { return m.sim.Now() }

// Advance runs the simulation up to t.
func (m *Model) Advance(t time.Duration) { m.sim.Advance(t) }

// Done reports that the run is over: past its length, both clients idle
// and nothing in flight.
func (m *Model) Done() bool {
	return m.Now() >= m.until && m.clients[0].op == nil && m.clients[1].op == nil && m.net.Busy() == 0
}

// Log is the narration.
func (m *Model) Log() *engine.Log { return m.log }

// Metrics returns availability, errors, stale_reads, conflicts_on_heal,
// lost_writes and linearizable.
func (m *Model) Metrics() []float64 {
	lin := 0.0
	if m.Linearizable() {
		lin = 1
	}
	var answered, errors, stale int
	for _, c := range m.clients {
		answered += c.stats.Answered
		errors += c.stats.Errors
		stale += c.stats.Stale
	}
	avail := 1.0
	if answered+errors > 0 {
		avail = float64(answered) / float64(answered+errors)
	}
	return []float64{avail, float64(errors), float64(stale), float64(m.conflicts), float64(m.nLost), lin}
}

// Linearizable is porcupine's verdict on the recent history, recomputed
// when operations have started or finished since the last check.
func (m *Model) Linearizable() bool {
	key := m.issued + m.completed
	if key == m.checkedAt {
		return m.verdict
	}
	m.checkedAt = key
	m.verdict = linear.Check(m.window()).Linearizable
	return m.verdict
}

// window is the recent history in a form the checker can judge on its own:
// the last completed operations, the writes still in progress, and the
// older writes whose values those reads returned. A read whose write is no
// longer remembered is left out. Leaving operations out never turns a
// linearizable history into one that is not.
func (m *Model) window() []engine.Record {
	recs := m.hist.Records()
	for _, c := range m.clients {
		if op := c.op; op != nil && op.Kind == engine.Write {
			recs = append(recs, engine.Record{Client: op.Client, Kind: engine.Write, Key: keyNames[op.Key], Value: op.Version, Invoke: op.Invoke})
		}
	}
	have := map[int]bool{0: true}
	for _, r := range recs {
		if r.Kind == engine.Write {
			have[r.Value] = true
		}
	}
	old := m.writes.Records()
	out := recs[:0:0]
	for _, r := range recs {
		if r.Kind == engine.Read && r.OK && !have[r.Value] {
			i := slices.IndexFunc(old, func(w engine.Record) bool { return w.Value == r.Value })
			if i < 0 {
				continue
			}
			out = append(out, old[i])
			have[r.Value] = true
		}
		out = append(out, r)
	}
	return out
}

// Counts for the view.

// N is the number of replicas.
func (m *Model) N() int { return m.n }

// Mode is CP or AP.
func (m *Model) Mode() int { return m.mode }

// Merge is the AP reconcile policy.
func (m *Model) Merge() int { return m.merge }

// LocalReads reports whether CP reads are served by any replica.
func (m *Model) LocalReads() bool { return m.localReads }

// Failover reports whether CP elections are on.
func (m *Model) Failover() bool { return m.failover }

// Keys returns the names of the keys in use.
func (m *Model) Keys() []string { return slices.Clone(keyNames[:m.keys]) }

// Until is the run's length.
func (m *Model) Until() time.Duration { return m.until }

// Value is what replica i holds for key k.
func (m *Model) Value(i, k int) Value { return m.reps[i].vals[k].clone() }

// Show writes a value the way narration does: "v12", "v9|v12", "{7 items}".
func (m *Model) Show(v Value) string { return v.describe(m.mode, m.merge) }

// ClientStats returns client c's counters.
func (m *Model) ClientStats(c int) ClientStats { return m.clients[c].stats }

// InProgress returns client c's operation in progress, if any.
func (m *Model) InProgress(c int) (Op, bool) {
	if op := m.clients[c].op; op != nil {
		return *op, true
	}
	return Op{}, false
}

// Recent returns client c's last completed operations, oldest first.
func (m *Model) Recent(c int) []Op { return slices.Clone(m.clients[c].recent) }

// InFlight returns the messages on their way, oldest first.
func (m *Model) InFlight() []engine.Message { return m.net.InFlight() }

// SiteCut says how the link between the sites is cut: "" (not cut),
// "both" or "one-way" (site 2 → site 1 dropped).
func (m *Model) SiteCut() string { return [...]string{"", "both", "one-way"}[m.siteCut] }

// Isolated reports whether replica i is cut off from everyone.
func (m *Model) Isolated(i int) bool { return m.isolated[i] }

// Linked reports whether messages get from endpoint a to endpoint b.
func (m *Model) Linked(a, b int) bool { return m.net.Linked(a, b) }

// Bins is the partition timeline.
func (m *Model) Bins() [Bins]Bin { return m.bins }

// Spans are the cut intervals, oldest first.
func (m *Model) Spans() []Span { return slices.Clone(m.spans) }

// Heals are the reconciliation points, oldest first.
func (m *Model) Heals() []Heal { return slices.Clone(m.heals) }

// Lost reports the writes lost to last-write-wins so far.
func (m *Model) Lost() int { return m.nLost }

// Conflicts is conflicts_on_heal.
func (m *Model) Conflicts() int { return m.conflicts }

// History is the record of recent completed operations.
func (m *Model) History() *engine.History { return m.hist }

// Do applies a reader's action: "cut", "oneway", "heal", "isolate" or
// "rejoin" replica arg.
func (m *Model) Do(action string, arg int) error {
	switch action {
	case "cut", "oneway":
		want := cutBoth
		if action == "oneway" {
			want = cutOneWay
		}
		if m.siteCut == want {
			return fmt.Errorf("%s: the sites are already cut that way", action)
		}
		m.setSiteCut(want)
		return nil
	case "heal":
		if !m.anyCut() {
			return fmt.Errorf("heal: nothing is cut")
		}
		m.heal()
		return nil
	case "isolate", "rejoin":
		if arg < 0 || arg >= m.n {
			return fmt.Errorf("%s: node %d out of range 0..%d", action, arg, m.n-1)
		}
		if action == "isolate" {
			if m.isolated[arg] {
				return fmt.Errorf("isolate: node %s is already isolated", NodeName(arg))
			}
			m.isolated[arg] = true
			m.log.Add(m.Now(), "cut", "replica %s is cut off from everyone", NodeName(arg))
			m.openSpan(NodeName(arg) + " isolated")
			m.applyCuts()
			return nil
		}
		if !m.isolated[arg] {
			return fmt.Errorf("rejoin: node %s is not isolated", NodeName(arg))
		}
		m.isolated[arg] = false
		m.closeSpan(NodeName(arg) + " isolated")
		m.log.Add(m.Now(), "heal", "replica %s is reconnected", NodeName(arg))
		m.reconnected()
		return nil
	}
	return fmt.Errorf("unknown action %q (want cut, oneway, isolate, rejoin or heal)", action)
}

func (m *Model) anyCut() bool { return m.siteCut != linked || slices.Contains(m.isolated, true) }

func (m *Model) setSiteCut(c int) {
	switch m.siteCut {
	case cutBoth:
		m.closeSpan("cut")
	case cutOneWay:
		m.closeSpan("one-way cut")
	}
	m.siteCut = c
	if c == cutBoth {
		m.openSpan("cut")
		m.log.Add(m.Now(), "cut", "the network between site 1 and site 2 is cut both ways")
	} else {
		m.openSpan("one-way cut")
		m.log.Add(m.Now(), "cut", "messages from site 2 to site 1 are dropped; site 1 still reaches site 2")
	}
	m.applyCuts()
}

// applyCuts sets the network's cut links from the site cut and the
// isolated replicas.
func (m *Model) applyCuts() {
	m.net.Heal()
	size := m.n + 2
	for a := range size {
		for b := range size {
			if a == b {
				continue
			}
			cut := (a < m.n && m.isolated[a]) || (b < m.n && m.isolated[b])
			switch {
			case m.siteCut == cutBoth && m.site(a) != m.site(b):
				cut = true
			case m.siteCut == cutOneWay && m.site(a) == 1 && m.site(b) == 0:
				cut = true
			}
			if cut {
				m.net.Cut(a, b)
			}
		}
	}
}

// heal restores every link and reconciles.
func (m *Model) heal() {
	switch m.siteCut {
	case cutBoth:
		m.closeSpan("cut")
	case cutOneWay:
		m.closeSpan("one-way cut")
	}
	for i, iso := range m.isolated {
		if iso {
			m.closeSpan(NodeName(i) + " isolated")
		}
	}
	m.siteCut = linked
	clear(m.isolated)
	m.log.Add(m.Now(), "heal", "the network heals: every link works again")
	m.reconnected()
}

// reconnected re-applies the cuts after links came back and, in AP mode,
// counts the conflicts and lets every replica send its state to every
// other.
func (m *Model) reconnected() {
	conflicts := 0
	if m.mode == AP {
		for k := range m.keys {
			if m.diverged(k) {
				conflicts++
			}
		}
		m.conflicts += conflicts
		switch {
		case conflicts == 0:
			m.log.Add(m.Now(), "heal", "no key was written on both sides: nothing to reconcile")
		case conflicts == 1:
			m.log.Add(m.Now(), "conflict", "1 key holds concurrent versions from the two sides: reconciling by %s", mergeNames[m.merge])
		default:
			m.log.Add(m.Now(), "conflict", "%d keys hold concurrent versions from the two sides: reconciling by %s", conflicts, mergeNames[m.merge])
		}
	}
	m.applyCuts()
	if m.mode == AP {
		for i := range m.n {
			m.syncFrom(i)
		}
	}
	// Writes lost in the merges that follow are added to this heal as the
	// sync messages arrive (see mergeIn).
	m.heals = append(m.heals, Heal{At: m.Now(), Conflicts: conflicts})
	if len(m.heals) > maxHeals {
		m.heals = slices.Delete(m.heals, 0, 1)
	}
}

// diverged reports whether two replicas hold concurrent values of key k.
func (m *Model) diverged(k int) bool {
	for i := range m.n {
		for j := i + 1; j < m.n; j++ {
			if concurrent(m.reps[i].vals[k].VC, m.reps[j].vals[k].VC) {
				return true
			}
		}
	}
	return false
}

func (m *Model) openSpan(what string) {
	m.spans = append(m.spans, Span{Start: m.Now(), End: -1, What: what})
	if len(m.spans) > maxSpans {
		m.spans = slices.Delete(m.spans, 0, 1)
	}
}

func (m *Model) closeSpan(what string) {
	for i := len(m.spans) - 1; i >= 0; i-- {
		if s := &m.spans[i]; s.What == what && s.End < 0 {
			s.End = m.Now()
			return
		}
	}
}

// rest lets client c think, then start its next operation.
func (m *Model) rest(c int) {
	d := time.Duration(m.sim.Rand().ExpFloat64() * float64(m.think))
	m.sim.After(d, func() {
		if m.Now() >= m.until {
			return
		}
		kind := engine.Read
		if m.sim.Rand().Float64() < m.writeShare {
			kind = engine.Write
		}
		m.invoke(c, kind, m.sim.Rand().IntN(m.keys))
	})
}

// invoke starts an operation: the client sends it to the first replica it
// can reach both ways, and waits for the answer or its timeout.
func (m *Model) invoke(c int, kind engine.OpKind, key int) {
	cl := m.clients[c]
	m.issued++
	op := &Op{ID: m.issued, Client: c, Kind: kind, Key: key, Invoke: m.Now(), Via: -1,
		front: slices.Clone(m.front[key]), newest: m.newest[key]}
	cl.op = op
	if kind == engine.Write {
		m.nextID++
		op.Version = m.nextID
	}
	me := m.n + c
	for _, r := range cl.pref {
		if m.net.Linked(me, r) && m.net.Linked(r, me) {
			op.Via = r
			break
		}
	}
	if op.Via < 0 {
		m.log.Add(m.Now(), "fail", "client %d reaches no replica: %s %s fails", c+1, kind, keyNames[key])
		op.Err = "no replica reachable"
		m.finish(op, Failed)
		return
	}
	if kind == engine.Write {
		m.log.Add(m.Now(), "write", "client %d writes %s=v%d via %s", c+1, keyNames[key], op.Version, NodeName(op.Via))
	} else {
		m.log.Add(m.Now(), "read", "client %d reads %s via %s", c+1, keyNames[key], NodeName(op.Via))
	}
	msg := MsgWrite
	if kind == engine.Read {
		msg = MsgRead
	}
	m.net.Send(me, op.Via, msg, packet{Op: op.ID, Client: me, Kind: kind, Key: key, ID: op.Version}, m.deliver)
	m.sim.After(m.timeout, func() {
		if op.Outcome == Pending {
			op.Err = "timed out"
			m.log.Add(m.Now(), "fail", "client %d: %s %s times out after %s", c+1, kind, keyNames[key], ms(m.timeout))
			m.finish(op, Failed)
		}
	})
}

// answer is a client receiving the response to its operation.
func (m *Model) answer(c int, p packet) {
	op := m.clients[c].op
	if op == nil || op.ID != p.Op || op.Outcome != Pending {
		return // late: the operation has timed out
	}
	key := keyNames[op.Key]
	if !p.OK {
		op.Err = p.Err
		m.log.Add(m.Now(), "fail", "client %d: %s %s refused: %s", c+1, op.Kind, key, p.Err)
		m.finish(op, Failed)
		return
	}
	if op.Kind == engine.Write {
		m.log.Add(m.Now(), "ack", "client %d: write %s=v%d acknowledged", c+1, key, op.Version)
		if len(p.Val.Vers) > 0 {
			m.acked(op.Key, p.Val.Vers[0])
		}
		if op.Version >= len(m.ackedID) {
			m.ackedID = append(m.ackedID, make([]bool, op.Version+1-len(m.ackedID))...)
		}
		m.ackedID[op.Version] = true
		m.finish(op, OK)
		return
	}
	op.Result = p.Val
	op.Version = p.Val.Newest().ID
	if missed, ok := m.missed(op); ok {
		m.log.Add(m.Now(), "stale", "client %d: read %s returns %s — STALE: it misses v%d, acknowledged before the read began",
			c+1, key, m.Show(p.Val), missed)
		m.finish(op, Stale)
		return
	}
	m.log.Add(m.Now(), "read", "client %d: read %s returns %s", c+1, key, m.Show(p.Val))
	m.finish(op, OK)
}

// missed returns a write acknowledged before op began that op's result does
// not reflect. Under last-write-wins a read is fresh when it returns the
// newest acknowledged timestamp or a newer one.
func (m *Model) missed(op *Op) (int, bool) {
	if m.mode == AP && m.merge == LWW {
		if op.newest.newer(op.Result.Newest()) {
			return op.newest.ID, true
		}
		return 0, false
	}
	crdt := m.mode == AP && m.merge == CRDT
	for _, w := range op.front {
		if !op.Result.reflects(w, crdt) {
			return w.ID, true
		}
	}
	return 0, false
}

// acked records that a write was acknowledged to its client: later reads
// must reflect it.
func (m *Model) acked(key int, w Version) {
	if w.newer(m.newest[key]) {
		m.newest[key] = w
	}
	f := m.front[key]
	for _, x := range f {
		if w.VC.leq(x.VC) {
			return // already implied
		}
	}
	f = slices.DeleteFunc(f, func(x Version) bool { return x.VC.leq(w.VC) })
	m.front[key] = append(f, w)
}

// finish completes op and lets its client go on.
func (m *Model) finish(op *Op, o Outcome) {
	op.Outcome, op.Return = o, m.Now()
	cl := m.clients[op.Client]
	cl.op = nil
	m.completed++
	bin := &m.bins[m.bin(op.Invoke)]
	switch o {
	case Failed:
		cl.stats.Errors++
		bin.Errors[op.Client]++
	case Stale:
		cl.stats.Stale++
		cl.stats.Answered++
		bin.Stale[op.Client]++
	default:
		cl.stats.Answered++
		bin.OK[op.Client]++
	}
	rec := engine.Record{Client: op.Client, Kind: op.Kind, Key: keyNames[op.Key], Value: op.Version,
		Invoke: op.Invoke, Return: op.Return, OK: o != Failed}
	m.hist.Add(rec)
	if op.Kind == engine.Write {
		m.writes.Add(rec)
	}
	cl.recent = append(cl.recent, *op)
	if len(cl.recent) > recentSize {
		cl.recent = slices.Delete(cl.recent, 0, 1)
	}
	m.rest(op.Client)
}

// bin is the timeline column of time t.
func (m *Model) bin(t time.Duration) int {
	return min(Bins-1, max(0, int(int64(t)*Bins/int64(m.until))))
}

// reply sends a response to a client, directly or through the replica
// that forwarded its request.
func (m *Model) reply(from, to int, p packet) {
	m.net.Send(from, to, MsgResp, p, m.deliver)
}

// deliver routes a message to its handler.
func (m *Model) deliver(msg engine.Message) {
	p := msg.Payload.(packet)
	if msg.To >= m.n {
		m.answer(msg.To-m.n, p)
		return
	}
	r := m.reps[msg.To]
	switch msg.Kind {
	case MsgWrite, MsgRead:
		if m.mode == AP {
			m.serveAP(r, msg.From, p)
		} else {
			m.serveCP(r, msg.From, p)
		}
	case MsgResp:
		m.reply(r.id, p.Client, p) // relay to the client
	case MsgRepl, MsgSync:
		m.mergeIn(r, p, msg.Kind == MsgSync)
	default:
		m.raft(r, msg)
	}
}

// Message kinds.
const (
	MsgWrite       = "write"     // client → replica, replica → leader
	MsgRead        = "read"      // client → replica, replica → leader
	MsgResp        = "resp"      // the answer, back the way the request came
	MsgAppend      = "append"    // leader → follower: state, heartbeat
	MsgAppendOK    = "ack"       // follower → leader
	MsgPreVote     = "prevote"   // would you vote for me?
	MsgPreVoteResp = "preballot" // yes or no to a pre-vote
	MsgVote        = "vote"      // vote for me
	MsgVoteResp    = "ballot"    // yes or no to a vote
	MsgRepl        = "repl"      // AP: a replica passes on a write
	MsgSync        = "sync"      // AP: a replica sends its state after a heal
)

// packet is the payload of every message.
type packet struct {
	Op     int // client operation
	Client int // the client's endpoint, for relaying responses
	Kind   engine.OpKind
	Key    int
	ID     int // version ID to write
	Term   int
	Stamp  stamp
	Round  int
	Snap   []Value // CP appends, AP syncs: every key
	Val    Value   // a response, an AP replication of Key
	OK     bool    // success; a granted vote
	Err    string
}

// ms formats a duration as whole milliseconds: "600 ms".
func ms(t time.Duration) string { return fmt.Sprintf("%.0f ms", float64(t)/float64(time.Millisecond)) }

func cloneVals(vs []Value) []Value {
	out := make([]Value, len(vs))
	for i, v := range vs {
		out[i] = v.clone()
	}
	return out
}
