package quorum

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/golden"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/lab/labtest"
	"github.com/scaling-data/book/sim/quorum"
)

// scene is a model in a state worth drawing.
type scene struct {
	name  string
	model func() *quorum.Model
	theme canvas.Theme
}

// values returns the defaults with the given changes: numbers as ints,
// booleans and enums as their raw text ("on", "vclock").
func values(kv ...any) lab.Values {
	v := quorum.Schema.Defaults()
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		switch x := kv[i+1].(type) {
		case int:
			v[name] = float64(x)
		case string:
			p, _ := quorum.Schema.Param(name)
			f, err := p.ParseValue(x)
			if err != nil {
				panic(err)
			}
			v[name] = f
		}
	}
	return v
}

// and advances to t.
func replay(v lab.Values, seed uint64, t time.Duration, inputs ...lab.Input) func() *quorum.Model {
	return labtest.Replay[*quorum.Model](quorum.Lab, v, seed, t, inputs...)
}

var scenes = []scene{
	{"opening", replay(values("nodes", 3), 7, 0), canvas.Light},
	{"midrun", replay(values("nodes", 3), 7, 1400*time.Millisecond, lab.Input{At: 500 * time.Millisecond, Action: "crash", Arg: 2}), canvas.Light},
	{"stale-dark", staleDark, canvas.Dark},
	{"nine", replay(values("nodes", 9, "n", 9, "w", 5, "r", 5, "keys", 5, "clients", 4, "ops", 5000), 3, 20*time.Second,
		lab.Input{At: 10 * time.Second, Action: "crash", Arg: 4}, lab.Input{At: 10 * time.Second, Action: "crash", Arg: 5}), canvas.Light},
	{"dynamo-hints", replay(values("sloppy", "on", "repair", "on", "versions", "vclock", "clients", 2, "keys", 3), 2, 1500*time.Millisecond,
		lab.Input{At: 400 * time.Millisecond, Action: "crash", Arg: 2}), canvas.Light},
	{"partition-dark", replay(values("sloppy", "on", "versions", "vclock", "clients", 2, "keys", 1, "writes", 70), 3, 1200*time.Millisecond,
		lab.Input{At: 300 * time.Millisecond, Action: "partition"}), canvas.Dark},
	{"merkle", merkleScene, canvas.Light},
	{"not-linearizable", notLinearizable, canvas.Light},
	{"extremes", replay(values("nodes", 9, "n", 3, "w", 1, "r", 1, "keys", 5, "clients", 4, "sloppy", "on", "versions", "vclock",
		"antientropy", "on", "interval", 300, "think", 0, "spread", 60, "timeout", 2000, "ops", 5000), 4, 3*time.Second,
		lab.Input{At: time.Second, Action: "crash", Arg: 0}, lab.Input{At: time.Second, Action: "crash", Arg: 8},
		lab.Input{At: 1500 * time.Millisecond, Action: "partition"}), canvas.Light},
}

// staleDark is the fast-stale preset stopped just after its first stale
// read, in the dark theme.
func staleDark() *quorum.Model {
	m := quorum.New(values("nodes", 3, "w", 1, "r", 1, "spread", 40), 1)
	for m.Counts().StaleReads == 0 && m.Now() < time.Minute {
		m.Advance(m.Now() + time.Millisecond)
	}
	return m
}

// merkleScene stops an anti-entropy session half way through its
// comparison, after a crash left a replica behind.
func merkleScene() *quorum.Model {
	m := quorum.New(values("nodes", 3, "keys", 5, "antientropy", "on", "interval", 500, "crash", 1), 5)
	m.Advance(2 * time.Second)
	for m.Now() < time.Minute {
		m.Advance(m.Now() + time.Millisecond)
		if s := m.Session(); s != nil && s.Phase == quorum.Comparing && s.Level >= 1 && s.Differ[0] {
			return m
		}
	}
	panic("no session compared differing trees in a minute")
}

// notLinearizable is the overlap-not-linearizable preset stopped at its
// first violation.
func notLinearizable() *quorum.Model {
	p, _ := quorum.Schema.Preset("overlap-not-linearizable")
	v, err := quorum.Schema.Parse(p.Values)
	if err != nil {
		panic(err)
	}
	m := quorum.New(v, 1)
	for m.Verdict().Linearizable {
		m.Advance(m.Now() + 5*time.Millisecond)
		if m.Now() > time.Minute {
			panic("linearizable for a minute")
		}
	}
	return m
}

func TestGolden(t *testing.T) {
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			m := sc.model()
			c := svg.New(float64(quorum.Schema.Width), float64(quorum.Schema.Height))
			View.Draw(c, m, sc.theme)
			got := c.SVG(Describe(m))
			golden.Check(t, sc.name, got)
		})
	}
}

func TestDrawIsPure(t *testing.T) {
	m := scenes[1].model()
	draw := func() string {
		c := svg.New(float64(quorum.Schema.Width), float64(quorum.Schema.Height))
		View.Draw(c, m, canvas.Light)
		return string(c.SVG(""))
	}
	first, second := draw(), draw()
	require.Equal(t, first, second)
}

