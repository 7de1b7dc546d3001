package engine

import "time"

// OpKind says whether a client operation reads or writes.
type OpKind int

const (
	Read OpKind = iota
	Write
)

func (k OpKind) String() string {
	if k == Write {
		return "write"
	}
	return "read"
}

// Record is one completed client operation, in the shape a linearizability
// checker (porcupine) takes: who did what to which key, when it was invoked
// and when it returned.
type Record struct {
	Client int
	Kind   OpKind
	Key    string
	// Value is the version written, or the version a read returned.
	Value  int
	Invoke time.Duration
	Return time.Duration
	// OK is false when the operation failed (timed out); a failed write
	// may still have reached some replicas.
	OK bool
}

// History keeps the most recent completed operations, up to a fixed
// capacity.
type History struct {
	records ring[Record]
	total   int
}

// NewHistory returns a history that keeps the last capacity records.
func NewHistory(capacity int) *History {
	return &History{records: newRing[Record](capacity)}
}

// Add appends a completed operation.
func (h *History) Add(r Record) {
	h.total++
	h.records.push(r)
}

// Len is the number of records held.
func (h *History) Len() int { return h.records.n }

// Total is the number of records ever added.
func (h *History) Total() int { return h.total }

// Records returns the records held, oldest first.
func (h *History) Records() []Record { return h.records.last(h.records.n) }
