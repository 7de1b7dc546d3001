package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServeEmbeddedUnlessChaptersGiven: a release binary run in a folder
// that happens to have a chapters/ directory serves its own copy of the
// book; it compiles (and writes ./public) only when -chapters is given.
func TestServeEmbeddedUnlessChaptersGiven(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "chapters"), 0o755))
	t.Chdir(dir)
	tests := []struct {
		args        []string
		hasEmbedded bool
		want        bool
	}{
		{nil, true, true},
		{[]string{"-addr", "127.0.0.1:0"}, true, true},
		{[]string{"-chapters", "chapters"}, true, false},
		{[]string{"-chapters", "chapters", "-embedded"}, true, true},
		{[]string{"-embedded"}, true, true},
		{nil, false, false},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		buildFlags(fs)
		fs.String("addr", "", "")
		forced := fs.Bool("embedded", false, "")
		require.NoError(t, fs.Parse(tc.args))
		require.Equal(t, tc.want, serveEmbedded(fs, tc.hasEmbedded, *forced), "%q (binary carries a site: %v)", tc.args, tc.hasEmbedded)
	}
}
