package lab

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var testSchema = &Schema{
	Name: "demo", Title: "Demo", Width: 100, Height: 50, TimeScale: time.Second,
	Params: []Param{
		{Name: "n", Label: "N", Kind: Int, Min: 1, Max: 9, Default: 3},
		{Name: "w", Label: "W", Kind: Int, Min: 1, Max: 9, Default: 2, Bound: "n"},
		{Name: "loss", Label: "Loss", Kind: Float, Min: 0, Max: 50, Step: 0.5, Default: 0, Unit: "%"},
		{Name: "sloppy", Label: "Sloppy", Kind: Bool, Default: 0},
		{Name: "mode", Label: "Mode", Kind: Enum, Options: []string{"lww", "vclock"}, Default: 1},
	},
	Validate: func(v Values) error {
		if v.Int("w") > v.Int("n") {
			return fmt.Errorf("w=%d > n=%d", v.Int("w"), v.Int("n"))
		}
		return nil
	},
	Repair: func(v Values) { v["w"] = min(v["w"], v["n"]) },
}

func TestParse(t *testing.T) {
	tests := []struct {
		raw  map[string]string
		want Values
		err  string
	}{
		{raw: nil, want: Values{"n": 3, "w": 2, "loss": 0, "sloppy": 0, "mode": 1}},
		{raw: map[string]string{"n": "5", "w": "5", "loss": "2.5", "sloppy": "on", "mode": "LWW"},
			want: Values{"n": 5, "w": 5, "loss": 2.5, "sloppy": 1, "mode": 0}},
		{raw: map[string]string{"n": "10"}, err: "n=10 is out of range 1…9"},
		{raw: map[string]string{"n": "2.5"}, err: "n=2.5: want a whole number"},
		{raw: map[string]string{"n": "x"}, err: `n="x": not a number`},
		{raw: map[string]string{"n": "NaN"}, err: `n="NaN": not a number`},
		{raw: map[string]string{"sloppy": "maybe"}, err: `sloppy="maybe": want on or off`},
		{raw: map[string]string{"mode": "crdt"}, err: `mode="crdt": want one of lww, vclock`},
		{raw: map[string]string{"m": "1"}, err: `unknown parameter "m" (did you mean "n"?)`},
		{raw: map[string]string{"zzzzzz": "1"}, err: `unknown parameter "zzzzzz" (known: n, w, loss, sloppy, mode)`},
		{raw: map[string]string{"n": "2", "w": "3"}, err: "w=3 > n=2"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.raw), func(t *testing.T) {
			v, err := testSchema.Parse(tt.raw)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, v)
		})
	}
}

func TestLenient(t *testing.T) {
	v, notes := testSchema.Lenient(map[string]string{"n": "12", "loss": "x", "seed": "4", "bogus": "1", "w": "9"})
	require.Equal(t, 9.0, v["n"], "clamped")
	require.Equal(t, 0.0, v["loss"], "bad value takes the default")
	require.Equal(t, 9.0, v["w"])
	joined := strings.Join(notes, "\n")
	require.Contains(t, joined, "n=12 is out of range 1…9; using 9")
	require.Contains(t, joined, `loss="x": not a number; using 0`)
	require.Contains(t, joined, `ignored unknown parameter "bogus"`)
	require.NotContains(t, joined, "seed", "reserved keys are not parameters")

	v, notes = testSchema.Lenient(map[string]string{"n": "2", "w": "5"})
	require.Equal(t, Values{"n": 2, "w": 2, "loss": 0, "sloppy": 0, "mode": 1}, v, "repaired")
	require.Contains(t, strings.Join(notes, "\n"), "w=5 > n=2; using n=2")
}

func TestEncodeRoundTrip(t *testing.T) {
	v := Values{"n": 5, "w": 3, "loss": 2.5, "sloppy": 1, "mode": 0}
	enc := testSchema.Encode(v)
	require.Equal(t, "loss=2.5&mode=lww&n=5&sloppy=on&w=3", enc)
	raw := map[string]string{}
	for _, kv := range strings.Split(enc, "&") {
		k, val, _ := strings.Cut(kv, "=")
		raw[k] = val
	}
	back, err := testSchema.Parse(raw)
	require.NoError(t, err)
	require.Equal(t, v, back)
	require.Equal(t, "", testSchema.Encode(testSchema.Defaults()), "defaults encode to nothing")
}

