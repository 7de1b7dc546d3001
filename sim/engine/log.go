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
	events ring[Event]
	seq    int // sequence number of the newest event
}

// NewLog returns a log that keeps the last capacity events.
func NewLog(capacity int) *Log {
	return &Log{events: newRing[Event](capacity)}
}

// Add appends an event.
func (l *Log) Add(at time.Duration, kind, format string, args ...any) {
	l.seq++
	l.events.push(Event{Seq: l.seq, At: at, Kind: kind, Text: fmt.Sprintf(format, args...)})
}

// Seq is the sequence number of the newest event (0 when empty).
func (l *Log) Seq() int { return l.seq }

// Len is the number of events held.
func (l *Log) Len() int { return l.events.n }

// Since returns the events held whose Seq is greater than seq, oldest first.
func (l *Log) Since(seq int) []Event {
	var out []Event
	for i := range l.events.n {
		if e := l.events.at(i); e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// Last returns up to k of the newest events, oldest first.
func (l *Log) Last(k int) []Event { return l.events.last(k) }
