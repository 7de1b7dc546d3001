package linear

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/engine"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func w(client int, key string, v, call, ret int) engine.Record {
	return engine.Record{Client: client, Kind: engine.Write, Key: key, Value: v, Invoke: ms(call), Return: ms(ret), OK: true}
}

func r(client int, key string, v, call, ret int) engine.Record {
	return engine.Record{Client: client, Kind: engine.Read, Key: key, Value: v, Invoke: ms(call), Return: ms(ret), OK: true}
}

func failed(rec engine.Record) engine.Record { rec.OK = false; return rec }

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		h       []engine.Record
		ok      bool
		culprit int
	}{
		{"empty", nil, true, -1},
		{"sequential", []engine.Record{w(0, "x", 1, 0, 10), r(0, "x", 1, 20, 30)}, true, -1},
		{"initial value", []engine.Record{r(0, "x", 0, 0, 10), w(0, "x", 1, 20, 30)}, true, -1},
		{"stale after ack", []engine.Record{w(0, "x", 1, 0, 10), r(1, "x", 0, 20, 30)}, false, 1},
		{"concurrent read may see either", []engine.Record{w(0, "x", 1, 0, 50), r(1, "x", 0, 10, 20), r(2, "x", 1, 15, 25)}, true, -1},
		{"new then old", []engine.Record{w(0, "x", 1, 0, 100), r(1, "x", 1, 10, 20), r(2, "x", 0, 30, 40)}, false, 2},
		{"keys are independent", []engine.Record{w(0, "x", 1, 0, 10), r(0, "y", 0, 20, 30), r(0, "x", 1, 40, 50)}, true, -1},
		{"failed write may have happened", []engine.Record{failed(w(0, "x", 1, 0, 10)), r(1, "x", 1, 20, 30)}, true, -1},
		{"failed write may not have happened", []engine.Record{failed(w(0, "x", 1, 0, 10)), r(1, "x", 0, 20, 30)}, true, -1},
		{"failed read says nothing", []engine.Record{w(0, "x", 1, 0, 10), failed(r(1, "x", 0, 20, 30))}, true, -1},
		{"value from nowhere", []engine.Record{r(0, "x", 7, 0, 10)}, false, 0},
		{"culprit is the first break", []engine.Record{
			w(0, "x", 1, 0, 10), r(1, "x", 1, 20, 30), w(0, "x", 2, 40, 50), r(1, "x", 1, 60, 70), r(1, "x", 0, 80, 90),
		}, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Check(tt.h)
			require.Equal(t, tt.ok, v.Linearizable)
			require.Equal(t, tt.culprit, v.Culprit)
		})
	}
}

// BenchmarkCheck200 checks a 200-operation window of two clients on three
// keys, the size the labs check.
func BenchmarkCheck200(b *testing.B) {
	var h []engine.Record
	version := map[string]int{}
	for i := 0; i < 200; i++ {
		key := []string{"x", "y", "z"}[i%3]
		t := i * 10
		if i%2 == 0 {
			version[key]++
			h = append(h, w(i%2, key, version[key], t, t+15))
		} else {
			h = append(h, r(i%2, key, version[key], t, t+15))
		}
	}
	for b.Loop() {
		if v := Check(h); !v.Linearizable {
			b.Fatal("expected linearizable")
		}
	}
}
