package leader

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
	logSize    = 500 // narration events
	recentSize = 8   // completed operations for the view
)

// Stall is how long a lag spike holds up replication to one replica.
const Stall = 2 * time.Second

// NodeName is the name of server i: A, B, C …
func NodeName(i int) string { return string(rune('A' + i)) }

// Role is what a server believes it is.
type Role int

const (
	Primary Role = iota // takes writes (a deposed one still believes it does)
	Replica             // applies the primary's log and serves reads
)

// Entry is one record of the replicated log: a write of one version of
// one client's record, committed by a primary at LSN in an epoch.
type Entry struct {
	LSN     int // log sequence number: 1, 2, 3 … within a lineage
	Epoch   int // the primary's epoch when it committed
	Key     int // the record: one per session
	Version int
	At      time.Duration // commit time on the primary
	acked   bool          // a client heard that it succeeded
	lost    bool          // cut off by a promotion
	zombie  bool          // committed by a deposed primary
	ignored bool          // a replica refused it (narrated once)
	sent    bool          // its acknowledgment was sent
}

// Node is one server.
type Node struct {
	Role  Role
	Epoch int // the epoch it follows or leads
	log   []*Entry
	// pending holds records that arrived out of order or during a stall,
	// sorted by LSN.
	pending    []*Entry
	StallUntil time.Duration
	vals       []int // [key]: the version applied
	waits      []*waitRead
	joined     time.Duration // when it last (re)joined as a replica
	// Delay is the replication delay of records shipped to it: the lab's
	// lag times a factor between 0.5 and 1.5 drawn for each server.
	Delay time.Duration
	// As primary:
	next     []int // [node]: the next LSN to ship to it
	flushed  []int // [node]: the highest LSN it reported flushed
	commits  []*commitWait
	Fallback bool // semi-sync timed out: acknowledging asynchronously
}

// Position is the number of log records the server holds (its LSN).
func (n *Node) Position() int { return len(n.log) }

type waitRead struct {
	msg   engine.Message
	token int
}

type commitWait struct {
	e   *Entry
	req engine.Message
}

// Outcome is how an operation ended.
type Outcome int

const (
	Pending Outcome = iota
	OK
	Failed
	Anomaly // a read that broke read-your-writes or monotonic reads
)

func (o Outcome) String() string { return [...]string{"pending", "ok", "failed", "anomaly"}[o] }

// Op is a client operation.
type Op struct {
	ID      int
	Client  int
	Kind    engine.OpKind
	Key     int
	Version int // written, or returned
	Node    int // the server it went to
	Token   int // a read's minimum log position (0: none)
	Invoke  time.Duration
	Return  time.Duration
	Outcome Outcome
	Why     string // for an anomaly or a failure: what went wrong
}

// Client is a session: a workload client, or you.
type Client struct {
	Target   int // the server it believes is the primary
	Key      int // its own record
	version  int // the last version it wrote
	Acked    int // the last version of its record acknowledged to it
	writeLSN int // the log position of its last acknowledged write
	readLSN  int // the highest log position it has read
	seen     []int
	RYW, MR  int // anomalies seen
	Op       *Op // in progress
	reread   bool
}

// Packets.
const (
	WriteReq = "write"  // client → primary
	WriteOK  = "ok"     // primary → client
	Refuse   = "refuse" // not the primary → client
	ReadReq  = "read"   // client → server
	Reply    = "reply"  // server → client
	WAL      = "wal"    // primary → replica: one log record
	Flush    = "flush"  // replica → primary: flushed up to LSN
)

type writePkt struct {
	op      int
	key     int
	version int
}

type ackPkt struct {
	op int
	e  *Entry
}

type readPkt struct {
	op, key, token int
}

type replyPkt struct {
	op, version, lsn int
}

type walPkt struct {
	e     *Entry
	epoch int
}

type flushPkt struct {
	lsn, epoch int
}

// Counts are the lab's counters.
type Counts struct {
	WritesOK, WritesFailed, ReadsOK, ReadsFailed int
	RYW, Monotonic, Lost, SplitBrain             int
}

