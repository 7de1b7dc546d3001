package history

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
)

// TestScenarios: each history, played to the end, is exactly as strong as
// its name says.
func TestScenarios(t *testing.T) {
	want := map[string][4]bool{ // linearizable, sequential, causal, eventual
		"linearizable": {true, true, true, true},
		"sequential":   {false, true, true, true},
		"causal":       {false, false, true, true},
		"eventual":     {false, false, false, true},
		"diverged":     {false, false, true, false},
	}
	require.Len(t, want, len(Scenarios))
	for i, sc := range Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			m := New(lab.Values{"scenario": float64(i)}, 1)
			got := lab.RunHeadless(&Schema, m, time.Millisecond, time.Second)
			w := want[sc.Name]
			require.Equal(t, map[string]float64{"linearizable": b(w[0]), "sequential": b(w[1]), "causal": b(w[2]), "eventual": b(w[3])}, got)
			require.True(t, m.Done())
		})
	}
}

func b(x bool) float64 {
	if x {
		return 1
	}
	return 0
}

// TestStepping: the verdict changes at the step that breaks it, and the
// narration says so.
func TestStepping(t *testing.T) {
	m := New(lab.Values{"scenario": 1}, 1) // sequential
	m.Advance(44 * time.Millisecond)
	require.True(t, m.Verdicts().Linearizable)
	m.Advance(45 * time.Millisecond) // P2's read returns 0 after the write returned
	v := m.Verdicts()
	require.False(t, v.Linearizable)
	require.True(t, v.Sequential)
	require.Equal(t, 2, v.Culprit)
	last := m.Log().Last(2)
	require.Equal(t, "P2's read of x returns 0", last[0].Text)
	require.Equal(t, "so far: linearizable no, sequential yes, causal yes, eventual yes", last[1].Text)
}

func TestCheckers(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	w := func(p int, k string, v, a, z int) Op {
		return Op{Proc: p, Write: true, Key: k, Value: v, Invoke: ms(a), Return: ms(z)}
	}
	r := func(p int, k string, v, a, z int) Op {
		return Op{Proc: p, Key: k, Value: v, Invoke: ms(a), Return: ms(z)}
	}
	tests := []struct {
		name             string
		ops              []Op
		seq, causal, evt bool
	}{
		{"empty", nil, true, true, true},
		{"read of a value never written", []Op{r(0, "x", 7, 0, 1)}, false, false, true},
		{"program order violated", []Op{w(0, "x", 1, 0, 1), r(0, "x", 0, 2, 3)}, false, false, true},
		{"read your own write", []Op{w(0, "x", 1, 0, 1), r(0, "x", 1, 2, 3)}, true, true, true},
		{"disagreeing final reads", []Op{w(0, "x", 1, 0, 1), w(1, "x", 2, 0, 1), r(0, "x", 1, 5, 6), r(1, "x", 2, 5, 6)}, true, true, false},
		{"two keys, one order", []Op{w(0, "x", 1, 0, 1), w(0, "y", 1, 2, 3), r(1, "y", 1, 4, 5), r(1, "x", 0, 6, 7)}, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.seq, Sequential(tt.ops), "sequential")
			require.Equal(t, tt.causal, Causal(tt.ops), "causal")
			require.Equal(t, tt.evt, Eventual(tt.ops, time.Second), "eventual")
		})
	}
}

// TestStrengthOrder: on every prefix of every scenario, linearizable
// implies sequential, and sequential implies causal.
func TestStrengthOrder(t *testing.T) {
	for i := range Scenarios {
		m := New(lab.Values{"scenario": float64(i)}, 1)
		for !m.Done() {
			m.Advance(m.Now() + time.Millisecond)
			v := m.Verdicts()
			require.False(t, v.Linearizable && !v.Sequential, "%s at %v", Scenarios[i].Name, m.Now())
			require.False(t, v.Sequential && !v.Causal, "%s at %v", Scenarios[i].Name, m.Now())
		}
	}
}

func TestDo(t *testing.T) {
	require.EqualError(t, New(nil, 1).Do("cut", 0), `unknown action "cut" (the history lab has no actions; use play and step)`)
}

func TestAnyValues(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	for _, v := range []lab.Values{nil, {"scenario": -4}, {"scenario": 99}, {"scenario": nan}} {
		m := New(v, 0)
		lab.RunHeadless(&Schema, m, time.Millisecond, time.Second)
		require.True(t, m.Done())
	}
}

// FuzzActions steps a scenario by fuzzed amounts with fuzzed (always
// rejected) actions, checking the strength order at every step.
func FuzzActions(f *testing.F) {
	f.Add([]byte{0, 5, 5, 5})
	f.Add([]byte{2, 30, 1, 1, 40})
	f.Add([]byte{4, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		m := New(lab.Values{"scenario": float64(int(data[0]) % len(Scenarios))}, 0)
		for _, d := range data[1:] {
			m.Advance(m.Now() + time.Duration(d)*time.Millisecond/4)
			require.Error(t, m.Do("step", int(d)))
			v := m.Verdicts()
			require.False(t, v.Linearizable && !v.Sequential)
			require.False(t, v.Sequential && !v.Causal)
		}
	})
}
