// Package history is the lab "Consistency models, step by step": small
// histories of reads and writes on registers by a few processes, played out
// in virtual time so the reader can step from one invocation or response to
// the next. After every step the lab judges the history so far against four
// models: linearizable (porcupine, through sim/linear), sequential, causal,
// and eventual (every process's last read of a key, after the last write to
// it, returns the same value).
package history

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/linear"
)

// Lab is the history lab: its schema and its model.
var Lab = lab.Lab{
	Schema: &Schema,
	New:    func(v lab.Values, seed uint64) lab.Model { return New(v, seed) },
}

// Schema declares the history lab: one parameter, the scenario.
var Schema = lab.Schema{
	Name:      "history",
	Title:     "Consistency models, step by step",
	Summary:   "Short histories of reads and writes drawn on a space-time diagram, judged after every step against linearizability, sequential, causal and eventual consistency.",
	Chapter:   "21-consistency-pacelc.md",
	Width:     720,
	Height:    400,
	TimeScale: 10 * time.Millisecond,
	Params: []lab.Param{
		{Name: "scenario", Label: "History", Help: "Which history to play.", Kind: lab.Enum, Options: names(), Default: 0},
	},
	Metrics: []lab.Metric{
		{Name: "linearizable", Label: "Linearizable", Help: "Some order of the operations, each taking effect between its start and its end, explains every read.", Bool: true},
		{Name: "sequential", Label: "Sequential", Help: "Some single order of all operations, keeping each process's own order, explains every read.", Bool: true},
		{Name: "causal", Label: "Causal", Help: "Each process sees the writes in an order that respects cause and effect.", Bool: true},
		{Name: "eventual", Label: "Eventual", Help: "Once writes to a key stop, every process's last read of it returns the same value.", Bool: true},
	},
	Presets: presets(),
}

// Op is one operation of a history: a write of a unique value, or a read
// and the value it returned (0 is every key's initial value).
type Op struct {
	Proc   int
	Write  bool
	Key    string
	Value  int
	Invoke time.Duration
	Return time.Duration
}

func (o Op) String() string {
	if o.Write {
		return fmt.Sprintf("w(%s,%d)", o.Key, o.Value)
	}
	return fmt.Sprintf("r(%s)→%d", o.Key, o.Value)
}

// Scenario is a named history and what it shows.
type Scenario struct {
	Name, Label, Note string
	Procs             int
	Ops               []Op
}

func op(proc int, write bool, key string, value int, from, to int) Op {
	return Op{Proc: proc, Write: write, Key: key, Value: value,
		Invoke: time.Duration(from) * time.Millisecond, Return: time.Duration(to) * time.Millisecond}
}

// Scenarios are the histories, from strongest to weakest.
var Scenarios = []Scenario{
	{"linearizable", "Linearizable: a read overlapping a write may go either way", "P2's first read overlaps nothing and sees 0; its second overlaps the write and sees 1; once the write has returned, everyone sees 1.", 3, []Op{
		op(0, true, "x", 1, 20, 60),
		op(1, false, "x", 0, 5, 15), op(1, false, "x", 1, 35, 50),
		op(2, false, "x", 1, 70, 85),
	}},
	{"sequential", "Sequential, not linearizable: a read returns an old value after the write finished", "P2 reads 0 after P1's write has returned. One order still explains everything — P2's first read, then the write, then the rest — so the history is sequential, but it breaks real time.", 2, []Op{
		op(0, true, "x", 1, 10, 25), op(0, false, "x", 1, 40, 50),
		op(1, false, "x", 0, 35, 45), op(1, false, "x", 1, 65, 75),
	}},
	{"causal", "Causal, not sequential: two readers see concurrent writes in opposite orders", "P1 and P2 write x at the same time. P3 sees 1 then 2, P4 sees 2 then 1: no single order fits both, but the writes are concurrent, so causality allows it. A later write by P1 settles x everywhere.", 4, []Op{
		op(0, true, "x", 1, 10, 20), op(0, true, "x", 3, 78, 84),
		op(1, true, "x", 2, 12, 22),
		op(2, false, "x", 1, 32, 42), op(2, false, "x", 2, 55, 65), op(2, false, "x", 3, 90, 98),
		op(3, false, "x", 2, 32, 42), op(3, false, "x", 1, 55, 65), op(3, false, "x", 3, 90, 98),
	}},
	{"eventual", "Eventual, not causal: an effect seen before its cause", "P2 reads x=1 and then writes y=2 because of it. P3 sees y=2 but then reads x=0: the cause is missing. Later P3 reads x=1: the replicas converged.", 3, []Op{
		op(0, true, "x", 1, 10, 20),
		op(1, false, "x", 1, 28, 38), op(1, true, "y", 2, 44, 54),
		op(2, false, "y", 2, 62, 72), op(2, false, "x", 0, 78, 86), op(2, false, "x", 1, 94, 102),
	}},
	{"diverged", "Causal, never converging: concurrent writes applied in different orders", "P1 and P2 write x at the same time. P3's replica applies 1 then 2, P4's applies 2 then 1, and nothing reconciles them: every view respects causality, yet P3 and P4 disagree for good. Causal consistency alone does not promise convergence.", 4, []Op{
		op(0, true, "x", 1, 10, 20),
		op(1, true, "x", 2, 12, 22),
		op(2, false, "x", 1, 32, 42), op(2, false, "x", 2, 55, 65), op(2, false, "x", 2, 90, 98),
		op(3, false, "x", 2, 32, 42), op(3, false, "x", 1, 55, 65), op(3, false, "x", 1, 90, 98),
	}},
}

func names() []string {
	out := make([]string, len(Scenarios))
	for i, s := range Scenarios {
		out[i] = s.Name
	}
	return out
}

