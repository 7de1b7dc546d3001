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

// headless runs the lab the way `scalingdata sim quorum …` does.
func headless(t testing.TB, args string) map[string]float64 {
	t.Helper()
	raw := map[string]string{}
	seed := uint64(1)
	for _, kv := range strings.Fields(args) {
		k, v, _ := strings.Cut(kv, "=")
		if k == "seed" {
			_, err := fmt.Sscan(v, &seed)
			require.NoError(t, err)
			continue
		}
		raw[k] = v
	}
	v, err := Schema.Parse(raw)
	require.NoError(t, err)
	return lab.RunHeadless(&Schema, New(v, seed), time.Second, 24*time.Hour)
}

// TestHeadlessExamples holds the examples of the issue.
func TestHeadlessExamples(t *testing.T) {
	m := headless(t, "n=3 w=2 r=2 seed=1 ops=5000")
	require.Equal(t, 5000.0, m["writes_ok"]+m["reads_ok"], "no failures")
	require.Zero(t, m["stale_reads"])

	m = headless(t, "n=3 w=1 r=1 seed=1 ops=5000")
	require.Positive(t, m["stale_reads"])

	m = headless(t, "n=3 w=2 r=2 sloppy=on crash=1 seed=1")
	require.Positive(t, m["hinted_handoffs"])
	require.Zero(t, m["lost_writes"])
	require.Zero(t, m["writes_failed"], "a sloppy quorum keeps writing with A down")
}

func TestPreference(t *testing.T) {
	tests := []struct {
		key, nodes int
		want       []int
	}{
		{0, 5, []int{1, 2, 3, 4, 0}}, // x at 0.07: B first
		{1, 5, []int{3, 4, 0, 1, 2}}, // y at 0.47: D first
		{4, 5, []int{0, 1, 2, 3, 4}}, // v at 0.87: wraps round to A
		{0, 3, []int{1, 2, 0}},
		{0, 1, []int{0}},
		{2, 9, []int{3, 4, 5, 6, 7, 8, 0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(keyNames[tt.key], tt.nodes), func(t *testing.T) {
			require.Equal(t, tt.want, preference(tt.key, tt.nodes))
		})
	}
}

func TestTargets(t *testing.T) {
	m := New(values("sloppy", "on", "clients", 2), 1)
	require.Equal(t, []Target{{1, -1}, {2, -1}, {3, -1}}, m.targets(0, 0))
	require.NoError(t, m.Do("crash", 2))
	require.Equal(t, []Target{{1, -1}, {3, -1}, {4, 2}}, m.targets(0, 0), "E stands in for C")
	require.NoError(t, m.Do("recover", 2))
	require.NoError(t, m.Do("partition", 0))
	// Sides: A, B, C with client 1; D, E with client 2.
	require.Equal(t, []Target{{1, -1}, {2, -1}, {0, 3}}, m.targets(0, 0))
	require.Equal(t, []Target{{3, -1}, {4, 1}}, m.targets(1, 0))

	strict := New(values("clients", 2), 1)
	require.NoError(t, strict.Do("crash", 2))
	require.Equal(t, []Target{{1, -1}, {2, -1}, {3, -1}}, strict.targets(0, 0), "a strict quorum sends to its replicas, down or not")
}

func TestApply(t *testing.T) {
	v := func(num int, clock ...int32) Version {
		var c Clock
		copy(c[:], clock)
		return Version{Num: num, Clock: c}
	}
	tests := []struct {
		name   string
		policy int
		s      Set
		v      Version
		want   Set
		lost   []int
	}{
		{"lww first", LWW, nil, v(1, 1), Set{v(1, 1)}, nil},
		{"lww newer descends", LWW, Set{v(1, 1)}, v(2, 2), Set{v(2, 2)}, nil},
		{"lww newer concurrent drops the old", LWW, Set{v(1, 1)}, v(2, 0, 1), Set{v(2, 0, 1)}, []int{1}},
		{"lww older concurrent loses", LWW, Set{v(2, 0, 1)}, v(1, 1), Set{v(2, 0, 1)}, []int{1}},
		{"lww older superseded", LWW, Set{v(2, 2)}, v(1, 1), Set{v(2, 2)}, nil},
		{"lww same again", LWW, Set{v(2, 2)}, v(2, 2), Set{v(2, 2)}, nil},
		{"vclock concurrent: siblings", VClock, Set{v(1, 1)}, v(2, 0, 1), Set{v(1, 1), v(2, 0, 1)}, nil},
		{"vclock descendant replaces both", VClock, Set{v(1, 1), v(2, 0, 1)}, v(3, 1, 2), Set{v(3, 1, 2)}, nil},
		{"vclock ancestor ignored", VClock, Set{v(3, 1, 2)}, v(1, 1), Set{v(3, 1, 2)}, nil},
		{"vclock partial descendant", VClock, Set{v(1, 1), v(2, 0, 1)}, v(4, 2), Set{v(2, 0, 1), v(4, 2)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, lost := apply(tt.s, tt.v, tt.policy)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.lost, lost)
		})
	}
	require.Equal(t, "v1|v2", Set{v(1, 1), v(2, 0, 1)}.Nums())
	require.Equal(t, "v0", Set(nil).Nums())
}

