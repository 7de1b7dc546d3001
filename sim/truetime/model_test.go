package truetime

import (
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
)

// values returns the defaults with the given changes; enums by name.
func values(kv ...any) lab.Values {
	v := Schema.Defaults()
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		switch x := kv[i+1].(type) {
		case int:
			v[k] = float64(x)
		case float64:
			v[k] = x
		case bool:
			v[k] = 0
			if x {
				v[k] = 1
			}
		case Mode:
			v[k] = float64(x)
		}
	}
	return v
}

// run runs a model to the end and returns every finished transaction, in
// the order they finished.
func run(t testing.TB, v lab.Values, seed uint64) (*Model, []Txn) {
	t.Helper()
	m := New(v, seed)
	var all []Txn
	for !m.Done() {
		m.Advance(m.Now() + time.Millisecond)
		require.Less(t, m.Now(), 24*time.Hour, "the run never ends")
		all = collect(all, m)
	}
	return m, all
}

// collect appends the transactions that finished since the last call.
func collect(all []Txn, m *Model) []Txn {
	fresh := m.Finished() - len(all)
	if fresh == 0 {
		return all // Recent copies what it keeps: not on every step
	}
	recent := m.Recent()
	if fresh > len(recent) {
		panic(fmt.Sprintf("%d transactions finished in one step, more than the %d kept", fresh, len(recent)))
	}
	return append(all, recent[len(recent)-fresh:]...)
}

// outOfOrder counts, from the transactions' own timestamps, those that
// began after another had finished and are not ordered after it. all is
// in finishing order, so the transactions finished before b began are a
// prefix of it, summarised by their highest timestamp (or, for vector
// clocks, their join: b comes after each of them exactly when b's vector
// is at least the join, b's own entry being new).
func outOfOrder(mode Mode, all []Txn) int {
	n := 0
	for _, b := range all {
		top := -1 // index of the highest timestamp so far
		var join Vec
		for i, a := range all {
			if a.End >= b.Start {
				break
			}
			switch {
			case mode == Vector && join == nil:
				join = slices.Clone(a.V)
			case mode == Vector:
				join.merge(a.V)
			case top < 0 || after(mode, all[top], a):
				top = i
			}
		}
		switch {
		case mode == Vector && join != nil && b.V.below(join) >= 0:
			n++
		case mode != Vector && top >= 0 && !after(mode, all[top], b):
			n++
		}
	}
	return n
}

// after reports whether b's timestamp places it after a's.
func after(mode Mode, a, b Txn) bool {
	switch mode {
	case TrueTime:
		return a.S < b.S
	case Lamport:
		return a.L.Less(b.L)
	case Vector:
		return b.V.below(a.V) < 0 && a.V.below(b.V) >= 0
	}
	panic("no total order for " + mode.String())
}

// seeds is how many seeds the property tests try: 20, or 4 with -short.
var seeds = uint64(20)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		seeds = 4
	}
	os.Exit(m.Run())
}

func TestCommitWaitKeepsOrder(t *testing.T) {
	tests := []struct {
		name string
		v    lab.Values
	}{
		{"spanner", values("txns", 1500)},
		{"tight clocks", values("epsilon", 0.5, "txns", 1500)},
		{"wide, fast drift", values("epsilon", 20, "sync", 5, "drift", 100, "clients", 4, "gap", 0, "txns", 1500)},
		{"five nodes, slow replication", values("nodes", 5, "replicate", 30, "txns", 800)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range seeds {
				m, all := run(t, tt.v, seed)
				require.Zero(t, m.Violations(), "seed %d", seed)
				require.Zero(t, outOfOrder(TrueTime, all), "seed %d", seed)
				for _, x := range all {
					require.Greater(t, float64(x.WaitEnd), x.S, "T%d: commit wait ended before s in true time", x.ID)
					require.LessOrEqual(t, x.TT.Earliest, float64(x.Stamped), "T%d: TT.now() missed true time", x.ID)
					require.GreaterOrEqual(t, x.TT.Latest, float64(x.Stamped), "T%d: TT.now() missed true time", x.ID)
				}
			}
		})
	}
}

func TestWithoutCommitWaitOrderBreaks(t *testing.T) {
	seedsWith := 0
	for seed := range seeds {
		m, all := run(t, values("commitwait", false, "txns", 500), seed)
		require.Equal(t, outOfOrder(TrueTime, all), m.Violations(), "seed %d", seed)
		if m.Violations() > 0 {
			seedsWith++
		}
	}
	require.Equal(t, int(seeds), seedsWith)
}

