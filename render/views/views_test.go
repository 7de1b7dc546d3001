package views

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/labs"
)

func TestEveryLabHasAView(t *testing.T) {
	for _, l := range labs.All() {
		v, ok := For(l.Schema.Name)
		require.True(t, ok, l.Schema.Name)
		require.NotNil(t, v.Draw, l.Schema.Name)
		require.NotNil(t, v.Hit, l.Schema.Name)
		require.NotNil(t, v.Describe, l.Schema.Name)
		require.NotEmpty(t, v.Describe(l.New(l.Schema.Defaults(), 1)))
	}
	_, ok := For("nope")
	require.False(t, ok)
}
