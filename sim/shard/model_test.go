package shard

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
)

// values parses raw key=value pairs strictly, as the CLI does.
func values(t testing.TB, kv ...string) lab.Values {
	t.Helper()
	raw := map[string]string{}
	for _, s := range kv {
		k, v, ok := strings.Cut(s, "=")
		require.True(t, ok, s)
		raw[k] = v
	}
	v, err := Schema.Parse(raw)
	require.NoError(t, err)
	return v
}

// headless runs a model the way `scalingdata sim` does.
func headless(t testing.TB, seed uint64, kv ...string) (*Model, map[string]float64) {
	t.Helper()
	m := New(values(t, kv...), seed)
	out := lab.RunHeadless(&Schema, m, time.Second, 24*time.Hour)
	require.True(t, m.Done(), "the run did not finish")
	return m, out
}

// check verifies that every key is on exactly one shard: the loads add up
// to the keys, each shard's load is the keys it holds, and a settled model
// holds every key where the placement puts it, on a shard in use.
func check(t testing.TB, m *Model) {
	t.Helper()
	var count [MaxShards]int
	for i, k := range m.key {
		count[m.owner[i]]++
		if m.moving {
			continue
		}
		switch {
		case m.owner[i] != m.next[i]:
			t.Fatalf("key %d not settled: on %d, belongs on %d", i, m.owner[i], m.next[i])
		case m.place(k) != m.owner[i]:
			t.Fatalf("key %d on %d, placement says %d", i, m.owner[i], m.place(k))
		case m.load[m.owner[i]] == 0 || !slices.Contains(m.live, m.owner[i]):
			t.Fatalf("key %d on shard %d, not in use", i, m.owner[i])
		}
	}
	require.Equal(t, count, m.load)
	total := 0
	for _, c := range m.load {
		total += c
	}
	require.Equal(t, len(m.key), total)
	require.Len(t, m.owner, len(m.key))
	require.Len(t, m.next, len(m.key))
}

func TestHeadlessExamples(t *testing.T) {
	tests := []struct {
		args   string
		metric string
		want   float64
		within float64
	}{
		{"strategy=mod shards=4 add=1 keys=100000", "moved_fraction", 0.8, 0.01},
		{"strategy=ring vnodes=100 shards=4 add=1 keys=100000", "moved_fraction", 0.2, 0.05},
		{"strategy=logical partitions=4096 shards=4 add=1 keys=100000", "moved_fraction", 0.2, 0.01},
		{"strategy=range keys=100000 keyset=sequential", "hottest_shard_share", 1, 0},
		{"strategy=mod keys=100000 keyset=sequential", "hottest_shard_share", 0.25, 0.05},
		{"strategy=range keys=100000", "range_query_shards", 1.5, 0.5},
		{"strategy=jump keys=100000", "range_query_shards", 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			m, out := headless(t, 1, strings.Fields(tt.args)...)
			require.InDelta(t, tt.want, out[tt.metric], tt.within)
			require.Equal(t, float64(m.Keys()), out["keys"])
			check(t, m)
		})
	}
}

func TestModMovesNOverNPlusOne(t *testing.T) {
	for n := 1; n <= 12; n++ {
		_, out := headless(t, 2, "strategy=mod", fmt.Sprintf("shards=%d", n), "add=1", "keys=50000", "ops=0", "rate=1000000")
		want := float64(n) / float64(n+1)
		require.InDelta(t, want, out["moved_fraction"], 0.01, "N=%d", n)
	}
}

func TestMinimalMovesOneOverNPlusOne(t *testing.T) {
	tests := []struct {
		strategy string
		within   float64
	}{
		{"jump", 0.01},
		{"rendezvous", 0.01},
		{"logical", 0.01},
		{"ring", 0.06}, // V=100: arcs vary, so the share taken varies
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			for _, n := range []int{1, 2, 4, 7, 10} {
				_, out := headless(t, 3, "strategy="+tt.strategy, fmt.Sprintf("shards=%d", n), "add=1", "keys=50000", "ops=0", "rate=1000000")
				require.InDelta(t, 1/float64(n+1), out["moved_fraction"], tt.within, "N=%d", n)
			}
		})
	}
}

