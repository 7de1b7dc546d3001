//go:build bench

package bench

import "testing"

func TestPkgOf(t *testing.T) {
	for _, tt := range []struct{ sym, pkg, group string }{
		{"math_big.nat.add", "math/big", "standard library"},
		{"runtime.mallocgc", "runtime", "Go runtime and internal packages"},
		{"internal_bisect.__parseError_.Error", "internal/bisect", "Go runtime and internal packages"},
		{"github.com_scaling_data_book_sim_pacelc.New", "github.com/scaling-data/book/sim/pacelc", "this book's code"},
		{"github.com_hajimehoshi_ebiten_v2_internal_ui.__UserInterface_.f", "github.com/hajimehoshi/ebiten/v2/internal/ui", "Ebitengine"},
		{"github.com_anishathalye_porcupine.CheckOperations", "github.com/anishathalye/porcupine", "other modules (github.com/anishathalye/porcupine)"},
		{"type_.eq.image.Point", "(compiler-generated)", "(compiler-generated)"},
		{"go_buildid", "(compiler-generated)", "(compiler-generated)"},
		{"fmt.__pp_.printArg", "fmt", "standard library"},
		{"golang.org_x_sync_errgroup.__Group_.Go", "golang.org/x/sync/errgroup", "other modules (golang.org/x/sync/errgroup)"},
		{"", "(unnamed)", "(unnamed)"},
	} {
		if got := pkgOf(tt.sym); got != tt.pkg {
			t.Errorf("pkgOf(%q) = %q, want %q", tt.sym, got, tt.pkg)
		}
		if got := group(pkgOf(tt.sym)); got != tt.group {
			t.Errorf("group(%q) = %q, want %q", tt.pkg, got, tt.group)
		}
	}
}
