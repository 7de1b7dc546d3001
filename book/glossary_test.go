package book

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGlossaryTermsUsed: every glossary entry is linked from the text at
// least once (an entry nobody links is either dead or a missed link), and
// every reference is cited.
func TestGlossaryTermsUsed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "chapters", "*.md"))
	require.NoError(t, err)
	used := map[string]map[string]bool{"glossary": {}, "references": {}}
	link := regexp.MustCompile(`\]\((glossary|references)\.md#([^)\s]+)\)`)
	for _, f := range files {
		base := filepath.Base(f)
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			if base != m[1]+".md" {
				used[m[1]][m[2]] = true
			}
		}
	}
	entry := regexp.MustCompile(`(?m)^##+ .*\{#([^}]+)\}\s*$`)
	for _, name := range []string{"glossary", "references"} {
		data, err := os.ReadFile(filepath.Join("..", "chapters", name+".md"))
		require.NoError(t, err)
		entries := entry.FindAllStringSubmatch(string(data), -1)
		require.NotEmpty(t, entries)
		var unused []string
		for _, e := range entries {
			if !used[name][e[1]] {
				unused = append(unused, e[1])
			}
		}
		require.Empty(t, unused, "chapters/%s.md: entries never linked from a chapter", name)
	}
}
