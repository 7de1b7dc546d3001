package lab

import (
	"fmt"
	"slices"
	"time"

	"github.com/scaling-data/book/sim/engine"
)

// Model is a running lab. Every method is deterministic: the same Values,
// seed and inputs (actions at the same virtual times) give the same run.
type Model interface {
	// Now is the current virtual time.
	Now() time.Duration
	// Advance processes every event due at or before t, then sets the
	// clock to t. It never moves the clock backwards.
	Advance(t time.Duration)
	// Done reports that the run has finished: the workload is complete and
	// nothing is left in flight. A headless run stops here.
	Done() bool
	// Do applies a reader's action at the current virtual time. A bad
	// action or argument is an error, never a panic.
	Do(action string, arg int) error
	// Metrics returns the value of each metric in the schema, in order.
	Metrics() []float64
	// Log is the narration: plain-language events, oldest first, bounded.
	Log() *engine.Log
}

// Targets is implemented by models whose actions take an argument (a node,
// a shard) when the set of targets changes as the lab runs: the page's
// picker then lists exactly these names, argument 0 first.
type Targets interface {
	TargetNames() []string
}

// Lab ties a schema to its model constructor.
type Lab struct {
	Schema *Schema
	New    func(v Values, seed uint64) Model
}

// Input is one reader action at a virtual time, recorded so a run can be
// replayed (time travel, share links).
type Input struct {
	At     time.Duration
	Action string
	Arg    int
}

// Run is everything needed to reproduce a run.
type Run struct {
	Values Values
	Seed   uint64
	Inputs []Input // sorted by At
}

// Replay builds a fresh model for r and advances it to t, applying the
// recorded inputs at their times. Inputs that fail are skipped and
// returned as an error after the replay.
func (l Lab) Replay(r Run, t time.Duration) (Model, error) {
	m := l.New(r.Values, r.Seed)
	inputs := slices.Clone(r.Inputs)
	slices.SortStableFunc(inputs, func(a, b Input) int { return int(a.At - b.At) })
	var errs []error
	for _, in := range inputs {
		if in.At > t {
			break
		}
		m.Advance(in.At)
		if err := m.Do(in.Action, in.Arg); err != nil {
			errs = append(errs, fmt.Errorf("at %v: %w", in.At, err))
		}
	}
	m.Advance(t)
	if len(errs) > 0 {
		return m, fmt.Errorf("replay: %v", errs)
	}
	return m, nil
}

// RunHeadless advances m in steps of tick until it is Done or limit of
// virtual time has passed, and returns the metrics by name.
func RunHeadless(s *Schema, m Model, tick, limit time.Duration) map[string]float64 {
	for !m.Done() && m.Now() < limit {
		m.Advance(min(m.Now()+tick, limit))
	}
	return MetricMap(s, m)
}

// MetricMap returns the model's metrics keyed by their schema names.
func MetricMap(s *Schema, m Model) map[string]float64 {
	vals := m.Metrics()
	out := make(map[string]float64, len(s.Metrics))
	for i, mt := range s.Metrics {
		if i < len(vals) {
			out[mt.Name] = vals[i]
		}
	}
	return out
}
