package leader

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
)

// values parses raw parameters, failing the test on a bad one.
func values(t testing.TB, kv ...string) lab.Values {
	t.Helper()
	raw := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		raw[kv[i]] = kv[i+1]
	}
	v, err := Schema.Parse(raw)
	require.NoError(t, err)
	return v
}

// run runs a model to the end and returns it with its whole narration.
func run(t testing.TB, v lab.Values, seed uint64) (*Model, string) {
	t.Helper()
	m := New(v, seed)
	var b strings.Builder
	seen := 0
	for !m.Done() {
		m.Advance(m.Now() + 200*time.Millisecond)
		events := m.Log().Since(seen)
		if len(events) > 0 {
			require.Equal(t, seen+1, events[0].Seq, "narration outran the log")
		}
		for _, e := range events {
			fmt.Fprintln(&b, e)
		}
		seen = m.Log().Seq()
		require.Less(t, m.Now(), 10*time.Hour, "the run never ends")
	}
	return m, b.String()
}

func metric(m *Model, name string) float64 { return lab.MetricMap(&Schema, m)[name] }

// TestHeadlessExamples are the issue's command lines: `scalingdata sim
// leader … --json` runs the same code.
func TestHeadlessExamples(t *testing.T) {
	tests := []struct {
		args   []string
		metric string
		check  func(t require.TestingT, x float64)
	}{
		{[]string{"mode", "sync", "failover", "on"}, "lost_writes", zero},
		{[]string{"mode", "async", "failover", "on", "lag", "200"}, "lost_writes", positive},
		{[]string{"mode", "async", "ryw", "on"}, "ryw_violations", zero},
		{[]string{"mode", "async", "ryw", "off"}, "ryw_violations", positive},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			m := New(values(t, tt.args...), 1)
			got := lab.RunHeadless(&Schema, m, time.Second, 24*time.Hour)
			tt.check(t, got[tt.metric])
			require.True(t, m.Done())
		})
	}
}

func zero(t require.TestingT, x float64)     { require.Zero(t, x) }
func positive(t require.TestingT, x float64) { require.Positive(t, x) }

const seeds = 40

func TestProperties(t *testing.T) {
	tests := []struct {
		name   string
		v      []string
		metric string
		never  bool // the metric must be zero on every seed; else positive on some
	}{
		{"sync failover loses nothing", []string{"mode", "sync", "failover", "on", "lag", "200"}, "lost_writes", true},
		{"sync manual failover loses nothing", []string{"mode", "sync", "failover", "on", "promotion", "manual", "nodes", "5"}, "lost_writes", true},
		{"async failover with lag loses writes", []string{"mode", "async", "failover", "on", "lag", "200"}, "lost_writes", false},
		{"semisync fallback can lose writes", []string{"mode", "semisync", "failover", "on", "lag", "800", "semitimeout", "200"}, "lost_writes", false},
		{"read-your-writes holds", []string{"mode", "async", "ryw", "on", "lag", "300", "nodes", "4"}, "ryw_violations", true},
		{"read-your-writes off breaks", []string{"mode", "async", "lag", "300"}, "ryw_violations", false},
		{"read-your-writes holds through a sync failover", []string{"mode", "sync", "ryw", "on", "failover", "on"}, "ryw_violations", true},
		{"monotonic reads hold", []string{"mode", "async", "monotonic", "on", "lag", "400", "nodes", "5"}, "monotonic_violations", true},
		{"monotonic reads off break", []string{"mode", "async", "lag", "400", "nodes", "5"}, "monotonic_violations", false},
		{"reads on the primary are never stale", []string{"mode", "async", "reads", "primary", "lag", "400"}, "ryw_violations", true},
		{"fencing stops split brain", []string{"mode", "async", "failover", "on", "outage", "1500", "rediscover", "3000"}, "split_brain_writes", true},
		{"no fencing, split brain", []string{"mode", "async", "failover", "on", "fencing", "off", "outage", "1500", "rediscover", "3000"}, "split_brain_writes", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := values(t, tt.v...)
			v["ops"] = 200
			seen := 0
			for seed := range uint64(seeds) {
				m, _ := run(t, v, seed)
				x := metric(m, tt.metric)
				if tt.never {
					require.Zero(t, x, "seed %d", seed)
				} else if x > 0 {
					seen++
				}
			}
			if !tt.never {
				require.Greater(t, seen, seeds/2, "%s is positive on only %d of %d seeds", tt.metric, seen, seeds)
			}
		})
	}
}

