package quorum

import (
	"time"

	"github.com/scaling-data/book/sim/engine"
)

// Anti-entropy with Merkle trees. Every interval, two neighbouring nodes
// on the ring (A and B, then B and C, … round robin) compare what they hold
// for the keys both are replicas of. Each builds a Merkle tree over those
// keys: the leaves hash one key's versions (padded with empty leaves to a
// power of two), each parent hashes its two children. The pair swaps the
// hashes of one level per message, from the root down, and descends only
// below hashes that differ; at the leaves, the keys that differ are
// exchanged both ways and each side stores what it lacks.

// Phase is how far an anti-entropy session has got.
type Phase int

const (
	Comparing  Phase = iota // hashes travelling level by level
	Exchanging              // differing keys travelling both ways
	InSync                  // finished: the trees matched, or the keys were exchanged
	Aborted                 // a message was lost or a node unreachable
)

func (p Phase) String() string {
	return [...]string{"comparing", "exchanging", "in sync", "aborted"}[p]
}

// Session is one Merkle-tree comparison between two replicas, for the
// view to draw step by step.
type Session struct {
	ID   int
	A, B int   // the two nodes; A starts
	Keys []int // the leaves' keys, in order; the rest of the leaves are empty
	// Trees are both sides' hashes, heap-ordered: node 0 is the root and
	// node j has children 2j+1 and 2j+2; the last Leaves entries are the
	// leaves. They are taken when the session starts.
	Trees [2][]uint32
	// Level is the deepest level compared so far (-1 before the root
	// arrives), and Differ marks the compared tree nodes whose hashes
	// differ.
	Level  int
	Differ []bool
	// Exchanged are the keys found different, sent both ways.
	Exchanged []int
	Phase     Phase
	Started   time.Duration
	waiting   int // sync messages not yet arrived
}

// Leaves is the number of leaves of the session's trees.
func (s *Session) Leaves() int { return (len(s.Trees[0]) + 1) / 2 }

// Depth is the number of levels of the session's trees.
func (s *Session) Depth() int {
	d := 1
	for l := s.Leaves(); l > 1; l /= 2 {
		d++
	}
	return d
}

// Session returns the current or last anti-entropy session, or nil.
func (m *Model) Session() *Session { return m.session }

// scheduleEntropy runs a session every interval, forever.
func (m *Model) scheduleEntropy() {
	m.sim.After(m.interval, func() {
		m.startSession()
		m.scheduleEntropy()
	})
}

// startSession starts a comparison between the next pair of neighbours
// that share keys and can reach each other, unless one is running.
func (m *Model) startSession() {
	if s := m.session; s != nil && s.Phase < InSync {
		return
	}
	for range m.nodes {
		a := m.sessions % m.nodes
		b := (a + 1) % m.nodes
		m.sessions++
		var keys []int
		for k := range m.keys {
			if m.Home(a, k) && m.Home(b, k) {
				keys = append(keys, k)
			}
		}
		if a == b || len(keys) == 0 || !m.linked(a, b) {
			continue
		}
		s := &Session{ID: m.sessions, A: a, B: b, Keys: keys, Level: -1, Started: m.Now()}
		s.Trees[0], s.Trees[1] = m.tree(a, keys), m.tree(b, keys)
		s.Differ = make([]bool, len(s.Trees[0]))
		m.session = s
		m.log.Add(m.Now(), "merkle", "anti-entropy: %s sends %s its Merkle root over %s", NodeName(a), NodeName(b), keyList(keys))
		m.sendSession(a, b, MerkleReq, Packet{Op: s.ID, Level: 0}, m.compareLevel)
		return
	}
}

// keyList names keys: "x, y".
func keyList(keys []int) string {
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += keyNames[k]
	}
	return out
}

// tree is node i's Merkle tree over keys.
func (m *Model) tree(i int, keys []int) []uint32 {
	leaves := 1
	for leaves < len(keys) {
		leaves *= 2
	}
	t := make([]uint32, 2*leaves-1)
	for j, k := range keys {
		t[leaves-1+j] = leafHash(k, m.store[i][k])
	}
	for j := leaves - 2; j >= 0; j-- {
		t[j] = pairHash(t[2*j+1], t[2*j+2])
	}
	return t
}