func TestRemoveMovesOnlyTheRemovedShardsKeys(t *testing.T) {
	for _, s := range []string{"ring", "rendezvous", "logical", "directory", "geo"} {
		t.Run(s, func(t *testing.T) {
			m := New(values(t, "strategy="+s, "shards=5", "keys=20000", "ops=0", "rate=1000000"), 4)
			held := m.Load(2)
			require.NoError(t, m.Do("remove", 2))
			reb, ok := m.LastRebalance()
			require.True(t, ok)
			require.Equal(t, held, reb.Moved)
			for i := range m.key {
				if m.owner[i] != 2 {
					require.Equal(t, m.owner[i], m.next[i], "key %d moved although its shard stayed", i)
				}
			}
			m.Advance(time.Minute)
			check(t, m)
			require.Zero(t, m.Load(2))
		})
	}
}

func TestLoadSpreadShrinksAsVGrows(t *testing.T) {
	seeds := 10
	if testing.Short() {
		seeds = 3
	}
	prev := math.Inf(1)
	for _, v := range []int{1, 10, 100, 1000} {
		sum := 0.0
		for seed := range uint64(seeds) {
			m := New(values(t, "strategy=ring", "shards=8", "keys=20000", "ops=0", fmt.Sprintf("vnodes=%d", v)), seed)
			// Ring points depend on shard names, not the seed: vary the
			// shards by adding and removing a few.
			for range seed % 4 {
				require.NoError(t, m.Do("add", 0))
				m.Advance(m.Now() + time.Minute)
			}
			_, sd := m.Balance()
			sum += sd
		}
		mean := sum / float64(seeds)
		t.Logf("V=%d: load stddev/mean %.3f", v, mean)
		require.Less(t, mean, prev, "V=%d", v)
		prev = mean
	}
	require.Less(t, prev, 0.05)
}

func TestLogicalMovesOnlyReassignedPartitions(t *testing.T) {
	m := New(values(t, "strategy=logical", "partitions=256", "shards=3", "keys=30000", "ops=0"), 5)
	before := append([]uint8(nil), m.parts...)
	require.NoError(t, m.Do("add", 0))
	reassigned := map[int]bool{}
	for p := range before {
		if before[p] != m.parts[p] {
			reassigned[p] = true
		}
	}
	require.Len(t, reassigned, 256/4)
	for i, k := range m.key {
		moved := m.owner[i] != m.next[i]
		require.Equal(t, reassigned[m.partition(k, Hash(k))], moved, "key %d", i)
	}
	m.Advance(time.Minute)
	check(t, m)

	// Moving one partition by hand moves exactly its keys.
	require.NoError(t, m.Do("move", 0))
	reb, _ := m.LastRebalance()
	require.Contains(t, reb.What, "move partition")
	require.Positive(t, reb.Moved)
	require.Less(t, reb.Moved, m.Keys()/100)
}

func TestRangeSplitAndMerge(t *testing.T) {
	m := New(values(t, "strategy=range", "shards=2", "keys=20000", "ops=0", "rate=1000000"), 6)
	require.NoError(t, m.Do("split", 1))
	reb, _ := m.LastRebalance()
	require.InDelta(t, 0.25, float64(reb.Moved)/20000, 0.02, "the upper half of one of two ranges")
	m.Advance(time.Minute)
	check(t, m)
	require.Equal(t, []int{0, 1, 2}, m.Live())
	require.Less(t, m.RangeStart(1), m.RangeStart(2))
	require.NoError(t, m.Do("remove", 0))
	m.Advance(2 * time.Minute)
	check(t, m)
	require.Equal(t, []int{1, 2}, m.Live())
	require.Zero(t, m.RangeStart(0))
}