func TestFailoverStory(t *testing.T) {
	m, text := run(t, values(t, "mode", "async", "failover", "on", "lag", "200"), 1)
	for _, want := range []string{
		"primary A crashes at LSN",
		"the failover manager promotes B to primary (epoch 2)",
		"acknowledged write(s) that A never shipped are LOST",
		"now sends writes to",
		"writes are back after",
		"A restarts, learns",
		"fenced, it drops",
	} {
		require.Contains(t, text, want)
	}
	require.Equal(t, 1, strings.Count(text, "crashes"))
	require.Equal(t, Replica, m.Nodes[0].Role, "the old primary rejoined as a replica")
	require.Equal(t, 2, m.Epoch())
	down := metric(m, "failover_downtime_ms")
	require.GreaterOrEqual(t, down, 1000.0, "downtime includes the detection timeout")
	require.Less(t, down, 1000.0+2000+500)
}

func TestManualPromotionTakesLonger(t *testing.T) {
	auto, _ := run(t, values(t, "failover", "on"), 3)
	manual, text := run(t, values(t, "failover", "on", "promotion", "manual"), 3)
	require.Contains(t, text, "paging an operator")
	require.Contains(t, text, "the operator promotes")
	require.Greater(t, metric(manual, "failover_downtime_ms"), metric(auto, "failover_downtime_ms")+4000)
}

func TestShortOutageNeedsNoFailover(t *testing.T) {
	m, text := run(t, values(t, "failover", "on", "outage", "500", "detect", "2000"), 1)
	require.Contains(t, text, "A restarts and resumes as primary")
	require.Contains(t, text, "no failover")
	require.Equal(t, 1, m.Epoch())
	require.Equal(t, 0, m.Primary())
}

func TestSyncCostsARoundTrip(t *testing.T) {
	async, _ := run(t, values(t, "mode", "async", "lag", "100"), 1)
	sync, _ := run(t, values(t, "mode", "sync", "lag", "100"), 1)
	a, s := metric(async, "write_p50_ms"), metric(sync, "write_p50_ms")
	require.Greater(t, s, a+50, "sync waits for a replica: %v vs %v", s, a)
	require.Less(t, a, 80.0, "async acknowledges after one round trip")
}

func TestSemiSyncFallsBackAndReturns(t *testing.T) {
	m := New(values(t, "mode", "semisync", "lag", "100", "semitimeout", "300"), 1)
	m.Advance(2 * time.Second)
	require.False(t, m.Nodes[0].Fallback)
	require.NoError(t, m.Do("spike", 1))
	require.NoError(t, m.Do("spike", 2))
	m.Advance(m.Now() + time.Second)
	require.True(t, m.Nodes[0].Fallback, "no replica acknowledges during the stall")
	m.Advance(m.Now() + 3*time.Second)
	require.False(t, m.Nodes[0].Fallback, "a replica caught up")
	var text strings.Builder
	for _, e := range m.Log().Last(logSize) {
		text.WriteString(e.Text + "\n")
	}
	require.Contains(t, text.String(), "falls back to asynchronous replication")
	require.Contains(t, text.String(), "returns to semi-synchronous replication")
}

func TestSpikeGrowsLag(t *testing.T) {
	m := New(values(t, "lag", "0"), 1)
	m.Advance(time.Second)
	require.NoError(t, m.Do("spike", 2))
	m.Advance(m.Now() + Stall - 100*time.Millisecond)
	d, n := m.Lag(2)
	require.Greater(t, d, time.Second)
	require.Positive(t, n)
	m.Advance(m.Now() + 300*time.Millisecond)
	d, _ = m.Lag(2)
	require.Less(t, d, 200*time.Millisecond, "it catches up after the stall")
}

func TestPostShowsTheAnomaly(t *testing.T) {
	v := values(t, "lag", "500", "ryw", "off", "clients", "1", "think", "1000")
	m := New(v, 1)
	require.NoError(t, m.Do("post", 0))
	require.EqualError(t, m.Do("post", 0), "post: your last post is still in progress")
	m.Advance(400 * time.Millisecond)
	r := m.Recent()
	var last Op
	for _, op := range r {
		if op.Client == 1 {
			last = op
		}
	}
	require.Equal(t, Anomaly, last.Outcome, "%+v", r)
	require.Equal(t, 1, m.You().RYW)

	v["ryw"] = 1
	m = New(v, 1)
	require.NoError(t, m.Do("post", 0))
	m.Advance(1500 * time.Millisecond)
	require.Zero(t, m.You().RYW)
	require.Nil(t, m.You().Op)
}

