package cap

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MaxReplicas bounds the number of replicas, and so the size of a vector
// clock.
const MaxReplicas = 7

// vclock counts, per replica, the writes of one key accepted there that a
// value reflects.
type vclock [MaxReplicas]int

// leq reports whether every write a reflects, b reflects too.
func (a vclock) leq(b vclock) bool {
	for i := range a {
		if a[i] > b[i] {
			return false
		}
	}
	return true
}

// join is the clock that reflects the writes of both.
func (a vclock) join(b vclock) vclock {
	for i := range a {
		a[i] = max(a[i], b[i])
	}
	return a
}

// concurrent reports that neither clock reflects all the other's writes.
func concurrent(a, b vclock) bool { return !a.leq(b) && !b.leq(a) }

func (a vclock) sum() int {
	s := 0
	for _, x := range a {
		s += x
	}
	return s
}

// Version is one write of a key.
type Version struct {
	ID   int           // 1, 2, 3 … unique over the run; 0 is the empty initial value
	At   time.Duration // the timestamp last-write-wins compares
	Node int           // the replica that accepted the write
	VC   vclock        // the writes of this key it descends from, itself included
}

// newer orders versions the way last-write-wins does: by timestamp, then
// by ID.
func (v Version) newer(w Version) bool {
	if v.At != w.At {
		return v.At > w.At
	}
	return v.ID > w.ID
}

// Value is what a replica holds for one key. CP replicas and last-write-wins
// hold one version; siblings are every version not superseded by another;
// a CRDT set holds only its newest element in Vers, because the set itself
// is its clock: it contains exactly the writes the clock counts.
type Value struct {
	Vers []Version
	VC   vclock
}

// Newest is the version with the highest timestamp (the zero version for an
// empty value).
func (v Value) Newest() Version {
	var n Version
	for _, x := range v.Vers {
		if x.newer(n) {
			n = x
		}
	}
	return n
}

// Items is the number of writes the value reflects: for a CRDT set, its
// size.
func (v Value) Items() int { return v.VC.sum() }

func (v Value) clone() Value { return Value{Vers: slices.Clone(v.Vers), VC: v.VC} }

// reflects reports whether the value includes write w or something written
// after seeing it.
func (v Value) reflects(w Version, crdt bool) bool {
	if crdt {
		return w.VC.leq(v.VC)
	}
	for _, x := range v.Vers {
		if w.VC.leq(x.VC) {
			return true
		}
	}
	return false
}

// describe is how narration shows a value: "v12", "v9|v12", "{7 items}".
func (v Value) describe(mode, merge int) string {
	if mode == AP && merge == CRDT {
		if v.Items() == 1 {
			return "{1 item}"
		}
		return fmt.Sprintf("{%d items}", v.Items())
	}
	if len(v.Vers) == 0 {
		return "v0"
	}
	names := make([]string, len(v.Vers))
	for i, x := range v.Vers {
		names[i] = fmt.Sprintf("v%d", x.ID)
	}
	return strings.Join(names, "|")
}
