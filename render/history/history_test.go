package history

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/golden"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/sim/history"
	"github.com/scaling-data/book/sim/lab"
)

func model(scenario int, t time.Duration) func() *history.Model {
	return func() *history.Model {
		m := history.New(lab.Values{"scenario": float64(scenario)}, 1)
		m.Advance(t)
		return m
	}
}

var scenes = []struct {
	name  string
	model func() *history.Model
	theme canvas.Theme
}{
	{"opening", model(0, 0), canvas.Light},
	{"sequential-broken", model(1, 47*time.Millisecond), canvas.Light},
	{"causal-end", model(2, 200*time.Millisecond), canvas.Light},
	{"eventual-dark", model(3, 90*time.Millisecond), canvas.Dark},
}

func TestGolden(t *testing.T) {
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			m := sc.model()
			c := svg.New(float64(history.Schema.Width), float64(history.Schema.Height))
			View.Draw(c, m, sc.theme)
			got := c.SVG(Describe(m))
			golden.Check(t, sc.name, got)
		})
	}
}

func TestDescribe(t *testing.T) {
	d := Describe(scenes[1].model())
	require.Contains(t, d, "returned P1 w(x,1), P2 r(x)→0.")
	require.Contains(t, d, "Linearizable no, sequential yes")
	require.Contains(t, Describe(scenes[0].model()), "nothing has returned yet")
}

func TestWrap(t *testing.T) {
	for _, sc := range history.Scenarios {
		lines := wrap(sc.Note, 688, 11)
		require.LessOrEqual(t, len(lines), 3, sc.Name)
		require.Equal(t, sc.Note, join(lines))
	}
}

func join(lines []string) string {
	s := ""
	for i, l := range lines {
		if i > 0 {
			s += " "
		}
		s += l
	}
	return s
}
