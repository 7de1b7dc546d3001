package labs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/lab/labtest"
)

// TestMetricsMeanWhatTheySay runs every lab from its defaults and from
// each of its presets, with a reader pressing random buttons, and checks
// at every step that each value Model.Metrics returns fits what its
// schema says it is: a Bool is 0 or 1, a fraction lies in [0, 1], counts,
// times and rates are not negative, and a p50 is never above the p99 of
// the same thing. Metrics are positional, so a model that returns two of
// them in the wrong order has only this test to notice (when their kinds
// or ranges differ).
func TestMetricsMeanWhatTheySay(t *testing.T) {
	for _, l := range All() {
		s := l.Schema
		starts := map[string]lab.Values{"defaults": s.Defaults()}
		for _, p := range s.Presets {
			v, err := s.Parse(p.Values)
			require.NoError(t, err, "%s preset %s", s.Name, p.Name)
			starts["preset "+p.Name] = v
		}
		// p50 beside p99 of the same quantity, by name.
		index := map[string]int{}
		for i, m := range s.Metrics {
			index[m.Name] = i
		}
		type pair struct{ p50, p99 int }
		var pairs []pair
		for i, m := range s.Metrics {
			if j, ok := index[strings.Replace(m.Name, "p50", "p99", 1)]; ok && strings.Contains(m.Name, "p50") {
				pairs = append(pairs, pair{i, j})
			}
		}
		for name, v := range starts {
			t.Run(s.Name+"/"+name, func(t *testing.T) {
				t.Parallel()
				for seed := uint64(1); seed <= 3; seed++ {
					r := rand.New(rand.NewPCG(seed, 11))
					m := l.New(v, seed)
					require.Len(t, m.Metrics(), len(s.Metrics))
					for step := 1; step <= 120 && !m.Done(); step++ {
						m.Advance(m.Now() + 500*time.Millisecond)
						if len(s.Actions) > 0 && r.IntN(20) == 0 {
							a, arg := labtest.RandomAction(r, s, v)
							_ = m.Do(a, arg)
						}
						got := m.Metrics()
						for i, x := range got {
							mt := s.Metrics[i]
							at := func(what string) string {
								return fmt.Sprintf("%s %s seed %d at %v: %s %s", s.Name, name, seed, m.Now(), mt.Name, what)
							}
							require.False(t, math.IsNaN(x) || math.IsInf(x, 0), at("is not a number"))
							switch {
							case mt.Bool:
								require.True(t, x == 0 || x == 1, at("is a Bool but %v"), x)
							case mt.Unit == "fraction":
								require.True(t, x >= 0 && x <= 1, at("is a fraction but %v"), x)
							default:
								require.GreaterOrEqual(t, x, 0.0, at("is negative"))
							}
						}
						for _, p := range pairs {
							require.LessOrEqual(t, got[p.p50], got[p.p99], "%s %s seed %d at %v: %s above %s", s.Name, name, seed, m.Now(), s.Metrics[p.p50].Name, s.Metrics[p.p99].Name)
						}
					}
				}
			})
		}
	}
}
