// Package engine is the deterministic discrete-event core that every lab
// runs on: a virtual clock with an event queue and a seeded random source
// (Sim), a network of endpoints with latency, loss, partitions and crashes
// (Network), a bounded record of client operations (History) and the
// plain-language narration (Log).
//
// Same seed and same calls give the same run, event for event: simultaneous
// events run in the order they were scheduled, and nothing here ranges over
// a map.
package engine

import (
	"container/heap"
	"math/rand/v2"
	"time"
)

// Sim is a virtual clock and the queue of events scheduled on it.
type Sim struct {
	now   time.Duration
	rng   *rand.Rand
	queue queue
	seq   uint64 // scheduling order, breaks ties between simultaneous events
	steps uint64 // events run
}

// NewSim returns a simulation at time zero whose random source is a PCG
// seeded from seed.
func NewSim(seed uint64) *Sim {
	return &Sim{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Now is the current virtual time.
func (s *Sim) Now() time.Duration { return s.now }

// Rand is the simulation's random source. Draw from it only inside the
// simulation (events and actions), so a run stays reproducible.
func (s *Sim) Rand() *rand.Rand { return s.rng }

// At schedules f at virtual time t; a time in the past means now. Events
// due at the same time run in the order they were scheduled.
func (s *Sim) At(t time.Duration, f func()) {
	s.seq++
	heap.Push(&s.queue, event{at: max(t, s.now), seq: s.seq, f: f})
}

// After schedules f d after now.
func (s *Sim) After(d time.Duration, f func()) { s.At(s.now+d, f) }

// Step runs the next event, moving the clock to its time. It reports
// whether there was one.
func (s *Sim) Step() bool {
	if len(s.queue) == 0 {
		return false
	}
	e := heap.Pop(&s.queue).(event)
	s.now = e.at
	s.steps++
	e.f()
	return true
}

// Advance runs every event due at or before t, including events those
// events schedule, then sets the clock to t. It never moves the clock
// backwards.
func (s *Sim) Advance(t time.Duration) {
	for len(s.queue) > 0 && s.queue[0].at <= t {
		s.Step()
	}
	s.now = max(s.now, t)
}

// Pending is the number of events scheduled and not yet run.
func (s *Sim) Pending() int { return len(s.queue) }

// Next returns the time of the next event, if there is one.
func (s *Sim) Next() (time.Duration, bool) {
	if len(s.queue) == 0 {
		return 0, false
	}
	return s.queue[0].at, true
}

// Steps is the number of events run so far.
func (s *Sim) Steps() uint64 { return s.steps }

type event struct {
	at  time.Duration
	seq uint64
	f   func()
}

// queue is a min-heap of events by time, then by scheduling order.
type queue []event

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = event{} // let the closure be collected
	*q = old[:len(old)-1]
	return e
}
