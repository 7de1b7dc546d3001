package quorum

import (
	"slices"
	"time"

	"github.com/scaling-data/book/sim/engine"
)

// Hinted handoff. Every handoffEvery, each stand-in holding hints sends
// them to their home replica if it can reach it; the replica stores the
// versions and acknowledges, and on the ack the stand-in drops them. A
// hint holds the versions of one key for one replica: under last-write-wins
// a newer write absorbs the older ones, and the handoff delivers them all.

// handoffEvery is how often stand-ins try to deliver their hints.
const handoffEvery = 100 * time.Millisecond

// startHandoff schedules a handoff round unless one is due or handoff is
// off.
func (m *Model) startHandoff() {
	if !m.handoff || m.handing {
		return
	}
	m.handing = true
	m.sim.After(handoffEvery, m.handoffRound)
}

// handoffRound sends every deliverable hint home, then schedules the next
// round while any hint is left.
func (m *Model) handoffRound() {
	m.handing = false
	left := false
	for i, hs := range m.hints {
		for _, h := range hs {
			left = true
			if h.sending != nil || !m.linked(i, h.Home) {
				continue
			}
			h.sending, h.carried = h.Versions, h.Writes
			m.log.Add(m.Now(), "handoff", "%s hands %s=%s off to %s", NodeName(i), keyNames[h.Key], h.Versions.Nums(), NodeName(h.Home))
			m.net.Send(i, h.Home, Handoff, Packet{Op: h.ID, Key: h.Key, Versions: h.Versions, Home: h.Home}, m.takeHandoff)
		}
	}
	if left {
		m.startHandoff()
	}
}

// linked reports whether nodes i and j are both up and can talk both ways.
func (m *Model) linked(i, j int) bool {
	return m.net.Up(i) && m.net.Up(j) && m.net.Linked(i, j) && m.net.Linked(j, i)
}

// takeHandoff is the home replica storing handed-off versions.
func (m *Model) takeHandoff(msg engine.Message) {
	p := msg.Payload.(Packet)
	for _, v := range p.Versions {
		m.put(msg.To, p.Key, v)
	}
	m.net.Send(msg.To, msg.From, HandoffAck, p, m.handoffAcked)
}

// handoffAcked is the stand-in dropping the versions its hint delivered.
func (m *Model) handoffAcked(msg engine.Message) {
	p := msg.Payload.(Packet)
	hs := m.hints[msg.To]
	i := slices.IndexFunc(hs, func(h *Hint) bool { return h.ID == p.Op })
	if i < 0 {
		return
	}
	h := hs[i]
	m.counts.HintedHandoffs += h.carried
	h.Writes -= h.carried
	var rest Set
	for _, v := range h.Versions {
		if !slices.Contains(p.Versions, v) {
			rest = append(rest, v)
		}
	}
	h.Versions, h.sending, h.carried = rest, nil, 0
	m.log.Add(m.Now(), "handoff", "%s has %s=%s: %s drops the hint", NodeName(msg.From), keyNames[p.Key], p.Versions.Nums(), NodeName(msg.To))
	if len(rest) == 0 {
		m.hints[msg.To] = slices.Delete(hs, i, i+1)
	}
}

// handoffDropped lets a stand-in try again after a handoff or its ack was
// lost.
func (m *Model) handoffDropped(msg engine.Message) {
	p := msg.Payload.(Packet)
	holder := msg.From
	if msg.Kind == HandoffAck {
		holder = msg.To
	}
	for _, h := range m.hints[holder] {
		if h.ID == p.Op {
			h.sending, h.carried = nil, 0
		}
	}
}

// handoffDue reports whether some hint could be delivered now.
func (m *Model) handoffDue() bool {
	if !m.handoff {
		return false
	}
	for i, hs := range m.hints {
		for _, h := range hs {
			if m.linked(i, h.Home) {
				return true
			}
		}
	}
	return false
}
