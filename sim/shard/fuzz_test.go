package shard

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
	v["strategy"] = float64(next() % len(strategyNames))
	v["keyset"] = float64(next() % len(keysetNames))
	v["shards"] = float64(1 + next()%MaxShards)
	v["keys"] = float64(100 * (1 + next()%40))
	v["vnodes"] = float64(1 + next()*4)
	v["partitions"] = float64(16 * (1 + next()%32))
	v["rate"] = float64(100 * (1 + next()*40))
	v["traffic"] = float64(next() % 201)
	v["writes"] = float64(5 * (next() % 20))
	v["ops"] = float64(next() * 4)
	v["add"] = float64(next() % 4)
	v["remove"] = float64(next() % 4)
	repair(v)
	return v, data
}

var fuzzActions = []string{"add", "remove", "split", "move", "pause", "read", "scan", "write", "nothing"}

// FuzzActions runs a model on fuzzed parameters through a fuzzed sequence of
// (advance, action, arg) and checks that it never panics and that every key
// stays on exactly one shard.
func FuzzActions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 3, 10, 50, 4, 20, 20, 6, 100, 1, 0, 10, 0, 0, 200, 1, 2, 50, 4, 0, 200, 4, 0})
	f.Add([]byte{1, 2, 1, 30, 0, 0, 2, 50, 10, 60, 0, 1, 5, 2, 0, 5, 2, 1, 5, 1, 0, 30, 5, 0, 9, 6, 0})
	f.Add([]byte{5, 5, 4, 39, 9, 31, 1, 100, 10, 255, 3, 2, 3, 3, 2, 0, 4, 0, 1, 4, 0, 250, 7, 0, 250, 4, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, data := fuzzValues(data)
		require.NoError(t, Schema.Check(v))
		m := New(v, uint64(len(data)))
		check(t, m)
		for steps := 0; len(data) >= 3 && steps < 60; data, steps = data[3:], steps+1 {
			before := m.Now()
			m.Advance(m.Now() + time.Duration(data[0])*50*time.Millisecond)
			require.GreaterOrEqual(t, m.Now(), before)
			// Arguments run a little out of range on purpose: errors, not panics.
			_ = m.Do(fuzzActions[int(data[1])%len(fuzzActions)], int(data[2])%(MaxShards+2)-1)
			check(t, m)
			require.Len(t, m.Metrics(), len(Schema.Metrics))
		}
		if m.paused {
			require.NoError(t, m.Do("pause", 0))
		}
		for !m.Done() {
			m.Advance(m.Now() + 10*time.Second)
			require.Less(t, m.Now(), 24*time.Hour, "the run never ends")
		}
		check(t, m)
	})
}
