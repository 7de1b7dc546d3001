package book

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestComputeFigure(t *testing.T) {
	value, title, err := ComputeFigure("sim quorum n=3 w=2 r=2 ops=500 seed=1 | stale_reads | int")
	require.NoError(t, err)
	require.Equal(t, "0", value)
	require.Equal(t, "computed by the quorum lab (ops=500 seed=1): stale_reads", title)

	ok, _, err := ComputeFigure("sim quorum ops=500 seed=1 | reads_ok")
	require.NoError(t, err)
	require.NotEqual(t, "0", ok)
}

func TestComputeFigureErrors(t *testing.T) {
	for body, want := range map[string]string{
		"sim quorum n=3":                        "want {{sim <lab> key=value … | metric | format}}",
		"sim quorom | stale_reads":              `figure: sim "quorom": unknown lab`,
		"sim quorum n=30 | stale_reads":         "figure: sim \"quorum\": n=30 is out of range",
		"sim quorum | stale_read":               `figure: lab "quorum" has no metric "stale_read" (did you mean "stale_reads"?)`,
		"sim quorum | stale_reads | pct:9":      `figure: format "pct:9": want pct:N with N from 0 to 6`,
		"sim quorum | stale_reads | percent":    `figure: unknown format "percent"`,
		"sim quorum | stale_reads | int | more": "want {{sim",
	} {
		_, _, err := ComputeFigure(body)
		require.ErrorContains(t, err, want, body)
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tt := range []struct {
		x      float64
		f, out string
	}{
		{100000, "int", "100,000"},
		{-1234.6, "int", "-1,235"},
		{0.8, "pct:1", "80.0%"},
		{0.19996, "pct:0", "20%"},
		{8.04, "ms:1", "8.0 ms"},
		{1.2549, "x:2", "1.25×"},
		{3.14159, "fixed:2", "3.14"},
		{2.5, "", "2.5"},
	} {
		require.Equal(t, tt.out, formatNumber(tt.x, tt.f), "%v %s", tt.x, tt.f)
	}
}

func TestComputedInChapter(t *testing.T) {
	t.Parallel()
	files := okBook()
	files["part.md"] = "# Part\n\nWith W+R>N we saw {{sim quorum ops=300 seed=2 | stale_reads | int}} stale reads.\n"
	out, err := build(t, files)
	require.NoError(t, err)
	require.Contains(t, read(t, out, "part.html"), `we saw <span class="computed" title="computed by the quorum lab (ops=300 seed=2): stale_reads">0</span> stale reads.`)

	files["part.md"] = "# Part\n\nText.\n\nWe saw {{sim quorum | stale_readz}} and {{sim quorum\n"
	_, err = build(t, files)
	require.ErrorContains(t, err, `chapters/part.md:5: figure: lab "quorum" has no metric "stale_readz"`)
	require.ErrorContains(t, err, `chapters/part.md:5: figure: {{sim … is not closed`)
}
