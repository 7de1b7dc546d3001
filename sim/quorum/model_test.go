package quorum

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
)

// values returns the defaults with the given changes: numbers as ints,
// booleans and enums as their raw text ("on", "vclock").
func values(kv ...any) lab.Values {
	v := Schema.Defaults()
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		switch x := kv[i+1].(type) {
		case int:
			v[name] = float64(x)
		case string:
			p, ok := Schema.Param(name)
			if !ok {
				panic("no parameter " + name)
			}
			f, err := p.ParseValue(x)
			if err != nil {
				panic(err)
			}
			v[name] = f
		}
	}
	return v
}

// run runs a model to the end.
func run(t testing.TB, v lab.Values, seed uint64) *Model {
	t.Helper()
	m := New(v, seed)
	for !m.Done() {
		m.Advance(m.Now() + time.Second)
		require.Less(t, m.Now(), 100*time.Hour, "the run never ends")
	}
	return m
}

// runLog runs a model to the end and returns its whole narration.
func runLog(t testing.TB, v lab.Values, seed uint64) (*Model, string) {
	t.Helper()
	m := New(v, seed)
	var b strings.Builder
	seen := 0
	for !m.Done() {
		m.Advance(m.Now() + 100*time.Millisecond)
		events := m.Log().Since(seen)
		if len(events) > 0 {
			require.Equal(t, seen+1, events[0].Seq, "narration outran the log")
		}
		for _, e := range events {
			fmt.Fprintln(&b, e)
		}
		seen = m.Log().Seq()
	}
	return m, b.String()
}

// narration is the narration a model still holds.
func narration(m *Model) string {
	var b strings.Builder
	for _, e := range m.Log().Last(logSize) {
		fmt.Fprintln(&b, e)
	}
	return b.String()
}

// seeds is how many seeds property tests try.
func seeds() int {
	if testing.Short() {
		return 10
	}
	return 50
}

func TestOverlappingQuorumsNeverReadStale(t *testing.T) {
	tests := []struct {
		name string
		v    lab.Values
	}{
		{"dynamo", values("n", 3, "w", 2, "r", 2)},
		{"write all", values("n", 3, "w", 3, "r", 1, "spread", 40)},
		{"read all", values("n", 3, "w", 1, "r", 3, "spread", 40)},
		{"strict5, 4 clients", values("n", 5, "w", 3, "r", 3, "spread", 40, "clients", 4, "think", 0)},
		{"lossy", values("nodes", 7, "n", 5, "w", 4, "r", 2, "spread", 40, "loss", 10, "timeout", 100)},
		{"vector clocks, 3 clients", values("versions", "vclock", "clients", 3, "keys", 1, "spread", 40)},
		{"sloppy with nothing down", values("nodes", 9, "sloppy", "on", "repair", "on", "antientropy", "on", "clients", 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reads := 0
			tt.v["ops"] = 500
			for seed := range uint64(seeds()) {
				c := run(t, tt.v, seed).Counts()
				require.Zero(t, c.StaleReads, "seed %d", seed)
				reads += c.ReadsOK
			}
			require.Greater(t, reads, seeds()*100)
		})
	}
}

func TestDisjointQuorumsReadStale(t *testing.T) {
	v := values("nodes", 3, "n", 3, "w", 1, "r", 1, "spread", 40, "ops", 1000)
	total, seedsWithStale := 0, 0
	for seed := range uint64(seeds()) {
		m, text := runLog(t, v, seed)
		c := m.Counts()
		require.LessOrEqual(t, c.StaleReads, c.ReadsOK)
		require.Equal(t, c.StaleReads, strings.Count(text, " — STALE: v"))
		total += c.StaleReads
		if c.StaleReads > 0 {
			seedsWithStale++
		}
	}
	t.Logf("w=1 r=1 n=3 spread=40: %d stale reads over %d seeds × 1000 ops; %d seeds saw one", total, seeds(), seedsWithStale)
	require.Greater(t, total, 0)
	require.Greater(t, seedsWithStale, seeds()/2)

	v["ops"] = 5000
	require.Positive(t, run(t, v, 1).Counts().StaleReads)
}

