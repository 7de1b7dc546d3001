package pacelc

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
)

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

func runAll(t testing.TB, v lab.Values, seed uint64) (*Model, map[string]float64) {
	t.Helper()
	m := New(v, seed)
	got := lab.RunHeadless(&Schema, m, time.Second, time.Hour)
	require.True(t, m.Done(), "the run never ends")
	return m, got
}

// TestHeadless is `scalingdata sim pacelc config=… --json` for every
// configuration: each reports its metrics, and only eventual stays
// available while Europe is cut off.
func TestHeadless(t *testing.T) {
	for c, name := range ConfigNames {
		_, got := runAll(t, values(t, "config="+name), 1)
		require.Len(t, got, len(Schema.Metrics))
		require.Positive(t, got["latency_p50_ms"], name)
		require.GreaterOrEqual(t, got["latency_p99_ms"], got["latency_p50_ms"], name)
		require.Equal(t, c == Eventual, got["available_during_partition"] == 1, name)
		t.Logf("%-15s %v", name, got)
	}
}

const seeds = 12

// TestNoStaleReadsWithOverlap: configurations whose reads overlap every
// acknowledged write (W+R>N, or reads at the leader, or writes to all)
// never read stale before the cut; the others do, over many seeds.
func TestNoStaleReadsWithOverlap(t *testing.T) {
	stale := [Configs]float64{}
	for seed := range uint64(seeds) {
		m, _ := runAll(t, values(t, "duration=12", "think=20", "keys=1"), seed)
		for c, r := range m.Rows() {
			stale[c] += r.StaleFraction
			switch c {
			case Sync, Majority, Quorum, AsyncLeader:
				require.Zero(t, r.StaleFraction, "%s seed %d", ConfigNames[c], seed)
				require.Zero(t, r.OwnMisses, "%s seed %d", ConfigNames[c], seed)
			case Session:
				require.Zero(t, r.OwnMisses, "session reads missed their own writes, seed %d", seed)
			}
			require.Positive(t, r.Reads, "%s seed %d", ConfigNames[c], seed)
		}
	}
	for _, c := range []int{AsyncFollower, Bounded, Session, Eventual} {
		require.Positive(t, stale[c], ConfigNames[c])
	}
}

// TestSyncPaysTheRoundTrip: a synchronous write waits at least for the
// nearest cross-region round trip, whatever the round trips are.
func TestSyncPaysTheRoundTrip(t *testing.T) {
	for _, rtts := range [][3]int{{70, 80, 140}, {10, 200, 200}, {300, 30, 100}, {5, 5, 5}} {
		v := values(t, "config=sync", fmt.Sprintf("rtt12=%d", rtts[0]), fmt.Sprintf("rtt13=%d", rtts[1]), fmt.Sprintf("rtt23=%d", rtts[2]))
		for seed := range uint64(5) {
			_, got := runAll(t, v, seed)
			nearest := float64(min(rtts[0], rtts[1]))
			require.GreaterOrEqual(t, got["write_p50_ms"], nearest*0.98, "rtts %v seed %d", rtts, seed)
		}
	}
}

// TestBoundedStaleness: with a bound, replicas that fall behind send reads
// to the leader, so stale reads are rarer than with plain follower reads.
func TestBoundedStaleness(t *testing.T) {
	var follower, bounded float64
	for seed := range uint64(seeds) {
		m, _ := runAll(t, values(t, "duration=12", "think=20", "keys=1", "bound=20"), seed)
		rows := m.Rows()
		follower += rows[AsyncFollower].StaleFraction
		bounded += rows[Bounded].StaleFraction
	}
	require.Less(t, bounded, follower)
}

func TestDeterminism(t *testing.T) {
	v := values(t, "config=eventual", "duration=8")
	a, _ := runAll(t, v, 7)
	b, _ := runAll(t, v, 7)
	require.Equal(t, a.Rows(), b.Rows())
	require.Equal(t, a.Log().Last(logSize), b.Log().Last(logSize))
	c, _ := runAll(t, v, 8)
	require.NotEqual(t, a.Log().Last(logSize), c.Log().Last(logSize))
}

func TestDo(t *testing.T) {
	m := New(Schema.Defaults(), 1)
	require.EqualError(t, m.Do("cut", 0), `unknown action "cut" (the pacelc lab has no actions; change the parameters)`)
}

func TestAnyValues(t *testing.T) {
	lo, hi := lab.Values{}, lab.Values{}
	for _, p := range Schema.Params {
		lo[p.Name], hi[p.Name] = p.Min, p.Max
		if p.Kind == lab.Enum {
			hi[p.Name] = float64(len(p.Options) - 1)
		}
	}
	hi["duration"] = 8
	nan := func() float64 { var z float64; return z / z }()
	for _, v := range []lab.Values{lo, hi, {}, {"config": 99, "keys": -1, "duration": 5}, {"rtt12": nan, "duration": 5}} {
		m, _ := runAll(t, v, 3)
		require.Len(t, m.Metrics(), len(Schema.Metrics))
	}
}

func TestPresets(t *testing.T) {
	for _, p := range Schema.Presets {
		t.Run(p.Name, func(t *testing.T) {
			raw := map[string]string{"duration": "8"}
			for k, v := range p.Values {
				raw[k] = v
			}
			v, err := Schema.Parse(raw)
			require.NoError(t, err)
			require.NotEmpty(t, p.Label)
			runAll(t, v, 1)
		})
	}
}

func TestHistogram(t *testing.T) {
	var h hist
	for i := 1; i <= 100; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	require.InDelta(t, 50, h.quantile(0.5), 1)
	require.InDelta(t, 99, h.quantile(0.99), 1.5)
	var empty hist
	require.True(t, empty.quantile(0.5) != empty.quantile(0.5), "NaN when empty")
}

func BenchmarkRun(b *testing.B) {
	v := values(b)
	var steps uint64
	for range b.N {
		m, _ := runAll(b, v, 1)
		for _, r := range m.runs {
			steps += r.sim.Steps()
		}
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "events/s")
}
