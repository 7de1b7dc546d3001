// Package labtest holds helpers shared by the labs' and views' tests. They
// panic rather than fail a test, because views build their scenes in
// package-level tables, before any test runs.
package labtest

import (
	"time"

	"github.com/scaling-data/book/sim/lab"
)

// Values parses name, value pairs with the schema (defaults for the rest).
func Values(s *lab.Schema, kv ...string) lab.Values {
	raw := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		raw[kv[i]] = kv[i+1]
	}
	v, err := s.Parse(raw)
	if err != nil {
		panic(err)
	}
	return v
}

// Replay returns a function that replays the run to t and returns the
// lab's model, a fresh one each call.
func Replay[M lab.Model](l lab.Lab, v lab.Values, seed uint64, t time.Duration, inputs ...lab.Input) func() M {
	return func() M {
		m, err := l.Replay(lab.Run{Values: v, Seed: seed, Inputs: inputs}, t)
		if err != nil {
			panic(err)
		}
		return m.(M)
	}
}
