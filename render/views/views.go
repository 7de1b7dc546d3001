// Package views lists the view of every lab by the lab's name.
package views

import (
	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/cap"
	"github.com/scaling-data/book/render/history"
	"github.com/scaling-data/book/render/leader"
	"github.com/scaling-data/book/render/multileader"
	"github.com/scaling-data/book/render/pacelc"
	"github.com/scaling-data/book/render/quorum"
	"github.com/scaling-data/book/render/shard"
	"github.com/scaling-data/book/render/truetime"
)

// For returns the view of the lab called name.
func For(name string) (render.View, bool) {
	switch name {
	case "cap":
		return cap.View, true
	case "history":
		return history.View, true
	case "pacelc":
		return pacelc.View, true
	case "leader":
		return leader.View, true
	case "multileader":
		return multileader.View, true
	case "quorum":
		return quorum.View, true
	case "shard":
		return shard.View, true
	case "truetime":
		return truetime.View, true
	}
	return render.View{}, false
}
