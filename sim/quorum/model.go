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
	historySize = 1000 // completed operations, for History
	recentSize  = 8    // completed operations for the panel
)

// Outcome is how an operation ended.
type Outcome int

const (
	Pending Outcome = iota // still waiting for its quorum
	OK                     // acknowledged by W, or answered by R with a fresh version
	Failed                 // timed out before its quorum
	Stale                  // a read answered by R that missed an acknowledged write
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
	// Version is the version written, or the highest version number a read
	// has been told so far (its value once it completes: with siblings, the
	// highest of them).
	Version int
	// Result is, for a read, the versions it returns: one, or several
	// concurrent siblings under vector clocks.
	Result  Set
	Invoke  time.Duration
	Return  time.Duration // zero while pending
	Replies int           // acks (write) or replies (read) received
	Need    int           // W or R
	Outcome Outcome
	// Newest is, for a read, the newest version acknowledged to any client
	// before the read was invoked, and NewestAt when it was acknowledged:
	// a read that does not include it is stale.
	Newest   int
	NewestAt time.Duration
	newest   Clock
	// Targets are the nodes the operation was sent to.
	Targets []Target
	replies []reply // read replies, for read repair
	auto    bool    // issued by the client's workload, not by the reader
}

// Target is a node an operation was sent to. Home is the replica a
// stand-in takes the place of, or -1 when Node is a replica of the key.
type Target struct {
	Node, Home int
}

type reply struct {
	node int
	home bool // from one of the key's replicas, not a stand-in
	set  Set
}

// Packet is the payload of every message.
type Packet struct {
	Op  int // Op.ID, hint ID or session ID, by kind
	Key int
	// Versions is the version written, the versions a replica holds, or
	// the versions repaired, handed off or exchanged.
	Versions Set
	// Home is the replica a stand-in is asked to hold a write (or answer a
	// read) for, or -1.
	Home int
	// Level is the depth of the Merkle-tree hashes a "merkle" message
	// carries.
	Level int
}

// Message kinds.
const (
	WriteReq   = "write"       // client → node: store this version
	Ack        = "ack"         // node → client: stored
	ReadReq    = "read"        // client → node: what versions do you hold?
	Reply      = "reply"       // node → client: these versions
	RepairReq  = "repair"      // client → replica: a newer version, after a read
	Handoff    = "handoff"     // stand-in → replica: the writes held for you
	HandoffAck = "handoff-ack" // replica → stand-in: stored, drop the hint
	MerkleReq  = "merkle"      // replica ↔ replica: hashes of one tree level
	SyncReq    = "sync"        // replica ↔ replica: the versions of a key that differs
)

// Counts are the lab's counting metrics.
type Counts struct {
	WritesOK, WritesFailed, ReadsOK, ReadsFailed, StaleReads int
	HintedHandoffs, ReadRepairs, Siblings, LostWrites        int
}

// Model is a running quorum lab. Endpoints 0..nodes-1 of its network are
// the nodes of the ring; nodes+c is client c.
type Model struct {
	nodes, n, w, r, keys, clients, ops int
	sloppy, handoff, repair, entropy   bool
	policy                             int
	writeShare                         float64 // 0..1
	think, timeout, interval           time.Duration
	crashK                             int
	partition                          bool

	sim  *engine.Sim
	net  *engine.Network
	log  *engine.Log
	hist *engine.History

	pref    [][]int    // [key]: preference list
	store   [][]Set    // [node][key]: versions a replica holds
	hints   [][]*Hint  // [node]: writes a stand-in holds for others
	last    []int      // [key]: the last version number assigned
	counter [][]int32  // [client][key]: the client's own clock entry
	context [][]Clock  // [client][key]: what the client has seen
	writes  []writeLog // [key]: recent writes, by version number
	newest  []newest   // [key]: the newest acknowledged write
	pending []*Op      // in invocation order
	linger  []*Op      // completed reads still taking late replies (read repair)
	recent  []Op       // completed, oldest first, for the panel
	window  []Op       // completed, oldest first, for the checker and the view
	applied []Applied  // versions replicas stored, oldest first
	counts  Counts
	issued  int // operations invoked
	done    int // operations completed
	split   bool

	hintSeq    int
	handing    bool // a handoff round is scheduled
	session    *Session
	sessions   int // sessions started, for IDs and round robin
	background int // anti-entropy messages in flight

	latency [2]latencies // by engine.OpKind
	verdict verdictCache
}