// Model is a running leader-follower lab. Endpoints 0..nodes-1 of its
// network are servers, then the workload clients, then you.
type Model struct {
	nodes, clients, ops, mode, reads, promotion int
	ryw, monotonic, failover, fencing           bool
	writeShare                                  float64
	lag, detect, rediscover, think, semi        time.Duration
	operator, outage, timeout                   time.Duration

	sim *engine.Sim
	net *engine.Network
	log *engine.Log

	Nodes   []*Node
	Clients []*Client // the workload, then you (the last)
	primary int
	epoch   int

	issued, done int
	nextOp       int
	armed, fired bool
	sending      int // shipments scheduled but not yet sent
	downSince    time.Duration
	down         bool // waiting for a write acknowledged after a crash
	alarm        alarm
	latencies    []time.Duration
	lagMax       time.Duration
	downtime     time.Duration
	counts       Counts
	recent       []Op
}

// alarm is the failover manager's state, for the view.
type alarm struct {
	node    int
	since   time.Duration
	paged   bool // manual: waiting for the operator
	running bool
}

var _ lab.Model = (*Model)(nil)

// New returns a leader-follower model at time zero. Values out of range
// are clamped and missing ones take their defaults.
func New(in lab.Values, seed uint64) *Model {
	v := Schema.Defaults()
	for _, p := range Schema.Params {
		if x, ok := in[p.Name]; ok && !math.IsNaN(x) {
			v[p.Name] = p.Clamp(x)
		}
	}
	m := &Model{
		nodes: v.Int("nodes"), clients: v.Int("clients"), ops: v.Int("ops"),
		mode: v.Int("mode"), reads: v.Int("reads"), promotion: v.Int("promotion"),
		ryw: v.Bool("ryw"), monotonic: v.Bool("monotonic"), failover: v.Bool("failover"), fencing: v.Bool("fencing"),
		writeShare: v.Float("writes") / 100,
		lag:        v.Ms("lag"), detect: v.Ms("detect"), rediscover: v.Ms("rediscover"), think: v.Ms("think"),
		semi: v.Ms("semitimeout"), operator: v.Ms("operator"), outage: v.Ms("outage"), timeout: v.Ms("timeout"),
		sim: engine.NewSim(seed),
		log: engine.NewLog(logSize),
	}
	lat := v.Ms("latency")
	m.net = engine.NewNetwork(m.sim, m.nodes+m.clients+1, engine.Latency{Mean: lat, Spread: lat / 2})
	m.net.OnDrop = m.refused
	for range m.nodes {
		m.Nodes = append(m.Nodes, &Node{
			Role: Replica, vals: make([]int, m.clients+1), next: make([]int, m.nodes), flushed: make([]int, m.nodes),
			Delay: time.Duration((0.5 + m.sim.Rand().Float64()) * float64(m.lag)).Round(time.Millisecond),
		})
	}
	m.Nodes[0].Role = Primary
	m.resetShipping(0)
	for c := range m.clients + 1 {
		m.Clients = append(m.Clients, &Client{Key: c, seen: make([]int, m.clients+1)})
	}
	for c := range m.clients {
		m.rest(c)
	}
	return m
}

// Now is the current virtual time.
func (m *Model) Now() time.Duration { return m.sim.Now() }

// Advance runs the simulation up to t.
func (m *Model) Advance(t time.Duration) { m.sim.Advance(t) }

// Done reports that the workload has completed, your last post has
// finished and nothing is in flight.
func (m *Model) Done() bool {
	return m.done >= m.ops && m.You().Op == nil && m.net.Busy() == 0 && m.sending == 0
}

// Log is the narration.
func (m *Model) Log() *engine.Log { return m.log }

// Metrics returns the schema's metrics in order.
func (m *Model) Metrics() []float64 {
	return []float64{
		ms(m.percentile(0.50)), ms(m.percentile(0.99)), ms(m.lagMax),
		float64(m.counts.RYW), float64(m.counts.Monotonic),
		math.Round(ms(m.downtime)), float64(m.counts.Lost), float64(m.counts.SplitBrain),
	}
}

// ms is d in milliseconds, rounded to 0.1.
func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*10) / 10
}

