//go:build unix

package book

import (
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark/util"
)

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestParseIsLinear: eight times the links cost about eight times the CPU
// time (measured as CPU, not wall-clock, time: the machine may be busy)
// (the line of every link used to be counted from the top of the file,
// which made the compiler quadratic in the number of links).
func TestParseIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	md := newMarkdown(func(w util.BufWriter, fig *Figure) error { return nil })
	chapter := func(n int) []byte {
		var b strings.Builder
		b.WriteString("# Links\n\n## H {#h}\n\n")
		for i := 0; i < n; i++ {
			b.WriteString("[a](#h)\n\n") // a paragraph each
		}
		return []byte(b.String())
	}
	// The collector is off while timing: its work grows with the live heap,
	// not with the input, and it ran on other threads whose time counts
	// (measured ×14.4 once, with the collector on, beside other tests).
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	best := func(src []byte) time.Duration {
		var min time.Duration
		for range 3 {
			runtime.GC()
			start := cpuTime()
			d := Parse(md, "f.md", src)
			took := cpuTime() - start
			require.Empty(t, d.Errors)
			if min == 0 || took < min {
				min = took
			}
		}
		return min
	}
	small, large := chapter(25_000), chapter(200_000)
	require.Less(t, len(large), MaxChapterBytes)
	ts, tl := best(small), best(large)
	ratio := float64(tl) / float64(ts)
	t.Logf("25k links %v, 200k links %v of CPU: ×%.1f", ts, tl, ratio)
	// Linear is ×8 (measured ×7), and the quadratic pass this replaced
	// measured ×24; the bound leaves room for a busy machine.
	require.Less(t, ratio, 14.0, "8× the input took %.1f× the time", ratio)
}
