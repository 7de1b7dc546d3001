package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLatencyBounds(t *testing.T) {
	tests := []struct {
		name   string
		l      Latency
		lo, hi time.Duration
	}{
		{"no spread", Latency{Mean: 20 * time.Millisecond}, 20 * time.Millisecond, 20 * time.Millisecond},
		{"spread", Latency{20 * time.Millisecond, 10 * time.Millisecond}, 10 * time.Millisecond, 30 * time.Millisecond},
		{"spread beyond mean", Latency{5 * time.Millisecond, 40 * time.Millisecond}, 0, 45 * time.Millisecond},
		{"zero", Latency{}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSim(3)
			n := NewNetwork(s, 2, tt.l)
			var seen []time.Duration
			for range 2000 {
				m, ok := n.Send(0, 1, "ping", nil, func(m Message) {
					seen = append(seen, s.Now()-m.SentAt)
				})
				require.True(t, ok)
				require.Equal(t, tt.l.Mean, n.Latency(m.From, m.To).Mean)
			}
			s.Advance(time.Hour)
			require.Len(t, seen, 2000)
			lo, hi := seen[0], seen[0]
			for _, d := range seen {
				lo, hi = min(lo, d), max(hi, d)
			}
			require.GreaterOrEqual(t, lo, tt.lo)
			require.LessOrEqual(t, hi, tt.hi)
			if tt.hi > tt.lo { // the whole range is used
				require.Less(t, lo, tt.lo+(tt.hi-tt.lo)/20)
				require.Greater(t, hi, tt.hi-(tt.hi-tt.lo)/20)
			}
		})
	}
}

func TestPerLinkLatency(t *testing.T) {
	s := NewSim(1)
	n := NewNetwork(s, 3, Latency{Mean: time.Millisecond})
	n.SetLatency(0, 2, Latency{Mean: 50 * time.Millisecond})
	var at [3]time.Duration
	for to := 1; to < 3; to++ {
		n.Send(0, to, "ping", nil, func(Message) { at[to] = s.Now() })
	}
	s.Advance(time.Second)
	require.Equal(t, time.Millisecond, at[1])
	require.Equal(t, 50*time.Millisecond, at[2])
}

func TestLossRate(t *testing.T) {
	for _, p := range []float64{0, 0.1, 0.3, 0.5} {
		s := NewSim(11)
		n := NewNetwork(s, 2, Latency{Mean: time.Millisecond, Spread: time.Millisecond})
		n.SetLoss(p)
		const total = 20000
		delivered, lost := 0, 0
		n.OnDrop = func(m Message) {
			require.Equal(t, Lost, m.Why)
			lost++
		}
		for range total {
			n.Send(0, 1, "ping", nil, func(Message) { delivered++ })
		}
		s.Advance(time.Second)
		require.Equal(t, total, delivered+lost)
		require.InDelta(t, p, float64(lost)/total, 0.015, "loss %v", p)
	}
}

func TestPartition(t *testing.T) {
	tests := []struct {
		name string
		cut  func(n *Network)
		// reach[i][j]: a message from i gets to j.
		reach [4][4]bool
	}{
		{"none", func(*Network) {}, all(true)},
		{"two halves", func(n *Network) { n.Partition([]int{0, 1}, []int{2, 3}) }, [4][4]bool{
			{true, true, false, false},
			{true, true, false, false},
			{false, false, true, true},
			{false, false, true, true},
		}},
		{"one way", func(n *Network) { n.Cut(0, 3) }, [4][4]bool{
			{true, true, true, false},
			{true, true, true, true},
			{true, true, true, true},
			{true, true, true, true},
		}},
		{"healed", func(n *Network) { n.Partition([]int{0}, []int{1, 2, 3}); n.Heal() }, all(true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSim(1)
			n := NewNetwork(s, 4, Latency{Mean: time.Millisecond})
			tt.cut(n)
			var got [4][4]bool
			for i := range 4 {
				for j := range 4 {
					require.Equal(t, tt.reach[i][j], n.Linked(i, j))
					m, _ := n.Send(i, j, "ping", nil, func(Message) { got[i][j] = true })
					require.Equal(t, !tt.reach[i][j], m.Dropped)
				}
			}
			s.Advance(time.Second)
			require.Equal(t, tt.reach, got)
			require.Zero(t, n.Busy())
		})
	}
}