// TestConcurrentWrites: last-write-wins silently drops acknowledged
// writes when clients write concurrently; vector clocks keep them as
// siblings and drop nothing.
func TestConcurrentWrites(t *testing.T) {
	for _, policy := range []string{"lww", "vclock"} {
		t.Run(policy, func(t *testing.T) {
			for seed := range uint64(seeds()) {
				m := run(t, values("versions", policy, "clients", 3, "keys", 1, "writes", 60, "ops", 600), seed)
				c := m.Counts()
				if policy == "lww" {
					require.Positive(t, c.LostWrites, "seed %d", seed)
					require.Zero(t, c.Siblings)
					require.Contains(t, narration(m)+"silently drops", "silently drops")
				} else {
					require.Positive(t, c.Siblings, "seed %d", seed)
					require.Zero(t, c.LostWrites, "seed %d", seed)
				}
			}
		})
	}
	// One client never loses its own writes.
	require.Zero(t, run(t, values("writes", 80, "keys", 1, "spread", 40), 1).Counts().LostWrites)
}

// acked returns the acknowledged writes of m's window, by key.
func acked(m *Model) [][]Version {
	out := make([][]Version, m.keys)
	for _, op := range m.Window() {
		if op.Kind == engine.Write && op.Outcome == OK {
			out[op.Key] = append(out[op.Key], Version{Num: op.Version, Clock: m.writes[op.Key].get(op.Version).clock})
		}
	}
	return out
}

// TestHintedHandoffLosesNothing: with a sloppy quorum, writes accepted by
// stand-ins while replicas are down all reach their replicas once those
// recover: no hint is left and every acknowledged write is held by a
// replica of its key.
func TestHintedHandoffLosesNothing(t *testing.T) {
	tests := []lab.Values{
		values("sloppy", "on", "crash", 1, "versions", "vclock", "ops", 400),
		values("sloppy", "on", "crash", 2, "versions", "vclock", "clients", 3, "ops", 400),
		values("sloppy", "on", "partition", "on", "versions", "vclock", "clients", 2, "keys", 1, "ops", 400),
		values("sloppy", "on", "crash", 1, "loss", 10, "versions", "vclock", "ops", 400),
	}
	for i, v := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			handed := 0
			for seed := range uint64(seeds() / 2) {
				m := run(t, v, seed)
				for n := range m.Nodes() {
					require.Empty(t, m.Hints(n), "seed %d: node %s still holds hints", seed, NodeName(n))
				}
				for key, ws := range acked(m) {
					for _, w := range ws {
						held := false
						for _, n := range m.Preference(key)[:m.N()] {
							held = held || m.Versions(n, key).Covers(w, VClock)
						}
						require.True(t, held, "seed %d: acknowledged %s=v%d is on no replica", seed, keyNames[key], w.Num)
					}
				}
				require.Zero(t, m.Counts().LostWrites)
				handed += m.Counts().HintedHandoffs
			}
			require.Positive(t, handed)
		})
	}
}

// TestAntiEntropyConverges: once the clients stop, Merkle-tree exchanges
// bring every replica of every key to the same versions, even ones that
// were down for many writes.
func TestAntiEntropyConverges(t *testing.T) {
	for _, policy := range []string{"lww", "vclock"} {
		for _, nodes := range []int{3, 5, 9} {
			t.Run(fmt.Sprint(policy, nodes), func(t *testing.T) {
				for seed := range uint64(10) {
					v := values("nodes", nodes, "antientropy", "on", "interval", 200, "versions", policy,
						"crash", 1, "loss", 5, "clients", 2, "keys", 5, "ops", 300)
					m := run(t, v, seed)
					m.Advance(m.Now() + 20*time.Second)
					for key := range m.keys {
						homes := m.Preference(key)[:m.N()]
						for _, n := range homes[1:] {
							require.Equal(t, m.Versions(homes[0], key), m.Versions(n, key), "seed %d key %s: %s and %s differ", seed, keyNames[key], NodeName(homes[0]), NodeName(n))
						}
					}
				}
			})
		}
	}
}

