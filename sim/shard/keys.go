package shard

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// uniformSpan bounds the uniform key set: numbers below a trillion, like
// order or phone numbers.
const uniformSpan = 1_000_000_000_000

// idHistory is how far back the ids of the starting keys were made.
const idHistory = 30 * 24 * time.Hour

// idUsers is how many users own the starting photos; a user's photos all
// carry the logical shard user mod partitions.
const idUsers = 10_000_000

// letterWeights are illustrative shares of usernames by first letter, a–z:
// some letters start far more names than others.
var letterWeights = []float64{
	6.5, 4.5, 5.5, 4.5, 2.5, 2.5, 3, 3, 1.5, 6, 6.5, 4.5, 8,
	3, 1, 4, 0.5, 4, 8, 4.5, 0.5, 1.5, 2, 0.2, 1.5, 1,
}

var letterCum = cumulative(letterWeights)

// cumulative returns the running totals of w, normalised to end at 1.
func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	acc := 0.0
	for i, x := range w {
		acc += x
		out[i] = acc / sum
	}
	return out
}

// pick returns the index i where u (in [0, 1)) falls in cum.
func pick(cum []float64, u float64) int {
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

// unit turns 53 bits of x into a number in [0, 1).
func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

// Tenants and their sizes for the directory strategy: tenant t has weight
// 1/(t+1), so tenant 1 is the biggest by far.
const Tenants = 24

var tenantCum = func() []float64 {
	w := make([]float64, Tenants)
	for t := range w {
		w[t] = 1 / float64(t+1)
	}
	return cumulative(w)
}()

// tenantOf is the tenant a key hash belongs to.
func tenantOf(h uint64) int { return pick(tenantCum, unit(Hash(h^0x7e4a))) }

// Regions for the geo strategy, with the share of keys in each.
var (
	RegionNames = []string{"Americas", "Europe", "Asia-Pacific"}
	regionShort = []string{"AM", "EU", "AP"}
	regionCum   = cumulative([]float64{45, 35, 20})
)

const regionsCount = 3

// RegionShort is the two-letter label of region r.
func RegionShort(r int) string { return regionShort[r] }

// regionOf is the region a key hash's record lives in (its home attribute).
func regionOf(h uint64) int { return pick(regionCum, unit(Hash(h^0x6e0))) }

// generator makes the keys of one key set.
type generator struct {
	set        Keyset
	rng        *rand.Rand
	seq        uint64   // sequential: the last id issued
	partitions int      // ids: logical shards
	seqs       []uint16 // ids: per-shard sequence
}

// initial returns the key of the i-th starting key.
func (g *generator) initial() uint64 {
	if g.set == IDs {
		back := time.Duration(g.rng.Int64N(int64(idHistory)))
		return g.id(LabClock.Add(-back))
	}
	return g.fresh(0)
}

// fresh returns a new key written at virtual time now.
func (g *generator) fresh(now time.Duration) uint64 {
	switch g.set {
	case Users:
		a, b := uint64(pick(letterCum, g.rng.Float64())), g.rng.Uint64N(26)
		return a<<58 | b<<53 | g.rng.Uint64N(1<<53)
	case Sequential:
		g.seq++
		return g.seq
	case UUID:
		return g.rng.Uint64()
	case IDs:
		return g.id(LabClock.Add(now))
	}
	return g.rng.Uint64N(uniformSpan)
}

// id makes an Instagram-style id for a photo taken at t by a random user.
func (g *generator) id(t time.Time) uint64 {
	user := 1 + g.rng.IntN(idUsers)
	sh := user % g.partitions
	g.seqs[sh]++
	return MakeID(uint64(t.UnixMilli()-IDEpoch), sh, int(g.seqs[sh]))
}

// FormatKey writes a key the way its key set reads: a number, the start
// of a username, the first part of a UUID, or an id's time.
func FormatKey(set Keyset, k uint64) string {
	switch set {
	case Users:
		return string(rune('a'+k>>58)) + string(rune('a'+k>>53&31)) + "…"
	case Sequential:
		return group(k)
	case UUID:
		return fmt.Sprintf("%08x…", k>>32)
	case IDs:
		return DecodeID(k).Time.Format("Jan 2 15:04")
	}
	return fmt.Sprintf("%.0fG", float64(k)/1e9)
}

// group writes n with thousands separators: 12,345.
func group(n uint64) string {
	s := strconv.FormatUint(n, 10)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
