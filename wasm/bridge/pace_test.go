package bridge

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPacer(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name  string
		fps   float64
		times []int  // ms at which a picture is asked for
		want  []bool // whether each is painted
	}{
		{"no limit paints every frame", 0, []int{0, 16, 33, 50}, []bool{true, true, true, true}},
		{"a negative rate is no limit", -3, []int{0, 1, 2}, []bool{true, true, true}},
		{"NaN is no limit", math.NaN(), []int{0, 1}, []bool{true, true}},
		{"the first picture is always due", 5, []int{1000}, []bool{true}},
		{"five a second", 5, []int{0, 16, 100, 199, 200, 216, 399, 400}, []bool{true, false, false, false, true, false, false, true}},
		{"a late frame paints at once and restarts the gap", 10, []int{0, 350, 400, 450}, []bool{true, true, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PacerFor(tt.fps)
			var got []bool
			for _, ms := range tt.times {
				got = append(got, p.Due(at(ms)))
			}
			require.Equal(t, tt.want, got)
		})
	}
}
