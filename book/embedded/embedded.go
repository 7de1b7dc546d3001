// Package embedded holds a built copy of the whole site inside the
// scalingdata binary, so an offline reader downloads one file and runs
// `scalingdata serve`. `make release` copies the built site into site/
// here and builds with -tags embedsite; other builds carry no site.
package embedded

import "io/fs"

// FS is the built site, or nil when the binary was built without it.
var FS fs.FS
