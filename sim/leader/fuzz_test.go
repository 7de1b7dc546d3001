package leader

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
	v["nodes"] = float64(2 + next()%5)
	v["mode"] = float64(next() % 3)
	v["lag"] = float64(next() * 8)
	v["reads"] = float64(next() % 2)
	flags := next()
	v["ryw"] = float64(flags & 1)
	v["monotonic"] = float64(flags >> 1 & 1)
	v["failover"] = float64(flags >> 2 & 1)
	v["promotion"] = float64(flags >> 3 & 1)
	v["fencing"] = float64(flags >> 4 & 1)
	v["detect"] = float64(100 + next()*20)
	v["rediscover"] = float64(next() * 20)
	v["outage"] = float64(100 + next()*40)
	v["operator"] = float64(next() * 40)
	v["semitimeout"] = float64(50 + next()*4)
	v["clients"] = float64(1 + next()%4)
	v["writes"] = float64(next() % 101)
	v["ops"] = float64(1 + next()%64)
	return v, data
}

var fuzzActions = []string{"post", "kill", "promote", "restart", "spike", "nothing"}

// FuzzActions runs a model on fuzzed parameters through a fuzzed sequence of
// (advance, action, arg) and checks that it never panics and keeps its
// invariants.
func FuzzActions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 25, 1, 4, 10, 100, 10, 0, 10, 2, 50, 40, 0, 1, 0, 200, 1, 3, 0, 250, 3, 1})
	f.Add([]byte{4, 0, 0, 1, 0x1f, 5, 0, 1, 0, 0, 3, 100, 63, 10, 0, 0, 20, 4, 2, 200, 2, 0, 100, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, data := fuzzValues(data)
		require.NoError(t, Schema.Check(v))
		m := New(v, uint64(len(data)))
		check := func() {
			c := m.Counts()
			require.LessOrEqual(t, c.RYW+c.Monotonic, c.ReadsOK*2)
			require.LessOrEqual(t, c.Lost+c.SplitBrain, c.WritesOK)
			primaries := 0
			for i, n := range m.Nodes {
				if n.Role == Primary && !m.Deposed(i) {
					primaries++
				}
				if n.Role == Replica && n.Epoch == m.epoch && i != m.Primary() {
					// A replica of the current epoch holds a prefix of the
					// primary's log.
					p := m.Nodes[m.Primary()].log
					require.LessOrEqual(t, len(n.log), len(p), "%s is ahead of the primary", NodeName(i))
					for k, e := range n.log {
						require.Same(t, p[k], e, "%s diverges at LSN %d", NodeName(i), k+1)
					}
				}
			}
			require.Equal(t, 1, primaries, "one primary per epoch")
			if v.Int("mode") == Sync && v.Bool("fencing") {
				require.Zero(t, c.Lost, "sync replication lost a write")
			}
			if v.Bool("fencing") {
				require.Zero(t, c.SplitBrain, "a fenced primary took writes")
			}
			if v.Bool("ryw") && c.Lost == 0 && c.SplitBrain == 0 {
				require.Zero(t, c.RYW)
			}
		}
		for steps := 0; len(data) >= 3 && steps < 60; data, steps = data[3:], steps+1 {
			before := m.Now()
			m.Advance(m.Now() + time.Duration(data[0])*5*time.Millisecond)
			require.GreaterOrEqual(t, m.Now(), before)
			// Arguments run a little out of range on purpose: errors, not panics.
			_ = m.Do(fuzzActions[int(data[1])%len(fuzzActions)], int(data[2])%(v.Int("nodes")+2)-1)
			check()
		}
		for !m.Done() {
			m.Advance(m.Now() + time.Second)
			require.Less(t, m.Now(), 10*time.Hour, "the run never ends")
		}
		check()
		require.Empty(t, m.InFlight())
	})
}
