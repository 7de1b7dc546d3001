package cap

import (
	"fmt"
	"math/bits"
	"slices"
	"time"

	"github.com/scaling-data/book/sim/engine"
)

// CP mode is a small Raft. Instead of a log, every message from the leader
// carries its whole state (a few keys), stamped with (term, sequence): a
// follower keeps the highest stamp it has seen, and votes only for a
// candidate whose stamp is at least its own, so a new leader holds every
// committed write. A candidate first asks for pre-votes, so a replica cut
// off from the majority does not inflate terms; a leader that has not heard
// from a majority for an election timeout steps down; reads go through
// ReadIndex: the leader answers from its committed state once a majority
// has confirmed, after the read arrived, that it still leads.

// Raft timing.
const (
	heartbeat   = 100 * time.Millisecond
	electionMin = 400 * time.Millisecond
	electionMax = 600 * time.Millisecond
)

// Role is what a CP replica is doing.
type Role int

const (
	Follower Role = iota
	Candidate
	Leader
)

func (r Role) String() string { return [...]string{"follower", "candidate", "leader"}[r] }

// stamp orders the states a leader sends: by term, then by write.
type stamp struct{ Term, Seq int }

func (a stamp) less(b stamp) bool {
	if a.Term != b.Term {
		return a.Term < b.Term
	}
	return a.Seq < b.Seq
}

// pendingWrite is a write (or, with op 0, a new leader's first entry)
// waiting for a majority.
type pendingWrite struct {
	at                    stamp
	snap                  []Value // the leader's state with the write applied
	op, client, from, key int
	ver                   Version
}

// pendingRead waits for a majority to confirm leadership after round.
type pendingRead struct {
	op, client, from, key, round int
}

// replica is one replica's state, in both modes.
type replica struct {
	id   int
	vals []Value // accepted state (the leader: with uncommitted writes)

	role            Role
	term, votedFor  int
	leader          int // the leader it follows, -1 for none
	heard, deadline time.Duration
	lonely          bool // campaigning since it last heard a leader
	stamp           stamp
	preTerm         int
	pre, votes      uint
	match           []stamp
	lastAck         []time.Duration
	roundAck        []int
	round           int
	pending         []pendingWrite
	reads           []pendingRead
	committed       []Value
	commit          stamp
	ready           bool
}

func newReplica(id, keys int) *replica {
	return &replica{id: id, vals: make([]Value, keys), leader: -1, votedFor: -1}
}

// Role returns replica i's role, its term, and the leader it follows (-1
// for none). AP replicas are all followers of no one.
func (m *Model) Role(i int) (Role, int, int) {
	r := m.reps[i]
	return r.role, r.term, r.leader
}

// startCP makes replica A the leader of term 1 with an empty committed
// state, and starts every replica's timer.
func (m *Model) startCP() {
	for i, r := range m.reps {
		r.term, r.leader = 1, 0
		r.deadline = m.electionTimeout()
		if i == 0 {
			m.lead(r)
			r.ready, r.committed, r.pending = true, cloneVals(r.vals), nil
		}
		m.sim.At(time.Duration(i)*heartbeat/time.Duration(m.n), func() { m.tick(r) })
	}
}

func (m *Model) electionTimeout() time.Duration {
	return m.Now() + electionMin + time.Duration(m.sim.Rand().Int64N(int64(electionMax-electionMin)))
}

// tick is a replica's timer: a leader sends heartbeats (or steps down
// without a majority), a follower that has not heard from a leader for its
// election timeout campaigns.
func (m *Model) tick(r *replica) {
	if m.Now() >= m.until {
		return
	}
	m.sim.After(heartbeat, func() { m.tick(r) })
	if r.role == Leader {
		if m.failover && !m.hasQuorum(r) {
			m.stepDown(r, r.term, fmt.Sprintf("it has not heard from a majority for %s", ms(electionMin)))
			return
		}
		m.broadcast(r, 0)
		return
	}
	if m.failover && m.Now() >= r.deadline {
		m.campaign(r)
	}
}

func (m *Model) hasQuorum(r *replica) bool {
	n := 1
	for j, at := range r.lastAck {
		if j != r.id && m.Now()-at < electionMin {
			n++
		}
	}
	return n >= m.majority()
}

// broadcast sends the leader's state to every follower; a round above zero
// asks them to confirm its leadership for waiting reads.
func (m *Model) broadcast(r *replica, round int) {
	for j := range m.n {
		if j != r.id {
			m.net.Send(r.id, j, MsgAppend, packet{Term: r.term, Stamp: r.stamp, Snap: cloneVals(r.vals), Round: round}, m.deliver)
		}
	}
}

func (m *Model) send(from, to int, kind string, p packet) { m.net.Send(from, to, kind, p, m.deliver) }

