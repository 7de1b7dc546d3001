package cap

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
)

// values parses raw key=value pairs strictly, like a sim block.
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

// run runs a model to the end, as `scalingdata sim` does.
func run(t testing.TB, v lab.Values, seed uint64) (*Model, map[string]float64) {
	t.Helper()
	m := New(v, seed)
	got := lab.RunHeadless(&Schema, m, time.Second, time.Hour)
	require.True(t, m.Done(), "the run never ends")
	return m, got
}

// narration is everything the model still holds in its log.
func narration(m *Model) string {
	var b strings.Builder
	for _, e := range m.Log().Last(logSize) {
		fmt.Fprintln(&b, e)
	}
	return b.String()
}

// TestHeadlessExamples are the command lines:
// scalingdata sim cap mode=cp partition=on seed=1 --json, and mode=ap.
func TestHeadlessExamples(t *testing.T) {
	_, cp := run(t, values(t, "mode=cp", "partition=on"), 1)
	require.Less(t, cp["availability"], 1.0)
	require.Equal(t, 1.0, cp["linearizable"])
	require.Zero(t, cp["conflicts_on_heal"])
	require.Zero(t, cp["lost_writes"])
	require.Zero(t, cp["stale_reads"])

	_, ap := run(t, values(t, "mode=ap", "partition=on"), 1)
	require.Equal(t, 1.0, ap["availability"])
	require.Positive(t, ap["conflicts_on_heal"])
	require.Zero(t, ap["errors"])
	require.Positive(t, ap["stale_reads"])
	require.Equal(t, 0.0, ap["linearizable"])
	t.Logf("cp: %v", cp)
	t.Logf("ap: %v", ap)
}

const seeds = 30

// TestCPIsLinearizableAndMinorityRefuses: in CP mode with leader reads,
// every run is linearizable, and the minority side's writes fail during
// the cut while the majority side's succeed.
func TestCPIsLinearizableAndMinorityRefuses(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    []string
	}{
		{"default", []string{"partition=on"}},
		{"three keys, busy", []string{"partition=on", "keys=3", "think=20"}},
		{"three replicas", []string{"partition=on", "replicas=3"}},
		{"seven replicas, slow wan", []string{"partition=on", "replicas=7", "wan=150"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := values(t, tt.v...)
			for seed := range uint64(seeds) {
				m, got := run(t, v, seed)
				require.Equal(t, 1.0, got["linearizable"], "seed %d", seed)
				require.Zero(t, got["stale_reads"], "seed %d", seed)
				require.Less(t, got["availability"], 1.0, "seed %d", seed)
				// During the cut (after the minority has noticed), writes
				// from site 2 fail and writes from site 1 succeed.
				cutFrom, cutTo := m.until/3+electionMax, 2*m.until/3
				var minorityOK, majorityOK int
				for _, r := range m.History().Records() {
					if r.Kind != engine.Write || r.Invoke < cutFrom || r.Return > cutTo {
						continue
					}
					if r.OK && r.Client == 1 {
						minorityOK++
					}
					if r.OK && r.Client == 0 {
						majorityOK++
					}
				}
				require.Zero(t, minorityOK, "seed %d: the minority side wrote during the cut", seed)
				require.Positive(t, majorityOK, "seed %d: the majority side could not write", seed)
			}
		})
	}
}

// TestAPStaysAvailable: in AP mode every operation is answered through the
// cut, and conflicts appear on heal whenever both sides wrote.
func TestAPStaysAvailable(t *testing.T) {
	for _, merge := range []string{"lww", "siblings", "crdt"} {
		t.Run(merge, func(t *testing.T) {
			v := values(t, "mode=ap", "partition=on", "merge="+merge)
			for seed := range uint64(seeds) {
				m, got := run(t, v, seed)
				require.Equal(t, 1.0, got["availability"], "seed %d", seed)
				require.Zero(t, got["errors"], "seed %d", seed)
				bothWrote := [2]bool{}
				for _, r := range m.History().Records() {
					if r.Kind == engine.Write && r.Invoke >= m.until/3 && r.Return <= 2*m.until/3 {
						bothWrote[r.Client] = true
					}
				}
				if bothWrote[0] && bothWrote[1] {
					require.Positive(t, got["conflicts_on_heal"], "seed %d", seed)
				}
				if merge != "lww" {
					require.Zero(t, got["lost_writes"], "seed %d", seed)
				}
				// After the heal the replicas converge.
				for k := range m.keys {
					for i := 1; i < m.n; i++ {
						require.Equal(t, m.reps[0].vals[k].VC, m.reps[i].vals[k].VC, "seed %d key %d replica %d", seed, k, i)
					}
				}
			}
		})
	}
}