func TestDeterminism(t *testing.T) {
	r := lab.Run{
		Values: values("w", 1, "r", 1, "spread", 40, "loss", 5, "clients", 3, "ops", 500,
			"sloppy", "on", "repair", "on", "antientropy", "on", "interval", 300, "versions", "vclock"),
		Seed: 42,
		Inputs: []lab.Input{
			{At: 300 * time.Millisecond, Action: "crash", Arg: 1},
			{At: 301 * time.Millisecond, Action: "write"},
			{At: 400 * time.Millisecond, Action: "partition"},
			{At: 800 * time.Millisecond, Action: "heal"},
			{At: 900 * time.Millisecond, Action: "recover", Arg: 1},
			{At: 950 * time.Millisecond, Action: "read"},
		},
	}
	replay := func(seed uint64) *Model {
		r.Seed = seed
		m, err := Lab.Replay(r, 10*time.Second)
		require.NoError(t, err)
		return m.(*Model)
	}
	a, b := replay(42), replay(42)
	require.True(t, narration(a) == narration(b), "same seed, different narration")
	require.Equal(t, a.History().Records(), b.History().Records())
	require.Equal(t, a.Metrics(), b.Metrics())
	require.Equal(t, a.InFlight(), b.InFlight())
	require.False(t, narration(a) == narration(replay(43)), "different seeds, same narration")
}

func TestCrashedReplicas(t *testing.T) {
	tests := []struct {
		name    string
		crash   []int
		writeOK bool
		readOK  bool
		timeout string // a failed write's narration
	}{
		{"none", nil, true, true, ""},
		{"one of three", []int{2}, true, true, ""},
		{"two of three", []int{0, 2}, false, false, "times out: 1 of W=2 acks"},
		{"all", []int{0, 1, 2}, false, false, "times out: 0 of W=2 acks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(values("nodes", 3, "n", 3, "w", 2, "r", 2, "ops", 300), 1)
			for _, i := range tt.crash {
				require.NoError(t, m.Do("crash", i))
				require.False(t, m.Up(i))
			}
			var text strings.Builder
			for !m.Done() {
				m.Advance(m.Now() + time.Second)
				for _, e := range m.Log().Last(20) {
					text.WriteString(e.Text + "\n")
				}
			}
			c := m.Counts()
			require.Equal(t, 300, c.WritesOK+c.WritesFailed+c.ReadsOK+c.ReadsFailed)
			if tt.writeOK {
				require.Zero(t, c.WritesFailed)
				require.Positive(t, c.WritesOK)
			} else {
				require.Zero(t, c.WritesOK)
				require.Positive(t, c.WritesFailed)
				require.True(t, strings.Contains(text.String(), tt.timeout), "no %q", tt.timeout)
			}
			if tt.readOK {
				require.Zero(t, c.ReadsFailed)
			} else {
				require.Zero(t, c.ReadsOK)
			}
			for _, i := range tt.crash {
				for k := range m.Keys() {
					require.Zero(t, m.Version(i, k), "a crashed replica stores nothing")
				}
			}
		})
	}
}

func TestRecoveredReplicaKeepsItsData(t *testing.T) {
	m := New(values("nodes", 3, "n", 3, "w", 3, "r", 3, "writes", 100, "keys", 1, "ops", 20), 1)
	m.Advance(2 * time.Second)
	held := m.Version(1, 0)
	require.Positive(t, held)
	require.NoError(t, m.Do("crash", 1))
	m.Advance(4 * time.Second)
	require.NoError(t, m.Do("recover", 1))
	require.Equal(t, held, m.Version(1, 0))
	require.Contains(t, narration(m), "node B crashes\n")
	require.Contains(t, narration(m), "node B recovers with the versions it had\n")
}

