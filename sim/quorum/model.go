package quorum

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
	logSize     = 500  // narration events
	historySize = 1000 // completed operations for a checker
	recentSize  = 8    // completed operations for the view
)

var keyNames = []string{"x", "y", "z", "u", "v"}

// NodeName is the name of replica i: A, B, C …
func NodeName(i int) string { return string(rune('A' + i)) }

// Outcome is how an operation ended.
type Outcome int

const (
	Pending Outcome = iota // still waiting for its quorum
	OK                     // acknowledged by W, or answered by R with a fresh version
	Failed                 // timed out before its quorum
	Stale                  // a read answered by R with a version older than an acknowledged write
)

func (o Outcome) String() string {
	return [...]string{"pending", "ok", "failed", "stale"}[o]
}

// Op is a client operation, in progress or completed.
type Op struct {
	ID     int // 1, 2, 3 … in the order operations were invoked
	Client int
	Kind   engine.OpKind
	Key    int // index into Keys
	// Version is the version written, or the newest version a read has
	// been told so far (its result once it completes).
	Version int
	Invoke  time.Duration
	Return  time.Duration // zero while pending
	Replies int           // acks (write) or replies (read) received
	Need    int           // W or R
	Outcome Outcome
	// Newest is, for a read, the newest version acknowledged to any client
	// before the read was invoked, and NewestAt when it was acknowledged:
	// a read that returns less is stale.
	Newest   int
	NewestAt time.Duration
	auto     bool // issued by the client's workload, not by the reader
}

// Packet is the payload of every message: requests carry the operation
// and the version written; acks and replies carry the version the replica
// holds.
type Packet struct {
	Op      int // Op.ID
	Key     int
	Version int
}

// Message kinds.
const (
	WriteReq = "write" // client → replica: store this version
	Ack      = "ack"   // replica → client: stored
	ReadReq  = "read"  // client → replica: what version do you hold?
	Reply    = "reply" // replica → client: this version
)

// Counts are the lab's metrics.
type Counts struct {
	WritesOK, WritesFailed, ReadsOK, ReadsFailed, StaleReads int
}

// Model is a running quorum lab. Endpoints 0..N-1 of its network are the
// replicas; N+c is client c.
type Model struct {
	n, w, r, keys, clients, ops int
	writeShare                  float64 // 0..1
	think, timeout              time.Duration

	sim  *engine.Sim
	net  *engine.Network
	log  *engine.Log
	hist *engine.History

	versions [][]int  // [node][key]: the highest version the replica holds
	last     []int    // [key]: the last version assigned
	newest   []newest // [key]: the newest acknowledged write
	pending  []*Op    // in invocation order
	recent   []Op     // completed, oldest first
	counts   Counts
	issued   int // operations invoked
	done     int // operations completed
}

type newest struct {
	version int
	at      time.Duration
}

var _ lab.Model = (*Model)(nil)

// New returns a quorum model at time zero. Values out of range are
// clamped, missing ones take their defaults, and W and R are clamped to N.
func New(v lab.Values, seed uint64) *Model {
	v = normalize(v)
	m := &Model{
		n:          v.Int("n"),
		w:          v.Int("w"),
		r:          v.Int("r"),
		keys:       v.Int("keys"),
		clients:    v.Int("clients"),
		ops:        v.Int("ops"),
		writeShare: v.Float("writes") / 100,
		think:      v.Ms("think"),
		timeout:    v.Ms("timeout"),
		sim:        engine.NewSim(seed),
		log:        engine.NewLog(logSize),
		hist:       engine.NewHistory(historySize),
	}
	m.net = engine.NewNetwork(m.sim, m.n+m.clients, engine.Latency{Mean: v.Ms("latency"), Spread: v.Ms("spread")})
	m.net.SetLoss(v.Float("loss") / 100)
	m.net.OnDrop = m.dropped
	m.versions = make([][]int, m.n)
	for i := range m.versions {
		m.versions[i] = make([]int, m.keys)
	}
	m.last = make([]int, m.keys)
	m.newest = make([]newest, m.keys)
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
	repair(v)
	return v
}

// Now is the current virtual time.
func (m *Model) Now() time.Duration { return m.sim.Now() }

// Advance runs the simulation up to t.
func (m *Model) Advance(t time.Duration) { m.sim.Advance(t) }

// Done reports that every operation has completed and no message is in
// flight.
func (m *Model) Done() bool { return m.done >= m.ops && m.net.Busy() == 0 }

// Log is the narration.
func (m *Model) Log() *engine.Log { return m.log }

// History is the record of completed operations, for a checker.
func (m *Model) History() *engine.History { return m.hist }

// Metrics returns writes_ok, writes_failed, reads_ok, reads_failed and
// stale_reads.
func (m *Model) Metrics() []float64 {
	c := m.counts
	return []float64{float64(c.WritesOK), float64(c.WritesFailed), float64(c.ReadsOK), float64(c.ReadsFailed), float64(c.StaleReads)}
}

