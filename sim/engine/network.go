package engine

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"
)

// Latency is the one-way delay of a link: uniform in
// [Mean-Spread, Mean+Spread], never below zero.
type Latency struct {
	Mean, Spread time.Duration
}

// Sample draws one delay from r.
func (l Latency) Sample(r *rand.Rand) time.Duration {
	lo := max(0, l.Mean-l.Spread)
	hi := max(lo, l.Mean+l.Spread)
	if hi == lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)+1))
}

// Why a message was dropped.
const (
	Lost = "lost" // random loss on the wire
	Cut  = "cut"  // the link was cut by a partition
	Down = "down" // the receiver was down when the message arrived
)

// Message is one message on the network. It is in flight from SentAt until
// ArrivesAt, when it is delivered or dropped; a view draws it moving
// between the two endpoints meanwhile.
type Message struct {
	ID        int // 1, 2, 3 … in sending order
	From, To  int
	Kind      string // a label for views and narration: "write", "ack" …
	Payload   any
	SentAt    time.Duration
	ArrivesAt time.Duration
	// Dropped is true for a message that will not be delivered. Loss and
	// cut links are decided when the message is sent, so a view can draw
	// it as doomed; a receiver that is down is noticed on arrival. Why is
	// Lost, Cut or Down.
	Dropped bool
	Why     string
}

// Network carries messages between endpoints 0..size-1 (nodes, clients:
// the lab decides). Every link has its own latency; any link can be cut one
// way or both, and any endpoint can crash: a crashed endpoint sends nothing
// and drops what is delivered to it.
type Network struct {
	sim    *Sim
	size   int
	links  []Latency // size×size, row = sender
	cut    []bool    // size×size, row = sender
	down   []bool
	loss   float64
	flight []flight // in sending order, so sorted by ID
	busy   int      // entries of flight not yet arrived
	nextID int
	// OnDrop, when set, is called for each message that is not delivered,
	// at the time it would have arrived.
	OnDrop func(m Message)
}

// NewNetwork returns a network of size endpoints on s, every link with
// latency l, no loss, no cuts and every endpoint up.
func NewNetwork(s *Sim, size int, l Latency) *Network {
	n := &Network{
		sim:   s,
		size:  size,
		links: make([]Latency, size*size),
		cut:   make([]bool, size*size),
		down:  make([]bool, size),
	}
	for i := range n.links {
		n.links[i] = l
	}
	return n
}

// Size is the number of endpoints.
func (n *Network) Size() int { return n.size }

// SetLatency sets the latency of the link from one endpoint to another (one
// way).
func (n *Network) SetLatency(from, to int, l Latency) { n.links[from*n.size+to] = l }

// Latency returns the latency of the link from one endpoint to another.
func (n *Network) Latency(from, to int) Latency { return n.links[from*n.size+to] }

// SetLoss sets the probability, 0 to 1, that any message is lost.
func (n *Network) SetLoss(p float64) { n.loss = p }

// Cut cuts the link from one endpoint to another, one way: messages from
// to still get through.
func (n *Network) Cut(from, to int) { n.cut[from*n.size+to] = true }

// Partition cuts every link between a and b, both ways.
func (n *Network) Partition(a, b []int) {
	for _, i := range a {
		for _, j := range b {
			n.Cut(i, j)
			n.Cut(j, i)
		}
	}
}

// Heal restores every cut link.
func (n *Network) Heal() { clear(n.cut) }

// Linked reports whether messages from one endpoint get through to another
// (the link is not cut; loss and crashes aside).
func (n *Network) Linked(from, to int) bool { return !n.cut[from*n.size+to] }

// Crash takes endpoint i down.
func (n *Network) Crash(i int) { n.down[i] = true }

// Recover brings endpoint i back up.
func (n *Network) Recover(i int) { n.down[i] = false }

// Up reports whether endpoint i is up.
func (n *Network) Up(i int) bool { return !n.down[i] }

// Send sends a message and calls deliver when it arrives, unless it is
// dropped. A crashed sender sends nothing: Send then returns false.
func (n *Network) Send(from, to int, kind string, payload any, deliver func(Message)) (Message, bool) {
	if n.down[from] {
		return Message{}, false
	}
	s := n.sim
	n.nextID++
	m := Message{
		ID: n.nextID, From: from, To: to, Kind: kind, Payload: payload,
		SentAt:    s.now,
		ArrivesAt: s.now + n.links[from*n.size+to].Sample(s.rng),
	}
	switch {
	case n.cut[from*n.size+to]:
		m.Dropped, m.Why = true, Cut
	case n.loss > 0 && s.rng.Float64() < n.loss:
		m.Dropped, m.Why = true, Lost
	}
	n.flight = append(n.flight, flight{m: m})
	n.busy++
	id := m.ID
	s.At(m.ArrivesAt, func() { n.arrive(id, deliver) })
	return m, true
}

func (n *Network) arrive(id int, deliver func(Message)) {
	i, _ := slices.BinarySearchFunc(n.flight, id, func(f flight, id int) int { return cmp.Compare(f.m.ID, id) })
	m := n.flight[i].m
	n.flight[i].gone = true
	n.busy--
	if n.busy < len(n.flight)/2 { // compact, amortised O(1) per message
		n.flight = slices.DeleteFunc(n.flight, func(f flight) bool { return f.gone })
	}
	switch {
	case m.Dropped:
	case n.cut[m.From*n.size+m.To]:
		m.Dropped, m.Why = true, Cut
	case n.down[m.To]:
		m.Dropped, m.Why = true, Down
	}
	if !m.Dropped {
		deliver(m)
	} else if n.OnDrop != nil {
		n.OnDrop(m)
	}
}

// flight is a message in the in-flight list; gone once it has arrived.
type flight struct {
	m    Message
	gone bool
}

// InFlight returns the messages sent and not yet arrived, in sending order.
func (n *Network) InFlight() []Message {
	out := make([]Message, 0, n.busy)
	for _, f := range n.flight {
		if !f.gone {
			out = append(out, f.m)
		}
	}
	return out
}

// Busy is the number of messages in flight.
func (n *Network) Busy() int { return n.busy }
