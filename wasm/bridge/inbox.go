package bridge

import "sync"

// Inbox holds the page's messages between two frames, bounded: messages
// that do not decode are dropped at once, a seek replaces a seek queued
// just before it (only the latest matters), and a full inbox refuses more
// until the next frame takes them. The wasm entry pushes from the
// message listener and takes a batch per frame.
type Inbox struct {
	mu      sync.Mutex
	msgs    []Msg
	dropped int
}

// MaxInbox is how many messages wait for the next frame at most.
const MaxInbox = 64

// MaxPerFrame is how many messages one frame applies; the rest wait.
const MaxPerFrame = 16

// Push decodes and queues one message. It reports false when the message
// was dropped (malformed, or the inbox is full).
func (b *Inbox) Push(data []byte) bool {
	m, err := Decode(data)
	if err != nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if n := len(b.msgs); n > 0 && m.Type == "seek" && b.msgs[n-1].Type == "seek" {
		b.msgs[n-1] = m
		return true
	}
	if len(b.msgs) >= MaxInbox {
		b.dropped++
		return false
	}
	b.msgs = append(b.msgs, m)
	return true
}

// Take removes and returns the oldest messages, at most MaxPerFrame, and
// how many were refused since the last Take.
func (b *Inbox) Take() (msgs []Msg, dropped int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(len(b.msgs), MaxPerFrame)
	msgs = append([]Msg(nil), b.msgs[:n]...)
	b.msgs = append(b.msgs[:0], b.msgs[n:]...)
	dropped, b.dropped = b.dropped, 0
	return msgs, dropped
}

// Len is how many messages are waiting.
func (b *Inbox) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.msgs)
}
