package bridge

import "time"

// Pacer spaces the pictures a lab paints: at most one per Gap. A zero Gap
// paints whenever the model changed (every frame while a lab plays).
//
// Readers get Gap 0. The browser tests set a gap (globalThis.
// scalingdataMaxFPS, see book/internal/browsertest): under software GL a
// picture costs ~70 ms of CPU whatever it shows, and a test that waits
// for an event needs the events, not sixty pictures a second of them.
// Virtual time follows the wall clock and Update runs every frame, so
// a paced lab runs, reports and answers exactly as an unpaced one.
type Pacer struct {
	Gap  time.Duration
	last time.Time
}

// PacerFor is the pacer for at most fps pictures a second (0 or less, or
// not a number: no limit).
func PacerFor(fps float64) Pacer {
	if !(fps > 0) {
		return Pacer{}
	}
	return Pacer{Gap: time.Duration(float64(time.Second) / fps)}
}

// Due reports whether a picture may be painted at now, and if so counts it
// as painted. The first picture is always due.
func (p *Pacer) Due(now time.Time) bool {
	if p.Gap > 0 && !p.last.IsZero() && now.Sub(p.last) < p.Gap {
		return false
	}
	p.last = now
	return true
}
