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
	n := 1 + next()%9
	v := Schema.Defaults()
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
	return v, data
}

var fuzzActions = []string{"crash", "recover", "write", "read", "nothing"}

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
			if v.Int("w")+v.Int("r") > v.Int("n") {
				require.Zero(t, c.StaleReads, "overlapping quorums read stale")
			}
		}
		for steps := 0; len(data) >= 3 && steps < 100; data, steps = data[3:], steps+1 {
			before := m.Now()
			m.Advance(m.Now() + time.Duration(data[0])*time.Millisecond)
			require.GreaterOrEqual(t, m.Now(), before)
			// Arguments run a little out of range on purpose: errors, not panics.
			_ = m.Do(fuzzActions[int(data[1])%len(fuzzActions)], int(data[2])%(m.N()+2)-1)
			check()
		}
		for !m.Done() {
			m.Advance(m.Now() + time.Second)
			require.Less(t, m.Now(), time.Hour, "the run never ends")
		}
		check()
		c := m.Counts()
		require.Equal(t, ops, c.WritesOK+c.WritesFailed+c.ReadsOK+c.ReadsFailed)
		require.Empty(t, m.InFlight())
	})
}