// TestLWWLosesWrites: with last-write-wins, writes made on both sides of a
// cut are lost on heal, and the narration says which.
func TestLWWLosesWrites(t *testing.T) {
	total := 0
	for seed := range uint64(seeds) {
		m, got := run(t, values(t, "mode=ap", "partition=on"), seed)
		total += int(got["lost_writes"])
		require.Equal(t, int(got["lost_writes"]), strings.Count(narration(m), "is lost"), "seed %d", seed)
	}
	require.Positive(t, total)
}

// preset returns a preset's values with changes.
func preset(t testing.TB, name string, kv ...string) lab.Values {
	t.Helper()
	p, ok := Schema.Preset(name)
	require.True(t, ok, name)
	for k, v := range p.Values {
		kv = append(kv, k+"="+v)
	}
	return values(t, kv...)
}

// TestLocalReads: CP with reads from any replica keeps the minority side
// readable, so it answers more than leader reads do, but reads go stale
// and the history stops being linearizable.
func TestLocalReads(t *testing.T) {
	var stale, nonlinear int
	var local, leader float64
	for seed := range uint64(seeds) {
		_, got := run(t, preset(t, "mongodb", "partition=on"), seed)
		stale += int(got["stale_reads"])
		if got["linearizable"] == 0 {
			nonlinear++
		}
		local += got["availability"]
		_, got = run(t, preset(t, "spanner", "partition=on"), seed)
		leader += got["availability"]
	}
	require.Positive(t, stale)
	require.Positive(t, nonlinear)
	require.Greater(t, local, leader)
}

func TestDeterminism(t *testing.T) {
	r := lab.Run{
		Values: values(t, "mode=ap", "merge=siblings", "keys=2"),
		Seed:   42,
		Inputs: []lab.Input{
			{At: 2 * time.Second, Action: "cut"},
			{At: 4 * time.Second, Action: "isolate", Arg: 0},
			{At: 6 * time.Second, Action: "heal"},
			{At: 7 * time.Second, Action: "oneway"},
			{At: 9 * time.Second, Action: "heal"},
		},
	}
	replay := func(seed uint64) *Model {
		r.Seed = seed
		m, err := Lab.Replay(r, 12*time.Second)
		require.NoError(t, err)
		return m.(*Model)
	}
	a, b := replay(42), replay(42)
	require.True(t, narration(a) == narration(b), "same seed, different narration")
	require.Equal(t, a.Metrics(), b.Metrics())
	require.Equal(t, a.InFlight(), b.InFlight())
	require.False(t, narration(a) == narration(replay(43)), "different seeds, same narration")
}

func TestDo(t *testing.T) {
	tests := []struct {
		name    string
		before  [][2]any // earlier actions that must succeed
		action  string
		arg     int
		err     string
		siteCut string
	}{
		{"cut", nil, "cut", 0, "", "both"},
		{"cut twice", [][2]any{{"cut", 0}}, "cut", 0, "cut: the sites are already cut that way", "both"},
		{"one way after cut", [][2]any{{"cut", 0}}, "oneway", 0, "", "one-way"},
		{"heal", [][2]any{{"oneway", 0}}, "heal", 0, "", ""},
		{"heal nothing", nil, "heal", 0, "heal: nothing is cut", ""},
		{"isolate", nil, "isolate", 4, "", ""},
		{"isolate out of range", nil, "isolate", 5, "isolate: node 5 out of range 0..4", ""},
		{"isolate negative", nil, "isolate", -1, "isolate: node -1 out of range 0..4", ""},
		{"isolate twice", [][2]any{{"isolate", 2}}, "isolate", 2, "isolate: node C is already isolated", ""},
		{"rejoin", [][2]any{{"isolate", 2}}, "rejoin", 2, "", ""},
		{"rejoin a linked node", nil, "rejoin", 1, "rejoin: node B is not isolated", ""},
		{"heal an isolation", [][2]any{{"isolate", 0}}, "heal", 0, "", ""},
		{"unknown", nil, "explode", 0, `unknown action "explode" (want cut, oneway, isolate, rejoin or heal)`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Schema.Defaults(), 1)
			for _, a := range tt.before {
				require.NoError(t, m.Do(a[0].(string), a[1].(int)))
			}
			err := m.Do(tt.action, tt.arg)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.siteCut, m.SiteCut())
		})
	}
}

