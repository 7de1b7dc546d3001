package book

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/views"
	"github.com/scaling-data/book/sim/labs"
)

// TestNarrowPosterRules checks that book.css shows the narrow poster of
// every lab that has a narrow layout below exactly the width where the
// live canvas switches to it (its wide layout's Width), so a lab starting
// never changes the shape of its frame.
func TestNarrowPosterRules(t *testing.T) {
	css, err := os.ReadFile("../site/static/book.css")
	require.NoError(t, err)
	for _, l := range labs.All() {
		v, _ := views.For(l.Schema.Name)
		if v.Narrow.Zero() {
			continue
		}
		w := l.Schema.Width
		query := fmt.Sprintf("@container lab-stage (max-width: %g.98px) {", float64(w-1))
		i := strings.Index(string(css), query)
		require.GreaterOrEqual(t, i, 0, "%s: book.css has no %q", l.Schema.Name, query)
		block := string(css[i:])
		block = block[:strings.Index(block, "\n}")]
		require.Contains(t, block, fmt.Sprintf(".lab-narrow-%d .lab-posters-narrow { display: block; }", w), l.Schema.Name)
		require.Contains(t, block, fmt.Sprintf(".lab-narrow-%d .lab-posters-wide { display: none; }", w), l.Schema.Name)
	}
}
