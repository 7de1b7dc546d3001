package quorum

import (
	"slices"
	"strings"
	"time"

	"github.com/scaling-data/book/sim/engine"
)

// The coordinator. Each client coordinates its own operations: it picks
// the nodes to send to (the key's N replicas, or with a sloppy quorum the
// first N reachable nodes of its preference list), sends to all of them at
// once, and completes at the W-th ack or R-th reply, or fails at its
// timeout.

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

// reachable reports whether client c can talk to node i both ways: the
// lab's coordinators have a perfect failure detector.
func (m *Model) reachable(c, i int) bool {
	e := m.nodes + c
	return m.net.Up(i) && m.net.Linked(e, i) && m.net.Linked(i, e)
}

// targets returns the nodes client c sends an operation on key to. A
// strict quorum always uses the N replicas. A sloppy quorum skips the
// unreachable ones and asks the next reachable nodes of the preference
// list to stand in, the first stand-in for the first replica skipped.
func (m *Model) targets(c, key int) []Target {
	pref := m.pref[key]
	out := make([]Target, 0, m.n)
	var skipped []int
	for _, i := range pref[:m.n] {
		if m.sloppy && !m.reachable(c, i) {
			skipped = append(skipped, i)
			continue
		}
		out = append(out, Target{Node: i, Home: -1})
	}
	for _, i := range pref[m.n:] {
		if len(skipped) == 0 {
			break
		}
		if m.reachable(c, i) {
			out = append(out, Target{Node: i, Home: skipped[0]})
			skipped = skipped[1:]
		}
	}
	return out
}

// invoke starts an operation: the client sends it to its targets and
// waits for its quorum or the timeout.
func (m *Model) invoke(c int, kind engine.OpKind, key int, auto bool) {
	m.issued++
	op := &Op{ID: m.issued, Client: c, Kind: kind, Key: key, Invoke: m.Now(), Need: m.r, auto: auto}
	op.Targets = m.targets(c, key)
	to := targetNames(op.Targets)
	p := Packet{Op: op.ID, Key: key}
	msg := ReadReq
	if kind == engine.Write {
		m.last[key]++
		m.counter[c][key]++
		clock := m.context[c][key]
		clock[c] = m.counter[c][key]
		m.context[c][key] = clock
		op.Version, op.Need, msg = m.last[key], m.w, WriteReq
		p.Versions = Set{{Num: op.Version, Clock: clock}}
		m.writes[key].add(writeRec{num: op.Version, client: c, invoke: op.Invoke, clock: clock})
		m.log.Add(m.Now(), "write", "%s writes %s=v%d to %s (needs W=%d)", m.client(c), keyNames[key], op.Version, to, m.w)
	} else {
		nw := m.newest[key]
		op.Newest, op.NewestAt, op.newest = nw.version, nw.at, nw.clock
		m.log.Add(m.Now(), "read", "%s reads %s from %s (needs R=%d)", m.client(c), keyNames[key], to, m.r)
	}
	m.pending = append(m.pending, op)
	for _, t := range op.Targets {
		p.Home = t.Home
		m.net.Send(m.nodes+c, t.Node, msg, p, m.serve)
	}
	m.sim.After(m.timeout, func() { m.expire(op) })
}

// targetNames lists targets for narration: "B, C, A (for D)".
func targetNames(ts []Target) string {
	if len(ts) == 0 {
		return "no reachable node"
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = NodeName(t.Node)
		if t.Home >= 0 {
			names[i] += " (for " + NodeName(t.Home) + ")"
		}
	}
	return strings.Join(names, ", ")
}

// answer is a client receiving an ack or a reply.
func (m *Model) answer(msg engine.Message) {
	p := msg.Payload.(Packet)
	find := func(op *Op) bool { return op.ID == p.Op }
	if i := slices.IndexFunc(m.pending, find); i >= 0 {
		m.progress(m.pending[i], msg.From, p)
		return
	}
	if i := slices.IndexFunc(m.linger, find); i >= 0 {
		m.lateReply(m.linger[i], msg.From, p)
	}
}

