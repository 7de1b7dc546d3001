package engine

// ring keeps the newest items up to a fixed capacity, oldest first.
type ring[T any] struct {
	buf   []T
	start int // index of the oldest item in buf
	n     int // items held
}

func newRing[T any](capacity int) ring[T] {
	return ring[T]{buf: make([]T, max(capacity, 1))}
}

// push appends x, overwriting the oldest item when the ring is full.
func (r *ring[T]) push(x T) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = x
		r.n++
		return
	}
	r.buf[r.start] = x
	r.start = (r.start + 1) % len(r.buf)
}

// at returns the i-th item held, 0 being the oldest.
func (r *ring[T]) at(i int) T { return r.buf[(r.start+i)%len(r.buf)] }

// last returns up to k of the newest items, oldest first.
func (r *ring[T]) last(k int) []T {
	k = max(0, min(k, r.n))
	out := make([]T, 0, k)
	for i := r.n - k; i < r.n; i++ {
		out = append(out, r.at(i))
	}
	return out
}
