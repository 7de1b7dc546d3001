package book

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/labs"
)

// TestPresetsName finds the labs whose presets only name the options of
// one dropdown (history's scenarios): the page shows one dropdown, not two.
func TestPresetsName(t *testing.T) {
	want := map[string]string{"history": "scenario"}
	for _, l := range labs.All() {
		require.Equal(t, want[l.Schema.Name], presetsName(l.Schema), l.Schema.Name)
	}
	enum := lab.Param{Name: "s", Kind: lab.Enum, Options: []string{"a", "b"}}
	tests := []struct {
		name    string
		presets []lab.Preset
		want    string
	}{
		{"one per option", []lab.Preset{{Name: "a", Values: map[string]string{"s": "a"}}, {Name: "b", Values: map[string]string{"s": "b"}}}, "s"},
		{"an option without a preset", []lab.Preset{{Name: "a", Values: map[string]string{"s": "a"}}}, ""},
		{"a preset sets more", []lab.Preset{{Name: "a", Values: map[string]string{"s": "a", "n": "1"}}, {Name: "b", Values: map[string]string{"s": "b"}}}, ""},
		{"a preset named otherwise", []lab.Preset{{Name: "x", Values: map[string]string{"s": "a"}}, {Name: "b", Values: map[string]string{"s": "b"}}}, ""},
		{"no presets", nil, ""},
	}
	for _, tt := range tests {
		s := &lab.Schema{Params: []lab.Param{enum, {Name: "n", Kind: lab.Int, Max: 3}}, Presets: tt.presets}
		require.Equal(t, tt.want, presetsName(s), tt.name)
	}
}

// TestHistoryHasOneDropdown: the history lab's figure offers its scenarios
// once, by their descriptive labels.
func TestHistoryHasOneDropdown(t *testing.T) {
	out, err := build(t, map[string]string{
		"SUMMARY.md": "# Summary\n\n[Intro](intro.md)\n",
		"intro.md":   "# Intro\n\n```sim history seed=1\nStep through it.\n```\n",
	})
	require.NoError(t, err)
	page := read(t, out, "index.html")
	require.NotContains(t, page, `name="preset"`)
	require.Contains(t, page, `<span>History</span> <select name="scenario"><option value="linearizable" title="`)
	require.Contains(t, page, `>Linearizable: a read overlapping a write may go either way</option>`)
}