func TestDoubleReadsDuringPausedMove(t *testing.T) {
	m := New(values(t, "strategy=mod", "keys=10000", "rate=1000", "traffic=200", "writes=0", "ops=100000"), 7)
	require.NoError(t, m.Do("add", 0))
	m.Advance(4 * time.Second) // about half of 8,000 keys copied
	require.NoError(t, m.Do("pause", 0))
	copied, total, moving, paused := m.Move()
	require.True(t, moving)
	require.True(t, paused)
	require.InDelta(t, total/2, copied, 200)
	before := m.doubles
	m.Advance(m.Now() + 10*time.Second)
	copied2, _, _, _ := m.Move()
	require.Equal(t, copied, copied2, "a paused move copies nothing")
	reads := 0
	for range 200 {
		require.NoError(t, m.Do("read", 0))
		r := m.LastRead()
		if r.Double() {
			reads++
			require.Equal(t, m.Next(r.Index), r.First)
			require.Equal(t, m.Owner(r.Index), r.Served)
		} else {
			require.Equal(t, m.Owner(r.Index), r.Served)
		}
	}
	// Keys still to copy: 4,000 of 10,000.
	require.InDelta(t, 0.4*200, reads, 30)
	require.Greater(t, m.doubles, before)
	require.NoError(t, m.Do("pause", 0))
	m.Advance(m.Now() + time.Minute)
	_, _, moving, _ = m.Move()
	require.False(t, moving)
	check(t, m)
	require.NoError(t, m.Do("read", 0))
	require.False(t, m.LastRead().Double())
}

func TestActionErrors(t *testing.T) {
	tests := []struct {
		args   string
		action string
		arg    int
		want   string
	}{
		{"strategy=mod", "remove", 7, "remove: shard 7 is not in use (shards: A, B, C, D)"},
		{"strategy=mod", "remove", -1, "remove: shard -1 is not in use"},
		{"strategy=mod", "split", 0, "split: only the range strategy"},
		{"strategy=ring", "move", 0, "move: only the logical and directory strategies"},
		{"strategy=jump", "remove", 1, "can only remove the last shard, D"},
		{"strategy=mod shards=1", "remove", 0, "remove: A is the only shard"},
		{"strategy=mod shards=16", "add", 0, "add: already 16 shards"},
		{"strategy=mod", "pause", 0, "pause: no move in progress"},
		{"strategy=mod", "launch", 0, `unknown action "launch"`},
	}
	for _, tt := range tests {
		t.Run(tt.action+" "+tt.args, func(t *testing.T) {
			m := New(values(t, strings.Fields(tt.args)...), 1)
			err := m.Do(tt.action, tt.arg)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			check(t, m)
		})
	}
	m := New(values(t, "strategy=mod"), 1)
	require.NoError(t, m.Do("add", 0))
	require.ErrorContains(t, m.Do("add", 0), "add: wait until the current move finishes")
	require.ErrorContains(t, m.Do("remove", 0), "remove: wait until")
}

func TestDeterminism(t *testing.T) {
	run := func() (string, []float64) {
		r := lab.Run{
			Values: values(t, "strategy=directory", "keys=5000", "traffic=100", "ops=2000", "add=1", "rate=200"),
			Seed:   42,
			Inputs: []lab.Input{
				{At: 2 * time.Second, Action: "pause"},
				{At: 3 * time.Second, Action: "read"},
				{At: 4 * time.Second, Action: "pause"},
				{At: 9 * time.Second, Action: "move", Arg: 1},
				{At: 15 * time.Second, Action: "scan"},
				{At: 16 * time.Second, Action: "write"},
			},
		}
		m, err := Lab.Replay(r, 30*time.Second)
		require.NoError(t, err)
		var b strings.Builder
		for _, e := range m.Log().Last(logSize) {
			fmt.Fprintln(&b, e)
		}
		return b.String(), m.Metrics()
	}
	log1, met1 := run()
	log2, met2 := run()
	require.Equal(t, log1, log2)
	require.Equal(t, met1, met2)
	require.Contains(t, log1, "move paused")
	require.Contains(t, log1, "move tenant")
	require.Contains(t, log1, "range query")
}