// FuzzLenient: any URL query yields values that are in range and valid.
func FuzzLenient(f *testing.F) {
	f.Add("n", "5", "w", "9")
	f.Add("loss", "1e308", "mode", "")
	f.Add("sloppy", "on", "n", "-0")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		v, _ := testSchema.Lenient(map[string]string{k1: v1, k2: v2})
		for _, p := range testSchema.Params {
			x := v[p.Name]
			if p.Clamp(x) != x {
				t.Fatalf("%s=%v is not within its range", p.Name, x)
			}
		}
		if err := testSchema.Check(v); err != nil {
			t.Fatalf("lenient values fail validation: %v", err)
		}
	})
}

func TestApplies(t *testing.T) {
	s := &Schema{Params: []Param{
		{Name: "regions", Kind: Int, Min: 2, Max: 3, Default: 2},
		{Name: "mode", Kind: Enum, Options: []string{"cp", "ap"}},
		{Name: "sloppy", Kind: Bool},
		{Name: "asia", Kind: Float, When: &When{Param: "regions", AtLeast: 3}},
		{Name: "merge", Kind: Enum, Options: []string{"lww"}, When: &When{Param: "mode", Is: []string{"ap"}}},
		{Name: "handoff", Kind: Bool, When: &When{Param: "sloppy", Is: []string{"on"}}},
		{Name: "always", Kind: Int},
	}}
	tests := []struct {
		param string
		v     Values
		want  bool
	}{
		{"asia", Values{"regions": 2}, false},
		{"asia", Values{"regions": 3}, true},
		{"merge", Values{"mode": 0}, false},
		{"merge", Values{"mode": 1}, true},
		{"handoff", Values{"sloppy": 0}, false},
		{"handoff", Values{"sloppy": 1}, true},
		{"always", Values{}, true},
	}
	for _, tt := range tests {
		p, ok := s.Param(tt.param)
		require.True(t, ok)
		require.Equal(t, tt.want, s.Applies(p, tt.v), "%s with %v", tt.param, tt.v)
	}
}

func TestMetricFormat(t *testing.T) {
	for _, tc := range []struct {
		m    Metric
		v    float64
		want string
	}{
		{Metric{Unit: "ms"}, 4, "4.0 ms"},
		{Metric{Unit: "ms"}, 48.94, "48.9 ms"},
		{Metric{Unit: "ms"}, 99.96, "100 ms"},
		{Metric{Unit: "ms"}, 100.4, "100 ms"},
		{Metric{Unit: "ms"}, 1234.5, "1235 ms"},
		{Metric{Unit: "fraction"}, 1, "100%"},
		{Metric{Unit: "fraction"}, 0, "0%"},
		{Metric{Unit: "fraction"}, 0.5, "50%"},
		{Metric{Unit: "fraction"}, 0.1234, "12.3%"},
		{Metric{Unit: "fraction"}, 0.0004, "<0.1%"},
		{Metric{Unit: "fraction"}, 0.9996, ">99.9%"},
		{Metric{Unit: "txn/s"}, 715.592, "716 txn/s"},
		{Metric{}, 12, "12"},
		{Metric{}, 1.01234, "1.01"},
		{Metric{}, 0.5, "0.5"},
		{Metric{}, 715.592, "716"},
		{Metric{Bool: true}, 1, "yes"},
		{Metric{Bool: true}, 0, "no"},
		{Metric{Unit: "ms"}, math.NaN(), "NaN ms"},
	} {
		require.Equal(t, tc.want, tc.m.Format(tc.v), "%+v %v", tc.m, tc.v)
	}
	require.Equal(t, "48.9", (&Metric{Unit: "ms"}).Number(48.94), "Number leaves the unit to the label")
}