// campaign asks every replica for a pre-vote for the next term.
func (m *Model) campaign(r *replica) {
	if !r.lonely {
		r.lonely = true
		m.log.Add(m.Now(), "elect", "%s has not heard from a leader for %s: it asks for pre-votes", NodeName(r.id), ms(electionMin))
	}
	r.preTerm, r.pre = r.term+1, 1<<r.id
	r.leader = -1
	r.deadline = m.electionTimeout()
	for j := range m.n {
		if j != r.id {
			m.send(r.id, j, MsgPreVote, packet{Term: r.preTerm, Stamp: r.stamp})
		}
	}
}

// raft handles the protocol's own messages.
func (m *Model) raft(r *replica, msg engine.Message) {
	p, from := msg.Payload.(packet), msg.From
	switch msg.Kind {
	case MsgAppend:
		if p.Term < r.term {
			m.send(r.id, from, MsgAppendOK, packet{Term: r.term})
			return
		}
		m.follow(r, p.Term)
		r.leader, r.heard, r.lonely = from, m.Now(), false
		r.deadline = m.electionTimeout()
		if r.stamp.less(p.Stamp) {
			r.stamp, r.vals = p.Stamp, cloneVals(p.Snap)
		}
		m.send(r.id, from, MsgAppendOK, packet{Term: r.term, Stamp: r.stamp, Round: p.Round, OK: true})
	case MsgAppendOK:
		if p.Term > r.term {
			m.stepDown(r, p.Term, fmt.Sprintf("%s is in a later term, %d", NodeName(from), p.Term))
			return
		}
		if r.role != Leader || p.Term != r.term || !p.OK {
			return
		}
		r.lastAck[from] = m.Now()
		if p.Stamp.Term == r.term && r.match[from].less(p.Stamp) {
			r.match[from] = p.Stamp
		}
		r.roundAck[from] = max(r.roundAck[from], p.Round)
		m.advance(r)
	case MsgPreVote:
		grant := r.role != Leader && (r.leader < 0 || m.Now()-r.heard >= electionMin) &&
			p.Term > r.term && !p.Stamp.less(r.stamp)
		m.send(r.id, from, MsgPreVoteResp, packet{Term: p.Term, OK: grant})
	case MsgPreVoteResp:
		if !p.OK || p.Term != r.preTerm || r.role == Leader || r.preTerm != r.term+1 {
			return
		}
		r.pre |= 1 << from
		if bits.OnesCount(r.pre) >= m.majority() {
			m.stand(r)
		}
	case MsgVote:
		if p.Term > r.term {
			m.follow(r, p.Term)
			r.leader = -1
		}
		grant := p.Term == r.term && (r.votedFor < 0 || r.votedFor == from) && !p.Stamp.less(r.stamp)
		if grant {
			r.votedFor = from
			r.deadline = m.electionTimeout()
		}
		m.send(r.id, from, MsgVoteResp, packet{Term: r.term, OK: grant})
	case MsgVoteResp:
		if p.Term > r.term {
			m.follow(r, p.Term)
			r.leader = -1
			return
		}
		if r.role != Candidate || p.Term != r.term || !p.OK {
			return
		}
		r.votes |= 1 << from
		if bits.OnesCount(r.votes) >= m.majority() {
			m.log.Add(m.Now(), "elect", "%s wins the election for term %d with %d of %d votes: it leads",
				NodeName(r.id), r.term, bits.OnesCount(r.votes), m.n)
			m.lead(r)
		}
	}
}

// stand starts an election: a new term, a vote for itself, a request to
// every other replica.
func (m *Model) stand(r *replica) {
	r.term++
	r.votedFor, r.role, r.leader, r.preTerm = r.id, Candidate, -1, 0
	r.votes = 1 << r.id
	m.log.Add(m.Now(), "elect", "%s has a majority of pre-votes: it stands for election in term %d", NodeName(r.id), r.term)
	for j := range m.n {
		if j != r.id {
			m.send(r.id, j, MsgVote, packet{Term: r.term, Stamp: r.stamp})
		}
	}
}

// follow moves r to term (if later) as a follower; a leader steps down.
func (m *Model) follow(r *replica, term int) {
	if r.role == Leader && term > r.term {
		m.stepDown(r, term, fmt.Sprintf("it sees a later term, %d", term))
		return
	}
	if term > r.term {
		r.term, r.votedFor = term, -1
	}
	if r.role == Candidate {
		r.role = Follower
	}
}

// lead makes r the leader of its term. Its first entry commits its state in
// the new term; until then it serves nothing.
func (m *Model) lead(r *replica) {
	r.role, r.leader, r.lonely = Leader, r.id, false
	r.stamp = stamp{Term: r.term}
	r.match = make([]stamp, m.n)
	r.lastAck = make([]time.Duration, m.n)
	r.roundAck = make([]int, m.n)
	for j := range r.lastAck {
		r.lastAck[j] = m.Now()
	}
	r.round, r.reads, r.ready = 0, nil, false
	r.pending = []pendingWrite{{at: r.stamp, snap: cloneVals(r.vals)}}
	m.broadcast(r, 0)
}