func TestCutWhileInFlight(t *testing.T) {
	s := NewSim(1)
	n := NewNetwork(s, 2, Latency{Mean: 10 * time.Millisecond})
	var why string
	n.OnDrop = func(m Message) { why = m.Why }
	delivered := false
	m, _ := n.Send(0, 1, "ping", nil, func(Message) { delivered = true })
	require.False(t, m.Dropped)
	s.Advance(5 * time.Millisecond)
	n.Partition([]int{0}, []int{1})
	s.Advance(time.Second)
	require.False(t, delivered)
	require.Equal(t, Cut, why)
}

func TestCrashedNode(t *testing.T) {
	s := NewSim(1)
	n := NewNetwork(s, 3, Latency{Mean: 10 * time.Millisecond})
	got := map[int]int{}
	var drops []string
	n.OnDrop = func(m Message) { drops = append(drops, m.Why) }
	n.Crash(2)
	require.False(t, n.Up(2))
	for from := range 3 {
		for to := range 3 {
			n.Send(from, to, "ping", nil, func(m Message) { got[m.To]++ })
		}
	}
	_, ok := n.Send(2, 0, "ping", nil, nil)
	require.False(t, ok, "a crashed node sends nothing")
	require.Equal(t, 6, n.Busy())
	s.Advance(time.Second)
	require.Equal(t, map[int]int{0: 2, 1: 2}, got)
	require.Equal(t, []string{Down, Down}, drops)

	// A message on its way when the receiver recovers is delivered.
	n.Send(0, 2, "ping", nil, func(m Message) { got[m.To]++ })
	n.Recover(2)
	s.Advance(2 * time.Second)
	require.Equal(t, 1, got[2])
}

func TestInFlight(t *testing.T) {
	s := NewSim(1)
	n := NewNetwork(s, 2, Latency{Mean: 10 * time.Millisecond})
	n.Send(0, 1, "write", "x", func(Message) {})
	s.Advance(4 * time.Millisecond)
	n.Send(1, 0, "ack", "y", func(Message) {})
	fl := n.InFlight()
	require.Len(t, fl, 2)
	require.Equal(t, Message{ID: 1, From: 0, To: 1, Kind: "write", Payload: "x", SentAt: 0, ArrivesAt: 10 * time.Millisecond}, fl[0])
	require.Equal(t, 4*time.Millisecond, fl[1].SentAt)
	require.Equal(t, 14*time.Millisecond, fl[1].ArrivesAt)
	s.Advance(12 * time.Millisecond)
	fl = n.InFlight()
	require.Len(t, fl, 1)
	require.Equal(t, "ack", fl[0].Kind)
}

func all(v bool) (m [4][4]bool) {
	for i := range m {
		for j := range m[i] {
			m[i][j] = v
		}
	}
	return m
}

func TestInFlightStaysOrderedWhileDraining(t *testing.T) {
	s := NewSim(1)
	n := NewNetwork(s, 2, Latency{})
	const total = 1000
	for i := range total {
		// Later messages arrive sooner: the list drains from the back.
		n.SetLatency(0, 1, Latency{Mean: time.Duration(total-i) * time.Millisecond})
		n.Send(0, 1, "ping", i, func(Message) {})
	}
	for step := total - 1; step >= 0; step -= 97 {
		s.Advance(time.Duration(total-step) * time.Millisecond)
		fl := n.InFlight()
		require.Len(t, fl, n.Busy())
		require.Len(t, fl, step)
		for i, m := range fl {
			require.Equal(t, i, m.Payload)
		}
	}
}
