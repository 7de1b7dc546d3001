// Package linear checks whether a history of reads and writes on registers
// was linearizable, with porcupine (github.com/anishathalye/porcupine), and
// finds the operation that first breaks it so a view can point at it.
//
// Each key is a register holding a version number, 0 at the start. A write
// that failed (timed out) may or may not have taken effect, so it is kept as
// an operation that never returns; a failed read says nothing and is dropped.
package linear

import (
	"math"
	"slices"

	"github.com/anishathalye/porcupine"

	"github.com/scaling-data/book/sim/engine"
)

// Verdict is the result of a check.
type Verdict struct {
	// Linearizable is true when some order of the operations, each taking
	// effect at one instant between its invocation and its return, explains
	// every read.
	Linearizable bool
	// Checked is the number of operations checked.
	Checked int
	// Culprit is the index (into the history given) of the completed
	// operation whose return first makes the history non-linearizable, or
	// -1.
	Culprit int
}

type input struct {
	write bool
	value int
}

// registers is the sequential specification: one register per key.
var registers = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range h {
			k := op.Metadata.(string)
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		slices.Sort(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return 0 },
	Step: func(state, in, out any) (bool, any) {
		i := in.(input)
		if i.write {
			return true, i.value
		}
		return out.(int) == state.(int), state
	},
}

// never is the return time of an operation that may take effect at any
// later moment, or not at all.
const never = math.MaxInt64

func operations(h []engine.Record, at int64) []porcupine.Operation {
	ops := make([]porcupine.Operation, 0, len(h))
	for _, r := range h {
		call, ret := int64(r.Invoke), int64(r.Return)
		if call > at {
			continue
		}
		switch {
		case r.Kind == engine.Read && (!r.OK || ret > at):
			continue // a read that returned nothing (yet) constrains nothing
		case r.Kind == engine.Write && (!r.OK || ret > at):
			ret = never
		}
		ops = append(ops, porcupine.Operation{
			ClientId: r.Client,
			Input:    input{write: r.Kind == engine.Write, value: r.Value},
			Call:     call,
			Output:   r.Value,
			Return:   ret,
			Metadata: r.Key,
		})
	}
	return ops
}

// Check decides whether the history was linearizable. It has no
// wall-clock limit, so its verdict depends on the history alone, never on
// how busy the machine is (a lab's runs must be deterministic: a timed-out
// check once read as "linearizable" on a loaded machine). Keep histories
// short — a few hundred operations of a few clients — so a check costs far
// less than a frame (BenchmarkCheck200).
func Check(h []engine.Record) Verdict {
	v := Verdict{Checked: len(h), Culprit: -1}
	if porcupine.CheckOperations(registers, operations(h, never-1)) {
		v.Linearizable = true
		return v
	}
	// Find the earliest return after which the history is broken: binary
	// search over the completed operations ordered by return time.
	order := make([]int, 0, len(h))
	for i, r := range h {
		if r.OK {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return int(h[a].Return - h[b].Return)
	})
	lo, hi := 0, len(order)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if !porcupine.CheckOperations(registers, operations(h, int64(h[order[mid]].Return))) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if len(order) > 0 {
		v.Culprit = order[lo]
	}
	return v
}
