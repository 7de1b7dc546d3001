// Package golden compares a view's SVG drawing with the file committed in
// the package's testdata, for the views' tests. Run a package's tests with
// -update to rewrite the files after an intended change (then look at them).
// Only tests import it.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files in testdata")

// Check compares got with testdata/<name>.svg, or writes it with -update.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".svg")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run the package's tests with -update to create it", err)
	}
	if string(want) != string(got) {
		t.Fatalf("%s differs from the drawing; if the change is intended, run the package's tests with -update and look at the file", path)
	}
}
