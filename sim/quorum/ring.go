package quorum

// The ring. Nodes sit at equal intervals on a circle of circumference 1,
// node A at 0 and the others clockwise. Each key hashes to a fixed point on
// the circle (the positions below stand in for a hash function, so the
// drawing and the prose can rely on them). A key's preference list is the
// nodes met walking clockwise from its point: the first N are its replicas,
// the home nodes; the rest stand in, in that order, when a sloppy quorum
// skips an unreachable replica.

// keyNames are the keys, in order of use.
var keyNames = []string{"x", "y", "z", "u", "v"}

// keyPos is where each key hashes to on the ring, as a fraction of a turn.
var keyPos = []float64{0.07, 0.47, 0.27, 0.67, 0.87}

// NodeName is the name of node i: A, B, C …
func NodeName(i int) string { return string(rune('A' + i)) }

// KeyPosition is where key k sits on the ring, as a fraction of a turn
// clockwise from node A.
func KeyPosition(k int) float64 { return keyPos[k] }

// preference returns key's preference list on a ring of nodes: every node
// once, clockwise from the key's position.
func preference(key, nodes int) []int {
	first := 0
	for first < nodes && float64(first)/float64(nodes) < keyPos[key] {
		first++
	}
	list := make([]int, nodes)
	for i := range list {
		list[i] = (first + i) % nodes
	}
	return list
}

// Preference returns key's preference list: its N home nodes first, then
// the stand-ins in the order a sloppy quorum uses them.
func (m *Model) Preference(key int) []int { return m.pref[key] }

// Home reports whether node i is one of key's N replicas.
func (m *Model) Home(i, key int) bool {
	for _, h := range m.pref[key][:m.n] {
		if h == i {
			return true
		}
	}
	return false
}

// Side is the side of the ring endpoint e (a node, or a client numbered
// after the nodes) is on during a partition: nodes A… up to half the ring
// on side 0, the rest on side 1; clients alternate, client 1 on side 0.
func (m *Model) Side(e int) int {
	if e < m.nodes {
		if e < (m.nodes+1)/2 {
			return 0
		}
		return 1
	}
	return (e - m.nodes) % 2
}