// Counts returns the metrics as numbers.
func (m *Model) Counts() Counts { return m.counts }

// N is the number of replicas.
func (m *Model) N() int { return m.n }

// W is the write quorum.
func (m *Model) W() int { return m.w }

// R is the read quorum.
func (m *Model) R() int { return m.r }

// Clients is the number of clients.
func (m *Model) Clients() int { return m.clients }

// Keys returns the names of the keys in use: x, y …
func (m *Model) Keys() []string { return slices.Clone(keyNames[:m.keys]) }

// Up reports whether replica i is up.
func (m *Model) Up(i int) bool { return m.net.Up(i) }

// Version is the highest version of key that replica i holds (0 before
// any write reached it).
func (m *Model) Version(i, key int) int { return m.versions[i][key] }

// Newest returns the newest acknowledged version of key and when it was
// acknowledged (0 before any write succeeded).
func (m *Model) Newest(key int) (version int, at time.Duration) {
	return m.newest[key].version, m.newest[key].at
}

// InFlight returns the messages on their way, oldest first. Their Payload
// is a Packet and their Kind one of WriteReq, Ack, ReadReq and Reply.
func (m *Model) InFlight() []engine.Message { return m.net.InFlight() }

// InProgress returns the operations waiting for their quorum, oldest
// first.
func (m *Model) InProgress() []Op {
	out := make([]Op, len(m.pending))
	for i, op := range m.pending {
		out[i] = *op
	}
	return out
}

// Recent returns the last few completed operations, oldest first.
func (m *Model) Recent() []Op { return slices.Clone(m.recent) }

// Do applies a reader's action: "crash" or "recover" replica arg, "write"
// or "read" a key now (as client 1, counting towards ops).
func (m *Model) Do(action string, arg int) error {
	switch action {
	case "crash", "recover":
		if arg < 0 || arg >= m.n {
			return fmt.Errorf("%s: node %d out of range 0..%d", action, arg, m.n-1)
		}
		switch up := m.net.Up(arg); {
		case up && action == "recover":
			return fmt.Errorf("recover: node %s is already up", NodeName(arg))
		case !up && action == "crash":
			return fmt.Errorf("crash: node %s is already down", NodeName(arg))
		case !up:
			m.net.Recover(arg)
			m.log.Add(m.Now(), "recover", "node %s recovers with the versions it had", NodeName(arg))
		default:
			m.net.Crash(arg)
			m.log.Add(m.Now(), "crash", "node %s crashes", NodeName(arg))
		}
		return nil
	case "write", "read":
		if m.issued >= m.ops {
			return fmt.Errorf("%s: all %d operations have been issued (raise ops for more)", action, m.ops)
		}
		kind := engine.Read
		if action == "write" {
			kind = engine.Write
		}
		m.invoke(0, kind, m.sim.Rand().IntN(m.keys), false)
		return nil
	}
	return fmt.Errorf("unknown action %q (want crash, recover, write or read)", action)
}

// rest lets client c think, then start its next operation.
func (m *Model) rest(c int) {
	d := time.Duration(m.sim.Rand().ExpFloat64() * float64(m.think))
	m.sim.After(d, func() {
		if m.issued >= m.ops {
			return
		}
		kind := engine.Read
		if m.sim.Rand().Float64() < m.writeShare {
			kind = engine.Write
		}
		m.invoke(c, kind, m.sim.Rand().IntN(m.keys), true)
	})
}

// invoke starts an operation: the client sends it to every replica and
// waits for its quorum or the timeout.
func (m *Model) invoke(c int, kind engine.OpKind, key int, auto bool) {
	m.issued++
	op := &Op{ID: m.issued, Client: c, Kind: kind, Key: key, Invoke: m.Now(), Need: m.r, auto: auto}
	msg := ReadReq
	if kind == engine.Write {
		m.last[key]++
		op.Version, op.Need, msg = m.last[key], m.w, WriteReq
		m.log.Add(m.Now(), "write", "%s writes %s=v%d to %d replicas (needs W=%d)", m.client(c), keyNames[key], op.Version, m.n, m.w)
	} else {
		op.Newest, op.NewestAt = m.newest[key].version, m.newest[key].at
		m.log.Add(m.Now(), "read", "%s reads %s from %d replicas (needs R=%d)", m.client(c), keyNames[key], m.n, m.r)
	}
	m.pending = append(m.pending, op)
	for i := range m.n {
		m.net.Send(m.n+c, i, msg, Packet{Op: op.ID, Key: key, Version: op.Version}, m.serve)
	}
	m.sim.After(m.timeout, func() { m.expire(op) })
}

// serve is a replica handling a request.
func (m *Model) serve(msg engine.Message) {
	p := msg.Payload.(Packet)
	held := &m.versions[msg.To][p.Key]
	kind := Reply
	if msg.Kind == WriteReq {
		*held = max(*held, p.Version)
		kind = Ack
	}
	m.net.Send(msg.To, msg.From, kind, Packet{Op: p.Op, Key: p.Key, Version: *held}, m.answer)
}

