package engine

import (
	"fmt"
	"time"
)

// Event is one line of narration: what happened, in plain language.
type Event struct {
	Seq  int           // 1, 2, 3 … over the whole run, never reused
	At   time.Duration // virtual time
	Kind string        // "write", "read", "ack", "stale", "crash", "recover", "drop", "info"
	Text string        // "B acks write x=3 (2 of W=2)"
}

func (e Event) String() string {
	return fmt.Sprintf("%8.1fms %-8s %s", float64(e.At)/float64(time.Millisecond), e.Kind, e.Text)
}

// Log keeps the most recent narration events, up to a fixed capacity, so a
// long run uses bounded memory.
type Log struct {
	buf   []Event
	start int // index of the oldest event in buf
	n     int // events held
	seq   int // sequence number of the newest event
}

// NewLog returns a log that keeps the last capacity events.
func NewLog(capacity int) *Log {
	if capacity < 1 {
		capacity = 1
	}
	return &Log{buf: make([]Event, capacity)}
}

// Add appends an event.
func (l *Log) Add(at time.Duration, kind, format string, args ...any) {
	l.seq++
	e := Event{Seq: l.seq, At: at, Kind: kind, Text: fmt.Sprintf(format, args...)}
	if l.n < len(l.buf) {
		l.buf[(l.start+l.n)%len(l.buf)] = e
		l.n++
		return
	}
	l.buf[l.start] = e
	l.start = (l.start + 1) % len(l.buf)
}

// Seq is the sequence number of the newest event (0 when empty).
func (l *Log) Seq() int { return l.seq }

// Since returns the events held whose Seq is greater than seq, oldest first.
func (l *Log) Since(seq int) []Event {
	var out []Event
	for i := 0; i < l.n; i++ {
		e := l.buf[(l.start+i)%len(l.buf)]
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// Last returns up to k of the newest events, oldest first.
func (l *Log) Last(k int) []Event {
	if k > l.n {
		k = l.n
	}
	out := make([]Event, 0, k)
	for i := l.n - k; i < l.n; i++ {
		out = append(out, l.buf[(l.start+i)%len(l.buf)])
	}
	return out
}
