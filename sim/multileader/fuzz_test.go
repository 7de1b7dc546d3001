package multileader

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
)

var fuzzActions = []string{"both", "alice", "bob", "nothing"}

// FuzzActions runs a model on fuzzed parameters through a fuzzed sequence of
// (advance, action) and checks that it never panics, always converges once
// quiet, and that CRDTs never lose a write.
func FuzzActions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 8, 0, 20, 1, 0, 0, 1, 2, 3, 40, 0, 0, 2, 100, 1})
	f.Add([]byte{1, 2, 30, 200, 100, 50, 9, 20, 0, 0, 5, 1, 5, 2, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func() float64 {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return float64(b)
		}
		v := lab.Values{
			"regions": 2 + float64(int(next())%2), "strategy": float64(int(next()) % 3),
			"latency": 10 + next(), "skew_us": next()*8 - 1000, "skew_eu": next()*8 - 1000, "skew_asia": next()*8 - 1000,
			"think": 50 + next()*4, "ops": float64(int(next()) % 80),
		}
		require.NoError(t, Schema.Check(v))
		m := New(v, uint64(len(data)))
		for steps := 0; len(data) >= 2 && steps < 50; data, steps = data[2:], steps+1 {
			m.Advance(m.Now() + time.Duration(data[0])*2*time.Millisecond)
			_ = m.Do(fuzzActions[int(data[1])%len(fuzzActions)], 0)
			require.Len(t, m.Metrics(), len(Schema.Metrics))
		}
		for !m.Done() {
			m.Advance(m.Now() + time.Second)
			require.Less(t, m.Now(), time.Hour, "the run never ends")
		}
		if !m.Converged() {
			for r := range m.Regions() {
				for f := range fields {
					t.Log(r, f, m.Values(r, f), m.states[r].f[f].ts, m.states[r].f[f].by)
				}
			}
			for _, e := range m.Log().Last(40) {
				t.Log(e)
			}
		}
		require.True(t, m.Converged(), "regions differ after quiescence")
		if v.Int("strategy") == CRDT {
			require.Zero(t, m.Lost(), "a CRDT lost a write")
		}
	})
}