func presets() []lab.Preset {
	out := make([]lab.Preset, len(Scenarios))
	for i, s := range Scenarios {
		out[i] = lab.Preset{Name: s.Name, Label: s.Label, Help: s.Note, Values: map[string]string{"scenario": s.Name}}
	}
	return out
}

// Verdicts are the four judgements of the history so far.
type Verdicts struct {
	Linearizable, Sequential, Causal, Eventual bool
	// Culprit is the operation that first breaks linearizability, or -1.
	Culprit int
}

// Model plays one scenario in virtual time.
type Model struct {
	sc      Scenario
	now     time.Duration
	end     time.Duration
	log     *engine.Log
	events  []event // invocations and responses, in time order
	next    int     // the first event not yet narrated
	verdict Verdicts
	judged  time.Duration // when the verdict was computed
}

type event struct {
	at     time.Duration
	op     int
	invoke bool
}

var _ lab.Model = (*Model)(nil)

// New returns a model of the scenario named by v at time zero; the seed
// is unused (histories are fixed).
func New(v lab.Values, _ uint64) *Model {
	i := 0
	if x, ok := v["scenario"]; ok && !math.IsNaN(x) {
		i = int(Schema.Params[0].Clamp(x))
	}
	m := &Model{sc: Scenarios[i], log: engine.NewLog(64), judged: -1}
	for j, o := range m.sc.Ops {
		m.events = append(m.events, event{o.Invoke, j, true}, event{o.Return, j, false})
		m.end = max(m.end, o.Return)
	}
	slices.SortStableFunc(m.events, func(a, b event) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		if a.invoke != b.invoke { // responses first at the same instant
			if a.invoke {
				return 1
			}
			return -1
		}
		return a.op - b.op
	})
	m.end += 10 * time.Millisecond
	m.log.Add(0, "info", "%s", m.sc.Label)
	return m
}

// Now is the current virtual time.
func (m *Model) Now() time.Duration { return m.now }

// Advance narrates every invocation and response up to t.
func (m *Model) Advance(t time.Duration) {
	for m.next < len(m.events) && m.events[m.next].at <= t {
		e := m.events[m.next]
		o := m.sc.Ops[e.op]
		m.now = max(m.now, e.at)
		if e.invoke {
			what := fmt.Sprintf("reads %s", o.Key)
			if o.Write {
				what = fmt.Sprintf("writes %s=%d", o.Key, o.Value)
			}
			m.log.Add(e.at, "invoke", "P%d %s", o.Proc+1, what)
		} else {
			if o.Write {
				m.log.Add(e.at, "ack", "P%d's write %s=%d returns", o.Proc+1, o.Key, o.Value)
			} else {
				m.log.Add(e.at, "read", "P%d's read of %s returns %d", o.Proc+1, o.Key, o.Value)
			}
			m.judge()
			m.narrateVerdict(e.at)
		}
		m.next++
	}
	m.now = max(m.now, t)
}

func (m *Model) narrateVerdict(at time.Duration) {
	v := m.verdict
	m.log.Add(at, "info", "so far: linearizable %s, sequential %s, causal %s, eventual %s",
		yes(v.Linearizable), yes(v.Sequential), yes(v.Causal), yes(v.Eventual))
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Done reports that the whole history has played.
func (m *Model) Done() bool { return m.now >= m.end }

// Do rejects every action: the lab is stepped with the page's controls.
func (m *Model) Do(action string, _ int) error {
	return fmt.Errorf("unknown action %q (the history lab has no actions; use play and step)", action)
}

// Log is the narration.
func (m *Model) Log() *engine.Log { return m.log }

// Metrics returns linearizable, sequential, causal and eventual.
func (m *Model) Metrics() []float64 {
	m.judge()
	b := func(x bool) float64 {
		if x {
			return 1
		}
		return 0
	}
	v := m.verdict
	return []float64{b(v.Linearizable), b(v.Sequential), b(v.Causal), b(v.Eventual)}
}

// Scenario is the history being played.
func (m *Model) Scenario() Scenario { return m.sc }

// End is when the history is over.
func (m *Model) End() time.Duration { return m.end }

// Verdicts are the judgements of the history so far.
func (m *Model) Verdicts() Verdicts {
	m.judge()
	return m.verdict
}

// Visible returns, for each operation, whether it has started and whether
// it has returned by now.
func (m *Model) Visible(i int) (started, returned bool) {
	o := m.sc.Ops[i]
	return o.Invoke <= m.now, o.Return <= m.now
}

// judge recomputes the verdicts when events were narrated since.
func (m *Model) judge() {
	if m.judged == m.now {
		return
	}
	m.judged = m.now
	var seen []int // ops visible: completed, or writes in progress
	for i, o := range m.sc.Ops {
		if o.Return <= m.now || (o.Write && o.Invoke <= m.now) {
			seen = append(seen, i)
		}
	}
	v := Verdicts{Culprit: -1}
	recs := make([]engine.Record, len(seen))
	for j, i := range seen {
		o := m.sc.Ops[i]
		kind := engine.Read
		if o.Write {
			kind = engine.Write
		}
		recs[j] = engine.Record{Client: o.Proc, Kind: kind, Key: o.Key, Value: o.Value, Invoke: o.Invoke, Return: o.Return, OK: o.Return <= m.now}
	}
	lv := linear.Check(recs)
	v.Linearizable = lv.Linearizable
	if lv.Culprit >= 0 {
		v.Culprit = seen[lv.Culprit]
	}
	ops := make([]Op, len(seen))
	for j, i := range seen {
		ops[j] = m.sc.Ops[i]
	}
	v.Sequential = Sequential(ops)
	v.Causal = Causal(ops)
	v.Eventual = Eventual(ops, m.now)
	m.verdict = v
}
