// Package labtest holds helpers shared by the labs', views' and bridge's
// tests (soak tests, fuzzers, property tests over every lab). They panic
// rather than fail a test, because views build their scenes in
// package-level tables, before any test runs.
package labtest

import (
	"math/rand/v2"
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

// RandomAction picks one of the schema's actions, as a reader pressing
// buttons at random would, with a plausible argument: for an action that
// takes a node or a shard, one from 0 to the parameter that counts them
// (one past the last, so out-of-range arguments are tried too). The
// schema must have actions.
func RandomAction(r *rand.Rand, s *lab.Schema, v lab.Values) (string, int) {
	a := s.Actions[r.IntN(len(s.Actions))]
	arg := 0
	if a.ArgParam != "" {
		arg = r.IntN(max(1, v.Int(a.ArgParam)+1))
	}
	return a.Name, arg
}
