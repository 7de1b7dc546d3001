package quorum

import (
	"slices"
	"strconv"
	"strings"
)

// Versions. Every write gets a number from a per-key counter that only
// grows, a perfect clock: under last-write-wins the highest number wins.
// Every write also carries a vector clock with one counter per client, the
// causal history the writer had seen (the context of its last read or write
// of the key). Under vector clocks replicas keep every version that no other
// version descends from, as siblings; under last-write-wins the clock is
// kept only for the lab's bookkeeping, to tell which write LWW silently
// dropped.

// maxClients is the most clients a lab runs, the size of a vector clock.
const maxClients = 4

// Clock is a vector clock: one counter per client.
type Clock [maxClients]int32

// Covers reports whether c descends from (or equals) d: every write that d
// has seen, c has seen too.
func (c Clock) Covers(d Clock) bool {
	for i := range c {
		if c[i] < d[i] {
			return false
		}
	}
	return true
}

// Merge returns the element-wise maximum of c and d.
func (c Clock) Merge(d Clock) Clock {
	for i := range c {
		c[i] = max(c[i], d[i])
	}
	return c
}

// Version is one written value of a key: its number (the value a client
// reads, and its last-write-wins timestamp) and its vector clock.
type Version struct {
	Num   int
	Clock Clock
}

// Set is what a replica holds for a key: no version, one, or (under vector
// clocks) several concurrent siblings, by ascending number. A Set is never
// changed in place, so replies and views may share it.
type Set []Version

// Max is the highest version number in s (0 when empty).
func (s Set) Max() int {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1].Num
}

// Clock is the merge of the clocks in s: the causal history of a reader
// that saw s.
func (s Set) Clock() Clock {
	var c Clock
	for _, v := range s {
		c = c.Merge(v.Clock)
	}
	return c
}

// Covers reports whether s already includes v: under last-write-wins
// whether it holds v's number or a higher one, under vector clocks whether
// one of its versions descends from v.
func (s Set) Covers(v Version, policy int) bool {
	if policy == LWW {
		return s.Max() >= v.Num
	}
	for _, x := range s {
		if x.Num == v.Num || x.Clock.Covers(v.Clock) {
			return true
		}
	}
	return false
}

// CoversAll reports whether s includes every version of t.
func (s Set) CoversAll(t Set, policy int) bool {
	for _, v := range t {
		if !s.Covers(v, policy) {
			return false
		}
	}
	return true
}

// Nums writes the version numbers of s as the view shows them: "v4",
// "v4|v5", or "v0" for nothing.
func (s Set) Nums() string {
	if len(s) == 0 {
		return "v0"
	}
	var b strings.Builder
	for i, v := range s {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteByte('v')
		b.WriteString(strconv.Itoa(v.Num))
	}
	return b.String()
}

// apply returns s with v added under policy, and the version numbers of
// writes this silently dropped: under last-write-wins, a version replaced
// by (or losing to) one that does not descend from it. A version another
// descends from is superseded, not dropped. Under vector clocks nothing is
// dropped: concurrent versions stay as siblings.
func apply(s Set, v Version, policy int) (Set, []int) {
	if s.Covers(v, policy) {
		if policy == LWW && len(s) == 1 && s[0].Num != v.Num && !s[0].Clock.Covers(v.Clock) {
			return s, []int{v.Num} // an older concurrent write arrives late and loses
		}
		return s, nil
	}
	if policy == LWW {
		if len(s) == 1 && !v.Clock.Covers(s[0].Clock) {
			return Set{v}, []int{s[0].Num}
		}
		return Set{v}, nil
	}
	out := make(Set, 0, len(s)+1)
	for _, x := range s {
		if !v.Clock.Covers(x.Clock) {
			out = append(out, x)
		}
	}
	out = append(out, v)
	slices.SortFunc(out, func(a, b Version) int { return a.Num - b.Num })
	return out, nil
}

// merge returns the union of s and t under policy: the highest version
// under last-write-wins, the versions no other descends from under vector
// clocks.
func merge(s, t Set, policy int) Set {
	for _, v := range t {
		s, _ = apply(s, v, policy)
	}
	return s
}