func TestDo(t *testing.T) {
	tests := []struct {
		name    string
		v       []string
		actions [][2]any
		action  string
		arg     int
		err     string
	}{
		{"kill", nil, nil, "kill", 0, ""},
		{"kill twice", nil, [][2]any{{"kill", 0}}, "kill", 0, "kill: the primary A is already down"},
		{"promote with the primary up", nil, nil, "promote", 0, "promote: the primary A is up"},
		{"promote", nil, [][2]any{{"kill", 0}}, "promote", 0, ""},
		{"promote with no replica", []string{"nodes", "2"}, [][2]any{{"kill", 0}, {"promote", 0}, {"kill", 0}}, "promote", 0, "promote: no replica is up to promote"},
		{"restart an up node", nil, nil, "restart", 1, "restart: B is up"},
		{"restart out of range", nil, nil, "restart", 3, "restart: node 3 out of range 0..2"},
		{"restart", nil, [][2]any{{"kill", 0}}, "restart", 0, ""},
		{"spike the primary", nil, nil, "spike", 0, "spike: A is a primary; pick a replica"},
		{"spike a down node", nil, [][2]any{{"kill", 0}}, "spike", 0, "spike: A is down"},
		{"spike", nil, nil, "spike", 2, ""},
		{"spike negative", nil, nil, "spike", -1, "spike: node -1 out of range 0..2"},
		{"post", nil, nil, "post", 0, ""},
		{"unknown", nil, nil, "explode", 0, `unknown action "explode" (want post, kill, promote, restart or spike)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(values(t, tt.v...), 1)
			for _, a := range tt.actions {
				require.NoError(t, m.Do(a[0].(string), a[1].(int)))
			}
			err := m.Do(tt.action, tt.arg)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestDeterminism(t *testing.T) {
	r := lab.Run{
		Values: values(t, "lag", "200", "failover", "on", "fencing", "off", "outage", "1500"),
		Inputs: []lab.Input{
			{At: 300 * time.Millisecond, Action: "spike", Arg: 1},
			{At: 500 * time.Millisecond, Action: "post"},
			{At: 9 * time.Second, Action: "kill"},
		},
	}
	replay := func(seed uint64) (string, []float64) {
		r.Seed = seed
		m, err := Lab.Replay(r, 20*time.Second)
		require.NoError(t, err)
		var b strings.Builder
		for _, e := range m.Log().Last(logSize) {
			fmt.Fprintln(&b, e)
		}
		return b.String(), m.Metrics()
	}
	a, am := replay(42)
	b, bm := replay(42)
	require.True(t, a == b, "same seed, different narration")
	require.Equal(t, am, bm)
	c, _ := replay(43)
	require.False(t, a == c, "different seeds, same narration")
}

func TestAnyValues(t *testing.T) {
	lo, hi := lab.Values{}, lab.Values{}
	for _, p := range Schema.Params {
		lo[p.Name], hi[p.Name] = p.Min, p.Max
		if p.Kind == lab.Enum {
			hi[p.Name] = float64(len(p.Options) - 1)
		}
		if p.Kind == lab.Bool {
			hi[p.Name] = 1
		}
	}
	hi["ops"], hi["think"] = 300, 50
	tests := []struct {
		name string
		v    lab.Values
	}{
		{"minimum", lo},
		{"maximum", hi},
		{"empty", lab.Values{}},
		{"out of range", lab.Values{"nodes": 40, "mode": -3, "lag": 1e9, "clients": 0, "ops": 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := run(t, tt.v, 5)
			require.Len(t, m.Metrics(), len(Schema.Metrics))
		})
	}
}

func TestPresets(t *testing.T) {
	for _, p := range Schema.Presets {
		t.Run(p.Name, func(t *testing.T) {
			v, err := Schema.Parse(p.Values)
			require.NoError(t, err)
			v["ops"] = 200
			run(t, v, 1)
		})
	}
}

func BenchmarkRun(b *testing.B) {
	v := values(b, "ops", "10000", "lag", "100", "failover", "on")
	var steps uint64
	for range b.N {
		m, _ := run(b, v, 1)
		steps += m.sim.Steps()
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "events/s")
}
