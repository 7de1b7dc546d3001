package shard

import "time"

// What the view reads. None of these change the model.

// Strategy is how keys are placed.
func (m *Model) Strategy() Strategy { return m.strategy }

// Keyset is the kind of keys stored.
func (m *Model) Keyset() Keyset { return m.keyset }

// VNodes is the number of virtual nodes per shard on the ring.
func (m *Model) VNodes() int { return m.vnodes }

// Partitions is the number of logical partitions.
func (m *Model) Partitions() int { return m.partitions }

// Live returns the shards in use, in placement order (key order for
// ranges).
func (m *Model) Live() []int {
	out := make([]int, len(m.live))
	for i, s := range m.live {
		out[i] = int(s)
	}
	return out
}

// Load is the number of keys shard s holds now.
func (m *Model) Load(s int) int { return m.load[s] }

// Keys is the number of keys stored.
func (m *Model) Keys() int { return len(m.key) }

// Stride is the sampling step of the keys the view draws: every key whose
// index is a multiple of it (at most about 2,000 of the starting keys).
func (m *Model) Stride() int { return m.stride }

// Key is the value of key i.
func (m *Model) Key(i int) uint64 { return m.key[i] }

// Owner is the shard holding key i now.
func (m *Model) Owner(i int) int { return int(m.owner[i]) }

// Next is the shard key i belongs on under the current placement; it
// differs from Owner while the key waits to be copied.
func (m *Model) Next(i int) int { return int(m.next[i]) }

// Flights returns the drawn keys copied less than FlightTime ago.
func (m *Model) Flights() []Flight {
	var out []Flight
	for _, f := range m.flights {
		if m.Now()-f.At < FlightTime {
			out = append(out, f)
		}
	}
	return out
}

// Move reports the move in progress: keys copied, keys to copy, paused.
func (m *Model) Move() (copied, total int, moving, paused bool) {
	return m.copied, len(m.queue), m.moving, m.paused
}

// LastRebalance is the last change of placement, if there was one.
func (m *Model) LastRebalance() (Rebalance, bool) { return m.last, m.hasLast }

// LastRead, LastWrite and LastScan are the latest operations of each kind
// (Kind is empty before the first).
func (m *Model) LastRead() Op  { return m.lastRead }
func (m *Model) LastWrite() Op { return m.lastWrite }
func (m *Model) LastScan() Op  { return m.lastScan }

// WriteShare is the share of the run's writes that went to shard s.
func (m *Model) WriteShare(s int) float64 {
	if m.writes == 0 {
		return 0
	}
	return float64(m.writesTo[s]) / float64(m.writes)
}

// Region is the region of shard s (geo strategy).
func (m *Model) Region(s int) int { return m.slotRegion[s] }

// RangeStart is the smallest key of the range at position i of Live
// (range strategy); the first range starts at zero.
func (m *Model) RangeStart(i int) uint64 {
	if i == 0 || i > len(m.splits) {
		return 0
	}
	return m.splits[i-1]
}

// PartitionsOn is the number of logical partitions on shard s.
func (m *Model) PartitionsOn(s int) int { return m.pcount[s] }

// TenantsOn is the number of directory tenants on shard s.
func (m *Model) TenantsOn(s int) int {
	n := 0
	for _, x := range m.dir {
		if int(x) == s {
			n++
		}
	}
	return n
}

// Since is how long ago t was.
func (m *Model) Since(t time.Duration) time.Duration { return m.Now() - t }
