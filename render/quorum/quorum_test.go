package quorum

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/quorum"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files in testdata")

// scene is a model in a state worth drawing.
type scene struct {
	name  string
	model func() *quorum.Model
	theme canvas.Theme
}

func values(kv ...any) lab.Values {
	v := quorum.Schema.Defaults()
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i].(string)] = float64(kv[i+1].(int))
	}
	return v
}

// replay builds a model from its values and seed, then applies the inputs
// and advances to t.
func replay(v lab.Values, seed uint64, t time.Duration, inputs ...lab.Input) func() *quorum.Model {
	return func() *quorum.Model {
		m, err := quorum.Lab.Replay(lab.Run{Values: v, Seed: seed, Inputs: inputs}, t)
		if err != nil {
			panic(err)
		}
		return m.(*quorum.Model)
	}
}

var scenes = []scene{
	{"opening", replay(values(), 7, 0), canvas.Light},
	{"midrun", replay(values(), 7, 1400*time.Millisecond, lab.Input{At: 500 * time.Millisecond, Action: "crash", Arg: 2}), canvas.Light},
	{"stale-dark", staleDark, canvas.Dark},
	{"nine", replay(values("n", 9, "w", 5, "r", 5, "keys", 5, "clients", 4, "ops", 5000), 3, 20*time.Second,
		lab.Input{At: 10 * time.Second, Action: "crash", Arg: 4}, lab.Input{At: 10 * time.Second, Action: "crash", Arg: 5}), canvas.Light},
}

// staleDark is the fast-stale preset stopped just after its first stale
// read, in the dark theme.
func staleDark() *quorum.Model {
	m := quorum.New(values("w", 1, "r", 1, "spread", 40), 1)
	for m.Counts().StaleReads == 0 {
		m.Advance(m.Now() + time.Millisecond)
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
			path := filepath.Join("testdata", sc.name+".svg")
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./render/quorum -update to create it")
			require.True(t, string(want) == string(got), "%s differs from the drawing; if the change is intended, run go test ./render/quorum -update", path)
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
	require.True(t, draw() == draw())
}

func TestHitEveryNode(t *testing.T) {
	for n := 1; n <= 9; n++ {
		m := quorum.New(values("n", n, "w", 1, "r", 1), 1)
		for i := range n {
			p := nodeAt(m, i)
			action, arg, ok := Hit(m, p.x, p.y)
			require.True(t, ok, "n=%d node %d", n, i)
			require.Equal(t, "crash", action)
			require.Equal(t, i, arg)

			require.NoError(t, m.Do(action, arg))
			action, arg, ok = Hit(m, p.x+nodeR, p.y)
			require.True(t, ok)
			require.Equal(t, "recover", action)
			require.Equal(t, i, arg)
		}
		_, _, ok := Hit(m, ringX, ringY(m))
		require.False(t, ok, "the middle of the ring is not a node")
		_, _, ok = Hit(m, panelX+50, 200)
		require.False(t, ok)
	}
}

func TestLayoutFits(t *testing.T) {
	for n := 1; n <= 9; n++ {
		for keys := 1; keys <= 5; keys++ {
			m := quorum.New(values("n", n, "w", 1, "r", 1, "keys", keys, "clients", 4), 1)
			for i := range n {
				a, b := nodeAt(m, i), nodeAt(m, (i+1)%n)
				if n > 1 {
					require.Greater(t, math.Hypot(a.x-b.x, a.y-b.y), 2*(nodeR+hitSlack), "n=%d nodes %d and %d", n, i, i+1)
				}
				require.GreaterOrEqual(t, a.y-nodeR, top, "n=%d keys=%d node %d", n, keys, i)
				require.LessOrEqual(t, a.y+nodeR+4+float64((keys+1)/2+1)*lineH, bottom, "n=%d keys=%d node %d", n, keys, i)
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
		{"fresh", replay(values(), 7, 0), "3 replicas, all up. N=3 W=2 R=2. 0 writes ok, 0 failed; 0 reads ok, 0 failed, 0 stale."},
		{"one down", replay(values("n", 5, "w", 3, "r", 3), 7, 0, lab.Input{Action: "crash", Arg: 2}),
			"5 replicas, 1 down (C). N=5 W=3 R=3. 0 writes ok, 0 failed; 0 reads ok, 0 failed, 0 stale."},
		{"single", replay(values("n", 1, "w", 1, "r", 1), 7, 0), "1 replica, up. N=1 W=1 R=1. 0 writes ok, 0 failed; 0 reads ok, 0 failed, 0 stale."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Describe(tt.m()))
		})
	}
	require.Contains(t, Describe(staleDark()), ", stale: v")
}