func TestMeanCommitWaitIsTwiceEpsilon(t *testing.T) {
	const txns = 20000
	for _, eps := range []float64{1, 4, 10} {
		t.Run(fmt.Sprint(eps), func(t *testing.T) {
			m := New(values("epsilon", eps, "txns", txns), 3)
			mt := lab.RunHeadless(&Schema, m, time.Second, 24*time.Hour)
			require.InEpsilon(t, 2*eps, mt["commit_wait_ms_mean"], 0.03)
			require.InEpsilon(t, eps, mt["epsilon_ms_mean"], 0.03)
			// ε peaks at 7ε/4, so no wait is much longer than 3.5ε.
			require.InDelta(t, 3.5*eps, mt["commit_wait_ms_p99"], 0.1*eps)
		})
	}
}

func TestReplicationHidesCommitWait(t *testing.T) {
	mt := lab.RunHeadless(&Schema, New(values("replicate", 20, "txns", 500), 1), time.Second, time.Hour)
	require.InEpsilon(t, 8, mt["commit_wait_ms_mean"], 0.1)
	require.InDelta(t, 20, mt["latency_ms_mean"], 0.001)
}

func TestPushedClockBreaksCommitWait(t *testing.T) {
	broken := 0
	for seed := range seeds {
		m := New(values("txns", 100000), seed)
		m.Advance(100 * time.Millisecond)
		require.True(t, m.InBounds(1))
		require.NoError(t, m.Do("skew", 1))
		require.False(t, m.InBounds(1))
		m.Advance(m.Now() + time.Second)
		if m.Violations() > 0 {
			broken++
		}
		require.NoError(t, m.Do("sync", 1))
		require.True(t, m.InBounds(1))
	}
	require.Greater(t, broken, int(seeds)/2)
}

func TestDriftBeyondTheBoundLeavesTheInterval(t *testing.T) {
	// ε grows by 1.5ε̄ per sync interval: 200 µs/s for 4 ms and 30 s.
	m := New(values("drift", 300, "txns", 100000), 1)
	out := false
	for range 30 {
		m.Advance(m.Now() + time.Second)
		for i := range m.Nodes() {
			out = out || !m.InBounds(i)
		}
	}
	require.True(t, out)

	m = New(values("drift", 100, "txns", 100000), 1)
	for range 60 {
		m.Advance(m.Now() + time.Second)
		for i := range m.Nodes() {
			require.True(t, m.InBounds(i), "node %d at %v", i, m.Now())
		}
	}
}

func TestSawtooth(t *testing.T) {
	m := New(values("epsilon", 4, "sync", 10, "txns", 1), 1)
	lo, hi := math.Inf(1), math.Inf(-1)
	for range 2000 {
		m.Advance(m.Now() + 10*time.Millisecond)
		for i := range m.Nodes() {
			e := m.Epsilon(i) / 1e6
			lo, hi = min(lo, e), max(hi, e)
			iv := m.TTNow(i)
			require.InDelta(t, 2*m.Epsilon(i), iv.Latest-iv.Earliest, 1e-3)
		}
	}
	require.InDelta(t, 1, lo, 0.01)
	require.InDelta(t, 7, hi, 0.01)
}

func TestHLC(t *testing.T) {
	tests := []struct {
		name string
		v    lab.Values
	}{
		{"cockroach", values("mode", Hybrid, "txns", 400)},
		{"tight offset", values("mode", Hybrid, "maxoffset", 36, "epsilon", 10, "txns", 400)},
		{"busy", values("mode", Hybrid, "clients", 4, "gap", 0, "nodes", 5, "reads", 80, "txns", 400)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			restarts := 0
			for seed := range seeds {
				m := New(tt.v, seed)
				clocks := make([]HLC, m.Nodes())
				var all []Txn
				for !m.Done() {
					m.Advance(m.Now() + time.Millisecond)
					all = collect(all, m)
					for i := range clocks {
						require.False(t, m.Clock(i).Less(clocks[i]), "node %d's HLC went back", i)
						clocks[i] = m.Clock(i)
					}
				}
				require.Zero(t, m.Violations(), "seed %d", seed)
				restarts += m.Restarts()
				checkHLCReads(t, all)
			}
			require.Positive(t, restarts)
		})
	}
}

