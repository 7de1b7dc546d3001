package cap

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/golden"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/cap"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/lab/labtest"
)

type scene struct {
	name  string
	model func() *cap.Model
	theme canvas.Theme
}

func values(kv map[string]string) lab.Values {
	v, err := cap.Schema.Parse(kv)
	if err != nil {
		panic(err)
	}
	return v
}

// replay builds a model, applies the inputs and advances to t.
func replay(kv map[string]string, seed uint64, t time.Duration, inputs ...lab.Input) func() *cap.Model {
	return labtest.Replay[*cap.Model](cap.Lab, values(kv), seed, t, inputs...)
}

var scenes = []scene{
	{"opening", replay(nil, 1, 0), canvas.Light},
	{"cp-cut", replay(map[string]string{"partition": "on"}, 1, 7*time.Second), canvas.Light},
	{"ap-healed-dark", replay(map[string]string{"mode": "ap", "partition": "on"}, 1, 10200*time.Millisecond), canvas.Dark},
	{"siblings-oneway", replay(map[string]string{"mode": "ap", "merge": "siblings", "keys": "3", "replicas": "7"}, 2, 6*time.Second,
		lab.Input{At: 2 * time.Second, Action: "oneway"}, lab.Input{At: 3 * time.Second, Action: "isolate", Arg: 5},
		lab.Input{At: 5 * time.Second, Action: "heal"}), canvas.Light},
	{"leader-isolated", replay(map[string]string{"keys": "3"}, 3, 4*time.Second, lab.Input{At: time.Second, Action: "isolate", Arg: 0}), canvas.Light},
}

func TestGolden(t *testing.T) {
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			m := sc.model()
			c := svg.New(float64(cap.Schema.Width), float64(cap.Schema.Height))
			View.Draw(c, m, sc.theme)
			got := c.SVG(Describe(m))
			golden.Check(t, sc.name, got)
		})
	}
}

func TestDrawIsPure(t *testing.T) {
	m := scenes[1].model()
	draw := func() string {
		c := svg.New(720, 480)
		View.Draw(c, m, canvas.Light)
		return string(c.SVG(""))
	}
	first, second := draw(), draw()
	require.Equal(t, first, second)
}

func TestHit(t *testing.T) {
	for n := 3; n <= cap.MaxReplicas; n++ {
		m := cap.New(values(map[string]string{"replicas": itoa(n)}), 1)
		for i := range n {
			x, y := NodeCenter(m, i)
			action, arg, ok := Hit(m, x, y)
			require.True(t, ok)
			require.Equal(t, "isolate", action)
			require.Equal(t, i, arg)
			require.NoError(t, m.Do(action, arg))
			action, _, _ = Hit(m, x+nodeR, y)
			require.Equal(t, "rejoin", action)
			if i > 0 {
				px, _ := NodeCenter(m, i-1)
				require.Greater(t, x-px, 2*(nodeR+hitSlack), "n=%d nodes %d and %d overlap", n, i-1, i)
			}
		}
		bx, by := BoundaryCenter()
		action, _, ok := Hit(m, bx, by)
		require.True(t, ok)
		require.Equal(t, "cut", action)
		require.NoError(t, m.Do("cut", 0))
		action, _, _ = Hit(m, bx, by)
		require.Equal(t, "heal", action)
		_, _, ok = Hit(m, 400, 400)
		require.False(t, ok, "the timeline is not a target")
	}
}

func TestDescribe(t *testing.T) {
	require.Equal(t,
		"CP · leader commits on 3 of 5 · reads through the leader. The sites are linked. Leader A (term 1). Client 1: 0 answered, 0 errors, 0 stale. Client 2: 0 answered, 0 errors, 0 stale. Conflicts on heal 0, lost writes 0, linearizable yes.",
		Describe(scenes[0].model()))
	require.Contains(t, Describe(scenes[1].model()), "The network between the sites is cut.")
	require.Contains(t, Describe(scenes[4].model()), "Isolated: A.")
}

func itoa(n int) string { return string(rune('0' + n)) }