// FNV-1a, 32 bits.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnv(h uint32, x uint32) uint32 {
	for range 4 {
		h ^= x & 0xff
		h *= fnvPrime
		x >>= 8
	}
	return h
}

// leafHash hashes a key and its versions (numbers and clocks).
func leafHash(key int, s Set) uint32 {
	h := fnv(fnvOffset, uint32(key))
	for _, v := range s {
		h = fnv(h, uint32(v.Num))
		for _, c := range v.Clock {
			h = fnv(h, uint32(c))
		}
	}
	return h
}

func pairHash(a, b uint32) uint32 { return fnv(fnv(fnvOffset, a), b) }

// levelNodes returns the tree nodes at a level: 2^level of them.
func levelNodes(level int) (first, count int) {
	count = 1 << level
	return count - 1, count
}

// sendSession sends an anti-entropy message. These are background
// traffic: a run is Done with some in flight.
func (m *Model) sendSession(from, to int, kind string, p Packet, deliver func(engine.Message)) {
	if _, ok := m.net.Send(from, to, kind, p, deliver); ok {
		m.background++
	}
}

// compareLevel is one side receiving the other's hashes of a level: it
// marks the nodes that differ (those whose parent differed), then asks for
// the next level, or starts the exchange at the leaves.
func (m *Model) compareLevel(msg engine.Message) {
	m.background--
	s := m.session
	p := msg.Payload.(Packet)
	if s == nil || s.ID != p.Op || s.Phase != Comparing {
		return
	}
	s.Level = p.Level
	first, count := levelNodes(p.Level)
	differ := 0
	for j := first; j < first+count; j++ {
		parentDiffers := j == 0 || s.Differ[(j-1)/2]
		s.Differ[j] = parentDiffers && s.Trees[0][j] != s.Trees[1][j]
		if s.Differ[j] {
			differ++
		}
	}
	a, b := NodeName(msg.To), NodeName(msg.From)
	switch {
	case differ == 0:
		s.Phase = InSync
		m.log.Add(m.Now(), "merkle", "anti-entropy: %s and %s have the same hashes: in sync", a, b)
	case p.Level == s.Depth()-1:
		s.Phase = Exchanging
		leaves := s.Leaves()
		for j, k := range s.Keys {
			if s.Differ[leaves-1+j] {
				s.Exchanged = append(s.Exchanged, k)
			}
		}
		m.log.Add(m.Now(), "merkle", "anti-entropy: %s and %s differ on %s: exchanging", a, b, keyList(s.Exchanged))
		for _, k := range s.Exchanged {
			s.waiting += 2
			m.sendSession(s.A, s.B, SyncReq, Packet{Op: s.ID, Key: k, Versions: m.store[s.A][k]}, m.takeSync)
			m.sendSession(s.B, s.A, SyncReq, Packet{Op: s.ID, Key: k, Versions: m.store[s.B][k]}, m.takeSync)
		}
	default:
		m.log.Add(m.Now(), "merkle", "anti-entropy: %s finds %d of %d hashes differ at level %d; asks %s for the level below", a, differ, count, p.Level, b)
		m.sendSession(msg.To, msg.From, MerkleReq, Packet{Op: s.ID, Level: p.Level + 1}, m.compareLevel)
	}
}

// takeSync is a replica storing the versions of a key its peer sent.
func (m *Model) takeSync(msg engine.Message) {
	m.background--
	p := msg.Payload.(Packet)
	for _, v := range p.Versions {
		m.put(msg.To, p.Key, v)
	}
	if s := m.session; s != nil && s.ID == p.Op && s.Phase == Exchanging {
		if s.waiting--; s.waiting == 0 {
			s.Phase = InSync
			m.log.Add(m.Now(), "merkle", "anti-entropy: %s and %s now agree on %s", NodeName(s.A), NodeName(s.B), keyList(s.Exchanged))
		}
	}
}

// sessionDropped aborts the session whose message did not arrive.
func (m *Model) sessionDropped(msg engine.Message) {
	m.background--
	p := msg.Payload.(Packet)
	if s := m.session; s != nil && s.ID == p.Op && s.Phase < InSync {
		s.Phase = Aborted
		m.log.Add(m.Now(), "merkle", "anti-entropy between %s and %s aborted: a message from %s to %s did not arrive (%s)",
			NodeName(s.A), NodeName(s.B), NodeName(msg.From), NodeName(msg.To), msg.Why)
	}
}
