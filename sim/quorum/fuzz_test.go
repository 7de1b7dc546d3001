package quorum

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
)

// fuzzValues picks valid parameters from the first bytes of data and
// returns the rest.
func fuzzValues(data []byte) (lab.Values, []byte) {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := int(data[0])
		data = data[1:]
		return b
	}
	nodes := 1 + next()%9
	n := 1 + next()%nodes
	v := Schema.Defaults()
	v["nodes"] = float64(nodes)
	v["n"] = float64(n)
	v["w"] = float64(1 + next()%n)
	v["r"] = float64(1 + next()%n)
	v["latency"] = float64(1 + next()%200)
	v["spread"] = float64(next() % 201)
	v["loss"] = float64(next() % 51)
	v["keys"] = float64(1 + next()%5)
	v["writes"] = float64(next() % 101)
	v["think"] = float64(next() * 4)
	v["clients"] = float64(1 + next()%4)
	v["timeout"] = float64(10 + next()*8)
	v["ops"] = float64(1 + next()%64)
	flags := next()
	for i, name := range []string{"sloppy", "handoff", "repair", "antientropy", "versions", "partition"} {
		v[name] = float64(flags >> i & 1)
	}
	v["interval"] = float64(100 + next()%50*100)
	v["crash"] = float64(min(next()%5, nodes))
	return v, data
}

var fuzzActions = []string{"crash", "recover", "partition", "heal", "write", "read", "nothing"}

// FuzzActions runs a model on fuzzed parameters through a fuzzed sequence of
// (advance, action, arg) and checks that it never panics and keeps its
// invariants.
func FuzzActions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 1, 1, 19, 10, 0, 1, 50, 15, 0, 30, 20, 5, 0, 1, 5, 0, 0, 200, 1, 1})
	f.Add([]byte{4, 2, 2, 5, 100, 20, 4, 80, 0, 3, 1, 63, 0, 0, 9, 1, 2, 0, 1, 2, 0, 2, 3, 255, 2, 7})
	f.Add([]byte{8, 0, 8, 199, 200, 50, 0, 0, 250, 1, 255, 10, 0, 0, 0, 0, 0, 1, 0, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, data := fuzzValues(data)
		require.NoError(t, Schema.Check(v))
		m := New(v, uint64(len(data)))
		ops := v.Int("ops")
		check := func() {
			c := m.Counts()
			require.LessOrEqual(t, c.WritesOK+c.WritesFailed+c.ReadsOK+c.ReadsFailed, ops)
			require.LessOrEqual(t, c.StaleReads, c.ReadsOK)
			require.LessOrEqual(t, c.Siblings, c.ReadsOK)
			require.LessOrEqual(t, c.LostWrites, c.WritesOK)
			if !v.Bool("sloppy") && v.Int("w")+v.Int("r") > v.Int("n") {
				require.Zero(t, c.StaleReads, "overlapping strict quorums read stale")
			}
			if v.Int("versions") == VClock {
				require.Zero(t, c.LostWrites, "vector clocks lost a write")
			} else {
				require.Zero(t, c.Siblings, "last-write-wins returned siblings")
			}
			require.Len(t, m.Metrics(), len(Schema.Metrics))
		}
		for steps := 0; len(data) >= 3 && steps < 100; data, steps = data[3:], steps+1 {
			before := m.Now()
			m.Advance(m.Now() + time.Duration(data[0])*time.Millisecond)
			require.GreaterOrEqual(t, m.Now(), before)
			// Arguments run a little out of range on purpose: errors, not panics.
			_ = m.Do(fuzzActions[int(data[1])%len(fuzzActions)], int(data[2])%(m.Nodes()+2)-1)
			check()
		}
		for !m.Done() && m.Now() < time.Hour {
			m.Advance(m.Now() + time.Second)
		}
		if m.Now() >= time.Hour {
			// Only a hint that cannot be delivered keeps a run going:
			// handoff is on and its node and home replica can talk.
			require.True(t, m.handoffDue(), "the run never ends")
			return
		}
		check()
		c := m.Counts()
		require.Equal(t, ops, c.WritesOK+c.WritesFailed+c.ReadsOK+c.ReadsFailed)
		require.Len(t, m.InFlight(), m.background, "only anti-entropy is left in flight")
	})
}
