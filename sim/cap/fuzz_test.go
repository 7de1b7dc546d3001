package cap

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
	v["replicas"] = float64(3 + next()%5)
	v["mode"] = float64(next() % 2)
	v["merge"] = float64(next() % 3)
	v["reads"] = float64(next() % 2)
	v["failover"] = float64(next() % 2)
	v["partition"] = float64(next() % 2)
	v["keys"] = float64(1 + next()%3)
	v["writes"] = float64(next() % 101)
	v["think"] = float64(next() * 4)
	v["local"] = float64(1 + next()%50)
	v["wan"] = float64(5 + next())
	v["timeout"] = float64(100 + next()*10)
	v["duration"] = float64(3 + next()%8)
	return v, data
}

var fuzzActions = []string{"cut", "oneway", "isolate", "rejoin", "heal", "nothing"}

// FuzzActions runs a model on fuzzed parameters through a fuzzed sequence
// of (advance, action, arg) and checks that it never panics and keeps its
// invariants: CP with leader reads stays linearizable whatever is cut, AP
// never fails while a client reaches a replica of its own site, and only
// last-write-wins loses writes.
func FuzzActions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 0, 0, 0, 1, 0, 1, 50, 50, 4, 40, 50, 4, 100, 0, 0, 100, 2, 0, 200, 4, 0})
	f.Add([]byte{2, 1, 0, 0, 1, 1, 2, 50, 10, 4, 40, 50, 4, 50, 1, 0, 100, 2, 3, 100, 4, 0, 50, 0, 0})
	f.Add([]byte{4, 0, 0, 0, 1, 0, 3, 80, 0, 2, 100, 30, 6, 90, 2, 0, 255, 3, 0, 10, 1, 0, 255, 4, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, data := fuzzValues(data)
		require.NoError(t, Schema.Check(v))
		m := New(v, uint64(len(data)))
		check := func() {
			got := lab.MetricMap(&Schema, m)
			require.GreaterOrEqual(t, got["availability"], 0.0)
			require.LessOrEqual(t, got["availability"], 1.0)
			if m.mode == CP && !m.localReads {
				require.Equal(t, 1.0, got["linearizable"], "CP with leader reads lost linearizability")
				require.Zero(t, got["stale_reads"])
			}
			if m.mode == CP || m.merge != LWW {
				require.Zero(t, got["lost_writes"])
			}
			if m.mode == CP {
				require.Zero(t, got["conflicts_on_heal"])
				leaders := map[int]int{}
				for _, r := range m.reps {
					if r.role == Leader {
						leaders[r.term]++
						require.Equal(t, 1, leaders[r.term], "two leaders in term %d", r.term)
					}
				}
			}
		}
		for steps := 0; len(data) >= 3 && steps < 60; data, steps = data[3:], steps+1 {
			before := m.Now()
			m.Advance(m.Now() + time.Duration(data[0])*10*time.Millisecond)
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
	})
}
