package labs

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/sim/lab"
)

func TestFind(t *testing.T) {
	l, ok := Find("quorum")
	require.True(t, ok)
	require.Equal(t, "quorum", l.Schema.Name)
	_, ok = Find("nope")
	require.False(t, ok)
}

func TestSchemasAreSane(t *testing.T) {
	labNames := map[string]bool{}
	for _, l := range All() {
		s := l.Schema
		t.Run(s.Name, func(t *testing.T) {
			require.NotEmpty(t, s.Name)
			require.Equal(t, strings.ToLower(s.Name), s.Name)
			require.False(t, labNames[s.Name], "lab %q twice", s.Name)
			labNames[s.Name] = true
			require.NotEmpty(t, s.Title)
			require.NotEmpty(t, s.Summary)
			require.True(t, strings.HasSuffix(s.Chapter, ".md"), "chapter %q", s.Chapter)
			require.Positive(t, s.Width)
			require.Positive(t, s.Height)
			require.Positive(t, s.TimeScale)
			require.NotNil(t, l.New)

			names := map[string]bool{}
			for _, p := range s.Params {
				require.NotEmpty(t, p.Name)
				require.NotEmpty(t, p.Label, p.Name)
				require.False(t, names[p.Name], "parameter %q twice", p.Name)
				require.False(t, lab.Reserved[p.Name], "parameter %q is a reserved key", p.Name)
				names[p.Name] = true
				switch p.Kind {
				case lab.Int, lab.Float:
					require.LessOrEqual(t, p.Min, p.Max, p.Name)
					require.GreaterOrEqual(t, p.Default, p.Min, p.Name)
					require.LessOrEqual(t, p.Default, p.Max, p.Name)
				case lab.Enum:
					require.NotEmpty(t, p.Options, p.Name)
					require.Less(t, int(p.Default), len(p.Options), p.Name)
				}
				x, err := p.ParseValue(p.Format(p.Default))
				require.NoError(t, err, p.Name)
				require.Equal(t, p.Default, x, p.Name)
			}
			require.NoError(t, s.Check(s.Defaults()))
			for _, p := range s.Params {
				if p.When == nil {
					continue
				}
				q, ok := s.Param(p.When.Param)
				require.True(t, ok, "%s applies when %q: no such parameter", p.Name, p.When.Param)
				require.NotEqual(t, p.Name, q.Name, "%s applies when itself", p.Name)
				switch q.Kind {
				case lab.Enum:
					require.NotEmpty(t, p.When.Is, p.Name)
					for _, o := range p.When.Is {
						require.Contains(t, q.Options, o, "%s applies when %s=%s: no such option", p.Name, q.Name, o)
					}
				case lab.Bool:
					require.Len(t, p.When.Is, 1, p.Name)
					require.Contains(t, []string{"on", "off"}, p.When.Is[0], p.Name)
				default:
					require.Empty(t, p.When.Is, p.Name)
					require.Greater(t, p.When.AtLeast, q.Min, "%s: applies whatever %s is", p.Name, q.Name)
					require.LessOrEqual(t, p.When.AtLeast, q.Max, "%s: never applies", p.Name)
				}
			}

			actions := map[string]bool{}
			for _, a := range s.Actions {
				require.NotEmpty(t, a.Label, a.Name)
				require.False(t, actions[a.Name], "action %q twice", a.Name)
				actions[a.Name] = true
				if a.Arg != "" {
					_, ok := s.Param(a.ArgParam)
					require.True(t, ok, "action %q: no parameter %q", a.Name, a.ArgParam)
				}
			}

			require.NotEmpty(t, s.Metrics)
			metrics := map[string]bool{}
			for _, m := range s.Metrics {
				require.NotEmpty(t, m.Label, m.Name)
				require.False(t, metrics[m.Name], "metric %q twice", m.Name)
				// The page formats these units (site/static/lab.js).
				require.Contains(t, []string{"", "ms", "fraction", "txn/s"}, m.Unit, "metric %q", m.Name)
				metrics[m.Name] = true
			}

			presets := map[string]bool{}
			for _, p := range s.Presets {
				require.False(t, presets[p.Name], "preset %q twice", p.Name)
				presets[p.Name] = true
				_, err := s.Parse(p.Values)
				require.NoError(t, err, "preset %q", p.Name)
			}

			m := l.New(s.Defaults(), 1)
			require.Zero(t, m.Now())
			require.Len(t, m.Metrics(), len(s.Metrics))
			m.Advance(time.Second)
			require.Equal(t, time.Second, m.Now())
			require.NotNil(t, m.Log())
		})
	}
}
