package quorum

import (
	"slices"
	"time"

	"github.com/scaling-data/book/sim/engine"
)

// Replicas. A node answers requests for the keys it is a replica of from
// its store. A node asked to stand in for an unreachable replica keeps the
// write apart, as a hint naming that replica, and answers reads for the
// key from its hints.

// Hint is a write a stand-in holds for the replica it stood in for.
type Hint struct {
	ID       int
	Key      int
	Home     int // the replica the write belongs to
	Versions Set
	// Writes is how many writes the hint has taken in since its last
	// handoff: newer versions absorb older ones under last-write-wins.
	Writes  int
	sending Set // the versions in a handoff not yet acknowledged
	carried int // the writes that handoff carries
}

// Applied is a version a replica stored, for the view's space-time strip.
type Applied struct {
	Node, Key, Version int
	At                 time.Duration
}

// appliedSize bounds the versions kept for the view.
const appliedSize = 256

// Hints returns the hints node i holds, oldest first.
func (m *Model) Hints(i int) []Hint {
	out := make([]Hint, len(m.hints[i]))
	for j, h := range m.hints[i] {
		out[j] = *h
	}
	return out
}

// serve is a node handling a client's request.
func (m *Model) serve(msg engine.Message) {
	p := msg.Payload.(Packet)
	i := msg.To
	out := Packet{Op: p.Op, Key: p.Key, Home: p.Home}
	kind := Reply
	switch {
	case msg.Kind == WriteReq && p.Home >= 0:
		m.hold(i, p.Key, p.Home, p.Versions[0])
		out.Versions, kind = p.Versions, Ack
	case msg.Kind == WriteReq:
		m.put(i, p.Key, p.Versions[0])
		out.Versions, kind = p.Versions, Ack
	case p.Home >= 0:
		out.Versions = m.hinted(i, p.Key)
	default:
		out.Versions = m.store[i][p.Key]
	}
	m.net.Send(i, msg.From, kind, out, m.answer)
}

// put stores v of key at replica i under the version policy, narrating
// any write last-write-wins drops.
func (m *Model) put(i, key int, v Version) {
	s, lost := apply(m.store[i][key], v, m.policy)
	if !slices.Equal(s, m.store[i][key]) {
		m.store[i][key] = s
		m.noteApplied(i, key, v.Num)
	}
	m.dropWrites(i, key, s, lost)
}

// noteApplied remembers that replica i stored a version, for the view.
func (m *Model) noteApplied(i, key, num int) {
	if len(m.applied) == appliedSize {
		m.applied = slices.Delete(m.applied, 0, 1)
	}
	m.applied = append(m.applied, Applied{Node: i, Key: key, Version: num, At: m.Now()})
}

// dropWrites records writes that node i silently dropped under
// last-write-wins while keeping s.
func (m *Model) dropWrites(i, key int, s Set, lost []int) {
	for _, num := range lost {
		r := m.writes[key].get(num)
		if r == nil || r.dropped {
			continue
		}
		r.dropped = true
		m.log.Add(m.Now(), "lost", "%s keeps %s=v%d and silently drops v%d (concurrent)", NodeName(i), keyNames[key], s.Max(), num)
		m.countLost(r)
	}
}

// hold keeps v of key at stand-in i with a hint naming home.
func (m *Model) hold(i, key, home int, v Version) {
	var h *Hint
	for _, x := range m.hints[i] {
		if x.Key == key && x.Home == home {
			h = x
		}
	}
	if h == nil {
		m.hintSeq++
		h = &Hint{ID: m.hintSeq, Key: key, Home: home}
		m.hints[i] = append(m.hints[i], h)
	}
	s, lost := apply(h.Versions, v, m.policy)
	h.Versions = s
	h.Writes++
	m.dropWrites(i, key, s, lost)
	m.log.Add(m.Now(), "hint", "%s stands in for %s: keeps %s=v%d with a hint", NodeName(i), NodeName(home), keyNames[key], v.Num)
	m.startHandoff()
}

// hinted is what stand-in i holds for key, across its hints.
func (m *Model) hinted(i, key int) Set {
	var s Set
	for _, h := range m.hints[i] {
		if h.Key == key {
			s = merge(s, h.Versions, m.policy)
		}
	}
	return s
}