// percentile is the nearest-rank percentile of acknowledged write
// latencies (0 before any).
func (m *Model) percentile(p float64) time.Duration {
	if len(m.latencies) == 0 {
		return 0
	}
	s := slices.Clone(m.latencies)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Counts returns the counters.
func (m *Model) Counts() Counts { return m.counts }

// Primary is the server the failover manager considers the primary.
func (m *Model) Primary() int { return m.primary }

// Epoch is the current epoch: 1 plus the number of promotions.
func (m *Model) Epoch() int { return m.epoch + 1 }

// Mode is the replication mode: Sync, SemiSync or Async.
func (m *Model) Mode() int { return m.mode }

// Fencing reports whether deposed primaries are fenced.
func (m *Model) Fencing() bool { return m.fencing }

// RYW and Monotonic report whether the session guarantees are on.
func (m *Model) RYW() bool       { return m.ryw }
func (m *Model) Monotonic() bool { return m.monotonic }

// ReadsToReplicas reports whether reads go to replicas.
func (m *Model) ReadsToReplicas() bool { return m.reads == ReadReplicas }

// Up reports whether server i is up.
func (m *Model) Up(i int) bool { return m.net.Up(i) }

// Deposed reports whether server i believes it is the primary of an epoch
// that has been replaced.
func (m *Model) Deposed(i int) bool {
	n := m.Nodes[i]
	return n.Role == Primary && n.Epoch < m.epoch
}

// Lag is how far replica i is behind the primary: in time (since the
// commit of the oldest record it lacks) and in records.
func (m *Model) Lag(i int) (time.Duration, int) {
	p, n := m.Nodes[m.primary], m.Nodes[i]
	if i == m.primary || n.Role != Replica || len(n.log) >= len(p.log) {
		return 0, 0
	}
	return m.Now() - p.log[len(n.log)].At, len(p.log) - len(n.log)
}

// Version is the version of key that server i has applied.
func (m *Model) Version(i, key int) int { return m.Nodes[i].vals[key] }

// You is your session.
func (m *Model) You() *Client { return m.Clients[m.clients] }

// Alarm reports the failover manager's state: the primary it found
// unreachable and since when, and whether it is waiting for an operator.
func (m *Model) Alarm() (node int, since time.Duration, paged, running bool) {
	a := m.alarm
	return a.node, a.since, a.paged, a.running
}

// Detect is the detection timeout.
func (m *Model) Detect() time.Duration { return m.detect }

// InFlight returns the messages on their way, oldest first.
func (m *Model) InFlight() []engine.Message { return m.net.InFlight() }

// Recent returns the last few completed operations, oldest first.
func (m *Model) Recent() []Op { return slices.Clone(m.recent) }

// ClientName names session c: "client 1" … or "you".
func (m *Model) ClientName(c int) string {
	if c == m.clients {
		return "you"
	}
	return fmt.Sprintf("client %d", c+1)
}

// KeyName names the record of session c.
func (m *Model) KeyName(c int) string {
	if c == m.clients {
		return "yours"
	}
	return fmt.Sprintf("r%d", c+1)
}

// Do applies a reader's action.
func (m *Model) Do(action string, arg int) error {
	switch action {
	case "post":
		you := m.You()
		if you.Op != nil {
			return fmt.Errorf("post: your last post is still in progress")
		}
		you.reread = true
		m.invoke(m.clients, engine.Write, you.Key)
		return nil
	case "kill":
		if !m.net.Up(m.primary) {
			return fmt.Errorf("kill: the primary %s is already down", NodeName(m.primary))
		}
		m.crash(m.primary)
		return nil
	case "promote":
		if m.net.Up(m.primary) {
			return fmt.Errorf("promote: the primary %s is up", NodeName(m.primary))
		}
		b := m.candidate()
		if b < 0 {
			return fmt.Errorf("promote: no replica is up to promote")
		}
		if bad, lsn := m.unsafe(b); bad {
			return fmt.Errorf("promote: %s lacks acknowledged writes up to LSN %d; in sync mode that would lose them", NodeName(b), lsn)
		}
		m.promote("an operator")
		return nil
	case "restart", "spike":
		if arg < 0 || arg >= m.nodes {
			return fmt.Errorf("%s: node %d out of range 0..%d", action, arg, m.nodes-1)
		}
		if action == "restart" {
			if m.net.Up(arg) {
				return fmt.Errorf("restart: %s is up", NodeName(arg))
			}
			m.restart(arg)
			return nil
		}
		n := m.Nodes[arg]
		switch {
		case !m.net.Up(arg):
			return fmt.Errorf("spike: %s is down", NodeName(arg))
		case n.Role != Replica:
			return fmt.Errorf("spike: %s is a primary; pick a replica", NodeName(arg))
		}
		n.StallUntil = m.Now() + Stall
		m.log.Add(m.Now(), "lag", "replication to %s stalls for %s", NodeName(arg), dur(Stall))
		m.sim.After(Stall, func() { m.drain(arg) })
		return nil
	}
	return fmt.Errorf("unknown action %q (want post, kill, promote, restart or spike)", action)
}

// rest lets workload client c think, then start its next operation.
func (m *Model) rest(c int) {
	d := time.Duration(m.sim.Rand().ExpFloat64() * float64(m.think))
	m.sim.After(d, func() {
		if !m.begin() {
			return
		}
		r := m.sim.Rand()
		if r.Float64() < m.writeShare {
			m.invoke(c, engine.Write, c)
			return
		}
		key := c
		if m.clients > 1 && r.IntN(2) == 0 {
			key = (c + 1 + r.IntN(m.clients-1)) % m.clients
		}
		m.invoke(c, engine.Read, key)
	})
}

// begin counts a workload operation about to start, and arms the scripted
// failover a quarter of the way through. It reports false when the
// workload is complete.
func (m *Model) begin() bool {
	if m.issued >= m.ops {
		return false
	}
	m.issued++
	if m.failover && !m.fired && m.issued >= max(1, m.ops/4) {
		m.armed = true
		if m.writeShare == 0 {
			m.fire()
		}
	}
	return true
}

// fire runs the scripted failover: the primary dies, and restarts after
// the outage.
func (m *Model) fire() {
	m.armed, m.fired = false, true
	p := m.primary
	if !m.net.Up(p) {
		return
	}
	m.crash(p)
	m.sim.After(m.outage, func() {
		if !m.net.Up(p) {
			m.restart(p)
		}
	})
}

// invoke starts an operation of session c.
func (m *Model) invoke(c int, kind engine.OpKind, key int) {
	cl := m.Clients[c]
	m.nextOp++
	op := &Op{ID: m.nextOp, Client: c, Kind: kind, Key: key, Invoke: m.Now()}
	cl.Op = op
	who := m.ClientName(c)
	if kind == engine.Write {
		cl.version++
		op.Version, op.Node = cl.version, cl.Target
		m.log.Add(m.Now(), "write", "%s writes %s=v%d to %s", who, m.KeyName(key), op.Version, NodeName(op.Node))
		m.net.Send(m.nodes+c, op.Node, WriteReq, writePkt{op.ID, key, op.Version}, m.serveWrite)
	} else {
		op.Node = cl.Target
		if m.reads == ReadReplicas {
			op.Node = m.pickReplica(cl.Target)
		}
		if m.ryw && key == cl.Key {
			op.Token = cl.writeLSN
		}
		if m.monotonic {
			op.Token = max(op.Token, cl.readLSN)
		}
		wait := ""
		if op.Token > 0 {
			wait = fmt.Sprintf(" (needs LSN ≥ %d)", op.Token)
		}
		m.log.Add(m.Now(), "read", "%s reads %s from %s%s", who, m.KeyName(key), NodeName(op.Node), wait)
		m.net.Send(m.nodes+c, op.Node, ReadReq, readPkt{op.ID, key, op.Token}, m.serveRead)
	}
	m.sim.After(m.timeout, func() {
		if cl.Op == op {
			m.finish(op, Failed, "timed out")
		}
	})
}

// pickReplica chooses a replica of the current epoch for a read, as a
// load balancer would; with none up, the read goes to the primary.
func (m *Model) pickReplica(target int) int {
	var pool []int
	for i, n := range m.Nodes {
		if n.Role == Replica && n.Epoch == m.epoch && m.net.Up(i) {
			pool = append(pool, i)
		}
	}
	if len(pool) == 0 {
		return target
	}
	return pool[m.sim.Rand().IntN(len(pool))]
}

// serveWrite is a server receiving a write.
func (m *Model) serveWrite(msg engine.Message) {
	i, n, w := msg.To, m.Nodes[msg.To], msg.Payload.(writePkt)
	if n.Role != Primary {
		m.log.Add(m.Now(), "refuse", "%s refuses %s=v%d: it is not the primary", NodeName(i), m.KeyName(w.key), w.version)
		m.net.Send(i, msg.From, Refuse, ackPkt{op: w.op}, m.answerWrite)
		return
	}
	e := &Entry{LSN: len(n.log) + 1, Epoch: n.Epoch, Key: w.key, Version: w.version, At: m.Now(), zombie: n.Epoch < m.epoch}
	n.log = append(n.log, e)
	n.vals[w.key] = w.version
	note := ""
	if e.zombie {
		note = fmt.Sprintf(" — SPLIT BRAIN: %s was replaced in epoch %d", NodeName(i), m.Epoch())
	}
	m.log.Add(m.Now(), "commit", "%s commits %s=v%d at LSN %d%s", NodeName(i), m.KeyName(w.key), w.version, e.LSN, note)
	m.ship(i)
	switch {
	case m.mode == Async || (m.mode == SemiSync && n.Fallback):
		m.acknowledge(i, e, msg)
	default:
		n.commits = append(n.commits, &commitWait{e, msg})
		if m.mode == SemiSync {
			epoch := n.Epoch
			m.sim.After(m.semi, func() { m.semiTimeout(i, epoch, e) })
		}
		m.release(i)
	}
	if m.armed && i == m.primary {
		m.fire()
	}
}

// acknowledge tells the client its write succeeded.
func (m *Model) acknowledge(i int, e *Entry, req engine.Message) {
	e.sent = true
	m.net.Send(i, req.From, WriteOK, ackPkt{op: req.Payload.(writePkt).op, e: e}, m.answerWrite)
}

// release acknowledges the commits a replica has flushed (sync: any one
// replica, like synchronous_standby_names = 'ANY 1 (*)'; semi-sync: the
// same, until the timeout).
func (m *Model) release(i int) {
	n := m.Nodes[i]
	best := 0
	for j, f := range n.flushed {
		if j != i {
			best = max(best, f)
		}
	}
	keep := n.commits[:0]
	for _, w := range n.commits {
		if w.e.LSN <= best {
			m.acknowledge(i, w.e, w.req)
		} else {
			keep = append(keep, w)
		}
	}
	clear(n.commits[len(keep):])
	n.commits = keep
}

// semiTimeout falls back to asynchronous replication if e is still
// waiting for a replica.
func (m *Model) semiTimeout(i, epoch int, e *Entry) {
	n := m.Nodes[i]
	if !m.net.Up(i) || n.Role != Primary || n.Epoch != epoch || n.Fallback {
		return
	}
	if !slices.ContainsFunc(n.commits, func(w *commitWait) bool { return w.e == e }) {
		return
	}
	n.Fallback = true
	m.log.Add(m.Now(), "semisync", "no replica acknowledged LSN %d within %s: %s falls back to asynchronous replication", e.LSN, dur(m.semi), NodeName(i))
	for _, w := range n.commits {
		m.acknowledge(i, w.e, w.req)
	}
	clear(n.commits)
	n.commits = n.commits[:0]
}

// ship sends primary i's log records its followers lack, each no earlier
// than the replication delay after its commit.
func (m *Model) ship(i int) {
	p := m.Nodes[i]
	epoch := p.Epoch
	for j := range m.nodes {
		if j == i {
			continue
		}
		for ; p.next[j] <= len(p.log); p.next[j]++ {
			e := p.log[p.next[j]-1]
			send := func() {
				if m.net.Up(i) && p.Role == Primary && p.Epoch == epoch {
					m.net.Send(i, j, WAL, walPkt{e, epoch}, m.receive)
				}
			}
			if at := e.At + m.Nodes[j].Delay; at > m.Now() {
				m.sending++
				m.sim.At(at, func() { m.sending--; send() })
			} else {
				send()
			}
		}
	}
}

// resetShipping makes primary i ship to each follower what the follower
// lacks or, for a deposed primary, only what it commits from now on.
func (m *Model) resetShipping(i int) {
	p := m.Nodes[i]
	for j, f := range m.Nodes {
		p.next[j] = len(f.log) + 1
		if p.Epoch < m.epoch {
			p.next[j] = len(p.log) + 1
		}
		p.flushed[j] = 0
	}
}

// receive is a server receiving a log record.
func (m *Model) receive(msg engine.Message) {
	i, n, w := msg.To, m.Nodes[msg.To], msg.Payload.(walPkt)
	if n.Role != Replica || w.epoch != n.Epoch {
		if w.e.zombie && !w.e.ignored {
			w.e.ignored = true
			m.log.Add(m.Now(), "fence", "%s ignores LSN %d from deposed %s (epoch %d < %d)", NodeName(i), w.e.LSN, NodeName(msg.From), w.epoch+1, n.Epoch+1)
		}
		return
	}
	at, _ := slices.BinarySearchFunc(n.pending, w.e.LSN, func(e *Entry, lsn int) int { return e.LSN - lsn })
	if w.e.LSN > len(n.log) && (at == len(n.pending) || n.pending[at].LSN != w.e.LSN) {
		n.pending = slices.Insert(n.pending, at, w.e)
	}
	m.drain(i)
}

// drain applies the records replica i holds in order, unless it is
// stalled, reports its flush position and answers reads that waited.
func (m *Model) drain(i int) {
	n := m.Nodes[i]
	if n.StallUntil > m.Now() || n.Role != Replica {
		return
	}
	before := len(n.log)
	for len(n.pending) > 0 && n.pending[0].LSN <= len(n.log)+1 {
		e := n.pending[0]
		n.pending = n.pending[1:]
		if e.LSN <= len(n.log) {
			continue
		}
		n.log = append(n.log, e)
		n.vals[e.Key] = e.Version
		if e.At >= n.joined {
			m.lagMax = max(m.lagMax, m.Now()-e.At)
		}
	}
	if len(n.log) == before {
		return
	}
	if m.mode != Async {
		m.net.Send(i, m.primary, Flush, flushPkt{len(n.log), n.Epoch}, m.flushed)
	}
	keep := n.waits[:0]
	for _, w := range n.waits {
		if len(n.log) >= w.token {
			m.reply(i, w.msg)
		} else {
			keep = append(keep, w)
		}
	}
	clear(n.waits[len(keep):])
	n.waits = keep
}

// flushed is the primary hearing that a replica has flushed its log.
func (m *Model) flushed(msg engine.Message) {
	i, p, f := msg.To, m.Nodes[msg.To], msg.Payload.(flushPkt)
	if p.Role != Primary || p.Epoch != f.epoch {
		return
	}
	p.flushed[msg.From] = max(p.flushed[msg.From], f.lsn)
	if p.Fallback && f.lsn >= len(p.log) {
		p.Fallback = false
		m.log.Add(m.Now(), "semisync", "%s has caught up: %s returns to semi-synchronous replication", NodeName(msg.From), NodeName(i))
	}
	m.release(i)
}

// serveRead is a server receiving a read: a replica behind the read's
// token waits until it has applied it.
func (m *Model) serveRead(msg engine.Message) {
	n, r := m.Nodes[msg.To], msg.Payload.(readPkt)
	if n.Role == Replica && len(n.log) < r.token {
		n.waits = append(n.waits, &waitRead{msg, r.token})
		m.log.Add(m.Now(), "wait", "%s is at LSN %d; the read waits for LSN %d", NodeName(msg.To), len(n.log), r.token)
		return
	}
	m.reply(msg.To, msg)
}

func (m *Model) reply(i int, req engine.Message) {
	r := req.Payload.(readPkt)
	m.net.Send(i, req.From, Reply, replyPkt{r.op, m.Nodes[i].vals[r.key], len(m.Nodes[i].log)}, m.answerRead)
}

// answerWrite is a client hearing about its write.
func (m *Model) answerWrite(msg engine.Message) {
	c := msg.To - m.nodes
	cl, a := m.Clients[c], msg.Payload.(ackPkt)
	op := cl.Op
	if op == nil || op.ID != a.op {
		return // late: the client gave up
	}
	if msg.Kind == Refuse {
		cl.Target = m.primary
		m.finish(op, Failed, fmt.Sprintf("refused by %s", NodeName(msg.From)))
		m.log.Add(m.Now(), "discover", "%s looks the primary up again: %s", m.ClientName(c), NodeName(cl.Target))
		return
	}
	e := a.e
	e.acked = true
	cl.Acked, cl.writeLSN = max(cl.Acked, op.Version), e.LSN
	m.latencies = append(m.latencies, m.Now()-op.Invoke)
	switch {
	case e.zombie:
		m.counts.SplitBrain++
	case e.lost:
		m.counts.Lost++
	case m.down && e.Epoch == m.epoch && e.At > m.downSince:
		m.down = false
		m.downtime += m.Now() - m.downSince
		m.log.Add(m.Now(), "info", "writes are back after %s", dur(m.Now()-m.downSince))
	}
	m.finish(op, OK, "")
}

// answerRead is a client receiving a read's reply, checked against the
// session guarantees.
func (m *Model) answerRead(msg engine.Message) {
	c := msg.To - m.nodes
	cl, r := m.Clients[c], msg.Payload.(replyPkt)
	op := cl.Op
	if op == nil || op.ID != r.op {
		return
	}
	op.Version = r.version
	cl.readLSN = max(cl.readLSN, r.lsn)
	var why []string
	if op.Key == cl.Key && r.version < cl.Acked {
		cl.RYW++
		m.counts.RYW++
		why = append(why, fmt.Sprintf("your write v%d is missing", cl.Acked))
	}
	if r.version < cl.seen[op.Key] {
		cl.MR++
		m.counts.Monotonic++
		why = append(why, fmt.Sprintf("v%d was read before", cl.seen[op.Key]))
	}
	cl.seen[op.Key] = max(cl.seen[op.Key], r.version)
	if len(why) > 0 {
		m.finish(op, Anomaly, joinWhy(why))
		return
	}
	m.finish(op, OK, "")
}

func joinWhy(why []string) string {
	if len(why) == 1 {
		return why[0]
	}
	return why[0] + "; " + why[1]
}

// finish completes op, narrates it and lets its session go on.
func (m *Model) finish(op *Op, o Outcome, why string) {
	op.Outcome, op.Return, op.Why = o, m.Now(), why
	c := op.Client
	cl := m.Clients[c]
	cl.Op = nil
	who, key := m.ClientName(c), m.KeyName(op.Key)
	switch {
	case op.Kind == engine.Write && o == OK:
		m.counts.WritesOK++
		m.log.Add(m.Now(), "ack", "%s: write %s=v%d acknowledged (LSN %d)", who, key, op.Version, cl.writeLSN)
	case op.Kind == engine.Write:
		m.counts.WritesFailed++
		m.log.Add(m.Now(), "fail", "%s: write %s=v%d failed: %s", who, key, op.Version, why)
	case o == Failed:
		m.counts.ReadsFailed++
		m.log.Add(m.Now(), "fail", "%s: read %s failed: %s", who, key, why)
	case o == Anomaly:
		m.counts.ReadsOK++
		m.log.Add(m.Now(), "stale", "%s: read %s from %s returns v%d — ANOMALY: %s", who, key, NodeName(op.Node), op.Version, why)
	default:
		m.counts.ReadsOK++
		m.log.Add(m.Now(), "read", "%s: read %s from %s returns v%d", who, key, NodeName(op.Node), op.Version)
	}
	if len(m.recent) == recentSize {
		m.recent = slices.Delete(m.recent, 0, 1)
	}
	m.recent = append(m.recent, *op)
	if c == m.clients {
		if cl.reread && op.Kind == engine.Write {
			cl.reread = false
			m.invoke(c, engine.Read, cl.Key)
		}
		return
	}
	m.done++
	if op.Kind == engine.Write && o == OK && m.begin() {
		m.invoke(c, engine.Read, cl.Key) // read it back at once, as a page reload would
		return
	}
	m.rest(c)
}

// refused fails a client's request to a server that is down at once: the
// server's host answers "connection refused".
func (m *Model) refused(msg engine.Message) {
	if msg.Why != engine.Down || msg.From < m.nodes {
		return
	}
	cl := m.Clients[msg.From-m.nodes]
	var id int
	switch p := msg.Payload.(type) {
	case writePkt:
		id = p.op
	case readPkt:
		id = p.op
	}
	if cl.Op != nil && cl.Op.ID == id {
		m.finish(cl.Op, Failed, fmt.Sprintf("%s refused the connection", NodeName(msg.To)))
	}
}

// crash takes the primary i down and starts the failover manager's clock.
func (m *Model) crash(i int) {
	m.net.Crash(i)
	n := m.Nodes[i]
	clear(n.commits)
	n.commits = n.commits[:0]
	m.log.Add(m.Now(), "crash", "primary %s crashes at LSN %d", NodeName(i), len(n.log))
	if !m.down {
		m.down, m.downSince = true, m.Now()
	}
	m.alarm = alarm{node: i, since: m.Now(), running: true}
	epoch := m.epoch
	m.sim.After(m.detect, func() {
		if m.epoch != epoch || m.net.Up(i) {
			if m.epoch == epoch {
				m.alarm.running = false
				m.log.Add(m.Now(), "info", "%s answered again within the detection timeout: no failover", NodeName(i))
			}
			return
		}
		if m.promotion == Auto {
			m.promote("the failover manager")
			return
		}
		m.alarm.paged = true
		m.log.Add(m.Now(), "page", "%s unreachable for %s: paging an operator", NodeName(i), dur(m.detect))
		m.sim.After(m.operator, func() {
			if m.epoch == epoch && !m.net.Up(i) && m.candidate() >= 0 {
				m.promote("the operator")
			}
		})
	})
}

// candidate is the replica to promote: the most up-to-date one that is up
// (the lowest name on a tie), or -1.
func (m *Model) candidate() int {
	best := -1
	for i, n := range m.Nodes {
		if i == m.primary || n.Role != Replica || n.Epoch != m.epoch || !m.net.Up(i) {
			continue
		}
		if best < 0 || len(n.log) > len(m.Nodes[best].log) {
			best = i
		}
	}
	return best
}

// unsafe reports, in sync mode, that the best candidate b lacks a write
// the primary acknowledged: promoting it would lose the write, so the
// failover manager waits instead (as Patroni does in synchronous mode).
func (m *Model) unsafe(b int) (bool, int) {
	if m.mode != Sync {
		return false, 0
	}
	log := m.Nodes[m.primary].log
	for k := len(log) - 1; k >= 0; k-- {
		if log[k].sent {
			return len(m.Nodes[b].log) <= k, k + 1
		}
	}
	return false, 0
}

// promote makes the most up-to-date replica the primary of a new epoch.
// Records the old primary committed beyond its position are lost.
func (m *Model) promote(by string) {
	b := m.candidate()
	if b < 0 {
		m.log.Add(m.Now(), "info", "%s finds no replica to promote", by)
		return
	}
	if bad, lsn := m.unsafe(b); bad {
		m.log.Add(m.Now(), "info", "%s will not promote %s: it lacks acknowledged writes up to LSN %d", by, NodeName(b), lsn)
		return
	}
	oldName := NodeName(m.primary)
	old, nb := m.Nodes[m.primary], m.Nodes[b]
	lost := 0
	for _, e := range old.log[min(len(nb.log), len(old.log)):] {
		e.lost = true
		if e.acked {
			lost++
		}
	}
	m.counts.Lost += lost
	m.epoch++
	for _, n := range m.Nodes {
		if n.Role == Replica && n.Epoch == m.epoch-1 {
			n.Epoch = m.epoch
			n.pending = nil
		}
	}
	nb.Role, nb.Fallback, nb.StallUntil = Primary, false, 0
	m.primary = b
	for _, w := range nb.waits { // a primary answers every read
		m.reply(b, w.msg)
	}
	nb.waits = nil
	m.resetShipping(b)
	m.alarm = alarm{}
	gone := len(old.log) - len(nb.log)
	text := fmt.Sprintf("%s promotes %s to primary (epoch %d) at LSN %d", by, NodeName(b), m.Epoch(), len(nb.log))
	switch {
	case lost > 0:
		text += fmt.Sprintf(" — %d acknowledged write(s) that %s never shipped are LOST", lost, oldName)
	case gone > 0:
		text += fmt.Sprintf("; %d unshipped record(s) on %s are discarded", gone, oldName)
	}
	m.log.Add(m.Now(), "promote", "%s", text)
	m.ship(b)
	for c := range m.Clients {
		d := time.Duration(m.sim.Rand().Float64() * float64(m.rediscover))
		m.sim.After(d, func() { m.learn(c) })
	}
}

// learn lets session c find the current primary (its DNS entry expired, or
// its proxy noticed).
func (m *Model) learn(c int) {
	cl := m.Clients[c]
	if cl.Target == m.primary {
		return
	}
	cl.Target = m.primary
	m.log.Add(m.Now(), "discover", "%s now sends writes to %s", m.ClientName(c), NodeName(m.primary))
}

// restart brings server i back up: the current primary resumes; a deposed
// one is fenced and rejoins as a replica, or without fencing goes on
// acting as a primary.
func (m *Model) restart(i int) {
	m.net.Recover(i)
	n := m.Nodes[i]
	switch {
	case i == m.primary:
		m.resetShipping(i)
		m.log.Add(m.Now(), "recover", "%s restarts and resumes as primary", NodeName(i))
		m.ship(i)
	case n.Role == Primary && m.fencing:
		p := m.Nodes[m.primary]
		keep := 0
		for keep < len(n.log) && keep < len(p.log) && n.log[keep] == p.log[keep] {
			keep++
		}
		dropped := len(n.log) - keep
		n.log = n.log[:keep:keep]
		clear(n.vals)
		for _, e := range n.log {
			n.vals[e.Key] = e.Version
		}
		n.Role, n.Epoch, n.Fallback, n.joined = Replica, m.epoch, false, m.Now()
		m.log.Add(m.Now(), "fence", "%s restarts, learns %s leads epoch %d: fenced, it drops %d record(s) and follows %s", NodeName(i), NodeName(m.primary), m.Epoch(), dropped, NodeName(m.primary))
		p.next[i], p.flushed[i] = keep+1, 0
		m.ship(m.primary)
	case n.Role == Primary:
		m.resetShipping(i)
		m.log.Add(m.Now(), "recover", "%s restarts still believing it is the primary (epoch %d) — no fencing: SPLIT BRAIN", NodeName(i), n.Epoch+1)
	default:
		n.joined = m.Now()
		m.log.Add(m.Now(), "recover", "%s restarts as a replica", NodeName(i))
		m.drain(i)
	}
}

// dur formats a duration for narration: "850 ms", "2.5 s".
func dur(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
