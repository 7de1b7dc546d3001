package truetime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/golden"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/lab/labtest"
	tt "github.com/scaling-data/book/sim/truetime"
)

// values returns the defaults with the given changes, parsed as a URL
// would be.
func values(kv ...string) lab.Values { return labtest.Values(&tt.Schema, kv...) }

// replay builds a model and advances it to t, applying the inputs.
func replay(v lab.Values, seed uint64, t time.Duration, inputs ...lab.Input) func() *tt.Model {
	return labtest.Replay[*tt.Model](tt.Lab, v, seed, t, inputs...)
}

// firstViolation advances a model until its first out-of-order
// transaction, then a little further.
func firstViolation(v lab.Values, seed uint64, inputs ...lab.Input) func() *tt.Model {
	return func() *tt.Model {
		m := tt.New(v, seed)
		for _, in := range inputs {
			m.Advance(in.At)
			if err := m.Do(in.Action, in.Arg); err != nil {
				panic(err)
			}
		}
		for m.Violations() == 0 && !m.Done() {
			m.Advance(m.Now() + time.Millisecond)
		}
		m.Advance(m.Now() + 2*time.Millisecond)
		return m
	}
}

var scenes = []struct {
	name  string
	model func() *tt.Model
	theme canvas.Theme
}{
	{"opening", replay(values(), 1, 0), canvas.Light},
	{"midrun", replay(values(), 1, 300*time.Millisecond), canvas.Light},
	{"midrun-dark", replay(values(), 1, 300*time.Millisecond), canvas.Dark},
	{"no-wait", firstViolation(values("commitwait", "off"), 1), canvas.Light},
	{"pushed", replay(values("nodes", "5"), 1, 260*time.Millisecond, lab.Input{At: 200 * time.Millisecond, Action: "skew", Arg: 2}), canvas.Light},
	{"hlc", replay(values("mode", "hlc"), 1, 900*time.Millisecond), canvas.Light},
	{"hlc-stale-dark", firstViolation(values("mode", "hlc"), 7, lab.Input{At: 200 * time.Millisecond, Action: "skew", Arg: 0}), canvas.Dark},
	{"lamport", replay(values("mode", "lamport"), 1, 700*time.Millisecond), canvas.Light},
	{"vector-five", replay(values("mode", "vector", "nodes", "5", "clients", "4"), 1, 900*time.Millisecond), canvas.Light},
	{"wide", replay(values("epsilon", "20", "nodes", "2", "clients", "4", "gap", "0", "replicate", "100"), 1, 2*time.Second), canvas.Light},
}

func TestGolden(t *testing.T) {
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			m := sc.model()
			c := svg.New(float64(tt.Schema.Width), float64(tt.Schema.Height))
			View.Draw(c, m, sc.theme)
			got := c.SVG(Describe(m))
			golden.Check(t, sc.name, got)
		})
	}
}

func TestDrawIsPure(t *testing.T) {
	m := scenes[1].model()
	draw := func() string {
		c := svg.New(640, 400)
		View.Draw(c, m, canvas.Light)
		return string(c.SVG(""))
	}
	first, second := draw(), draw()
	require.Equal(t, first, second)
}

func TestHit(t *testing.T) {
	for n := 2; n <= 5; n++ {
		m := tt.New(values("nodes", string(rune('0'+n))), 1)
		for i := range n {
			x, y := RowCenter(m, i)
			action, arg, ok := Hit(m, x, y)
			require.True(t, ok, "n=%d node %d", n, i)
			require.Equal(t, "skew", action)
			require.Equal(t, i, arg)
		}
		_, _, ok := Hit(m, newFrame(m).xNow(), 200)
		require.False(t, ok, "the timelines are not a node")
	}
	x, y := RowCenter(tt.New(values("mode", "lamport"), 1), 0)
	_, _, ok := Hit(tt.New(values("mode", "lamport"), 1), x, y)
	require.False(t, ok, "logical clocks have no physical clock to push")
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		m    func() *tt.Model
		want string
	}{
		{"fresh", replay(values(), 1, 0), "TrueTime with commit wait, mean ε 4 ms, 3 nodes. 0 transactions finished, mean commit wait 0.0 ms, 0 out of order."},
		{"pushed", replay(values(), 1, 0, lab.Input{Action: "skew", Arg: 1}),
			"TrueTime with commit wait, mean ε 4 ms, 3 nodes. 0 transactions finished, mean commit wait 0.0 ms, 0 out of order. Clock outside its interval: B."},
		{"hlc", replay(values("mode", "hlc"), 1, 0), "Hybrid logical clocks, max offset 500 ms, 3 nodes. 0 transactions finished, 0 uncertainty restarts, 0 stale reads."},
		{"vector", replay(values("mode", "vector"), 1, 0), "Vector clocks, latency 30 ms, 3 nodes. 0 transactions finished, 0 not ordered after a transaction that finished before they began."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Describe(tt.m()))
		})
	}
}
