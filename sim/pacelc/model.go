package pacelc

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
	logSize  = 300 // narration events per configuration
	ackRing  = 16  // acknowledged writes remembered per key
	hbEvery  = 20 * time.Millisecond
	replicas = 3
)

// Message kinds.
const (
	MsgWrite = "write" // client → replica (leader, local or all)
	MsgRead  = "read"  // client → replica; replica → leader when forwarded
	MsgResp  = "resp"  // replica → client
	MsgRepl  = "repl"  // replica → replica: a write to apply
	MsgAck   = "ack"   // follower → leader: applied
	MsgBeat  = "beat"  // leader → follower: its clock, for bounded staleness
)

// Version orders the writes of a key: by timestamp, then by the leader's
// sequence, then by ID.
type Version struct {
	ID  int
	T   time.Duration
	Seq int
}

func (v Version) newer(w Version) bool {
	if v.T != w.T {
		return v.T > w.T
	}
	if v.Seq != w.Seq {
		return v.Seq > w.Seq
	}
	return v.ID > w.ID
}

// Outcome is how an operation ended.
type Outcome int

const (
	Pending Outcome = iota
	OK
	Failed
	Stale
)

// Op is a client operation.
type Op struct {
	ID, Client, Key int
	Kind            engine.OpKind
	Version         Version // written, or returned
	Invoke, Return  time.Duration
	Outcome         Outcome
	replies         int
}

type ackedWrite struct {
	v  Version
	at time.Duration
}

type pendingWrite struct {
	op, client, need, got int
	v                     Version
}

type packet struct {
	Op, Client, Key int
	Kind            engine.OpKind
	V               Version
	OK              bool
}

// Row is one configuration's measurements so far.
type Row struct {
	ReadP50, ReadP99, WriteP50, WriteP99 float64 // ms; NaN before any sample
	P50, P99                             float64
	StaleFraction, StalenessP99          float64
	OwnMisses                            int
	Reads, Writes                        int
	PartitionOps, PartitionFailed        int
	Done                                 bool
}

// Available reports whether every operation started during the cut was
// answered (true before the cut too).
func (r Row) Available() bool { return r.PartitionFailed == 0 }

// run is one configuration's simulation.
type run struct {
	m   *Model
	cfg int
	sim *engine.Sim
	net *engine.Network
	log *engine.Log

	vals    [replicas][]Version
	beat    [replicas]time.Duration // the leader's clock as last heard
	seq     int
	pending []pendingWrite
	ops     [replicas]*Op
	acks    [][]ackedWrite      // per key, newest last
	own     [replicas][]Version // per client, per key: its last acknowledged write
	issued  int
	nextID  int
	readH   hist
	writeH  hist
	allH    hist
	staleH  hist
	nReads  int
	nStale  int
	ownMiss int
	partOps int
	partBad int
}

// Model is a running PACELC lab: one run per configuration, advanced
// together.
type Model struct {
	cfg                   int
	rtt                   [replicas][replicas]time.Duration
	local                 time.Duration
	jitter, writeShare    float64
	keys                  int
	think, bound, timeout time.Duration
	until, cutAt          time.Duration
	runs                  [Configs]*run
}

var _ lab.Model = (*Model)(nil)

// New returns a PACELC model at time zero. Values out of range are clamped
// and missing ones take their defaults.
func New(v lab.Values, seed uint64) *Model {
	v = normalize(v)
	m := &Model{
		cfg:        v.Int("config"),
		local:      v.Ms("local"),
		jitter:     v.Float("jitter") / 100,
		writeShare: v.Float("writes") / 100,
		keys:       v.Int("keys"),
		think:      v.Ms("think"),
		bound:      v.Ms("bound"),
		timeout:    v.Ms("timeout"),
		until:      time.Duration(v.Float("duration") * float64(time.Second)),
	}
	m.cutAt = m.until * 3 / 4
	m.rtt[0][1], m.rtt[0][2], m.rtt[1][2] = v.Ms("rtt12"), v.Ms("rtt13"), v.Ms("rtt23")
	m.rtt[1][0], m.rtt[2][0], m.rtt[2][1] = m.rtt[0][1], m.rtt[0][2], m.rtt[1][2]
	for c := range Configs {
		m.runs[c] = m.newRun(c, seed)
	}
	return m
}