// TestCuts checks which links each cut drops.
func TestCuts(t *testing.T) {
	m := New(Schema.Defaults(), 1) // A B C | D E, clients 5 and 6
	require.NoError(t, m.Do("oneway", 0))
	require.True(t, m.Linked(0, 3))
	require.False(t, m.Linked(3, 0))
	require.False(t, m.Linked(6, 0), "client 2 is in site 2")
	require.NoError(t, m.Do("cut", 0))
	require.False(t, m.Linked(0, 3))
	require.True(t, m.Linked(3, 4))
	require.NoError(t, m.Do("isolate", 4))
	require.False(t, m.Linked(4, 3))
	require.False(t, m.Linked(6, 4))
	require.NoError(t, m.Do("heal", 0))
	for a := range 7 {
		for b := range 7 {
			require.True(t, m.Linked(a, b))
		}
	}
	spans := m.Spans()
	require.Len(t, spans, 3)
	for _, s := range spans {
		require.GreaterOrEqual(t, s.End, s.Start, s.What)
	}
}

// TestIsolatedLeaderIsReplaced: isolating the CP leader makes it step down
// and the others elect a new one, after which writes succeed again.
func TestIsolatedLeaderIsReplaced(t *testing.T) {
	m := New(values(t, "duration=10"), 3)
	m.Advance(time.Second)
	require.NoError(t, m.Do("isolate", 0))
	m.Advance(3 * time.Second)
	role, term, _ := m.Role(0)
	require.Equal(t, Follower, role)
	leaders := 0
	for i := 1; i < m.N(); i++ {
		if r, tm, _ := m.Role(i); r == Leader {
			leaders++
			require.Greater(t, tm, term)
		}
	}
	require.Equal(t, 1, leaders)
	require.Contains(t, narration(m), "A steps down: it has not heard from a majority")
	before := m.ClientStats(0).Answered + m.ClientStats(1).Answered
	m.Advance(5 * time.Second)
	require.Greater(t, m.ClientStats(0).Answered+m.ClientStats(1).Answered, before)
}

// TestEvenSplit: with four replicas split two and two, neither side has a
// majority, so a CP store refuses everyone during the cut.
func TestEvenSplit(t *testing.T) {
	m, got := run(t, values(t, "replicas=4", "partition=on"), 1)
	require.Equal(t, 2, m.Site1())
	require.Equal(t, 1.0, got["linearizable"])
	for _, r := range m.History().Records() {
		if r.Invoke > m.until/3+electionMax && r.Return < 2*m.until/3 {
			require.False(t, r.OK, "an operation succeeded during an even split: %+v", r)
		}
	}
}

func TestAnyValues(t *testing.T) {
	lo, hi := lab.Values{}, lab.Values{}
	for _, p := range Schema.Params {
		lo[p.Name], hi[p.Name] = p.Min, p.Max
		if p.Kind == lab.Enum {
			hi[p.Name] = float64(len(p.Options) - 1)
		}
	}
	hi["duration"] = 10
	nan := func() float64 { var z float64; return z / z }()
	for _, tt := range []struct {
		name string
		v    lab.Values
	}{
		{"minimum", lo},
		{"maximum", hi},
		{"empty", lab.Values{}},
		{"out of range", lab.Values{"replicas": 40, "keys": -3, "mode": 9, "merge": -1, "duration": 4}},
		{"not a number", lab.Values{"replicas": nan, "wan": nan, "duration": 4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := run(t, tt.v, 5)
			require.Len(t, m.Metrics(), len(Schema.Metrics))
			require.LessOrEqual(t, m.N(), MaxReplicas)
		})
	}
}

func TestPresets(t *testing.T) {
	for _, p := range Schema.Presets {
		t.Run(p.Name, func(t *testing.T) {
			require.NotEmpty(t, p.Label)
			_, got := run(t, preset(t, p.Name, "partition=on", "duration=6"), 1)
			if p.Values["mode"] == "ap" {
				require.Equal(t, 1.0, got["availability"])
			} else {
				require.Less(t, got["availability"], 1.0)
			}
		})
	}
}

// TestChapterClaims pins what the CAP chapter says about its first lab:
// every error of the CP run with the scheduled cut is site 2's.
func TestChapterClaims(t *testing.T) {
	m, got := run(t, values(t, "mode=cp", "partition=on"), 1)
	require.Zero(t, m.ClientStats(0).Errors)
	require.Equal(t, int(got["errors"]), m.ClientStats(1).Errors)
}

func BenchmarkRun(b *testing.B) {
	for _, mode := range []string{"cp", "ap"} {
		b.Run(mode, func(b *testing.B) {
			v := values(b, "mode="+mode, "partition=on", "think=20", "duration=60")
			var steps uint64
			for range b.N {
				m, _ := run(b, v, 1)
				steps += m.sim.Steps()
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