// answer is a client receiving an ack or a reply.
func (m *Model) answer(msg engine.Message) {
	p := msg.Payload.(Packet)
	i := slices.IndexFunc(m.pending, func(op *Op) bool { return op.ID == p.Op })
	if i < 0 {
		return // late: the operation has completed
	}
	op := m.pending[i]
	op.Replies++
	from, key := NodeName(msg.From), keyNames[op.Key]
	if op.Kind == engine.Write {
		if op.Replies < op.Need {
			m.log.Add(m.Now(), "ack", "%s acks write %s=v%d (%d of W=%d)", from, key, op.Version, op.Replies, op.Need)
			return
		}
		m.log.Add(m.Now(), "ack", "%s acks write %s=v%d (%d of W=%d) — write succeeds", from, key, op.Version, op.Replies, op.Need)
		m.finish(op, OK)
		return
	}
	op.Version = max(op.Version, p.Version)
	if op.Replies < op.Need {
		m.log.Add(m.Now(), "reply", "%s replies %s=v%d (%d of R=%d)", from, key, p.Version, op.Replies, op.Need)
		return
	}
	if op.Version < op.Newest {
		m.log.Add(m.Now(), "stale", "%sread %s returns v%d from %d of R=%d replicas — STALE: v%d was acknowledged at %s",
			m.prefix(op), key, op.Version, op.Replies, op.Need, op.Newest, ms(op.NewestAt))
		m.finish(op, Stale)
		return
	}
	m.log.Add(m.Now(), "read", "%sread %s returns v%d from %d of R=%d replicas", m.prefix(op), key, op.Version, op.Replies, op.Need)
	m.finish(op, OK)
}

// expire fails op if it is still waiting for its quorum.
func (m *Model) expire(op *Op) {
	if op.Outcome != Pending {
		return
	}
	key := keyNames[op.Key]
	if op.Kind == engine.Write {
		m.log.Add(m.Now(), "fail", "%swrite %s=v%d times out: %d of W=%d acks", m.prefix(op), key, op.Version, op.Replies, op.Need)
	} else {
		m.log.Add(m.Now(), "fail", "%sread %s times out: %d of R=%d replies", m.prefix(op), key, op.Replies, op.Need)
	}
	m.finish(op, Failed)
}

// finish completes op, counts it and lets its client go on.
func (m *Model) finish(op *Op, o Outcome) {
	op.Outcome, op.Return = o, m.Now()
	m.pending = slices.DeleteFunc(m.pending, func(p *Op) bool { return p == op })
	m.done++
	c := &m.counts
	switch {
	case op.Kind == engine.Write && o == OK:
		c.WritesOK++
		if nw := &m.newest[op.Key]; op.Version > nw.version {
			*nw = newest{op.Version, op.Return}
		}
	case op.Kind == engine.Write:
		c.WritesFailed++
	case o == Failed:
		c.ReadsFailed++
	default:
		c.ReadsOK++
		if o == Stale {
			c.StaleReads++
		}
	}
	m.hist.Add(engine.Record{
		Client: op.Client, Kind: op.Kind, Key: keyNames[op.Key], Value: op.Version,
		Invoke: op.Invoke, Return: op.Return, OK: o != Failed,
	})
	if len(m.recent) == recentSize {
		m.recent = slices.Delete(m.recent, 0, 1)
	}
	m.recent = append(m.recent, *op)
	if op.auto {
		m.rest(op.Client)
	}
}

// dropped narrates a message lost on the wire.
func (m *Model) dropped(msg engine.Message) {
	if msg.Why != engine.Lost {
		return // a down replica: the view shows it
	}
	p := msg.Payload.(Packet)
	key := keyNames[p.Key]
	switch msg.Kind {
	case WriteReq:
		m.log.Add(m.Now(), "drop", "write %s=v%d to %s is lost", key, p.Version, NodeName(msg.To))
	case Ack:
		m.log.Add(m.Now(), "drop", "ack of %s=v%d from %s is lost", key, p.Version, NodeName(msg.From))
	case ReadReq:
		m.log.Add(m.Now(), "drop", "read %s to %s is lost", key, NodeName(msg.To))
	case Reply:
		m.log.Add(m.Now(), "drop", "reply %s=v%d from %s is lost", key, p.Version, NodeName(msg.From))
	}
}

// client names client c in narration: "client" when there is one.
func (m *Model) client(c int) string {
	if m.clients == 1 {
		return "client"
	}
	return fmt.Sprintf("client %d", c+1)
}

// prefix names the client of op at the start of a line when there are
// several.
func (m *Model) prefix(op *Op) string {
	if m.clients == 1 {
		return ""
	}
	return m.client(op.Client) + ": "
}

// ms formats a virtual time as whole milliseconds: "812 ms".
func ms(t time.Duration) string { return fmt.Sprintf("%.0f ms", float64(t)/float64(time.Millisecond)) }