func normalize(in lab.Values) lab.Values {
	v := Schema.Defaults()
	for _, p := range Schema.Params {
		if x, ok := in[p.Name]; ok && !math.IsNaN(x) {
			v[p.Name] = p.Clamp(x)
		}
	}
	return v
}

// region of an endpoint: replicas 0..2, clients 3..5.
func region(e int) int { return e % replicas }

// oneWay is the mean one-way delay between two endpoints.
func (m *Model) oneWay(a, b int) time.Duration {
	ra, rb := region(a), region(b)
	if ra == rb {
		return m.local / 2
	}
	return m.rtt[ra][rb] / 2
}

// RTT is the round-trip time between two regions.
func (m *Model) RTT(a, b int) time.Duration {
	if a == b {
		return m.local
	}
	return m.rtt[a][b]
}

func (m *Model) newRun(cfg int, seed uint64) *run {
	r := &run{m: m, cfg: cfg, sim: engine.NewSim(seed), log: engine.NewLog(logSize)}
	r.net = engine.NewNetwork(r.sim, 2*replicas, engine.Latency{})
	for a := range 2 * replicas {
		for b := range 2 * replicas {
			d := m.oneWay(a, b)
			r.net.SetLatency(a, b, engine.Latency{Mean: d, Spread: time.Duration(float64(d) * m.jitter)})
		}
	}
	for i := range replicas {
		r.vals[i] = make([]Version, m.keys)
		r.own[i] = make([]Version, m.keys)
	}
	r.acks = make([][]ackedWrite, m.keys)
	r.sim.At(m.cutAt, func() {
		r.net.Partition([]int{2, 5}, []int{0, 1, 3, 4})
		r.log.Add(r.sim.Now(), "cut", "europe is cut off from both US regions")
	})
	if cfg == Bounded {
		r.sim.At(0, r.heartbeat)
	}
	for c := range replicas {
		r.rest(c)
	}
	r.log.Add(0, "info", "%s: %s", ConfigNames[cfg], Describe(cfg))
	return r
}

// Describe says in a sentence how configuration cfg reads and writes.
func Describe(cfg int) string {
	return [...]string{
		"the leader in us-east acknowledges a write once every replica has it; reads go to the nearest replica",
		"the leader acknowledges a write once a majority (2 of 3) has it; reads go to the leader",
		"no leader: a client writes to all three replicas and waits for 2; it reads from all three and waits for 2",
		"the leader acknowledges a write at once and replicates it in the background; reads go to the leader",
		"the leader acknowledges a write at once and replicates it in the background; reads go to the nearest replica",
		"asynchronous, and the nearest replica answers reads unless it has not heard the leader for longer than the bound, when the leader does",
		"asynchronous, and the nearest replica answers a client's reads once it holds that client's own last write of the key; otherwise the leader does",
		"no leader: the nearest replica accepts reads and writes, replicates writes in the background, and keeps the latest timestamp",
	}[cfg]
}

func (r *run) now() time.Duration { return r.sim.Now() }

func (r *run) send(from, to int, kind string, p packet) { r.net.Send(from, to, kind, p, r.deliver) }

// heartbeat lets followers know the leader's clock (bounded staleness).
func (r *run) heartbeat() {
	if r.now() >= r.m.until {
		return
	}
	for j := 1; j < replicas; j++ {
		r.send(0, j, MsgBeat, packet{V: Version{T: r.now()}})
	}
	r.sim.After(hbEvery, r.heartbeat)
}

func (r *run) rest(c int) {
	d := time.Duration(r.sim.Rand().ExpFloat64() * float64(r.m.think))
	r.sim.After(d, func() {
		if r.now() >= r.m.until {
			return
		}
		kind := engine.Read
		if r.sim.Rand().Float64() < r.m.writeShare {
			kind = engine.Write
		}
		r.invoke(c, kind, r.sim.Rand().IntN(r.m.keys))
	})
}

func leaderBased(cfg int) bool { return cfg != Quorum && cfg != Eventual }

