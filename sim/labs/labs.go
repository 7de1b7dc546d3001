// Package labs lists every lab in the book, so the compiler, the CLI and the
// wasm entry find them by name in one place.
package labs

import (
	"github.com/scaling-data/book/sim/cap"
	"github.com/scaling-data/book/sim/history"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/leader"
	"github.com/scaling-data/book/sim/multileader"
	"github.com/scaling-data/book/sim/pacelc"
	"github.com/scaling-data/book/sim/quorum"
	"github.com/scaling-data/book/sim/shard"
	"github.com/scaling-data/book/sim/truetime"
)

// All returns every lab, in the order the book introduces them.
func All() []lab.Lab {
	return []lab.Lab{
		leader.Lab,
		quorum.Lab,
		multileader.Lab,
		shard.Lab,
		cap.Lab,
		history.Lab,
		pacelc.Lab,
		truetime.Lab,
	}
}

// Find returns the lab called name.
func Find(name string) (lab.Lab, bool) {
	for _, l := range All() {
		if l.Schema.Name == name {
			return l, true
		}
	}
	return lab.Lab{}, false
}
