package book

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/scaling-data/book/sim/lab"
)

// HeadlessLimit is the most virtual time a headless run may take; runs
// whose workload never finishes stop here.
const HeadlessLimit = 24 * time.Hour

// SimRun is a parsed `scalingdata sim` command line.
type SimRun struct {
	Lab  lab.Lab
	Run  lab.Run
	JSON bool
}

// ParseSimArgs reads "quorum n=5 w=3 seed=7 --json". Parameters are strict:
// an unknown name or a value out of range is an error.
func ParseSimArgs(args []string) (*SimRun, error) {
	var words []string
	r := &SimRun{}
	for _, a := range args {
		switch a {
		case "--json", "-json":
			r.JSON = true
		default:
			words = append(words, a)
		}
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("usage: scalingdata sim <lab> [key=value …] [--json] (labs: %s)", labNames())
	}
	fig, err := ParseSimInfo("sim " + strings.Join(words, " "))
	if err != nil {
		return nil, err
	}
	r.Lab = fig.Lab
	r.Run = lab.Run{Values: fig.Values, Seed: fig.Seed}
	return r, nil
}

// Metrics runs the lab to completion (or HeadlessLimit) and returns its
// metrics by name.
func (r *SimRun) Metrics() map[string]float64 {
	m := r.Lab.New(r.Run.Values, r.Run.Seed)
	return lab.RunHeadless(r.Lab.Schema, m, time.Second, HeadlessLimit)
}

// Execute runs the lab and formats its metrics as one JSON object (in the
// schema's order) or as aligned text.
func (r *SimRun) Execute() []byte {
	vals := r.Metrics()
	var b bytes.Buffer
	if r.JSON {
		b.WriteString("{")
		for i, mt := range r.Lab.Schema.Metrics {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:%s", mt.Name, formatMetric(mt, vals[mt.Name]))
		}
		b.WriteString("}\n")
		return b.Bytes()
	}
	for _, mt := range r.Lab.Schema.Metrics {
		fmt.Fprintf(&b, "%-22s %s %s\n", mt.Name, formatMetric(mt, vals[mt.Name]), mt.Unit)
	}
	return b.Bytes()
}

func formatMetric(m lab.Metric, x float64) string {
	if m.Bool {
		return strconv.FormatBool(x != 0)
	}
	return jsonNumber(x)
}

func jsonNumber(x float64) string {
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// MetricIndex is the position of a metric in the schema.
func MetricIndex(s *lab.Schema, name string) (int, bool) {
	for i, m := range s.Metrics {
		if m.Name == name {
			return i, true
		}
	}
	return 0, false
}
