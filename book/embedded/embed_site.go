//go:build embedsite

package embedded

import (
	"embed"
	"io/fs"
)

//go:embed all:site
var site embed.FS

func init() {
	sub, err := fs.Sub(site, "site")
	if err != nil {
		panic("embedded site: " + err.Error())
	}
	FS = sub
}
