package pacelc

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzActions runs a model on fuzzed parameters through fuzzed advances
// (the lab has no actions: every Do is an error) and checks its
// invariants: metrics in range, overlapping configurations never stale.
func FuzzActions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 70, 80, 140, 30, 30, 2, 10, 50, 4, 200, 100, 50})
	f.Add([]byte{7, 1, 1, 1, 0, 90, 1, 0, 10, 4, 1, 1, 1, 1})
	f.Add([]byte{2, 255, 3, 200, 90, 5, 100, 255, 255, 4, 9, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := int(data[0])
			data = data[1:]
			return b
		}
		v := Schema.Defaults()
		v["config"] = float64(next() % Configs)
		v["rtt12"] = float64(1 + next())
		v["rtt13"] = float64(1 + next())
		v["rtt23"] = float64(1 + next())
		v["jitter"] = float64(next() % 91)
		v["writes"] = float64(5 + next()%91)
		v["keys"] = float64(1 + next()%100)
		v["think"] = float64(next() * 4)
		v["bound"] = float64(10 + next()*7)
		v["duration"] = float64(4 + next()%4)
		require.NoError(t, Schema.Check(v))
		m := New(v, uint64(len(data)))
		for len(data) > 0 {
			m.Advance(m.Now() + time.Duration(next())*5*time.Millisecond)
			require.Error(t, m.Do("cut", next()))
		}
		for !m.Done() {
			m.Advance(m.Now() + time.Second)
			require.Less(t, m.Now(), time.Hour)
		}
		for c, r := range m.Rows() {
			require.GreaterOrEqual(t, r.StaleFraction, 0.0)
			require.LessOrEqual(t, r.StaleFraction, 1.0)
			if c == Sync || c == Majority || c == Quorum || c == AsyncLeader {
				require.Zero(t, r.StaleFraction, ConfigNames[c])
			}
			if c == Session {
				require.Zero(t, r.OwnMisses)
			}
		}
	})
}
