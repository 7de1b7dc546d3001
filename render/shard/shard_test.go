package shard

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/golden"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/lab/labtest"
	"github.com/scaling-data/book/sim/shard"
)

// values takes "name=value" strings.
func values(kv ...string) lab.Values {
	var pairs []string
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		pairs = append(pairs, k, v)
	}
	return labtest.Values(&shard.Schema, pairs...)
}

// replay builds a model and applies the inputs, advancing to t.
func replay(v lab.Values, seed uint64, t time.Duration, inputs ...lab.Input) func() *shard.Model {
	return labtest.Replay[*shard.Model](shard.Lab, v, seed, t, inputs...)
}

var scenes = []struct {
	name  string
	model func() *shard.Model
	theme canvas.Theme
}{
	{"opening", replay(values(), 1, 0), canvas.Light},
	{"mod-moving", replay(values("strategy=mod", "rate=1000"), 1, 4300*time.Millisecond,
		lab.Input{At: time.Second, Action: "add"}, lab.Input{At: 4200 * time.Millisecond, Action: "read"},
		lab.Input{At: 4200 * time.Millisecond, Action: "scan"}), canvas.Light},
	{"ring-paused-dark", replay(values("strategy=ring", "vnodes=10", "rate=500"), 2, 5*time.Second,
		lab.Input{At: time.Second, Action: "add"}, lab.Input{At: 3 * time.Second, Action: "pause"},
		lab.Input{At: 4900 * time.Millisecond, Action: "read"}), canvas.Dark},
	{"range-hotspot", replay(values("strategy=range", "keyset=sequential", "writes=60", "shards=5"), 1, 30*time.Second,
		lab.Input{At: 29900 * time.Millisecond, Action: "scan"}), canvas.Light},
	{"instagram", replay(values("strategy=logical", "keyset=ids", "partitions=4096", "writes=50"), 1, 12*time.Second,
		lab.Input{At: 11900 * time.Millisecond, Action: "write"}), canvas.Light},
	{"sixteen-removing", replay(values("strategy=geo", "shards=16", "keys=1000000", "rate=20000"), 1, 2*time.Second,
		lab.Input{At: time.Second, Action: "remove", Arg: 3}), canvas.Light},
}

func TestGolden(t *testing.T) {
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			m := sc.model()
			c := svg.New(float64(shard.Schema.Width), float64(shard.Schema.Height))
			View.Draw(c, m, sc.theme)
			got := c.SVG(Describe(m))
			golden.Check(t, sc.name, got)
		})
	}
}

func TestDrawIsPure(t *testing.T) {
	m := scenes[1].model()
	draw := func() string {
		c := svg.New(640, 460)
		View.Draw(c, m, canvas.Light)
		return string(c.SVG(""))
	}
	require.Equal(t, draw(), draw())
}

func TestDrawsASampleOfAMillionKeys(t *testing.T) {
	m := shard.New(values("keys=1000000", "ops=0"), 1)
	c := svg.New(640, 460)
	View.Draw(c, m, canvas.Light)
	dots := strings.Count(string(c.SVG("")), "<circle")
	require.Greater(t, dots, 1500)
	require.Less(t, dots, 2100)
}

func TestHit(t *testing.T) {
	m := shard.New(values("strategy=range"), 1)
	cols := columns(m)
	require.Len(t, cols, 4)

	action, _, ok := Hit(m, addX+5, addY+5)
	require.True(t, ok)
	require.Equal(t, "add", action)

	bx, by := closeBox(cols[2])
	action, arg, ok := Hit(m, bx+4, by+4)
	require.True(t, ok)
	require.Equal(t, "remove", action)
	require.Equal(t, cols[2].slot, arg)

	action, arg, ok = Hit(m, cols[1].x+10, bodyTop+50)
	require.True(t, ok)
	require.Equal(t, "split", action)
	require.Equal(t, 1, arg)

	_, _, ok = Hit(shard.New(values("strategy=mod"), 1), cols[1].x+10, bodyTop+50)
	require.False(t, ok, "a click on a hashed shard does nothing")
	_, _, ok = Hit(m, 5, 450)
	require.False(t, ok)
}

func TestDescribe(t *testing.T) {
	m := scenes[2].model()
	d := Describe(m)
	require.Contains(t, d, "Consistent hashing over 5 shards")
	require.Contains(t, d, "Move paused")
	require.Contains(t, d, "Last rebalance, add E")
}

func BenchmarkDraw1M(b *testing.B) {
	m := shard.New(values("keys=1000000", "ops=0", "rate=100000"), 1)
	if err := m.Do("add", 0); err != nil {
		b.Fatal(err)
	}
	m.Advance(3 * time.Second)
	b.ResetTimer()
	for range b.N {
		c := svg.New(640, 460)
		View.Draw(c, m, canvas.Light)
	}
}

// TestFlightsHonourReducedMotion: a key copied between shards glides from
// one to the other, or with reduced motion rests halfway.
func TestFlightsHonourReducedMotion(t *testing.T) {
	m := replay(values("strategy=mod", "shards=3"), 1, 1100*time.Millisecond, lab.Input{At: time.Second, Action: "add"})()
	flights := m.Flights()
	require.NotEmpty(t, flights, "a rebalance is under way")
	cols := columns(m)
	for _, f := range flights[:min(5, len(flights))] {
		from, ok1 := at(cols, f.From)
		to, ok2 := at(cols, f.To)
		require.True(t, ok1 && ok2)
		x1, y1 := dotAt(m, from, f.Index)
		x2, y2 := dotAt(m, to, f.Index)
		still := canvas.Light
		still.Still = true
		x, y := flightAt(m, still, from, to, f)
		require.InDelta(t, (x1+x2)/2, x, 1e-9)
		require.InDelta(t, (y1+y2)/2, y, 1e-9)
		x, _ = flightAt(m, canvas.Light, from, to, f)
		if m.Since(f.At) < shard.FlightTime/4 {
			require.Less(t, math.Abs(x-x1), math.Abs(x-x2), "early in its flight a key is nearer where it came from")
		}
	}
}