func TestInstagramIDs(t *testing.T) {
	// The fields of an id survive a round trip.
	id := MakeID(1387263000, 1341, 5001)
	d := DecodeID(id)
	require.Equal(t, uint64(1387263000), d.Ms)
	require.Equal(t, 1341, d.Shard)
	require.Equal(t, 5001%1024, d.Seq)
	require.Equal(t, int64(1387263000+IDEpoch), d.Time.UnixMilli())

	// Ids made by the lab carry the time of the write and a shard below the
	// number of partitions, and place keys by that shard.
	m := New(values(t, "strategy=logical", "keyset=ids", "partitions=4096", "keys=2000", "ops=0"), 1)
	m.Advance(90 * time.Second)
	require.NoError(t, m.Do("write", 0))
	w := m.LastWrite()
	got := DecodeID(w.Key)
	require.Equal(t, LabClock.Add(90*time.Second), got.Time)
	require.Less(t, got.Shard, 4096)
	require.Equal(t, int(m.parts[got.Shard]), w.First)
	for _, k := range m.key[:2000] {
		d := DecodeID(k)
		require.True(t, d.Time.Before(LabClock.Add(time.Second)) && d.Time.After(LabClock.Add(-idHistory-time.Second)))
	}
}

func TestJumpHashMatchesPaper(t *testing.T) {
	// Growing n moves a key only to the new bucket.
	for k := range uint64(2000) {
		h := Hash(k)
		prev := JumpHash(h, 1)
		require.Zero(t, prev)
		for n := 2; n <= 40; n++ {
			b := JumpHash(h, n)
			require.True(t, b == prev || b == n-1, "key %d n %d: %d → %d", k, n, prev, b)
			prev = b
		}
	}
}

func TestEveryStrategyAndKeysetKeepsKeysOnOneShard(t *testing.T) {
	for s := range strategyNames {
		for k := range keysetNames {
			name := strategyNames[s] + "/" + keysetNames[k]
			t.Run(name, func(t *testing.T) {
				m := New(values(t, "strategy="+strategyNames[s], "keyset="+keysetNames[k], "keys=3000", "shards=3",
					"traffic=100", "ops=1500", "add=2", "remove=2", "rate=5000"), uint64(s*10+k))
				for !m.Done() {
					m.Advance(m.Now() + 500*time.Millisecond)
					check(t, m)
					require.Less(t, m.Now(), time.Hour)
				}
				require.Len(t, m.Live(), 3)
				require.Equal(t, 3000+m.writes*boolInt(m.keyset != Zipf), m.Keys())
			})
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestPresetsRun(t *testing.T) {
	for _, p := range Schema.Presets {
		t.Run(p.Name, func(t *testing.T) {
			v, err := Schema.Parse(p.Values)
			require.NoError(t, err)
			m := New(v, 1)
			m.Advance(5 * time.Second)
			check(t, m)
		})
	}
}

func TestValidateAndRepair(t *testing.T) {
	v := values(t, "shards=12")
	v["add"] = 6
	require.EqualError(t, Schema.Check(v), "shards=12 + add=6 > 16")
	repair(v)
	require.Equal(t, 4.0, v["add"])
	v["remove"] = 16
	require.Error(t, Schema.Check(v))
	repair(v)
	require.Equal(t, 15.0, v["remove"])
	require.NoError(t, Schema.Check(v))
}

// BenchmarkRebalance1M plans and completes a rebalance of a million keys
// (adding a shard, then removing it again) with an unlimited move rate.
func BenchmarkRebalance1M(b *testing.B) {
	for _, s := range strategyNames {
		b.Run(s, func(b *testing.B) {
			m := New(values(b, "strategy="+s, "keys=1000000", "shards=8", "ops=0", "rate=1000000"), 1)
			b.ResetTimer()
			for i := range b.N {
				action, arg := "add", 0
				if i%2 == 1 {
					action, arg = "remove", m.Live()[len(m.Live())-1]
				}
				if err := m.Do(action, arg); err != nil {
					b.Fatal(err)
				}
				for m.moving {
					m.Advance(m.Now() + time.Second)
				}
			}
		})
	}
}

// BenchmarkNew1M places a million keys.
func BenchmarkNew1M(b *testing.B) {
	for _, s := range []string{"mod", "ring", "rendezvous", "range"} {
		b.Run(s, func(b *testing.B) {
			v := values(b, "strategy="+s, "keys=1000000", "shards=8", "ops=0")
			for range b.N {
				New(v, 1)
			}
		})
	}
}