func TestMerkleSession(t *testing.T) {
	m := New(values("nodes", 3, "keys", 5, "antientropy", "on", "interval", 100, "ops", 1), 1)
	// Give B a version of z that C lacks, and agree on the rest.
	m.put(1, 2, Version{Num: 1, Clock: Clock{1}})
	m.Advance(99 * time.Millisecond)
	require.Nil(t, m.Session())
	m.Advance(100 * time.Millisecond)
	s := m.Session()
	require.NotNil(t, s)
	require.Equal(t, 0, s.A)
	require.Equal(t, 1, s.B)
	require.Equal(t, []int{0, 1, 2, 3, 4}, s.Keys)
	require.Equal(t, 8, s.Leaves())
	require.Equal(t, 4, s.Depth())
	require.Equal(t, Comparing, s.Phase)
	for s.Phase == Comparing {
		m.Advance(m.Now() + time.Millisecond)
	}
	require.Equal(t, Exchanging, s.Phase)
	require.Equal(t, []int{2}, s.Exchanged, "only z differs")
	// The differing path: root, left child, its right child, leaf 2.
	var differ []int
	for j, d := range s.Differ {
		if d {
			differ = append(differ, j)
		}
	}
	require.Equal(t, []int{0, 1, 4, 9}, differ)
	for s.Phase == Exchanging {
		m.Advance(m.Now() + time.Millisecond)
	}
	require.Equal(t, InSync, s.Phase)
	require.Equal(t, m.Versions(1, 2), m.Versions(0, 2))
	require.Contains(t, narration(m), "anti-entropy: A and B differ on z: exchanging")
	require.Contains(t, narration(m), "anti-entropy: A and B now agree on z")
}

func TestReadRepair(t *testing.T) {
	total := 0
	for seed := range uint64(10) {
		// A misses the writes made while it is down; reads that ask it
		// afterwards send it what they returned.
		m, text := runLog(t, values("nodes", 3, "repair", "on", "crash", 1, "ops", 200, "writes", 30), seed)
		c := m.Counts().ReadRepairs
		require.Equal(t, c, strings.Count(text, "read repair: client sends"))
		total += c
	}
	require.Positive(t, total)
	require.Zero(t, run(t, values("nodes", 3, "crash", 1, "ops", 200), 1).Counts().ReadRepairs, "repair is off by default")
}

// TestVerdict checks the porcupine verdict on hand-built windows.
func TestVerdict(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	w := func(id, client, v, call, ret int, o Outcome) Op {
		return Op{ID: id, Client: client, Kind: engine.Write, Version: v, Invoke: ms(call), Return: ms(ret), Outcome: o}
	}
	r := func(id, client, v, call, ret int) Op {
		return Op{ID: id, Client: client, Kind: engine.Read, Version: v, Invoke: ms(call), Return: ms(ret), Outcome: OK}
	}
	tests := []struct {
		name    string
		window  []Op
		log     []writeRec // writes not in the window
		ok      bool
		culprit int // Op.ID
	}{
		{"empty", nil, nil, true, 0},
		{"sequential", []Op{w(1, 0, 1, 0, 10, OK), r(2, 0, 1, 20, 30)}, nil, true, 0},
		{"stale", []Op{w(1, 0, 1, 0, 10, OK), r(2, 1, 0, 20, 30)}, nil, false, 2},
		{"racing read", []Op{r(2, 1, 1, 10, 14), r(3, 2, 0, 20, 24)},
			[]writeRec{{num: 1, client: 0, invoke: 0, outcome: Pending}}, false, 3},
		{"failed write seen, then not", []Op{w(1, 0, 1, 0, 100, Failed), r(2, 1, 1, 110, 120), r(3, 2, 0, 130, 140)}, nil, false, 3},
		{"write from before the window", []Op{r(5, 1, 4, 100, 110), r(6, 1, 4, 120, 130)},
			[]writeRec{{num: 4, client: 0, invoke: ms(10), ret: ms(50), outcome: OK}}, true, 0},
		{"forgotten write: its reads are left out", []Op{r(5, 1, 3, 100, 110)}, nil, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(values("keys", 1), 1)
			m.window = tt.window
			for _, rec := range tt.log {
				m.writes[0].add(rec)
			}
			v := m.check()
			require.Equal(t, tt.ok, v.Linearizable)
			require.Equal(t, tt.culprit, v.Culprit.ID)
		})
	}
}