// invoke starts an operation of client c (endpoint replicas+c), in region c.
func (r *run) invoke(c int, kind engine.OpKind, key int) {
	r.issued++
	op := &Op{ID: r.issued, Client: c, Key: key, Kind: kind, Invoke: r.now()}
	r.ops[c] = op
	me := replicas + c
	p := packet{Op: op.ID, Client: me, Key: key, Kind: kind}
	if kind == engine.Write {
		r.nextID++
		op.Version.ID = r.nextID
		p.V = Version{ID: r.nextID}
		if !leaderBased(r.cfg) {
			p.V.T = r.now()
			op.Version = p.V
		}
	}
	key0 := fmt.Sprintf("k%d", key+1)
	switch {
	case kind == engine.Write && r.cfg == Quorum:
		r.log.Add(r.now(), "write", "%s writes %s=v%d to all three replicas", Regions[c], key0, op.Version.ID)
		for i := range replicas {
			r.send(me, i, MsgWrite, p)
		}
	case kind == engine.Write && r.cfg == Eventual:
		r.log.Add(r.now(), "write", "%s writes %s=v%d to its own replica", Regions[c], key0, op.Version.ID)
		r.send(me, c, MsgWrite, p)
	case kind == engine.Write:
		r.log.Add(r.now(), "write", "%s writes %s=v%d through the leader in us-east", Regions[c], key0, op.Version.ID)
		r.send(me, 0, MsgWrite, p)
	case r.cfg == Quorum:
		r.log.Add(r.now(), "read", "%s reads %s from all three replicas", Regions[c], key0)
		for i := range replicas {
			r.send(me, i, MsgRead, p)
		}
	case r.cfg == Majority || r.cfg == AsyncLeader:
		r.log.Add(r.now(), "read", "%s reads %s at the leader", Regions[c], key0)
		r.send(me, 0, MsgRead, p)
	default:
		r.log.Add(r.now(), "read", "%s reads %s at its own replica", Regions[c], key0)
		r.send(me, c, MsgRead, p)
	}
	r.sim.After(r.m.timeout, func() {
		if op.Outcome == Pending {
			r.log.Add(r.now(), "fail", "%s: %s %s times out", Regions[c], kind, key0)
			r.finish(op, Failed)
		}
	})
}

func (r *run) deliver(msg engine.Message) {
	p := msg.Payload.(packet)
	if msg.To >= replicas {
		r.answer(msg.To-replicas, msg.From, p)
		return
	}
	i := msg.To
	switch msg.Kind {
	case MsgWrite:
		r.write(i, msg.From, p)
	case MsgRead:
		r.read(i, msg.From, p)
	case MsgRepl:
		r.apply(i, p.Key, p.V)
		r.beat[i] = max(r.beat[i], p.V.T)
		if leaderBased(r.cfg) {
			r.send(i, 0, MsgAck, p)
		}
	case MsgAck:
		for j := range r.pending {
			w := &r.pending[j]
			if w.op == p.Op && w.client == p.Client {
				w.got++
				if w.got == w.need {
					r.send(0, w.client, MsgResp, packet{Op: w.op, Client: w.client, Key: p.Key, Kind: engine.Write, V: w.v, OK: true})
					r.pending = append(r.pending[:j], r.pending[j+1:]...)
				}
				return
			}
		}
	case MsgBeat:
		r.beat[i] = max(r.beat[i], p.V.T)
	}
}

func (r *run) apply(i, key int, v Version) {
	if v.newer(r.vals[i][key]) {
		r.vals[i][key] = v
	}
}

// write is replica i receiving a client's write.
func (r *run) write(i, from int, p packet) {
	if !leaderBased(r.cfg) {
		r.apply(i, p.Key, p.V)
		r.send(i, from, MsgResp, packet{Op: p.Op, Client: p.Client, Key: p.Key, Kind: engine.Write, V: p.V, OK: true})
		if r.cfg == Eventual {
			for j := range replicas {
				if j != i {
					r.send(i, j, MsgRepl, packet{Key: p.Key, V: p.V})
				}
			}
		}
		return
	}
	r.seq++
	v := Version{ID: p.V.ID, T: r.now(), Seq: r.seq}
	r.apply(0, p.Key, v)
	need := 0
	switch r.cfg {
	case Sync:
		need = replicas - 1
	case Majority:
		need = 1
	}
	for j := 1; j < replicas; j++ {
		r.send(0, j, MsgRepl, packet{Op: p.Op, Client: p.Client, Key: p.Key, V: v})
	}
	if need == 0 {
		r.send(0, from, MsgResp, packet{Op: p.Op, Client: p.Client, Key: p.Key, Kind: engine.Write, V: v, OK: true})
		return
	}
	r.pending = append(r.pending, pendingWrite{op: p.Op, client: p.Client, need: need, v: v})
}

