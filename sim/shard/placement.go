package shard

import (
	"cmp"
	"fmt"
	"slices"
)

// rangeSample bounds the keys sorted to choose split points.
const rangeSample = 20_000

// initPlacement sets up the placement for n shards, A, B, C …
func (m *Model) initPlacement(n int) {
	for s := range n {
		m.live = append(m.live, uint8(s))
		m.slotRegion[s] = s % regionsCount
	}
	switch m.strategy {
	case Range:
		sample := m.sample(func(int) bool { return true })
		for q := 1; q < n; q++ {
			m.splits = append(m.splits, sample[q*len(sample)/n])
		}
		m.fixSplits()
	case Directory:
		sizes := m.tsize[:]
		order := tenantsBySize(sizes, func(int) bool { return true })
		var est [MaxShards]int
		for _, t := range order {
			s := m.leastLoaded(&est, 255)
			m.dir[t] = s
			est[s] += sizes[t]
		}
	case Geo:
		m.regroup()
	case Ring:
		for _, s := range m.live {
			m.ring.Add(s, m.vnodes)
		}
	case Logical:
		m.parts = make([]uint8, m.partitions)
		for p := range m.parts {
			s := m.live[p%n]
			m.parts[p] = s
			m.pcount[s]++
		}
	}
}

// place is the shard a key belongs on under the current placement.
func (m *Model) place(k uint64) uint8 {
	h := Hash(k)
	switch m.strategy {
	case Range:
		return m.live[m.rangeIndex(k)]
	case Directory:
		return m.dir[tenantOf(h)]
	case Geo:
		r := regionOf(h)
		for range regionsCount {
			if g := m.geo[r]; len(g) > 0 {
				return highest(h, g)
			}
			r = (r + 1) % regionsCount // no shard at home: the next region takes it
		}
	case Ring:
		return m.ring.Owner(h)
	case Logical:
		return m.parts[m.partition(k, h)]
	case Jump:
		return m.live[JumpHash(h, len(m.live))]
	case Rendezvous:
		return highest(h, m.live)
	}
	return m.live[h%uint64(len(m.live))]
}

// highest is the shard among slots with the highest rendezvous weight.
func highest(h uint64, slots []uint8) uint8 {
	best, bestW := slots[0], rendezvousWeight(h, slots[0])
	for _, s := range slots[1:] {
		if w := rendezvousWeight(h, s); w > bestW {
			best, bestW = s, w
		}
	}
	return best
}

// partition is a key's logical partition: the shard field of an
// Instagram-style id, or its hash modulo the partitions.
func (m *Model) partition(k, h uint64) int {
	if m.keyset == IDs {
		return DecodeID(k).Shard % m.partitions
	}
	return int(h % uint64(m.partitions))
}

// rangeIndex is the position in live of the range holding k.
func (m *Model) rangeIndex(k uint64) int {
	i, _ := slices.BinarySearch(m.splits, k)
	if i < len(m.splits) && m.splits[i] == k {
		i++ // a range starts at its split point
	}
	return i
}

// fixSplits keeps split points strictly increasing and above zero.
func (m *Model) fixSplits() {
	for i := range m.splits {
		if i == 0 {
			m.splits[i] = max(m.splits[i], 1)
		} else if m.splits[i] <= m.splits[i-1] {
			m.splits[i] = m.splits[i-1] + 1
		}
	}
}

// sample returns up to rangeSample keys (evenly strided) whose index keep
// accepts, sorted.
func (m *Model) sample(keep func(i int) bool) []uint64 {
	step := max(1, len(m.key)/rangeSample)
	var out []uint64
	for i := 0; i < len(m.key); i += step {
		if keep(i) {
			out = append(out, m.key[i])
		}
	}
	slices.Sort(out)
	return out
}

// freeSlot is the lowest shard slot not in use.
func (m *Model) freeSlot() uint8 {
	for s := range uint8(MaxShards) {
		if !slices.Contains(m.live, s) {
			return s
		}
	}
	return MaxShards
}

// leastLoaded is the shard in use, other than not, with the fewest keys
// in est.
func (m *Model) leastLoaded(est *[MaxShards]int, not uint8) uint8 {
	best := uint8(255)
	for _, s := range m.live {
		if s != not && (best == 255 || est[s] < est[best]) {
			best = s
		}
	}
	return best
}

// add adds a shard and starts moving keys to it.
func (m *Model) add() error {
	if err := m.busy("add"); err != nil {
		return err
	}
	if len(m.live) >= MaxShards {
		return fmt.Errorf("add: already %d shards, the most this lab runs", MaxShards)
	}
	if m.strategy == Range {
		fullest := m.live[0]
		for _, s := range m.live {
			if m.load[s] > m.load[fullest] {
				fullest = s
			}
		}
		return m.split(fullest)
	}
	before := len(m.live)
	s := m.freeSlot()
	m.live = append(m.live, s)
	switch m.strategy {
	case Directory:
		// Fill the new shard up to the mean with the biggest tenants that
		// fit, leaving the rest where they are.
		sizes := m.tsize[:]
		mean := len(m.key) / len(m.live)
		filled := 0
		for _, t := range tenantsBySize(sizes, func(int) bool { return true }) {
			if filled+sizes[t] <= mean {
				m.dir[t] = s
				filled += sizes[t]
			}
		}
	case Geo:
		m.slotRegion[s] = m.neediestRegion()
		m.regroup()
	case Ring:
		m.ring.Add(s, m.vnodes)
	case Logical:
		target := m.partitions / len(m.live)
		for p := len(m.parts) - 1; p >= 0 && m.pcount[s] < target; p-- {
			if d := m.parts[p]; m.pcount[d] > target {
				m.parts[p] = s
				m.pcount[d]--
				m.pcount[s]++
			}
		}
	}
	what := "add " + ShardName(int(s))
	if m.strategy == Geo {
		what += " in " + RegionNames[m.slotRegion[s]]
	}
	m.plan(what, before, change{added: true, slot: s})
	return nil
}

