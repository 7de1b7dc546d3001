package pacelc

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/golden"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/pacelc"
)

func model(kv map[string]string, t time.Duration) func() *pacelc.Model {
	return func() *pacelc.Model {
		v, err := pacelc.Schema.Parse(kv)
		if err != nil {
			panic(err)
		}
		m := pacelc.New(v, 1)
		m.Advance(t)
		return m
	}
}

var scenes = []struct {
	name  string
	model func() *pacelc.Model
	theme canvas.Theme
}{
	{"opening", model(nil, 0), canvas.Light},
	{"midrun", model(nil, 20*time.Second+150*time.Millisecond), canvas.Light},
	{"eventual-cut-dark", model(map[string]string{"config": "eventual"}, 38*time.Second), canvas.Dark},
	{"extremes", model(map[string]string{"config": "bounded", "rtt12": "400", "rtt13": "1", "rtt23": "400", "keys": "100", "duration": "120"}, 100*time.Second), canvas.Light},
}

func TestGolden(t *testing.T) {
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			m := sc.model()
			c := svg.New(float64(pacelc.Schema.Width), float64(pacelc.Schema.Height))
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
		View.Draw(c, lab.Model(m), canvas.Light)
		return string(c.SVG(""))
	}
	first, second := draw(), draw()
	require.Equal(t, first, second)
}

func TestDescribe(t *testing.T) {
	require.Contains(t, Describe(scenes[0].model()), "Three regions; majority shown")
	d := Describe(scenes[2].model())
	require.Contains(t, d, "Europe is cut off.")
	require.Contains(t, d, "eventual: read p50")
	require.Contains(t, d, "available in the partition")
}
