package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// trace runs a random workload of self-scheduling events and returns the
// order in which they ran.
func trace(seed uint64) []string {
	s := NewSim(seed)
	var out []string
	var spawn func(id, depth int)
	spawn = func(id, depth int) {
		s.After(time.Duration(s.Rand().IntN(5))*time.Millisecond, func() {
			out = append(out, fmt.Sprintf("%v:%d", s.Now(), id))
			if depth < 6 {
				for k := range s.Rand().IntN(3) {
					spawn(id*10+k, depth+1)
				}
			}
		})
	}
	for id := range 5 {
		spawn(id+1, 0)
	}
	s.Advance(time.Second)
	return out
}

func TestDeterminism(t *testing.T) {
	for _, seed := range []uint64{0, 1, 7, 1 << 40} {
		a, b := trace(seed), trace(seed)
		require.NotEmpty(t, a)
		require.Equal(t, a, b, "seed %d", seed)
	}
	require.NotEqual(t, trace(1), trace(2))
}

func TestSimultaneousEventsRunInSchedulingOrder(t *testing.T) {
	s := NewSim(1)
	var got []int
	for i := range 100 {
		s.At(5*time.Millisecond, func() { got = append(got, i) })
	}
	s.At(time.Millisecond, func() {
		// Scheduled later, for the same time: runs after the first 100.
		s.At(5*time.Millisecond, func() { got = append(got, 100) })
	})
	s.Advance(10 * time.Millisecond)
	want := make([]int, 101)
	for i := range want {
		want[i] = i
	}
	require.Equal(t, want, got)
}

func TestAdvance(t *testing.T) {
	tests := []struct {
		name    string
		events  []time.Duration
		to      time.Duration
		ran     int
		pending int
		now     time.Duration
	}{
		{"empty", nil, 3 * time.Second, 0, 0, 3 * time.Second},
		{"due events run", []time.Duration{1, 2, 3}, 2, 2, 1, 2},
		{"boundary is inclusive", []time.Duration{5}, 5, 1, 0, 5},
		{"nothing due", []time.Duration{9}, 4, 0, 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSim(1)
			ran := 0
			for _, at := range tt.events {
				s.At(at, func() { ran++ })
			}
			s.Advance(tt.to)
			require.Equal(t, tt.ran, ran)
			require.Equal(t, tt.pending, s.Pending())
			require.Equal(t, tt.now, s.Now())
		})
	}
}

func TestClockNeverGoesBack(t *testing.T) {
	s := NewSim(1)
	s.Advance(10)
	s.Advance(5)
	require.Equal(t, time.Duration(10), s.Now())
	var at time.Duration
	s.At(3, func() { at = s.Now() }) // in the past: runs now
	require.True(t, s.Step())
	require.Equal(t, time.Duration(10), at)
	require.False(t, s.Step())
}

func TestNext(t *testing.T) {
	s := NewSim(1)
	_, ok := s.Next()
	require.False(t, ok)
	s.After(7, func() {})
	s.After(3, func() {})
	at, ok := s.Next()
	require.True(t, ok)
	require.Equal(t, time.Duration(3), at)
	s.Advance(100)
	require.Equal(t, uint64(2), s.Steps())
}

func TestLogIsBounded(t *testing.T) {
	l := NewLog(3)
	for i := range 5 {
		l.Add(time.Duration(i), "info", "event %d", i)
	}
	require.Equal(t, 5, l.Seq())
	require.Equal(t, 3, l.Len())
	var texts []string
	for _, e := range l.Last(10) {
		texts = append(texts, e.Text)
	}
	require.Equal(t, []string{"event 2", "event 3", "event 4"}, texts)
	require.Len(t, l.Since(3), 2)
	require.Len(t, l.Last(1), 1)
	require.Empty(t, l.Last(0))
}

func TestHistoryIsBounded(t *testing.T) {
	h := NewHistory(2)
	for i := range 3 {
		h.Add(Record{Client: i, Kind: Write, Key: "x", Value: i + 1, OK: true})
	}
	require.Equal(t, 3, h.Total())
	require.Equal(t, 2, h.Len())
	recs := h.Records()
	require.Equal(t, []int{2, 3}, []int{recs[0].Value, recs[1].Value})
	require.Equal(t, "write", Write.String())
	require.Equal(t, "read", Read.String())
}

func BenchmarkEngineEvents(b *testing.B) {
	s := NewSim(1)
	var tick func()
	tick = func() { s.After(time.Duration(1+s.Rand().IntN(1000))*time.Microsecond, tick) }
	for range 1000 { // a realistic queue depth
		tick()
	}
	b.ResetTimer()
	for range b.N {
		s.Step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