// read is replica i receiving a read, from a client or forwarded.
func (r *run) read(i, from int, p packet) {
	answer := func() {
		r.send(i, p.Client, MsgResp, packet{Op: p.Op, Client: p.Client, Key: p.Key, Kind: engine.Read, V: r.vals[i][p.Key], OK: true})
	}
	if i == 0 || from < replicas {
		answer()
		return
	}
	c := p.Client - replicas
	switch {
	case r.cfg == Bounded && r.now()-r.beat[i] > r.m.bound:
		r.log.Add(r.now(), "info", "%s's replica is %s behind the leader, more than the bound: it passes the read to the leader",
			Regions[i], ms(r.now()-r.beat[i]))
		r.send(i, 0, MsgRead, p)
	case r.cfg == Session && r.own[c][p.Key].newer(r.vals[i][p.Key]):
		r.log.Add(r.now(), "info", "%s's replica lacks that client's own write v%d: it passes the read to the leader",
			Regions[i], r.own[c][p.Key].ID)
		r.send(i, 0, MsgRead, p)
	default:
		answer()
	}
}

// answer is client c receiving a response from replica from.
func (r *run) answer(c, from int, p packet) {
	op := r.ops[c]
	if op == nil || op.ID != p.Op || op.Outcome != Pending {
		return
	}
	key := fmt.Sprintf("k%d", op.Key+1)
	if op.Kind == engine.Write {
		op.replies++
		if r.cfg == Quorum && op.replies < 2 {
			return
		}
		op.Version = p.V
		r.own[c][op.Key] = p.V
		a := append(r.acks[op.Key], ackedWrite{v: p.V, at: r.now()})
		if len(a) > ackRing {
			a = a[1:]
		}
		r.acks[op.Key] = a
		r.log.Add(r.now(), "ack", "%s: write %s=v%d acknowledged after %s", Regions[c], key, op.Version.ID, ms(r.now()-op.Invoke))
		r.finish(op, OK)
		return
	}
	if p.V.newer(op.Version) || op.replies == 0 {
		op.Version = p.V
	}
	op.replies++
	if r.cfg == Quorum && op.replies < 2 {
		return
	}
	var oldest time.Duration = -1
	for _, a := range r.acks[op.Key] {
		if a.at < op.Invoke && a.v.newer(op.Version) && (oldest < 0 || a.at < oldest) {
			oldest = a.at
		}
	}
	if oldest < 0 {
		r.log.Add(r.now(), "read", "%s: read %s returns v%d after %s", Regions[c], key, op.Version.ID, ms(r.now()-op.Invoke))
		r.finish(op, OK)
		return
	}
	staleness := op.Invoke - oldest
	if op.Invoke < r.m.cutAt {
		r.staleH.add(staleness)
	}
	if r.own[c][op.Key].newer(op.Version) && op.Invoke < r.m.cutAt {
		r.ownMiss++
	}
	r.log.Add(r.now(), "stale", "%s: read %s returns v%d — STALE by %s", Regions[c], key, op.Version.ID, ms(staleness))
	r.finish(op, Stale)
}

func (r *run) finish(op *Op, o Outcome) {
	op.Outcome, op.Return = o, r.now()
	r.ops[op.Client] = nil
	if o == Failed && op.Kind == engine.Write {
		r.pending = slices.DeleteFunc(r.pending, func(w pendingWrite) bool { return w.op == op.ID && w.client == replicas+op.Client })
	}
	switch {
	case op.Invoke >= r.m.cutAt:
		r.partOps++
		if o == Failed {
			r.partBad++
		}
	case op.Return < r.m.cutAt && o != Failed:
		lat := op.Return - op.Invoke
		r.allH.add(lat)
		if op.Kind == engine.Write {
			r.writeH.add(lat)
		} else {
			r.readH.add(lat)
			r.nReads++
			if o == Stale {
				r.nStale++
			}
		}
	}
	r.rest(op.Client)
}

func (r *run) done() bool {
	if r.now() < r.m.until || r.net.Busy() > 0 {
		return false
	}
	for _, op := range r.ops {
		if op != nil {
			return false
		}
	}
	return true
}

