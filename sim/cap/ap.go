package cap

import (
	"fmt"
	"slices"
	"time"

	"github.com/scaling-data/book/sim/engine"
)

// AP mode: the replica a client reaches accepts the operation at once and
// passes each write on to every other replica in the background. Replicas
// merge what they receive with what they hold, by the lab's merge policy;
// after a heal every replica sends its whole state to every other.

// serveAP handles a client's request on an AP replica.
func (m *Model) serveAP(r *replica, from int, p packet) {
	k := p.Key
	if p.Kind == engine.Read {
		m.reply(r.id, from, packet{Op: p.Op, Client: p.Client, OK: true, Val: r.vals[k].clone()})
		return
	}
	cur := r.vals[k]
	vc := cur.VC
	vc[r.id]++
	ver := Version{ID: p.ID, At: m.Now(), Node: r.id, VC: vc}
	next := Value{Vers: []Version{ver}, VC: vc}
	if m.merge == CRDT {
		if n := cur.Newest(); n.newer(ver) {
			next.Vers[0] = n // the set's newest element is still the old one
		}
	}
	r.vals[k] = next
	m.reply(r.id, from, packet{Op: p.Op, Client: p.Client, OK: true, Val: Value{Vers: []Version{ver}, VC: vc}})
	for j := range m.n {
		if j != r.id {
			m.send(r.id, j, MsgRepl, packet{Key: k, Val: next.clone()})
		}
	}
}

// syncFrom sends replica i's whole state to every replica it can reach.
func (m *Model) syncFrom(i int) {
	r := m.reps[i]
	for j := range m.n {
		if j != i && m.net.Linked(i, j) {
			m.send(i, j, MsgSync, packet{Snap: cloneVals(r.vals)})
		}
	}
}

// mergeIn merges a replicated write or a whole state into r.
func (m *Model) mergeIn(r *replica, p packet, sync bool) {
	if !sync {
		r.vals[p.Key] = m.mergeValue(r, p.Key, r.vals[p.Key], p.Val, sync)
		return
	}
	for k, v := range p.Snap {
		r.vals[k] = m.mergeValue(r, k, r.vals[k], v, sync)
	}
}

// mergeValue merges an incoming value b into r's value a of key k.
func (m *Model) mergeValue(r *replica, k int, a, b Value, sync bool) Value {
	key := keyNames[k]
	switch m.merge {
	case LWW:
		win, lose := a.Newest(), b.Newest()
		if lose.newer(win) {
			win, lose = lose, win
		}
		if lose.ID != 0 && lose.ID != win.ID && !lose.VC.leq(win.VC) {
			m.lose(r, key, win, lose, sync)
		}
		if win.ID == 0 {
			return Value{}
		}
		return Value{Vers: []Version{win}, VC: win.VC}
	case Siblings:
		all := append(slices.Clone(a.Vers), b.Vers...)
		slices.SortFunc(all, func(x, y Version) int { return x.ID - y.ID })
		all = slices.CompactFunc(all, func(x, y Version) bool { return x.ID == y.ID })
		keep := slices.DeleteFunc(slices.Clone(all), func(x Version) bool {
			return slices.ContainsFunc(all, func(y Version) bool { return y.ID != x.ID && x.VC.leq(y.VC) })
		})
		out := Value{Vers: keep, VC: a.VC.join(b.VC)}
		if len(keep) > 1 && len(keep) > len(a.Vers) {
			m.log.Add(m.Now(), "conflict", "%s: %s now holds siblings %s; the next writer merges them", NodeName(r.id), key, out.describe(m.mode, m.merge))
		}
		return out
	default: // CRDT
		out := Value{VC: a.VC.join(b.VC)}
		if n := a.Newest(); n.newer(b.Newest()) {
			out.Vers = []Version{n}
		} else if n := b.Newest(); n.ID != 0 {
			out.Vers = []Version{n}
		}
		if sync && concurrent(a.VC, b.VC) {
			m.log.Add(m.Now(), "merge", "%s: %s merges %d and %d items into %d; nothing is lost",
				NodeName(r.id), key, a.Items(), b.Items(), out.Items())
		}
		return out
	}
}

// lose records an acknowledged write discarded by last-write-wins.
func (m *Model) lose(r *replica, key string, win, lose Version, sync bool) {
	if lose.ID >= len(m.lost) {
		m.lost = append(m.lost, make([]bool, lose.ID+1-len(m.lost))...)
	}
	if m.lost[lose.ID] || !m.isAcked(lose.ID) {
		return
	}
	m.lost[lose.ID] = true
	m.nLost++
	if sync && len(m.heals) > 0 {
		m.heals[len(m.heals)-1].Lost++
	}
	m.log.Add(m.Now(), "lost", "%s: %s=v%d (written at %s) beats v%d (%s) by timestamp: acknowledged write v%d is lost",
		NodeName(r.id), key, win.ID, clock(win.At), lose.ID, clock(lose.At), lose.ID)
}

// isAcked reports whether the write with version ID id was acknowledged to
// its client.
func (m *Model) isAcked(id int) bool { return id < len(m.ackedID) && m.ackedID[id] }

// clock formats a virtual time for narration: "4.62 s".
func clock(t time.Duration) string { return fmt.Sprintf("%.2f s", t.Seconds()) }