func TestHitEveryNode(t *testing.T) {
	for n := 1; n <= 9; n++ {
		m := quorum.New(values("nodes", n, "n", 1, "w", 1, "r", 1), 1)
		for i := range n {
			p := nodeAt(m, i)
			action, arg, ok := Hit(m, p.x, p.y)
			require.True(t, ok, "nodes=%d node %d", n, i)
			require.Equal(t, "crash", action)
			require.Equal(t, i, arg)

			require.NoError(t, m.Do(action, arg))
			action, arg, ok = Hit(m, p.x+nodeR, p.y)
			require.True(t, ok)
			require.Equal(t, "recover", action)
			require.Equal(t, i, arg)
		}
		_, _, ok := Hit(m, ringX+30, ringY(m))
		require.False(t, ok, "inside the ring, off the cut line, is nothing")
		_, _, ok = Hit(m, panelX+50, 200)
		require.False(t, ok)
		cx, cy := CutPoint(m)
		action, _, ok := Hit(m, cx, cy)
		if n == 1 {
			require.False(t, ok, "one node cannot be partitioned")
			continue
		}
		require.True(t, ok, "nodes=%d: the cut line", n)
		require.Equal(t, "partition", action)
		require.NoError(t, m.Do(action, 0))
		action, _, _ = Hit(m, ringX, ringY(m))
		require.Equal(t, "heal", action)
	}
}

// TestCutSeparatesSides: the cut line has the nodes and clients of side 0
// on its right and side 1 on its left, and no client box crosses it.
func TestCutSeparatesSides(t *testing.T) {
	for n := 2; n <= 9; n++ {
		m := quorum.New(values("nodes", n, "n", 1, "w", 1, "r", 1, "clients", 4), 1)
		for i := range n {
			p := nodeAt(m, i)
			if m.Side(i) == 0 {
				require.Greater(t, p.x-nodeR, ringX, "nodes=%d node %d", n, i)
			} else {
				require.Less(t, p.x+nodeR, ringX, "nodes=%d node %d", n, i)
			}
		}
		for k := range 4 {
			p := clientAt(m, k)
			if m.Side(n+k) == 0 {
				require.Greater(t, p.x-clientW/2, ringX)
			} else {
				require.Less(t, p.x+clientW/2, ringX)
			}
		}
	}
}

func TestLayoutFits(t *testing.T) {
	for n := 1; n <= 9; n++ {
		for keys := 1; keys <= 5; keys++ {
			for _, sloppy := range []string{"off", "on"} {
				m := quorum.New(values("nodes", n, "n", 1, "w", 1, "r", 1, "keys", keys, "clients", 4, "sloppy", sloppy), 1)
				for i := range n {
					a, b := nodeAt(m, i), nodeAt(m, (i+1)%n)
					if n > 1 {
						require.Greater(t, math.Hypot(a.x-b.x, a.y-b.y), 2*(nodeR+hitSlack), "n=%d nodes %d and %d", n, i, i+1)
					}
					require.GreaterOrEqual(t, a.y-nodeR, top, "n=%d keys=%d node %d", n, keys, i)
					require.LessOrEqual(t, a.y+below(m), bottom, "n=%d keys=%d node %d", n, keys, i)
					require.Less(t, a.x+versionCol, panelX, "n=%d: node %d's text reaches the panel", n, i)
				}
				for k := range 4 {
					p := clientAt(m, k)
					require.Greater(t, p.y-clientH/2, top)
					require.Less(t, p.y+clientH/2+14, bottom)
				}
				_, h := wideStrip.laneY(m, m.Clients()+m.Nodes()-1)
				require.GreaterOrEqual(t, h, 12.0, "lanes too thin")
			}
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		m    func() *quorum.Model
		want string
	}{
		{"fresh", replay(values("nodes", 3), 7, 0), "3 nodes, all up. N=3 W=2 R=2, strict quorum, last-write-wins. 0 writes ok, 0 failed; 0 reads ok, 0 failed, 0 stale."},
		{"one down", replay(values("n", 5, "w", 3, "r", 3), 7, 0, lab.Input{Action: "crash", Arg: 2}),
			"5 nodes, 1 down (C). N=5 W=3 R=3, strict quorum, last-write-wins. 0 writes ok, 0 failed; 0 reads ok, 0 failed, 0 stale."},
		{"single", replay(values("nodes", 1, "n", 1, "w", 1, "r", 1, "sloppy", "on", "versions", "vclock"), 7, 0),
			"1 node, up. N=1 W=1 R=1, sloppy quorum, vector clocks. 0 writes ok, 0 failed; 0 reads ok, 0 failed, 0 stale."},
		{"partitioned", replay(values(), 7, 0, lab.Input{Action: "partition"}),
			"5 nodes, all up, ring partitioned. N=3 W=2 R=2, strict quorum, last-write-wins. 0 writes ok, 0 failed; 0 reads ok, 0 failed, 0 stale."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Describe(tt.m()))
		})
	}
	require.Contains(t, Describe(staleDark()), ", stale: v")
	require.Contains(t, Describe(notLinearizable()), "Not linearizable: client ")
	require.Contains(t, Describe(replay(values("nodes", 3), 7, 3*time.Second)()), "The recent history is linearizable.")
}
