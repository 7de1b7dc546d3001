package history

import (
	"slices"
	"time"
)

// The checkers below judge small histories (a dozen operations) by brute
// force. Every written value is unique, so a read's value names the write
// it read from; 0 is every key's initial value. A write still in progress
// is included: it may have taken effect.

// byProcess returns the operations' indices per process, in program
// (invocation) order.
func byProcess(ops []Op) [][]int {
	var procs [][]int
	for i, o := range ops {
		for len(procs) <= o.Proc {
			procs = append(procs, nil)
		}
		procs[o.Proc] = append(procs[o.Proc], i)
	}
	for _, p := range procs {
		slices.SortStableFunc(p, func(a, b int) int { return int(ops[a].Invoke - ops[b].Invoke) })
	}
	return procs
}

// Sequential reports whether one total order of all the operations, keeping
// each process's own order, explains every read.
func Sequential(ops []Op) bool {
	procs := byProcess(ops)
	next := make([]int, len(procs))
	state := map[string]int{}
	var try func(left int) bool
	try = func(left int) bool {
		if left == 0 {
			return true
		}
		for p := range procs {
			if next[p] == len(procs[p]) {
				continue
			}
			o := ops[procs[p][next[p]]]
			old := state[o.Key]
			if !o.Write && o.Value != old {
				continue
			}
			if o.Write {
				state[o.Key] = o.Value
			}
			next[p]++
			if try(left - 1) {
				return true
			}
			next[p]--
			state[o.Key] = old
		}
		return false
	}
	return try(len(ops))
}

// causes returns the causal order: before[i][j] when operation i
// happens before j, through program order and reads of writes.
func causes(ops []Op) [][]bool {
	n := len(ops)
	before := make([][]bool, n)
	for i := range before {
		before[i] = make([]bool, n)
	}
	for _, p := range byProcess(ops) {
		for a := range p {
			for b := a + 1; b < len(p); b++ {
				before[p[a]][p[b]] = true
			}
		}
	}
	for i, w := range ops {
		for j, r := range ops {
			if w.Write && !r.Write && r.Key == w.Key && r.Value == w.Value {
				before[i][j] = true
			}
		}
	}
	for k := range n { // transitive closure
		for i := range n {
			for j := range n {
				if before[i][k] && before[k][j] {
					before[i][j] = true
				}
			}
		}
	}
	return before
}

// Causal reports whether every process can order all the writes, together
// with its own reads, consistently with the causal order, so that each of
// its reads returns the latest write of its key before it.
func Causal(ops []Op) bool {
	before := causes(ops)
	for i := range ops {
		if before[i][i] {
			return false // a cycle: a read of a write that depends on the read
		}
	}
	for _, mine := range byProcess(ops) {
		var view []int
		for i, o := range ops {
			if o.Write || slices.Contains(mine, i) {
				view = append(view, i)
			}
		}
		if !serializable(ops, view, before) {
			return false
		}
	}
	return true
}

// serializable searches for an order of view respecting before in which
// every read returns the latest write of its key.
func serializable(ops []Op, view []int, before [][]bool) bool {
	placed := make(map[int]bool, len(view))
	state := map[string]int{}
	var try func(left int) bool
	try = func(left int) bool {
		if left == 0 {
			return true
		}
		for _, i := range view {
			if placed[i] {
				continue
			}
			ready := true
			for _, j := range view {
				if !placed[j] && j != i && before[j][i] {
					ready = false
					break
				}
			}
			o := ops[i]
			if !ready || (!o.Write && state[o.Key] != o.Value) {
				continue
			}
			old := state[o.Key]
			if o.Write {
				state[o.Key] = o.Value
			}
			placed[i] = true
			if try(left - 1) {
				return true
			}
			placed[i] = false
			state[o.Key] = old
		}
		return false
	}
	return try(len(view))
}

// Eventual reports whether, for every key whose writes have all returned
// by now, the last read of it by each process that began after the last
// write returned agree on one value. Keys still being written, or not read
// since, say nothing yet.
func Eventual(ops []Op, now time.Duration) bool {
	type last struct {
		done time.Duration
		busy bool
	}
	writes := map[string]last{}
	for _, o := range ops {
		if !o.Write {
			continue
		}
		w := writes[o.Key]
		w.done = max(w.done, o.Return)
		w.busy = w.busy || o.Return > now
		writes[o.Key] = w
	}
	final := map[string]int{} // key → value every final read must return
	for _, p := range byProcess(ops) {
		lastRead := map[string]Op{}
		for _, i := range p {
			if o := ops[i]; !o.Write && o.Return <= now && o.Invoke > writes[o.Key].done && !writes[o.Key].busy {
				lastRead[o.Key] = o
			}
		}
		keys := make([]string, 0, len(lastRead))
		for k := range lastRead {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			o := lastRead[k]
			if v, ok := final[k]; ok && v != o.Value {
				return false
			}
			final[k] = o.Value
		}
	}
	return true
}
