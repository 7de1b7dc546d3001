// Package multileader is the lab "Multi-leader replication and conflicts":
// two or three regions each accept writes to the same record and send
// their state to the others asynchronously. Writes made in different
// regions within a cross-region latency of each other are concurrent, and
// a strategy resolves them: last-write-wins on skewed clocks, CRDTs (a
// PN-counter, an OR-set and a multi-value register), or siblings kept for
// the application to merge.
package multileader

import (
	"time"

	"github.com/scaling-data/book/sim/lab"
)

// Lab is the multi-leader lab: its schema and its model.
var Lab = lab.Lab{
	Schema: &Schema,
	New:    func(v lab.Values, seed uint64) lab.Model { return New(v, seed) },
}

// Strategies, in the order of the "strategy" parameter's options.
const (
	LWW  = 0 // last write wins, by timestamp from the region's clock
	CRDT = 1 // PN-counter, OR-set, multi-value register
	App  = 2 // siblings kept; the application merges them at the next write
)

// Schema declares the multi-leader lab's parameters, actions, metrics and
// presets.
var Schema = lab.Schema{
	Name:      "multileader",
	Title:     "Multi-leader replication and conflicts",
	Summary:   "Regions accept writes to the same record at once; compare last-write-wins, CRDTs and application merges on the same run.",
	Chapter:   "05-multi-leader.md",
	Width:     720,
	Height:    440,
	TimeScale: 400 * time.Millisecond,
	Params: []lab.Param{
		{Name: "regions", Label: "Regions", Help: "Regions with a leader each: US and EU, or also Asia.", Kind: lab.Int, Min: 2, Max: 3, Default: 2},
		{Name: "strategy", Label: "Conflict resolution", Help: "lww: the higher timestamp wins; crdt: data types that merge; app: keep siblings and let the application merge them.", Kind: lab.Enum, Options: []string{"lww", "crdt", "app"}, Default: LWW},
		{Name: "latency", Label: "Cross-region latency", Help: "Mean one-way delay between regions; each message takes this plus or minus a quarter of it.", Unit: "ms", Kind: lab.Float, Min: 10, Max: 400, Step: 10, Default: 80},
		{Name: "skew_us", Label: "Clock skew, US", Help: "How far the US leader's clock is ahead (or behind, negative) of true time.", Unit: "ms", Kind: lab.Float, Min: -1000, Max: 1000, Step: 10, Default: 0},
		{Name: "skew_eu", Label: "Clock skew, EU", Help: "How far the EU leader's clock is ahead (or behind) of true time.", Unit: "ms", Kind: lab.Float, Min: -1000, Max: 1000, Step: 10, Default: 0},
		{Name: "skew_asia", Label: "Clock skew, Asia", Help: "How far the Asia leader's clock is ahead (or behind) of true time.", Unit: "ms", Kind: lab.Float, Min: -1000, Max: 1000, Step: 10, Default: 0, When: &lab.When{Param: "regions", AtLeast: 3}},
		{Name: "think", Label: "Time between edits", Help: "Mean pause between two edits by the users of one region.", Unit: "ms", Kind: lab.Float, Min: 50, Max: 5000, Step: 50, Default: 400},
		{Name: "ops", Label: "Edits", Help: "Edits made by the regions' users in the whole run (Alice and Bob come on top).", Kind: lab.Int, Min: 0, Max: 1000, Default: 60, Advanced: true},
	},
	Actions: []lab.Action{
		{Name: "both", Label: "Alice and Bob at once", Help: "Alice (US) and Bob (EU) edit the record at the same instant: each renames it, likes it and changes the list."},
		{Name: "alice", Label: "Alice edits (US)", Help: "Alice renames the record, likes it and adds cake to the list, in the US."},
		{Name: "bob", Label: "Bob edits (EU)", Help: "Bob renames the record, likes it and removes milk from the list, in the EU."},
	},
	Metrics: []lab.Metric{
		{Name: "conflicts", Label: "Conflicts", Help: "Pairs of writes to the same field made concurrently: neither region had seen the other's."},
		{Name: "lost_writes", Label: "Lost writes", Help: "Writes whose effect is missing from the merged record though no later write saw and replaced it."},
		{Name: "converged", Label: "Converged", Bool: true, Help: "Every region shows the same record."},
		{Name: "merge_siblings", Label: "Siblings merged", Help: "Concurrent values shown side by side and merged by a later write."},
	},
	Presets: []lab.Preset{
		{Name: "lww", Label: "Last write wins", Help: "Timestamps pick one value per field; concurrent edits vanish.",
			Values: map[string]string{"strategy": "lww"}},
		{Name: "skew", Label: "LWW with a slow clock", Help: "The EU clock runs 300 ms behind: EU edits lose even when they come later.",
			Values: map[string]string{"strategy": "lww", "skew_eu": "-300"}},
		{Name: "crdt", Label: "CRDTs", Help: "A PN-counter, an OR-set and a multi-value register: nothing is lost.",
			Values: map[string]string{"strategy": "crdt"}},
		{Name: "app", Label: "Application merge", Help: "Siblings are kept and merged by the application's code at the next edit.",
			Values: map[string]string{"strategy": "app"}},
		{Name: "three", Label: "Three regions", Help: "US, EU and Asia, with Asia's clock ahead.",
			Values: map[string]string{"regions": "3", "strategy": "lww", "skew_asia": "200"}},
	},
}
