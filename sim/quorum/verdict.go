package quorum

import (
	"math"
	"slices"
	"time"

	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/linear"
)

// What the lab measures over its recent history: the linearizability
// verdict of the last windowSize completed operations, lost writes, and
// latency percentiles over the last latencySize successful operations of
// each kind.

const (
	windowSize   = 200  // completed operations the checker looks at
	writeLogSize = 1024 // writes remembered per key, by version number
	latencySize  = 2000 // latencies kept per kind of operation
)

// writeRec is what the lab remembers of a write: who wrote it and when,
// how it ended, and whether last-write-wins dropped it.
type writeRec struct {
	num     int
	client  int
	clock   Clock
	invoke  time.Duration
	ret     time.Duration
	outcome Outcome
	dropped bool // some replica silently dropped it (last-write-wins)
	lost    bool // dropped after (or before) being acknowledged: counted
}

// writeLog keeps the last writeLogSize writes of a key, by number.
type writeLog struct{ recs []writeRec }

func (l *writeLog) add(r writeRec) {
	if l.recs == nil {
		l.recs = make([]writeRec, writeLogSize)
	}
	l.recs[r.num%writeLogSize] = r
}

// get returns the write numbered num, or nil if it is forgotten.
func (l *writeLog) get(num int) *writeRec {
	if l.recs == nil || num <= 0 {
		return nil
	}
	if r := &l.recs[num%writeLogSize]; r.num == num {
		return r
	}
	return nil
}

// writeDone records how a write ended.
func (m *Model) writeDone(op *Op) {
	r := m.writes[op.Key].get(op.Version)
	if r == nil {
		return
	}
	r.outcome, r.ret = op.Outcome, op.Return
	m.countLost(r)
}

// countLost counts an acknowledged write that last-write-wins dropped,
// once.
func (m *Model) countLost(r *writeRec) {
	if r.dropped && r.outcome == OK && !r.lost {
		r.lost = true
		m.counts.LostWrites++
	}
}

// latencies keeps the last latencySize latencies of one kind.
type latencies struct {
	buf    []time.Duration
	next   int
	total  int
	sorted []time.Duration // cache, valid while len == total at sort time
	at     int
}

func (l *latencies) add(d time.Duration) {
	if len(l.buf) < latencySize {
		l.buf = append(l.buf, d)
	} else {
		l.buf[l.next] = d
		l.next = (l.next + 1) % latencySize
	}
	l.total++
}

// percentile is the p-th percentile (nearest rank) in milliseconds,
// rounded to 0.1 ms; 0 without samples.
func (l *latencies) percentile(p float64) float64 {
	if len(l.buf) == 0 {
		return 0
	}
	if l.at != l.total || l.sorted == nil {
		l.sorted = append(l.sorted[:0], l.buf...)
		slices.Sort(l.sorted)
		l.at = l.total
	}
	i := int(math.Ceil(p/100*float64(len(l.sorted)))) - 1
	d := l.sorted[max(0, min(i, len(l.sorted)-1))]
	return math.Round(float64(d)/float64(time.Millisecond)*10) / 10
}

// Verdict is the linearizability check of the recent history.
type Verdict struct {
	// Linearizable is false only when porcupine proved the window (with
	// the writes its reads returned) not linearizable.
	Linearizable bool
	// Checked is the number of operations checked.
	Checked int
	// Culprit is the operation whose return first breaks linearizability:
	// Culprit.ID is 0 when there is none.
	Culprit Op
}

type verdictCache struct {
	at      int  // Model.done when computed
	valid   bool // computed at all
	verdict Verdict
}

// Verdict checks the last windowSize completed operations for
// linearizability, once per change of the history.
func (m *Model) Verdict() Verdict {
	if !m.verdict.valid || m.verdict.at != m.done {
		m.verdict = verdictCache{at: m.done, valid: true, verdict: m.check()}
	}
	return m.verdict.verdict
}

// check builds the checker's history: the window of completed operations,
// plus every write a read in it returned that is not in it (from before the
// window, or still in progress: those never return). The full history is
// linearizable only if this part of it is, so "not linearizable" is a
// verdict on the whole run. A read whose write is forgotten is left out.
// With siblings, a read's value is the highest version it returned.
func (m *Model) check() Verdict {
	type ref struct{ key, num int }
	var recs []engine.Record
	var ops []*Op
	have := map[ref]bool{}
	for i := range m.window {
		if op := &m.window[i]; op.Kind == engine.Write {
			have[ref{op.Key, op.Version}] = true
		}
	}
	var extra []engine.Record
	for i := range m.window {
		op := &m.window[i]
		if op.Kind == engine.Read && op.Outcome != Failed && op.Version > 0 && !have[ref{op.Key, op.Version}] {
			w := m.writes[op.Key].get(op.Version)
			if w == nil {
				continue
			}
			have[ref{op.Key, op.Version}] = true
			extra = append(extra, engine.Record{
				Client: w.client, Kind: engine.Write, Key: keyNames[op.Key], Value: w.num,
				Invoke: w.invoke, Return: w.ret, OK: w.outcome == OK,
			})
		}
		recs = append(recs, engine.Record{
			Client: op.Client, Kind: op.Kind, Key: keyNames[op.Key], Value: op.Version,
			Invoke: op.Invoke, Return: op.Return, OK: op.Outcome != Failed,
		})
		ops = append(ops, op)
	}
	lv := linear.Check(append(recs, extra...))
	v := Verdict{Linearizable: lv.Linearizable, Checked: lv.Checked}
	if lv.Culprit >= 0 && lv.Culprit < len(ops) {
		v.Culprit = *ops[lv.Culprit]
	}
	return v
}