func (r *run) row() Row {
	w := Row{
		ReadP50: r.readH.quantile(0.5), ReadP99: r.readH.quantile(0.99),
		WriteP50: r.writeH.quantile(0.5), WriteP99: r.writeH.quantile(0.99),
		P50: r.allH.quantile(0.5), P99: r.allH.quantile(0.99),
		StalenessP99: r.staleH.quantile(0.99),
		OwnMisses:    r.ownMiss, Reads: r.nReads, Writes: r.writeH.n,
		PartitionOps: r.partOps, PartitionFailed: r.partBad, Done: r.done(),
	}
	if r.nReads > 0 {
		w.StaleFraction = float64(r.nStale) / float64(r.nReads)
	}
	if r.staleH.n == 0 {
		w.StalenessP99 = 0
	}
	return w
}

// Now is the current virtual time.
func (m *Model) Now() time.Duration { return m.runs[m.cfg].now() }

// Advance runs every configuration up to t.
func (m *Model) Advance(t time.Duration) {
	for _, r := range m.runs {
		r.sim.Advance(t)
	}
}

// Done reports that every configuration has finished.
func (m *Model) Done() bool {
	for _, r := range m.runs {
		if !r.done() {
			return false
		}
	}
	return true
}

// Do rejects every action: the lab has none.
func (m *Model) Do(action string, arg int) error {
	return fmt.Errorf("unknown action %q (the pacelc lab has no actions; change the parameters)", action)
}

// Log is the shown configuration's narration.
func (m *Model) Log() *engine.Log { return m.runs[m.cfg].log }

// Metrics returns the shown configuration's measurements, in schema order;
// latencies are 0 before any sample.
func (m *Model) Metrics() []float64 {
	w := m.runs[m.cfg].row()
	z := func(x float64) float64 {
		if math.IsNaN(x) {
			return 0
		}
		return math.Round(x*100) / 100
	}
	avail := 1.0
	if !w.Available() {
		avail = 0
	}
	return []float64{z(w.P50), z(w.P99), z(w.ReadP50), z(w.WriteP50), math.Round(w.StaleFraction*10000) / 10000, z(w.StalenessP99), float64(w.OwnMisses), avail}
}

// Config is the configuration shown.
func (m *Model) Config() int { return m.cfg }

// Rows returns every configuration's measurements, in chart order.
func (m *Model) Rows() [Configs]Row {
	var rows [Configs]Row
	for c, r := range m.runs {
		rows[c] = r.row()
	}
	return rows
}

// CutAt is when Europe is cut off; Until is the run's length.
func (m *Model) CutAt() time.Duration { return m.cutAt }

// Until is the run's length.
func (m *Model) Until() time.Duration { return m.until }

// Cut reports whether Europe is cut off now.
func (m *Model) Cut() bool { return m.Now() >= m.cutAt }

// InFlight returns the shown configuration's messages on their way.
func (m *Model) InFlight() []engine.Message { return m.runs[m.cfg].net.InFlight() }

// Value is the version of key k replica i holds in the shown configuration.
func (m *Model) Value(i, k int) Version { return m.runs[m.cfg].vals[i][k] }

// InProgress is client c's operation in progress in the shown
// configuration.
func (m *Model) InProgress(c int) (Op, bool) {
	if op := m.runs[m.cfg].ops[c]; op != nil {
		return *op, true
	}
	return Op{}, false
}

// Leader reports whether the shown configuration has a leader (in us-east).
func (m *Model) Leader() bool { return leaderBased(m.cfg) }

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

// hist is a latency histogram with buckets 2% wide, from 10 µs to past
// 100 s: percentiles within 1%, in bounded memory.
type hist struct {
	counts [nBuckets]int
	n      int
}

const (
	nBuckets = 820
	minMs    = 0.01
	growth   = 1.02
)

func (h *hist) add(d time.Duration) {
	x := float64(d) / float64(time.Millisecond)
	b := 0
	if x > minMs {
		b = min(nBuckets-1, 1+int(math.Log(x/minMs)/math.Log(growth)))
	}
	h.counts[b]++
	h.n++
}

// quantile is the q-th quantile in milliseconds (the middle of its
// bucket), or NaN when empty.
func (h *hist) quantile(q float64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(q * float64(h.n)))
	seen := 0
	for b, c := range h.counts {
		seen += c
		if seen >= max(rank, 1) {
			if b == 0 {
				return minMs
			}
			return minMs * math.Pow(growth, float64(b)-0.5)
		}
	}
	return math.NaN()
}

// Keys is the number of keys.
func (m *Model) Keys() int { return m.keys }
