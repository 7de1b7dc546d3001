package multileader

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
	for i := 0; i+1 < len(kv); i += 2 {
		raw[kv[i]] = kv[i+1]
	}
	v, err := Schema.Parse(raw)
	require.NoError(t, err)
	return v
}

func run(t testing.TB, v lab.Values, seed uint64) (*Model, string) {
	t.Helper()
	m := New(v, seed)
	var b strings.Builder
	seen := 0
	for !m.Done() {
		m.Advance(m.Now() + 250*time.Millisecond)
		for _, e := range m.Log().Since(seen) {
			fmt.Fprintln(&b, e)
		}
		seen = m.Log().Seq()
		require.Less(t, m.Now(), 10*time.Hour, "the run never ends")
	}
	return m, b.String()
}

func metric(m *Model, name string) float64 { return lab.MetricMap(&Schema, m)[name] }

func TestHeadlessExamples(t *testing.T) {
	lww := New(values(t, "strategy", "lww"), 1)
	got := lab.RunHeadless(&Schema, lww, time.Second, 24*time.Hour)
	require.Positive(t, got["lost_writes"])

	crdt := New(values(t, "strategy", "crdt"), 1)
	got = lab.RunHeadless(&Schema, crdt, time.Second, 24*time.Hour)
	require.Zero(t, got["lost_writes"])
	require.Equal(t, 1.0, got["converged"])
}

const seeds = 40

func TestProperties(t *testing.T) {
	for _, regions := range []string{"2", "3"} {
		for _, skew := range []string{"0", "-400"} {
			name := "regions=" + regions + " skew_eu=" + skew
			t.Run(name, func(t *testing.T) {
				lwwLost := 0
				for seed := range uint64(seeds) {
					var conflicts []float64
					for _, s := range []string{"lww", "crdt", "app"} {
						m, _ := run(t, values(t, "strategy", s, "regions", regions, "skew_eu", skew, "think", "200"), seed)
						conflicts = append(conflicts, metric(m, "conflicts"))
						require.Equal(t, 1.0, metric(m, "converged"), "%s seed %d", s, seed)
						switch s {
						case "crdt":
							require.Zero(t, metric(m, "lost_writes"), "seed %d", seed)
						case "lww":
							require.Zero(t, metric(m, "merge_siblings"))
							if metric(m, "conflicts") > 0 && metric(m, "lost_writes") > 0 {
								lwwLost++
							}
						}
					}
					require.Equal(t, conflicts[0], conflicts[1], "same seed, same workload")
					require.Equal(t, conflicts[0], conflicts[2], "same seed, same workload")
				}
				require.Greater(t, lwwLost, seeds*3/4, "LWW with concurrent writes loses some")
			})
		}
	}
}

func TestAliceAndBob(t *testing.T) {
	tests := []struct {
		strategy string
		title    []string
		likes    string
		lost     float64
	}{
		{"lww", []string{"Bob's list 4"}, "1", 3},
		{"crdt", []string{"Alice's list 1", "Bob's list 4"}, "2", 0},
		{"app", []string{"Alice's list 1", "Bob's list 4"}, "1 1", 1},
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			m := New(values(t, "strategy", tt.strategy, "ops", "0"), 1)
			require.NoError(t, m.Do("alice", 0))
			m.Advance(time.Millisecond)
			require.NoError(t, m.Do("bob", 0))
			m.Advance(5 * time.Second)
			require.True(t, m.Done())
			require.True(t, m.Converged())
			require.Equal(t, 3.0, metric(m, "conflicts"))
			require.Equal(t, tt.title, m.Values(0, Title))
			require.Equal(t, tt.likes, strings.Join(m.Values(0, Likes), " "))
			require.Equal(t, tt.lost, metric(m, "lost_writes"))
		})
	}
}

func TestSkewPicksTheWrongWinner(t *testing.T) {
	// Bob edits 100 ms after Alice's edit reached him, but his clock is
	// 400 ms behind: LWW keeps Alice's title and drops his.
	m := New(values(t, "strategy", "lww", "ops", "0", "skew_eu", "-400"), 1)
	require.NoError(t, m.Do("alice", 0))
	m.Advance(300 * time.Millisecond)
	require.Equal(t, []int{3, 0}, m.Seen(1), "Bob has seen Alice's edit")
	require.NoError(t, m.Do("bob", 0))
	m.Advance(time.Second)
	require.Zero(t, metric(m, "conflicts"), "Bob's edit came after Alice's")
	require.Equal(t, []string{"Alice's list 1"}, m.Values(1, Title))
	require.Positive(t, metric(m, "lost_writes"))
	var text strings.Builder
	for _, e := range m.Log().Last(50) {
		text.WriteString(e.Text + "\n")
	}
	require.Contains(t, text.String(), "silently dropped")
}

func TestDo(t *testing.T) {
	m := New(values(t), 1)
	for _, a := range []string{"both", "alice", "bob"} {
		require.NoError(t, m.Do(a, 0))
	}
	require.EqualError(t, m.Do("explode", 0), `unknown action "explode" (want both, alice or bob)`)
}

func TestDeterminism(t *testing.T) {
	r := lab.Run{Values: values(t, "regions", "3", "strategy", "app"), Inputs: []lab.Input{{At: time.Second, Action: "both"}}}
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
	a, am := replay(7)
	b, bm := replay(7)
	require.True(t, a == b)
	require.Equal(t, am, bm)
	c, _ := replay(8)
	require.False(t, a == c)
}

func TestAnyValues(t *testing.T) {
	lo, hi := lab.Values{}, lab.Values{}
	for _, p := range Schema.Params {
		lo[p.Name], hi[p.Name] = p.Min, p.Max
		if p.Kind == lab.Enum {
			hi[p.Name] = float64(len(p.Options) - 1)
		}
	}
	hi["ops"] = 300
	for _, v := range []lab.Values{lo, hi, {}, {"regions": 9, "strategy": 7, "latency": -1}} {
		m, _ := run(t, v, 3)
		require.Len(t, m.Metrics(), len(Schema.Metrics))
	}
}

func TestPresets(t *testing.T) {
	for _, p := range Schema.Presets {
		v, err := Schema.Parse(p.Values)
		require.NoError(t, err, p.Name)
		run(t, v, 1)
	}
}