type newest struct {
	version int
	clock   Clock
	at      time.Duration
}

var _ lab.Model = (*Model)(nil)

// New returns a quorum model at time zero. Values out of range are
// clamped, missing ones take their defaults, and invalid relations are
// repaired (the ring grows to N nodes; W and R are clamped to N).
func New(v lab.Values, seed uint64) *Model {
	v = normalize(v)
	m := &Model{
		nodes:      v.Int("nodes"),
		n:          v.Int("n"),
		w:          v.Int("w"),
		r:          v.Int("r"),
		keys:       v.Int("keys"),
		clients:    v.Int("clients"),
		ops:        v.Int("ops"),
		sloppy:     v.Bool("sloppy"),
		handoff:    v.Bool("handoff"),
		repair:     v.Bool("repair"),
		entropy:    v.Bool("antientropy"),
		policy:     v.Int("versions"),
		writeShare: v.Float("writes") / 100,
		think:      v.Ms("think"),
		timeout:    v.Ms("timeout"),
		interval:   v.Ms("interval"),
		crashK:     v.Int("crash"),
		partition:  v.Bool("partition"),
		sim:        engine.NewSim(seed),
		log:        engine.NewLog(logSize),
		hist:       engine.NewHistory(historySize),
	}
	m.net = engine.NewNetwork(m.sim, m.nodes+m.clients, engine.Latency{Mean: v.Ms("latency"), Spread: v.Ms("spread")})
	m.net.SetLoss(v.Float("loss") / 100)
	m.net.OnDrop = m.dropped
	m.store = make([][]Set, m.nodes)
	for i := range m.store {
		m.store[i] = make([]Set, m.keys)
	}
	m.hints = make([][]*Hint, m.nodes)
	m.pref = make([][]int, m.keys)
	m.writes = make([]writeLog, m.keys)
	for k := range m.keys {
		m.pref[k] = preference(k, m.nodes)
	}
	m.last = make([]int, m.keys)
	m.newest = make([]newest, m.keys)
	m.counter = make([][]int32, m.clients)
	m.context = make([][]Clock, m.clients)
	for c := range m.clients {
		m.counter[c] = make([]int32, m.keys)
		m.context[c] = make([]Clock, m.keys)
		m.rest(c)
	}
	m.schedule()
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

// Done reports that every operation has completed, no message is in
// flight but anti-entropy's (which never stops), the scheduled faults are
// over, and no hint could be delivered.
func (m *Model) Done() bool {
	return m.done >= m.ops && m.net.Busy() == m.background && m.faultsOver() && !m.handoffDue()
}

// Log is the narration.
func (m *Model) Log() *engine.Log { return m.log }

// History is the record of completed operations.
func (m *Model) History() *engine.History { return m.hist }

// Metrics returns the values of the schema's metrics, in order.
func (m *Model) Metrics() []float64 {
	c := m.counts
	lin := 0.0
	if m.Verdict().Linearizable {
		lin = 1
	}
	w, r := &m.latency[engine.Write], &m.latency[engine.Read]
	return []float64{
		float64(c.WritesOK), float64(c.WritesFailed), float64(c.ReadsOK), float64(c.ReadsFailed), float64(c.StaleReads),
		float64(c.HintedHandoffs), float64(c.ReadRepairs), float64(c.Siblings), float64(c.LostWrites), lin,
		w.percentile(50), w.percentile(99), r.percentile(50), r.percentile(99),
	}
}

// Counts returns the counting metrics.
func (m *Model) Counts() Counts { return m.counts }

// Nodes is the number of nodes on the ring.
func (m *Model) Nodes() int { return m.nodes }

// N is the number of replicas of each key.
func (m *Model) N() int { return m.n }

// W is the write quorum.
func (m *Model) W() int { return m.w }

// R is the read quorum.
func (m *Model) R() int { return m.r }

// Clients is the number of clients.
func (m *Model) Clients() int { return m.clients }

// Timeout is how long a client waits for its quorum.
func (m *Model) Timeout() time.Duration { return m.timeout }

// Sloppy reports whether quorums are sloppy.
func (m *Model) Sloppy() bool { return m.sloppy }

// HandoffOn reports whether stand-ins hand their hints off.
func (m *Model) HandoffOn() bool { return m.handoff }

// RepairOn reports whether reads repair the replicas they found behind.
func (m *Model) RepairOn() bool { return m.repair }

// AntiEntropyOn reports whether replicas compare Merkle trees.
func (m *Model) AntiEntropyOn() bool { return m.entropy }

// Policy is LWW or VClock.
func (m *Model) Policy() int { return m.policy }

// Keys returns the names of the keys in use: x, y …
func (m *Model) Keys() []string { return slices.Clone(keyNames[:m.keys]) }

// Up reports whether node i is up.
func (m *Model) Up(i int) bool { return m.net.Up(i) }

// Split reports whether the ring is partitioned.
func (m *Model) Split() bool { return m.split }

// Versions is what node i holds for key as one of its replicas.
func (m *Model) Versions(i, key int) Set { return m.store[i][key] }

// Version is the highest version of key that node i holds (0 before any
// write reached it).
func (m *Model) Version(i, key int) int { return m.store[i][key].Max() }

// Newest returns the newest acknowledged version of key and when it was
// acknowledged (0 before any write succeeded).
func (m *Model) Newest(key int) (version int, at time.Duration) {
	return m.newest[key].version, m.newest[key].at
}

// InFlight returns the messages on their way, oldest first. Their Payload
// is a Packet.
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

// Window returns the completed operations the checker looks at (up to
// the last 200), oldest first.
func (m *Model) Window() []Op { return m.window }

// Applied returns the recent versions stored by replicas, oldest first.
func (m *Model) Applied() []Applied { return m.applied }

// Do applies a reader's action: "crash" or "recover" node arg,
// "partition" or "heal" the ring, "write" or "read" a key now (as client 1,
// counting towards ops).
func (m *Model) Do(action string, arg int) error {
	switch action {
	case "crash", "recover":
		if arg < 0 || arg >= m.nodes {
			return fmt.Errorf("%s: node %d out of range 0..%d", action, arg, m.nodes-1)
		}
		switch up := m.net.Up(arg); {
		case up && action == "recover":
			return fmt.Errorf("recover: node %s is already up", NodeName(arg))
		case !up && action == "crash":
			return fmt.Errorf("crash: node %s is already down", NodeName(arg))
		case !up:
			m.recoverNode(arg)
		default:
			m.crashNode(arg)
		}
		return nil
	case "partition":
		if m.split {
			return fmt.Errorf("partition: the ring is already split")
		}
		m.cut()
		return nil
	case "heal":
		if !m.split {
			return fmt.Errorf("heal: the ring is not split")
		}
		m.heal()
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
	return fmt.Errorf("unknown action %q (want crash, recover, partition, heal, write or read)", action)
}

// dropped narrates a message lost on the wire and lets anti-entropy and
// handoff notice their messages did not arrive.
func (m *Model) dropped(msg engine.Message) {
	p := msg.Payload.(Packet)
	switch msg.Kind {
	case Handoff, HandoffAck:
		m.handoffDropped(msg)
	case MerkleReq, SyncReq:
		m.sessionDropped(msg)
	}
	if msg.Why != engine.Lost {
		return // a down node or a cut link: the view shows it
	}
	key := keyNames[p.Key]
	switch msg.Kind {
	case WriteReq:
		m.log.Add(m.Now(), "drop", "write %s=v%d to %s is lost", key, p.Versions.Max(), NodeName(msg.To))
	case Ack:
		m.log.Add(m.Now(), "drop", "ack of %s=v%d from %s is lost", key, p.Versions.Max(), NodeName(msg.From))
	case ReadReq:
		m.log.Add(m.Now(), "drop", "read %s to %s is lost", key, NodeName(msg.To))
	case Reply:
		m.log.Add(m.Now(), "drop", "reply %s=%s from %s is lost", key, p.Versions.Nums(), NodeName(msg.From))
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