// stepDown turns a leader into a follower, failing what it was waiting
// for, and moves r to term.
func (m *Model) stepDown(r *replica, term int, why string) {
	if r.role == Leader {
		m.log.Add(m.Now(), "elect", "%s steps down: %s", NodeName(r.id), why)
		for _, p := range r.pending {
			if p.op != 0 {
				m.reply(r.id, p.from, packet{Op: p.op, Client: p.client, Err: NodeName(r.id) + " stepped down before a majority had the write"})
			}
		}
		for _, rd := range r.reads {
			m.reply(r.id, rd.from, packet{Op: rd.op, Client: rd.client, Err: NodeName(r.id) + " stepped down"})
		}
	}
	r.pending, r.reads, r.ready = nil, nil, false
	r.role, r.leader = Follower, -1
	if term > r.term {
		r.term, r.votedFor = term, -1
	}
	r.deadline = m.electionTimeout()
}

// advance commits what a majority holds and answers the reads a majority
// has confirmed.
func (m *Model) advance(r *replica) {
	held := make([]stamp, m.n)
	for j := range m.n {
		held[j] = r.match[j]
	}
	held[r.id] = r.stamp
	slices.SortFunc(held, func(a, b stamp) int {
		switch {
		case b.less(a):
			return -1
		case a.less(b):
			return 1
		}
		return 0
	})
	if c := held[m.majority()-1]; c.Term == r.term && r.commit.less(c) {
		r.commit = c
		for len(r.pending) > 0 && !c.less(r.pending[0].at) {
			p := r.pending[0]
			r.pending = r.pending[1:]
			r.committed = p.snap
			if p.op == 0 {
				r.ready = true
				if r.term > 1 {
					m.log.Add(m.Now(), "elect", "a majority holds %s's state for term %d: it serves requests", NodeName(r.id), r.term)
				}
				continue
			}
			m.log.Add(m.Now(), "commit", "%s commits %s=v%d: a majority of %d holds it", NodeName(r.id), keyNames[p.key], p.ver.ID, m.majority())
			m.reply(r.id, p.from, packet{Op: p.op, Client: p.client, OK: true, Val: Value{Vers: []Version{p.ver}, VC: p.ver.VC}})
		}
	}
	if !r.ready {
		return
	}
	r.reads = slices.DeleteFunc(r.reads, func(rd pendingRead) bool {
		n := 1
		for j, a := range r.roundAck {
			if j != r.id && a >= rd.round {
				n++
			}
		}
		if n < m.majority() {
			return false
		}
		m.reply(r.id, rd.from, packet{Op: rd.op, Client: rd.client, OK: true, Val: r.committed[rd.key].clone()})
		return true
	})
}

// serveCP handles a client's request, or one forwarded by a replica.
func (m *Model) serveCP(r *replica, from int, p packet) {
	refuse := func(why string) {
		m.reply(r.id, from, packet{Op: p.Op, Client: p.Client, Err: why})
	}
	switch {
	case p.Kind == engine.Read && m.localReads:
		m.reply(r.id, from, packet{Op: p.Op, Client: p.Client, OK: true, Val: r.vals[p.Key].clone()})
	case r.role == Leader && !r.ready:
		refuse(NodeName(r.id) + " was just elected and has not committed its term yet")
	case r.role == Leader && p.Kind == engine.Write:
		vc := r.vals[p.Key].VC
		vc[r.id]++
		ver := Version{ID: p.ID, At: m.Now(), Node: r.id, VC: vc}
		r.vals[p.Key] = Value{Vers: []Version{ver}, VC: vc}
		r.stamp.Seq++
		r.pending = append(r.pending, pendingWrite{at: r.stamp, snap: cloneVals(r.vals), op: p.Op, client: p.Client, from: from, key: p.Key, ver: ver})
		m.broadcast(r, 0)
	case r.role == Leader:
		r.round++
		r.reads = append(r.reads, pendingRead{op: p.Op, client: p.Client, from: from, key: p.Key, round: r.round})
		m.broadcast(r, r.round)
	case from >= m.n && r.leader >= 0 && m.Now()-r.heard < electionMin:
		kind := MsgWrite
		if p.Kind == engine.Read {
			kind = MsgRead
		}
		m.send(r.id, r.leader, kind, p)
	case from < m.n:
		refuse(NodeName(r.id) + " is not the leader")
	case r.leader >= 0:
		refuse(fmt.Sprintf("%s has not heard from leader %s for %s", NodeName(r.id), NodeName(r.leader), ms(m.Now()-r.heard)))
	default:
		refuse(NodeName(r.id) + " has no leader: no majority answers it")
	}
}
