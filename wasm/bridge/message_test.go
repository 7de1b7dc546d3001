package bridge

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		in   string
		want Msg
		err  string
	}{
		{in: `{"type":"scalingdata:play"}`, want: Msg{Type: "play"}},
		{in: `{"type":"scalingdata:pause","reason":"offscreen"}`, want: Msg{Type: "pause", Reason: "offscreen"}},
		{in: `{"type":"scalingdata:params","values":{"n":"5","w":"3"}}`, want: Msg{Type: "params", Values: map[string]string{"n": "5", "w": "3"}}},
		{in: `{"type":"scalingdata:action","name":"crash","arg":2}`, want: Msg{Type: "action", Name: "crash", Arg: 2}},
		{in: `{"type":"scalingdata:speed","value":4}`, want: Msg{Type: "speed", Value: 4}},
		{in: `{"type":"scalingdata:seed","value":42}`, want: Msg{Type: "seed", Value: 42}},
		{in: `{"type":"scalingdata:theme","value":"dark"}`, want: Msg{Type: "theme", Theme: "dark"}},
		{in: `{"type":"scalingdata:click","x":0.5,"y":0.25}`, want: Msg{Type: "click", X: 0.5, Y: 0.25}},
		{in: `{"type":"play"}`, err: "unknown message type"},
		{in: `{"type":"scalingdata:explode"}`, err: "unknown message type"},
		{in: `[1,2]`, err: "not a message"},
		{in: `{"type":"scalingdata:params","values":{"n":5}}`, err: "values must be an object of strings"},
		{in: `{"type":"scalingdata:action","name":"crash","arg":-1}`, err: "bad arg"},
		{in: `{"type":"scalingdata:action","name":"crash","arg":1.5}`, err: "bad arg"},
		{in: `{"type":"scalingdata:action"}`, err: "bad name"},
		{in: `{"type":"scalingdata:speed","value":100}`, err: "outside 0.25…8"},
		{in: `{"type":"scalingdata:speed","value":"fast"}`, err: "must be a number"},
		{in: `{"type":"scalingdata:seed","value":-3}`, err: "not a whole number"},
		{in: `{"type":"scalingdata:theme","value":"pink"}`, err: "want \"light\" or \"dark\""},
		{in: `{"type":"scalingdata:click","x":2,"y":0}`, err: "fractions"},
		{in: `{"type":"scalingdata:click"}`, err: "fractions"},
		{in: `{"type":"scalingdata:pause","reason":"bored"}`, err: "unknown reason"},
		{in: `{"type":"scalingdata:params","values":{"n":"` + strings.Repeat("9", 100) + `"}}`, err: "too long"},
		{in: `{"type":"scalingdata:play","pad":"` + strings.Repeat("x", MaxMessage) + `"}`, err: "over"},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 60)], func(t *testing.T) {
			m, err := Decode([]byte(tt.in))
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, m)
		})
	}
}

func TestEncode(t *testing.T) {
	require.JSONEq(t, `{"type":"scalingdata:notice","text":"a<b"}`, string(Encode("notice", map[string]any{"text": "a<b"})))
}

// FuzzDecode: no payload panics the decoder, and what it accepts is valid.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"scalingdata:params","values":{"n":"5"}}`,
		`{"type":"scalingdata:action","name":"crash","arg":1}`,
		`{"type":"scalingdata:click","x":0.1,"y":0.9}`,
		`{"type":"scalingdata:speed","value":0.25}`,
		`{"type":"scalingdata:seed","value":4294967295}`,
		`null`, `{}`, `"scalingdata:play"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		if !known[m.Type] {
			t.Fatalf("accepted unknown type %q", m.Type)
		}
		if m.Type == "speed" && (m.Value < 0.25 || m.Value > 8) {
			t.Fatalf("accepted speed %v", m.Value)
		}
		if m.Type == "click" && (m.X < 0 || m.X > 1 || m.Y < 0 || m.Y > 1) {
			t.Fatalf("accepted click %v,%v", m.X, m.Y)
		}
		if m.Arg < 0 || m.Arg > 1024 {
			t.Fatalf("accepted arg %d", m.Arg)
		}
	})
}