func TestDo(t *testing.T) {
	tests := []struct {
		name    string
		v       lab.Values
		actions [][2]any // earlier actions that must succeed
		action  string
		arg     int
		err     string
	}{
		{"crash", values("n", 5), nil, "crash", 4, ""},
		{"crash out of range", values("n", 5), nil, "crash", 7, "crash: node 7 out of range 0..4"},
		{"crash negative", values("n", 5), nil, "crash", -1, "crash: node -1 out of range 0..4"},
		{"crash twice", values("n", 5), [][2]any{{"crash", 2}}, "crash", 2, "crash: node C is already down"},
		{"crash beyond n", values("nodes", 7, "n", 3), nil, "crash", 6, ""},
		{"recover", values(), [][2]any{{"crash", 0}}, "recover", 0, ""},
		{"recover an up node", values(), nil, "recover", 0, "recover: node A is already up"},
		{"recover out of range", values("nodes", 1, "n", 1), nil, "recover", 1, "recover: node 1 out of range 0..0"},
		{"partition", values(), nil, "partition", 0, ""},
		{"partition twice", values(), [][2]any{{"partition", 0}}, "partition", 0, "partition: the ring is already split"},
		{"heal", values(), [][2]any{{"partition", 0}}, "heal", 0, ""},
		{"heal a whole ring", values(), nil, "heal", 0, "heal: the ring is not split"},
		{"write", values(), nil, "write", 0, ""},
		{"read", values(), nil, "read", 0, ""},
		{"no operations left", values("ops", 1), [][2]any{{"write", 0}}, "read", 0, "read: all 1 operations have been issued (raise ops for more)"},
		{"unknown", values(), nil, "explode", 0, `unknown action "explode" (want crash, recover, partition, heal, write or read)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(tt.v, 1)
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

func TestWriteNow(t *testing.T) {
	m := New(values("w", 2, "keys", 1, "think", 1000), 3)
	require.NoError(t, m.Do("write", 0))
	p := m.InProgress()
	require.Len(t, p, 1)
	require.Equal(t, Op{ID: 1, Kind: engine.Write, Version: 1, Need: 2,
		Targets: []Target{{Node: 1, Home: -1}, {Node: 2, Home: -1}, {Node: 3, Home: -1}}}, p[0])
	require.Len(t, m.InFlight(), 3)
	require.Equal(t, "client writes x=v1 to B, C, D (needs W=2)", m.Log().Last(1)[0].Text)

	m.Advance(100 * time.Millisecond)
	recent := m.Recent()
	require.NotEmpty(t, recent)
	require.Equal(t, OK, recent[0].Outcome)
	version, at := m.Newest(0)
	require.Equal(t, 1, version)
	require.Equal(t, recent[0].Return, at)
	require.Contains(t, narration(m), "acks write x=v1 (2 of W=2) — write succeeds")
}

func TestDone(t *testing.T) {
	m := run(t, values("ops", 25, "clients", 4, "loss", 20), 9)
	c := m.Counts()
	require.Equal(t, 25, c.WritesOK+c.WritesFailed+c.ReadsOK+c.ReadsFailed)
	require.Empty(t, m.InFlight())
	require.Empty(t, m.InProgress())
	require.Equal(t, 25, m.History().Total())
	require.Len(t, m.Recent(), recentSize)
}

func TestAnyValues(t *testing.T) {
	lo, hi := lab.Values{}, lab.Values{}
	for _, p := range Schema.Params {
		lo[p.Name], hi[p.Name] = p.Min, p.Max
	}
	hi["ops"] = 300
	tests := []struct {
		name string
		v    lab.Values
	}{
		{"minimum", lo},
		{"maximum", hi},
		{"empty", lab.Values{}},
		{"out of range", lab.Values{"n": 40, "w": -3, "r": 1e9, "keys": 0, "clients": 99, "ops": 50, "loss": 100, "crash": 9}},
		{"not a number", lab.Values{"n": nan(), "latency": nan(), "ops": 50}},
		{"everything on", lab.Values{"nodes": 2, "n": 2, "sloppy": 1, "repair": 1, "antientropy": 1, "interval": 100, "versions": 1, "crash": 2, "partition": 1, "clients": 4, "ops": 300}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := run(t, tt.v, 5)
			require.Len(t, m.Metrics(), len(Schema.Metrics))
			require.LessOrEqual(t, m.W(), m.N())
			require.LessOrEqual(t, m.R(), m.N())
			require.LessOrEqual(t, m.N(), m.Nodes())
		})
	}
}

func nan() float64 { var zero float64; return zero / zero }

func TestValidate(t *testing.T) {
	tests := []struct {
		raw map[string]string
		err string
	}{
		{map[string]string{}, ""},
		{map[string]string{"n": "5", "w": "5", "r": "1"}, ""},
		{map[string]string{"n": "5", "w": "7"}, "w=7 > n=5"},
		{map[string]string{"n": "2", "r": "3"}, "r=3 > n=2"},
		{map[string]string{"n": "1"}, "w=2 > n=1, r=2 > n=1"},
		{map[string]string{"n": "10"}, "n=10 is out of range 1…9"},
		{map[string]string{"nodes": "4", "n": "5"}, "n=5 > nodes=4"},
		{map[string]string{"nodes": "3", "crash": "4"}, "crash=4 > nodes=3"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.raw), func(t *testing.T) {
			_, err := Schema.Parse(tt.raw)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.err)
		})
	}
}

func TestRepair(t *testing.T) {
	v, notes := Schema.Lenient(map[string]string{"n": "5", "w": "7", "r": "6"})
	require.Equal(t, 5, v.Int("w"))
	require.Equal(t, 5, v.Int("r"))
	require.Equal(t, []string{"w=7 > n=5, r=6 > n=5; using n=5&r=5&w=5"}, notes)

	v, notes = Schema.Lenient(map[string]string{"nodes": "3", "n": "6"})
	require.Equal(t, 6, v.Int("nodes"))
	require.Equal(t, 6, v.Int("n"))
	require.Equal(t, []string{"n=6 > nodes=3; using n=6&nodes=6"}, notes)
}

func BenchmarkRun(b *testing.B) {
	v := values("ops", 10000, "w", 1, "r", 1, "spread", 40, "clients", 4)
	var steps uint64
	for range b.N {
		m := run(b, v, 1)
		steps += m.sim.Steps()
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "events/s")
}
