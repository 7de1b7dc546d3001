package book

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSimHeadless(t *testing.T) {
	run := func(args ...string) map[string]float64 {
		t.Helper()
		r, err := ParseSimArgs(args)
		require.NoError(t, err)
		out := r.Execute()
		var raw map[string]any
		require.NoError(t, json.Unmarshal(out, &raw), string(out))
		m := map[string]float64{}
		for k, v := range raw {
			switch x := v.(type) {
			case float64:
				m[k] = x
			case bool:
				m[k] = map[bool]float64{false: 0, true: 1}[x]
			default:
				t.Fatalf("metric %s is %T", k, v)
			}
		}
		return m
	}
	a := run("quorum", "n=5", "w=3", "r=3", "seed=7", "ops=2000", "--json")
	require.Equal(t, a, run("quorum", "n=5", "w=3", "r=3", "seed=7", "ops=2000", "--json"), "same arguments, same output")
	require.Equal(t, 2000.0, a["writes_ok"]+a["writes_failed"]+a["reads_ok"]+a["reads_failed"])
	require.Zero(t, a["stale_reads"], "W+R>N without failures never reads stale")

	b := run("quorum", "n=3", "w=1", "r=1", "spread=40", "seed=1", "ops=5000", "--json")
	require.Positive(t, b["stale_reads"], "W+R≤N with latency spread reads stale")

	r, err := ParseSimArgs([]string{"quorum", "n=3"})
	require.NoError(t, err)
	require.Contains(t, string(r.Execute()), "stale_reads")
}

func TestSimArgsErrors(t *testing.T) {
	for args, want := range map[string][]string{
		`usage`:                   {},
		`sim "nope": unknown lab`: {"nope"},
		`unknown parameter "wat"`: {"quorum", "wat=1"},
		`"n": want key=value`:     {"quorum", "n"},
		`w=4 > n=3`:               {"quorum", "w=4"},
	} {
		_, err := ParseSimArgs(want)
		require.ErrorContains(t, err, args)
	}
}
