package shard

import (
	"cmp"
	"slices"
	"time"
)

// Hash is the 64-bit hash every hash-based strategy places a key by (the
// SplitMix64 finalizer): cheap, and sequential keys come out scattered.
func Hash(key uint64) uint64 {
	key ^= key >> 30
	key *= 0xbf58476d1ce4e5b9
	key ^= key >> 27
	key *= 0x94d049bb133111eb
	key ^= key >> 31
	return key
}

// JumpHash is Lamping and Veach's jump consistent hash: the bucket in
// [0, n) of a 64-bit key. Growing n to n+1 moves a key only to the new
// bucket n, and only 1/(n+1) of the keys.
func JumpHash(key uint64, n int) int {
	b, j := int64(-1), int64(0)
	for j < int64(n) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

// point is one virtual node on the consistent-hashing ring.
type point struct {
	pos  uint64
	slot uint8
}

// ringBits sets the size of the ring's lookup index: 2^ringBits buckets.
const ringBits = 14

// HashRing is a consistent-hashing ring: points sorted by position, and an
// index from the top ringBits of a hash to the first point at or after the
// start of its bucket, so a lookup scans a point or two instead of
// searching.
type HashRing struct {
	points []point
	index  []uint32
}

// ringPoint is where virtual node v of shard slot sits on the ring.
func ringPoint(slot uint8, v int) uint64 {
	return Hash((uint64(slot)<<32 | uint64(v)) + 0x5bd1e995)
}

// Owner is the slot of the first point at or after h, wrapping around.
func (r *HashRing) Owner(h uint64) uint8 {
	i := int(r.index[h>>(64-ringBits)])
	for i < len(r.points) && r.points[i].pos < h {
		i++
	}
	if i == len(r.points) {
		i = 0
	}
	return r.points[i].slot
}

// Add places v virtual nodes of slot on the ring.
func (r *HashRing) Add(slot uint8, v int) {
	for i := range v {
		r.points = append(r.points, point{ringPoint(slot, i), slot})
	}
	r.reindex()
}

// Remove takes slot's points off the ring.
func (r *HashRing) Remove(slot uint8) {
	r.points = slices.DeleteFunc(r.points, func(p point) bool { return p.slot == slot })
	r.reindex()
}

// reindex sorts the points and rebuilds the index.
func (r *HashRing) reindex() {
	slices.SortFunc(r.points, func(a, b point) int {
		if c := cmp.Compare(a.pos, b.pos); c != 0 {
			return c
		}
		return cmp.Compare(a.slot, b.slot)
	})
	if r.index == nil {
		r.index = make([]uint32, 1<<ringBits)
	}
	i := 0
	for b := range r.index {
		start := uint64(b) << (64 - ringBits)
		for i < len(r.points) && r.points[i].pos < start {
			i++
		}
		r.index[b] = uint32(i)
	}
}

// rendezvousWeight is shard slot's score for a key hash; the highest score
// wins (highest random weight).
func rendezvousWeight(h uint64, slot uint8) uint64 {
	return Hash(h ^ (uint64(slot)+1)*0x9e3779b97f4a7c15)
}

// Instagram-style ids: 41 bits of milliseconds since a custom epoch, 13
// bits of logical shard, 10 bits of a per-shard sequence.
const (
	TimeBits  = 41
	ShardBits = 13
	SeqBits   = 10
)

// IDEpoch is the custom epoch of Instagram's id function, in Unix
// milliseconds (our_epoch in their PL/pgSQL).
const IDEpoch = 1314220021721

// LabClock is the wall-clock instant the lab's virtual time 0 stands for
// when it makes ids: midnight UTC on 1 January 2013.
var LabClock = time.Date(2013, time.January, 1, 0, 0, 0, 0, time.UTC)

// MakeID packs milliseconds since IDEpoch, a logical shard and a sequence
// number into one id, as Instagram's next_id() does. The sequence is taken
// modulo 1024 and the shard modulo 8192.
func MakeID(ms uint64, shard, seq int) uint64 {
	return ms<<(ShardBits+SeqBits) | uint64(shard&(1<<ShardBits-1))<<SeqBits | uint64(seq&(1<<SeqBits-1))
}

// DecodedID is an id taken apart.
type DecodedID struct {
	Ms    uint64    // milliseconds since IDEpoch
	Shard int       // logical shard
	Seq   int       // sequence number modulo 1024
	Time  time.Time // when it was made, UTC
}

// DecodeID takes an id apart into its three fields.
func DecodeID(id uint64) DecodedID {
	ms := id >> (ShardBits + SeqBits)
	return DecodedID{
		Ms:    ms,
		Shard: int(id >> SeqBits & (1<<ShardBits - 1)),
		Seq:   int(id & (1<<SeqBits - 1)),
		Time:  time.UnixMilli(int64(ms) + IDEpoch).UTC(),
	}
}
