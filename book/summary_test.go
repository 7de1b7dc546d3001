package book

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseSummary(t *testing.T) {
	entries, err := ParseSummary("chapters/SUMMARY.md", []byte(summary))
	require.NoError(t, err)
	require.Equal(t, []Entry{
		{Title: "Intro", File: "intro.md", Level: 0, Line: 3},
		{Title: "Part", File: "part.md", Level: 0, Line: 5},
		{Title: "Quorums", File: "04-quorums.md", Level: 1, Line: 6},
		{Title: "Glossary", File: "glossary.md", Level: 0, Line: 10, Back: true},
	}, entries)
}

func TestParseSummaryErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"not a link", "# Summary\n\n- Quorums\n", "chapters/SUMMARY.md:3: want a link like [Title](file.md)"},
		{"not markdown", "- [A](a.html)\n", "chapters/SUMMARY.md:1: \"a.html\": want a .md file"},
		{"outside", "- [A](../a.md)\n", "chapters/SUMMARY.md:1: \"../a.md\": want a .md file inside chapters/"},
		{"duplicate", "- [A](a.md)\n- [B](a.md)\n", "chapters/SUMMARY.md:2: a.md is already listed on line 1"},
		{"deep", "- [A](a.md)\n    - [B](b.md)\n", "chapters/SUMMARY.md:2: b.md is nested two levels"},
		{"tabs", "- [A](a.md)\n\t- [B](b.md)\n", "chapters/SUMMARY.md:2: indent nested entries with spaces"},
		{"empty", "# Summary\n", "chapters/SUMMARY.md: no chapters listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSummary("chapters/SUMMARY.md", []byte(tt.src))
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"04-quorums.md":     "quorums",
		"introduction.md":   "introduction",
		"2026.md":           "2026",
		"10-cap-theorem.md": "cap-theorem",
	} {
		require.Equal(t, want, Slug(in), in)
	}
}