// checkHLCReads checks that every read returned a write of its key
// finished before it began, or a later one: none is stale.
func checkHLCReads(t *testing.T, all []Txn) {
	t.Helper()
	byID := map[int]Txn{}
	for _, x := range all {
		byID[x.ID] = x
	}
	for _, r := range all {
		if !r.Read {
			continue
		}
		for _, w := range all {
			if w.Read || w.Node != r.Node || w.End >= r.Start {
				continue
			}
			saw, ok := byID[r.Saw]
			require.True(t, ok || r.Saw == 0)
			require.True(t, r.Saw != 0 && !saw.H.Less(w.H), "T%d read %s and missed T%d's write", r.ID, KeyName(r.Node), w.ID)
		}
	}
}

func TestHLCMessagesRespectCausality(t *testing.T) {
	m := New(values("mode", Hybrid, "txns", 300), 5)
	for !m.Done() {
		m.Advance(m.Now() + time.Millisecond)
		for _, msg := range m.Delivered() {
			// The receiver's clock is past everything it received.
			require.True(t, msg.Payload.(Packet).H.Less(m.Clock(msg.To)))
		}
	}
}

func TestClockBeyondMaxOffsetReadsStale(t *testing.T) {
	stale := 0
	for seed := range seeds {
		m := New(values("mode", Hybrid, "txns", 100000, "reads", 50), seed)
		m.Advance(200 * time.Millisecond)
		require.NoError(t, m.Do("skew", int(seed%3)))
		m.Advance(m.Now() + 3*time.Second)
		stale += m.Violations()
	}
	require.Positive(t, stale)
}

func TestHLCValue(t *testing.T) {
	h := HLC{}
	h.tick(100)
	require.Equal(t, HLC{100, 0}, h)
	h.tick(90) // the physical clock went back
	require.Equal(t, HLC{100, 1}, h)
	h.recv(HLC{100, 5}, 95)
	require.Equal(t, HLC{100, 6}, h)
	h.recv(HLC{120, 2}, 95)
	require.Equal(t, HLC{120, 3}, h)
	h.recv(HLC{110, 9}, 130)
	require.Equal(t, HLC{130, 0}, h)
	h.recv(HLC{50, 0}, 10)
	require.Equal(t, HLC{130, 1}, h)
	require.Equal(t, "0.00 ms +1", HLC{130, 1}.String())
}

func TestLogicalClocks(t *testing.T) {
	for _, mode := range []Mode{Lamport, Vector} {
		t.Run(mode.String(), func(t *testing.T) {
			total := 0
			for seed := range seeds {
				m, all := run(t, values("mode", mode, "txns", 300), seed)
				require.Equal(t, outOfOrder(mode, all), m.Violations(), "seed %d", seed)
				total += m.Violations()
				// What a node does later, it stamps later: transactions
				// on one node in real-time order are in clock order.
				for _, a := range all {
					for _, b := range all {
						if a.Node == b.Node && a.Stamped < b.Stamped {
							require.True(t, after(mode, a, b), "T%d then T%d on %s", a.ID, b.ID, NodeName(a.Node))
						}
					}
				}
			}
			require.Positive(t, total, "the clients' order is invisible to logical clocks")
		})
	}
}

func TestDeterminism(t *testing.T) {
	for _, mode := range []Mode{TrueTime, Hybrid, Lamport, Vector} {
		t.Run(mode.String(), func(t *testing.T) {
			r := lab.Run{
				Values: values("mode", mode, "txns", 300, "clients", 3),
				Seed:   42,
				Inputs: []lab.Input{
					{At: 50 * time.Millisecond, Action: "skew", Arg: 1},
					{At: 900 * time.Millisecond, Action: "sync", Arg: 1},
				},
			}
			replay := func(seed uint64) *Model {
				r.Seed = seed
				m, _ := Lab.Replay(r, 5*time.Second)
				return m.(*Model)
			}
			a, b := replay(42), replay(42)
			require.True(t, narration(a) == narration(b), "same seed, different narration")
			require.Equal(t, a.Metrics(), b.Metrics())
			require.Equal(t, a.Recent(), b.Recent())
			require.False(t, narration(a) == narration(replay(43)), "different seeds, same narration")
		})
	}
}

// narration is the narration a model still holds.
func narration(m *Model) string {
	var b strings.Builder
	for _, e := range m.Log().Last(logSize) {
		fmt.Fprintln(&b, e)
	}
	return b.String()
}

