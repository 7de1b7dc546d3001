package labs

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab/labtest"
)

// workloadParams bound how much a lab does; the soak turns them up.
var workloadParams = map[string]bool{"ops": true, "txns": true, "requests": true, "writes_total": true}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestSoak runs every lab through 24 hours of virtual time with its
// workload turned up and a reader pressing random buttons, and checks that
// nothing panics, metrics stay finite, and memory stays bounded (capped
// logs and histories): the heap after 24 h is within a few MB of the heap
// after the first hour.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak skipped in -short mode")
	}
	for _, l := range All() {
		t.Run(l.Schema.Name, func(t *testing.T) {
			s := l.Schema
			v := s.Defaults()
			for _, p := range s.Params {
				if workloadParams[p.Name] {
					v[p.Name] = p.Max
				}
			}
			r := rand.New(rand.NewPCG(7, 7))
			start := time.Now()
			m := l.New(v, 7)
			var afterHour uint64
			const step = 10 * time.Second
			for now := step; now <= 24*time.Hour; now += step {
				m.Advance(now)
				if len(s.Actions) > 0 && r.IntN(30) == 0 {
					name, arg := labtest.RandomAction(r, s, v)
					_ = m.Do(name, arg) // errors are fine; panics are not
				}
				if now == time.Hour {
					afterHour = heap()
				}
				if time.Since(start) > 45*time.Second {
					t.Fatalf("24 h of virtual time is taking too long: %v reached after %v", now, time.Since(start))
				}
			}
			for i, x := range m.Metrics() {
				require.False(t, math.IsNaN(x) || math.IsInf(x, 0), "%s = %v", s.Metrics[i].Name, x)
			}
			require.LessOrEqual(t, m.Log().Len(), 5000, "the narration log is capped")
			end := heap()
			runtime.KeepAlive(m)
			grow := int64(end) - int64(afterHour)
			require.Less(t, grow, int64(8<<20), "heap grew by %d KB between 1 h and 24 h", grow>>10)
			t.Logf("%s: 24 h virtual in %v, heap %d KB after 1 h, %d KB after 24 h", s.Name, time.Since(start).Round(time.Millisecond), afterHour>>10, end>>10)
		})
	}
}

// FuzzEveryLab drives any lab with any parameters and action sequence: no
// panic, metrics stay finite, time only moves forward.
func FuzzEveryLab(f *testing.F) {
	f.Add(uint8(0), uint64(1), []byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add(uint8(3), uint64(99), []byte{255, 0, 255, 0, 17, 99})
	f.Add(uint8(7), uint64(5), []byte("crash recover partition heal"))
	f.Fuzz(func(t *testing.T, which uint8, seed uint64, script []byte) {
		all := All()
		l := all[int(which)%len(all)]
		s := l.Schema
		r := rand.New(rand.NewPCG(seed, uint64(len(script))))
		v := s.Defaults()
		for _, p := range s.Params {
			if r.IntN(3) == 0 && !workloadParams[p.Name] {
				v[p.Name] = p.Clamp(p.Min + r.Float64()*(p.Max-p.Min))
			}
		}
		if s.Repair != nil {
			s.Repair(v)
		}
		if s.Check(v) != nil {
			return
		}
		m := l.New(v, seed)
		for _, b := range script {
			before := m.Now()
			m.Advance(m.Now() + time.Duration(b)*10*time.Millisecond)
			require.GreaterOrEqual(t, m.Now(), before)
			if len(s.Actions) > 0 && b%3 == 0 {
				name, arg := labtest.RandomAction(r, s, v)
				_ = m.Do(name, arg)
			}
		}
		require.Error(t, m.Do("no-such-action", 0))
		if len(s.Actions) > 0 && s.Actions[0].Arg != "" {
			require.Error(t, m.Do(s.Actions[0].Name, -1), "%s: %s -1", s.Name, s.Actions[0].Name)
		}
		for i, x := range m.Metrics() {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("%s: %s = %v", s.Name, s.Metrics[i].Name, x)
			}
		}
	})
}
