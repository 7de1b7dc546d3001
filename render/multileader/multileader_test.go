package multileader

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/golden"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/lab/labtest"
	"github.com/scaling-data/book/sim/multileader"
)

func values(kv ...string) lab.Values { return labtest.Values(&multileader.Schema, kv...) }

func replay(v lab.Values, seed uint64, t time.Duration, inputs ...lab.Input) func() *multileader.Model {
	return labtest.Replay[*multileader.Model](multileader.Lab, v, seed, t, inputs...)
}

var scenes = []struct {
	name  string
	model func() *multileader.Model
	theme canvas.Theme
}{
	{"opening", replay(values(), 1, 0), canvas.Light},
	{"midrun", replay(values("strategy", "lww", "skew_eu", "-300"), 1, 1040*time.Millisecond, lab.Input{At: time.Second, Action: "both"}), canvas.Light},
	{"crdt-dark", replay(values("strategy", "crdt", "regions", "3"), 1, 2600*time.Millisecond, lab.Input{At: 2500 * time.Millisecond, Action: "both"}), canvas.Dark},
	{"app", replay(values("strategy", "app", "regions", "3", "ops", "0"), 1, 2*time.Second, lab.Input{At: time.Second, Action: "both"}), canvas.Light},
}

func TestGolden(t *testing.T) {
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			m := sc.model()
			c := svg.New(float64(multileader.Schema.Width), float64(multileader.Schema.Height))
			View.Draw(c, m, sc.theme)
			got := c.SVG(Describe(m))
			golden.Check(t, sc.name, got)
		})
	}
}

func TestHit(t *testing.T) {
	for _, regions := range []string{"2", "3"} {
		m := multileader.New(values("regions", regions), 1)
		for r, want := range []string{"alice", "bob"} {
			x, y := RegionCenter(m, r)
			a, _, ok := Hit(m, x, y)
			require.True(t, ok)
			require.Equal(t, want, a)
			require.NoError(t, m.Do(a, 0))
		}
		_, _, ok := Hit(m, 700, 430)
		require.False(t, ok)
		if regions == "3" {
			x, y := RegionCenter(m, 2)
			_, _, ok := Hit(m, x, y)
			require.False(t, ok, "Asia has no named user")
		}
	}
}

func TestBoxesFit(t *testing.T) {
	for _, regions := range []string{"2", "3"} {
		m := multileader.New(values("regions", regions), 1)
		for r := range m.Regions() {
			b := box(m, r)
			require.GreaterOrEqual(t, b.x, 0.0)
			require.LessOrEqual(t, b.x+b.w, float64(multileader.Schema.Width))
			if r > 0 {
				require.Greater(t, b.x, box(m, r-1).x+box(m, r-1).w)
			}
		}
	}
}

func TestDescribe(t *testing.T) {
	require.Equal(t, "2 regions, Last write wins. US shows title , items (empty list), likes 0. EU shows title , items (empty list), likes 0. 0 conflicts, 0 lost writes, converged, 0 siblings merged.",
		Describe(multileader.New(values(), 1)))
	require.Contains(t, Describe(scenes[3].model()), "Alice's list 1 | Bob's list 4")
}
