package truetime

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
	v := Schema.Defaults()
	v["mode"] = float64(next() % 4)
	v["commitwait"] = float64(next() % 2)
	v["epsilon"] = 0.5 + float64(next()%40)/2
	v["maxoffset"] = float64(1 + next()*4)
	v["nodes"] = float64(2 + next()%4)
	v["clients"] = float64(1 + next()%4)
	v["gap"] = float64(next() % 101)
	v["latency"] = float64(1 + next()%200)
	v["replicate"] = float64(next() % 101)
	v["sync"] = float64(1 + next()%60)
	v["drift"] = float64(next() % 301)
	v["reads"] = float64(next() % 101)
	v["txns"] = float64(1 + next()%64)
	return v, data
}

var fuzzActions = []string{"skew", "sync", "nothing"}

// FuzzActions runs a model on fuzzed parameters through a fuzzed sequence
// of (advance, action, arg) and checks that it never panics and keeps its
// invariants.
func FuzzActions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 7, 100, 1, 1, 2, 30, 1, 29, 50, 50, 40, 10, 0, 1, 200, 1, 1, 0, 2})
	f.Add([]byte{1, 0, 7, 125, 2, 3, 0, 29, 1, 29, 250, 80, 63, 5, 0, 2, 3, 1, 0, 1, 0, 0, 9, 0, 1})
	f.Add([]byte{3, 0, 3, 9, 3, 2, 1, 5, 0, 0, 50, 30, 20, 1, 0, 0, 100, 1, 1, 7, 2, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, data := fuzzValues(data)
		require.NoError(t, Schema.Check(v))
		m := New(v, uint64(len(data)))
		txns := v.Int("txns")
		clean := true // no clock was pushed or drifts beyond its bound
		if v.Float("drift") > 100 {
			clean = false
		}
		check := func() {
			require.LessOrEqual(t, m.Finished(), txns)
			require.LessOrEqual(t, m.Violations(), m.Finished()+len(m.Running()))
			if clean && (m.Mode() == TrueTime && m.CommitWait() || m.Mode() == Hybrid && m.MaxOffset() > 3.5*m.MeanEpsilon()) {
				require.Zero(t, m.Violations(), "order broken with sound clocks")
			}
			for i := range m.Nodes() {
				if clean {
					require.True(t, m.InBounds(i), "node %d outside its interval", i)
				}
			}
		}
		for steps := 0; len(data) >= 3 && steps < 100; data, steps = data[3:], steps+1 {
			before := m.Now()
			m.Advance(m.Now() + time.Duration(data[0])*time.Millisecond)
			require.GreaterOrEqual(t, m.Now(), before)
			// Arguments run a little out of range on purpose: errors, not panics.
			action := fuzzActions[int(data[1])%len(fuzzActions)]
			if m.Do(action, int(data[2])%(m.Nodes()+2)-1) == nil && action == "skew" {
				clean = false
			}
			check()
		}
		for !m.Done() {
			m.Advance(m.Now() + time.Second)
			require.Less(t, m.Now(), 24*time.Hour, "the run never ends")
		}
		check()
		require.Equal(t, txns, m.Finished())
		require.Empty(t, m.InFlight())
		require.Empty(t, m.Running())
	})
}
