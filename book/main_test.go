package book_test

import (
	"os"
	"testing"

	"github.com/scaling-data/book/book/internal/browsertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Cleanup()
	if bundleDir != "" {
		_ = os.RemoveAll(bundleDir)
	}
	os.Exit(code)
}