func TestDo(t *testing.T) {
	tests := []struct {
		name   string
		v      lab.Values
		action string
		arg    int
		err    string
	}{
		{"skew", values(), "skew", 2, ""},
		{"sync", values("mode", Hybrid), "sync", 0, ""},
		{"out of range", values(), "skew", 3, "skew: node 3 out of range 0..2"},
		{"negative", values("nodes", 5), "sync", -1, "sync: node -1 out of range 0..4"},
		{"lamport", values("mode", Lamport), "skew", 0, "skew: lamport clocks count events and never read a physical clock; choose truetime or hlc"},
		{"vector", values("mode", Vector), "sync", 1, "sync: vector clocks count events and never read a physical clock; choose truetime or hlc"},
		{"unknown", values(), "explode", 0, `unknown action "explode" (want skew or sync)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New(tt.v, 1).Do(tt.action, tt.arg)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestNarration(t *testing.T) {
	m := New(values("txns", 50), 1)
	require.NoError(t, m.Do("skew", 0))
	m.Advance(2 * time.Second)
	require.NoError(t, m.Do("sync", 0))
	text := narration(m)
	for _, want := range []string{"A's clock jumps 16.0 ms ahead", "TT.now() = [", "after a commit wait of ", "A syncs its clock: offset "} {
		require.Contains(t, text, want)
	}
}

// TestHeadlessExamples holds the command lines the chapter and the issue
// quote.
func TestHeadlessExamples(t *testing.T) {
	metrics := func(raw map[string]string, seed uint64) map[string]float64 {
		v, err := Schema.Parse(raw)
		require.NoError(t, err)
		return lab.RunHeadless(&Schema, New(v, seed), time.Second, 24*time.Hour)
	}
	// scalingdata sim truetime epsilon=4 txns=2000 seed=1 --json
	on := metrics(map[string]string{"epsilon": "4", "txns": "2000"}, 1)
	require.InEpsilon(t, 8, on["commit_wait_ms_mean"], 0.03)
	require.Zero(t, on["order_violations"])
	// … commitwait=off
	off := metrics(map[string]string{"epsilon": "4", "txns": "2000", "commitwait": "off"}, 1)
	require.Zero(t, off["commit_wait_ms_mean"])
	require.Positive(t, off["order_violations"])
	require.Greater(t, off["throughput_tps"], 2*on["throughput_tps"])
	// scalingdata sim truetime mode=hlc maxoffset=500 txns=2000 seed=1 --json
	hlc := metrics(map[string]string{"mode": "hlc", "maxoffset": "500", "txns": "2000"}, 1)
	require.Zero(t, hlc["commit_wait_ms_mean"])
	require.Zero(t, hlc["order_violations"])
	require.Positive(t, hlc["uncertainty_restarts"])
	require.InEpsilon(t, 4, hlc["epsilon_ms_mean"], 0.1)
}

func TestAnyValues(t *testing.T) {
	lo, hi := lab.Values{}, lab.Values{}
	for _, p := range Schema.Params {
		lo[p.Name], hi[p.Name] = p.Min, p.Max
	}
	lo["mode"], hi["mode"] = 0, 3
	hi["txns"] = 300
	tests := []struct {
		name string
		v    lab.Values
	}{
		{"minimum", lo},
		{"maximum", hi},
		{"empty", lab.Values{}},
		{"out of range", lab.Values{"mode": 9, "nodes": 40, "epsilon": -3, "gap": 1e9, "txns": 50, "sync": 0}},
		{"not a number", lab.Values{"epsilon": math.NaN(), "latency": math.NaN(), "txns": 50}},
	}
	for _, tt := range tests {
		for mode := range Mode(4) {
			t.Run(tt.name+"/"+mode.String(), func(t *testing.T) {
				v := tt.v.Clone()
				if _, ok := v["mode"]; !ok {
					v["mode"] = float64(mode)
				}
				m := New(v, 5)
				lab.RunHeadless(&Schema, m, time.Second, 24*time.Hour)
				require.True(t, m.Done())
				require.Len(t, m.Metrics(), len(Schema.Metrics))
			})
		}
	}
}

func TestPresets(t *testing.T) {
	for _, p := range Schema.Presets {
		t.Run(p.Name, func(t *testing.T) {
			v, err := Schema.Parse(p.Values)
			require.NoError(t, err)
			require.NotEmpty(t, p.Label)
			v["txns"] = 100
			run(t, v, 1)
		})
	}
}

func BenchmarkRun(b *testing.B) {
	for _, mode := range []Mode{TrueTime, Hybrid} {
		b.Run(mode.String(), func(b *testing.B) {
			v := values("mode", mode, "txns", 10000, "clients", 4)
			var steps uint64
			for range b.N {
				m := New(v, 1)
				lab.RunHeadless(&Schema, m, time.Second, 24*time.Hour)
				steps += m.sim.Steps()
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
