package leader

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/golden"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/lab/labtest"
	"github.com/scaling-data/book/sim/leader"
)

func values(kv ...string) lab.Values { return labtest.Values(&leader.Schema, kv...) }

func replay(v lab.Values, seed uint64, t time.Duration, inputs ...lab.Input) func() *leader.Model {
	return labtest.Replay[*leader.Model](leader.Lab, v, seed, t, inputs...)
}

var scenes = []struct {
	name  string
	model func() *leader.Model
	theme canvas.Theme
}{
	{"opening", replay(values(), 1, 0), canvas.Light},
	{"midrun", replay(values("lag", "200"), 1, 2300*time.Millisecond,
		lab.Input{At: time.Second, Action: "spike", Arg: 2}, lab.Input{At: 2200 * time.Millisecond, Action: "post"}), canvas.Light},
	{"failover-dark", replay(values("failover", "on", "lag", "200"), 1, 5500*time.Millisecond), canvas.Dark},
	{"split-brain", replay(values("failover", "on", "fencing", "off", "outage", "1500", "rediscover", "3000", "nodes", "6", "clients", "4"), 1, 7*time.Second), canvas.Light},
}

func TestGolden(t *testing.T) {
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			m := sc.model()
			c := svg.New(float64(leader.Schema.Width), float64(leader.Schema.Height))
			View.Draw(c, m, sc.theme)
			got := c.SVG(Describe(m))
			golden.Check(t, sc.name, got)
		})
	}
}

func TestHit(t *testing.T) {
	for n := 2; n <= 6; n++ {
		m := leader.New(values("nodes", string(rune('0'+n))), 1)
		x, y := NodeCenter(m, 0)
		a, arg, ok := Hit(m, x, y)
		require.True(t, ok)
		require.Equal(t, "kill", a)
		require.NoError(t, m.Do(a, arg))
		a, arg, ok = Hit(m, x, y)
		require.True(t, ok)
		require.Equal(t, "restart", a)
		require.Equal(t, 0, arg)
		for i := 1; i < n; i++ {
			x, y := NodeCenter(m, i)
			a, arg, ok := Hit(m, x, y)
			require.True(t, ok)
			require.Equal(t, "spike", a)
			require.Equal(t, i, arg)
		}
		p := clientAt(m, len(m.Clients)-1)
		a, _, ok = Hit(m, p.x, p.y)
		require.True(t, ok)
		require.Equal(t, "post", a)
		_, _, ok = Hit(m, panelX+20, 200)
		require.False(t, ok)
	}
}

func TestLayoutFits(t *testing.T) {
	for n := 2; n <= 6; n++ {
		m := leader.New(values("nodes", string(rune('0'+n)), "clients", "4"), 1)
		for i := range n {
			p := nodeAt(m, i)
			require.GreaterOrEqual(t, p.y-nodeH/2, top-2)
			require.LessOrEqual(t, p.y+nodeH/2, bottom)
			if i > 0 {
				require.Greater(t, p.y-nodeAt(m, i-1).y, nodeH+4, "servers overlap")
			}
		}
		for k := range m.Clients {
			p := clientAt(m, k)
			require.LessOrEqual(t, p.y+clientH/2, bottom)
			if k > 0 {
				require.Greater(t, p.y-clientAt(m, k-1).y, clientH+4, "clients overlap")
			}
		}
	}
}

func TestDescribe(t *testing.T) {
	require.Equal(t, "Asynchronous replication, 3 servers. A primary at LSN 0, B replica 0 behind (0 ms), C replica 0 behind (0 ms). 0 read-your-writes and 0 monotonic-read violations, 0 lost writes, 0 split-brain writes.",
		Describe(leader.New(values(), 1)))
	require.Contains(t, Describe(scenes[2].model()), "A down")
}