// TestRacingRead builds the racing read of the chapter with chosen link
// delays: the write reaches A at once but B and C only after 100 ms;
// client 2 reads A and B and gets v1; client 3 then reads B and C and gets
// v0. Nothing is stale, and the verdict is "not linearizable".
func TestRacingRead(t *testing.T) {
	m := New(values("nodes", 3, "keys", 1, "clients", 3, "ops", 3, "think", 1000, "spread", 0), 1)
	fast, slow := engine.Latency{Mean: 2 * time.Millisecond}, engine.Latency{Mean: 100 * time.Millisecond}
	for i := range 6 {
		for j := range 6 {
			m.net.SetLatency(i, j, fast)
		}
	}
	m.net.SetLatency(3, 1, slow) // client 1's write to B
	m.net.SetLatency(3, 2, slow) // and to C
	m.net.SetLatency(4, 2, slow) // client 2 does not hear from C in time
	m.net.SetLatency(5, 0, slow) // client 3 does not hear from A in time
	m.invoke(0, engine.Write, 0, false)
	m.Advance(10 * time.Millisecond)
	m.invoke(1, engine.Read, 0, false)
	m.Advance(20 * time.Millisecond)
	m.invoke(2, engine.Read, 0, false)
	m.Advance(300 * time.Millisecond)
	c := m.Counts()
	require.Equal(t, Counts{WritesOK: 1, ReadsOK: 2}, c)
	v := m.Verdict()
	require.False(t, v.Linearizable)
	require.Equal(t, 3, v.Culprit.ID)
	require.Equal(t, 0, v.Culprit.Version)
	require.Zero(t, m.Metrics()[9], "linearizable is false")
}

// TestPresets runs every preset and checks that it shows what its label
// says.
func TestPresets(t *testing.T) {
	for _, p := range Schema.Presets {
		t.Run(p.Name, func(t *testing.T) {
			v, err := Schema.Parse(p.Values)
			require.NoError(t, err)
			require.NotEmpty(t, p.Label)
			broken := 0
			for seed := range uint64(10) {
				m := New(v, seed)
				seen := false
				for m.Now() < 5*time.Second {
					m.Advance(m.Now() + 50*time.Millisecond)
					seen = seen || !m.Verdict().Linearizable
				}
				if seen {
					broken++
				}
				c := m.Counts()
				switch p.Name {
				case "fast-stale":
					require.Positive(t, c.StaleReads, "seed %d", seed)
				case "sloppy-partition":
					require.Positive(t, c.Siblings, "seed %d", seed)
					require.Positive(t, c.HintedHandoffs, "seed %d", seed)
					require.Zero(t, c.LostWrites)
				case "overlap-not-linearizable", "dynamo", "strict5":
					require.Zero(t, c.StaleReads, "seed %d", seed)
				}
			}
			switch p.Name {
			case "dynamo", "strict5":
				require.Zero(t, broken, "one client, overlapping quorums: linearizable")
			case "overlap-not-linearizable", "sloppy-partition":
				require.GreaterOrEqual(t, broken, 8, "not linearizable within 5 s in most runs")
			default:
				require.Equal(t, 10, broken)
			}
		})
	}
}

func TestLatencyPercentiles(t *testing.T) {
	var l latencies
	require.Zero(t, l.percentile(50))
	for i := 1; i <= 100; i++ {
		l.add(time.Duration(i) * time.Millisecond)
	}
	require.Equal(t, 50.0, l.percentile(50))
	require.Equal(t, 99.0, l.percentile(99))
	for range latencySize {
		l.add(7 * time.Millisecond)
	}
	require.Equal(t, 7.0, l.percentile(99), "only the last latencySize count")
	require.Len(t, l.buf, latencySize)
}

// BenchmarkVerdict is the lab's linearizability check of a full window
// (200 operations of four clients on one key).
func BenchmarkVerdict(b *testing.B) {
	m := New(values("clients", 4, "keys", 1, "think", 0, "ops", 2000), 1)
	for len(m.window) < windowSize {
		m.Advance(m.Now() + time.Second)
	}
	for b.Loop() {
		m.check()
	}
}

// BenchmarkHeadless is `scalingdata sim quorum` with the dynamo preset and
// the default 2,000 operations.
func BenchmarkHeadless(b *testing.B) {
	p, _ := Schema.Preset("dynamo")
	v, err := Schema.Parse(p.Values)
	require.NoError(b, err)
	for b.Loop() {
		lab.RunHeadless(&Schema, New(v, 1), time.Second, 24*time.Hour)
	}
}