// progress counts an ack or a reply towards op's quorum.
func (m *Model) progress(op *Op, from int, p Packet) {
	op.Replies++
	node, key := NodeName(from), keyNames[op.Key]
	if op.Kind == engine.Write {
		if op.Replies < op.Need {
			m.log.Add(m.Now(), "ack", "%s acks write %s=v%d (%d of W=%d)", node, key, op.Version, op.Replies, op.Need)
			return
		}
		m.log.Add(m.Now(), "ack", "%s acks write %s=v%d (%d of W=%d) — write succeeds", node, key, op.Version, op.Replies, op.Need)
		m.finish(op, OK)
		return
	}
	op.replies = append(op.replies, reply{node: from, home: p.Home < 0, set: p.Versions})
	op.Result = merge(op.Result, p.Versions, m.policy)
	op.Version = op.Result.Max()
	if op.Replies < op.Need {
		m.log.Add(m.Now(), "reply", "%s replies %s=%s (%d of R=%d)", node, key, p.Versions.Nums(), op.Replies, op.Need)
		return
	}
	got := op.Result.Nums()
	if len(op.Result) > 1 {
		got += " (siblings)"
	}
	if m.stale(op) {
		m.log.Add(m.Now(), "stale", "%sread %s returns %s from %d of R=%d replicas — STALE: v%d was acknowledged at %s",
			m.prefix(op), key, got, op.Replies, op.Need, op.Newest, ms(op.NewestAt))
		m.finish(op, Stale)
		return
	}
	m.log.Add(m.Now(), "read", "%sread %s returns %s from %d of R=%d replicas", m.prefix(op), key, got, op.Replies, op.Need)
	m.finish(op, OK)
}

// stale reports whether a read's result misses the newest write
// acknowledged before it began: under last-write-wins a lower number,
// under vector clocks no version that descends from it.
func (m *Model) stale(op *Op) bool {
	if op.Newest == 0 {
		return false
	}
	return !op.Result.Covers(Version{Num: op.Newest, Clock: op.newest}, m.policy)
}

// expire fails op if it is still waiting for its quorum, and stops a
// completed read from taking late replies.
func (m *Model) expire(op *Op) {
	if op.Outcome != Pending {
		m.linger = slices.DeleteFunc(m.linger, func(p *Op) bool { return p == op })
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
		m.latency[engine.Write].add(op.Return - op.Invoke)
		if nw := &m.newest[op.Key]; op.Version > nw.version {
			*nw = newest{op.Version, m.writeClock(op), op.Return}
		}
	case op.Kind == engine.Write:
		c.WritesFailed++
	case o == Failed:
		c.ReadsFailed++
	default:
		c.ReadsOK++
		m.latency[engine.Read].add(op.Return - op.Invoke)
		if o == Stale {
			c.StaleReads++
		}
		if len(op.Result) > 1 {
			c.Siblings++
		}
		ctx := &m.context[op.Client][op.Key]
		*ctx = ctx.Merge(op.Result.Clock())
	}
	if op.Kind == engine.Write {
		m.writeDone(op)
	}
	m.hist.Add(engine.Record{
		Client: op.Client, Kind: op.Kind, Key: keyNames[op.Key], Value: op.Version,
		Invoke: op.Invoke, Return: op.Return, OK: o != Failed,
	})
	m.remember(*op)
	if op.Kind == engine.Read && o != Failed && m.repair {
		m.repairAfterRead(op)
	}
	if op.auto {
		m.rest(op.Client)
	}
}

// writeClock is the vector clock op wrote with.
func (m *Model) writeClock(op *Op) Clock {
	if r := m.writes[op.Key].get(op.Version); r != nil {
		return r.clock
	}
	return Clock{}
}

// remember keeps a completed operation for the panel and the checker.
func (m *Model) remember(op Op) {
	op.replies = nil
	if len(m.recent) == recentSize {
		m.recent = slices.Delete(m.recent, 0, 1)
	}
	m.recent = append(m.recent, op)
	if len(m.window) == windowSize {
		m.window = slices.Delete(m.window, 0, 1)
	}
	m.window = append(m.window, op)
}
