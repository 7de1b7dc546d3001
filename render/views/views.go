// Package views lists the view of every lab by the lab's name.
package views

import (
	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/quorum"
)

// For returns the view of the lab called name.
func For(name string) (render.View, bool) {
	switch name {
	case "quorum":
		return quorum.View, true
	}
	return render.View{}, false
}
