package quorum

import (
	"github.com/scaling-data/book/sim/engine"
)

// Read repair. Once a read has returned, its coordinator sends what it
// returned to every replica that answered with less; replies arriving
// after the read returned, up to its timeout, are checked the same way.
// Stand-ins are not repaired: their hints go home by handoff.

// repairAfterRead repairs the replicas that have replied so far, then
// keeps the read open for late replies until its timeout.
func (m *Model) repairAfterRead(op *Op) {
	for _, r := range op.replies {
		m.repairReplica(op, r)
	}
	m.linger = append(m.linger, op)
}

// lateReply is a reply to a read that has already returned.
func (m *Model) lateReply(op *Op, from int, p Packet) {
	m.repairReplica(op, reply{node: from, home: p.Home < 0, set: p.Versions})
}

// repairReplica sends op's result to the replica that sent r if r is
// behind it.
func (m *Model) repairReplica(op *Op, r reply) {
	if !r.home || r.set.CoversAll(op.Result, m.policy) {
		return
	}
	m.counts.ReadRepairs++
	m.log.Add(m.Now(), "repair", "read repair: %s sends %s=%s to %s (it answered %s)",
		m.client(op.Client), keyNames[op.Key], op.Result.Nums(), NodeName(r.node), r.set.Nums())
	m.net.Send(m.nodes+op.Client, r.node, RepairReq, Packet{Op: op.ID, Key: op.Key, Versions: op.Result, Home: -1}, m.takeRepair)
}

// takeRepair is a replica storing the versions a read repair sent.
func (m *Model) takeRepair(msg engine.Message) {
	p := msg.Payload.(Packet)
	for _, v := range p.Versions {
		m.put(msg.To, p.Key, v)
	}
}