// remove takes shard s away and starts moving its keys to the others.
func (m *Model) remove(s uint8) error {
	if err := m.busy("remove"); err != nil {
		return err
	}
	if len(m.live) == 1 {
		return fmt.Errorf("remove: %s is the only shard", ShardName(int(s)))
	}
	at := slices.Index(m.live, s)
	if m.strategy == Jump && at != len(m.live)-1 {
		return fmt.Errorf("remove: jump hash numbers its buckets 0..n-1 and can only remove the last shard, %s", ShardName(int(m.live[len(m.live)-1])))
	}
	before := len(m.live)
	m.live = slices.Delete(m.live, at, at+1)
	switch m.strategy {
	case Range:
		// The neighbour below takes the range over (or the one above, for
		// the first range).
		m.splits = slices.Delete(m.splits, max(0, at-1), max(0, at-1)+1)
	case Directory:
		sizes := m.tsize[:]
		est := m.load
		for _, t := range tenantsBySize(sizes, func(t int) bool { return m.dir[t] == s }) {
			to := m.leastLoaded(&est, s)
			m.dir[t] = to
			est[to] += sizes[t]
		}
	case Geo:
		m.regroup()
	case Ring:
		m.ring.Remove(s)
	case Logical:
		for p, owner := range m.parts {
			if owner != s {
				continue
			}
			to := m.live[0]
			for _, x := range m.live {
				if m.pcount[x] < m.pcount[to] {
					to = x
				}
			}
			m.parts[p] = to
			m.pcount[to]++
		}
		m.pcount[s] = 0
	}
	m.plan("remove "+ShardName(int(s)), before, change{removed: true, slot: s})
	return nil
}

// split splits shard s's key range at its median onto a new shard.
func (m *Model) split(s uint8) error {
	if err := m.busy("split"); err != nil {
		return err
	}
	if m.strategy != Range {
		return fmt.Errorf("split: only the range strategy splits key ranges (strategy is %s)", m.strategy)
	}
	if len(m.live) >= MaxShards {
		return fmt.Errorf("split: already %d shards, the most this lab runs", MaxShards)
	}
	at := slices.Index(m.live, s)
	keys := m.sample(func(i int) bool { return m.next[i] == s })
	if len(keys) < 2 || keys[len(keys)/2] == keys[0] {
		return fmt.Errorf("split: shard %s holds too few keys to split", ShardName(int(s)))
	}
	before := len(m.live)
	mid := keys[len(keys)/2]
	n := m.freeSlot()
	m.live = slices.Insert(m.live, at+1, n)
	m.splits = slices.Insert(m.splits, at, mid)
	m.plan(fmt.Sprintf("split %s at %s onto %s", ShardName(int(s)), FormatKey(m.keyset, mid), ShardName(int(n))), before, change{})
	return nil
}

// move moves shard s's biggest logical partition or tenant to the shard
// with the fewest keys.
func (m *Model) move(s uint8) error {
	if err := m.busy("move"); err != nil {
		return err
	}
	if len(m.live) == 1 {
		return fmt.Errorf("move: there is no other shard to move to")
	}
	to := m.leastLoaded(&m.load, s)
	switch m.strategy {
	case Logical:
		sizes := make([]int, m.partitions)
		for _, k := range m.key {
			sizes[m.partition(k, Hash(k))]++
		}
		p := -1
		for q, owner := range m.parts {
			if owner == s && (p < 0 || sizes[q] > sizes[p]) {
				p = q
			}
		}
		if p < 0 {
			return fmt.Errorf("move: shard %s holds no logical partition", ShardName(int(s)))
		}
		m.parts[p] = to
		m.pcount[s]--
		m.pcount[to]++
		m.plan(fmt.Sprintf("move partition %d from %s to %s", p, ShardName(int(s)), ShardName(int(to))), len(m.live), change{})
	case Directory:
		order := tenantsBySize(m.tsize[:], func(t int) bool { return m.dir[t] == s })
		if len(order) == 0 {
			return fmt.Errorf("move: shard %s holds no tenant", ShardName(int(s)))
		}
		m.dir[order[0]] = to
		m.plan(fmt.Sprintf("move tenant %d from %s to %s", order[0]+1, ShardName(int(s)), ShardName(int(to))), len(m.live), change{})
	default:
		return fmt.Errorf("move: only the logical and directory strategies move partitions or tenants (strategy is %s)", m.strategy)
	}
	return nil
}

// tenantsBySize lists the tenants keep accepts, biggest first.
func tenantsBySize(sizes []int, keep func(t int) bool) []int {
	var out []int
	for t := range sizes {
		if keep(t) {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int { return cmp.Compare(sizes[b], sizes[a]) })
	return out
}

// regroup lists the shards of each region, in placement order.
func (m *Model) regroup() {
	m.geo = make([][]uint8, regionsCount)
	for _, s := range m.live {
		r := m.slotRegion[s]
		m.geo[r] = append(m.geo[r], s)
	}
}

// neediestRegion is the region a new shard helps most: one with no shard
// of its own, else the one with the most keys per shard.
func (m *Model) neediestRegion() int {
	keys := m.rsize
	best, bestPer := 0, -1.0
	for r := range regionsCount {
		n := 0
		for _, s := range m.live[:len(m.live)-1] {
			if m.slotRegion[s] == r {
				n++
			}
		}
		if n == 0 {
			return r
		}
		if per := float64(keys[r]) / float64(n); per > bestPer {
			best, bestPer = r, per
		}
	}
	return best
}
