package labs

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestModelsStayPure checks the import graph: no package under sim/ imports
// syscall/js, and nothing under sim/ reaches Ebiten, directly or through a
// dependency, so every model builds and runs headless on any platform.
// The forbidden import paths, spelled so that a text search for imports of
// them does not find this file.
var (
	ebitenPrefix = "github.com/" + "hajimehoshi/ebiten"
	syscallJS    = "syscall/" + "js"
)

func TestModelsStayPure(t *testing.T) {
	for _, goos := range []string{"", "js"} {
		cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}: {{join .Imports \" \"}}", "github.com/scaling-data/book/sim/...")
		if goos == "js" {
			cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
		}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			pkg, imports, _ := strings.Cut(line, ": ")
			require.False(t, strings.HasPrefix(pkg, ebitenPrefix), "sim/ depends on %s (GOOS=%s)", pkg, goos)
			if strings.HasPrefix(pkg, "github.com/scaling-data/book/") {
				require.NotContains(t, strings.Fields(imports), syscallJS, "%s imports syscall/js (GOOS=%s)", pkg, goos)
			}
		}
	}
}
