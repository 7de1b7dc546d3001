// Package cap is the lab "CAP: a partition between two sites": replicas of
// a small key-value store split between two sites (three and two by
// default), with a client on each side. The reader cuts the network between the sites (both
// ways or one way), isolates single replicas, and heals the cut.
//
// In CP mode the replicas run a leader with majority commit (a small Raft:
// pre-vote, elections, heartbeats, ReadIndex reads): the side without a
// majority refuses writes and linearizable reads with an error. In AP mode
// every replica accepts reads and writes and replicates in the background;
// the two sides diverge during a cut and are reconciled when it heals, by
// last-write-wins, by vector-clock siblings, or by a CRDT (an add-only set).
//
// The lab reports availability, errors, stale reads, conflicts found on
// heal, writes lost to last-write-wins, and whether the recent history is
// linearizable (porcupine, through sim/linear).
package cap

import (
	"time"

	"github.com/scaling-data/book/sim/lab"
)

// Lab is the CAP lab: its schema and its model.
var Lab = lab.Lab{
	Schema: &Schema,
	New:    func(v lab.Values, seed uint64) lab.Model { return New(v, seed) },
}

// Modes, the options of the "mode" parameter.
const (
	CP = 0 // a leader commits on a majority; the minority refuses
	AP = 1 // every replica accepts; sides reconcile on heal
)

// Merge policies of AP mode, the options of the "merge" parameter.
const (
	LWW      = 0 // last-write-wins on timestamps
	Siblings = 1 // vector clocks keep concurrent versions
	CRDT     = 2 // an add-only set: merge is union
)

// Read paths of CP mode, the options of the "reads" parameter.
const (
	LeaderReads = 0 // the leader confirms it still leads a majority
	LocalReads  = 1 // any replica answers from its own copy
)

// Schema declares the CAP lab's parameters, actions, metrics and presets.
var Schema = lab.Schema{
	Name:      "cap",
	Title:     "CAP: a partition between two sites",
	Summary:   "Replicas in two sites; cut the network between them and see a CP store refuse requests on the minority side while an AP store keeps answering and reconciles on heal.",
	Chapter:   "20-cap.md",
	Width:     720,
	Height:    480,
	TimeScale: 250 * time.Millisecond,
	Params: []lab.Param{
		{Name: "replicas", Label: "Replicas", Help: "How many replicas hold every key; site 1 gets the larger half (with an even number the halves are equal).", Kind: lab.Int, Min: 3, Max: 7, Default: 5},
		{Name: "mode", Label: "Mode", Help: "CP: a leader commits each write on a majority. AP: every replica accepts reads and writes.", Kind: lab.Enum, Options: []string{"cp", "ap"}, Default: CP},
		{Name: "merge", Label: "Reconcile (AP)", Help: "How AP replicas merge versions written on both sides: last-write-wins, vector-clock siblings, or a CRDT set.", Kind: lab.Enum, Options: []string{"lww", "siblings", "crdt"}, Default: LWW, When: &lab.When{Param: "mode", Is: []string{"ap"}}},
		{Name: "reads", Label: "Reads (CP)", Help: "Leader: reads confirm a majority first (linearizable). Local: any replica answers from its own copy.", Kind: lab.Enum, Options: []string{"leader", "local"}, Default: LeaderReads, When: &lab.When{Param: "mode", Is: []string{"cp"}}},
		{Name: "failover", Label: "Elections (CP)", Help: "Followers that stop hearing from the leader elect a new one; a leader that cannot reach a majority steps down.", Kind: lab.Bool, Default: 1, When: &lab.When{Param: "mode", Is: []string{"cp"}}},
		{Name: "partition", Label: "Scheduled cut", Help: "Cut the network between the sites a third of the way through the run and heal it at two thirds.", Kind: lab.Bool, Default: 0},
		{Name: "keys", Label: "Keys", Help: "How many keys the clients use (x, y, z).", Kind: lab.Int, Min: 1, Max: 3, Default: 1},
		{Name: "writes", Label: "Writes", Help: "Share of operations that are writes; the rest are reads.", Unit: "%", Kind: lab.Int, Min: 0, Max: 100, Step: 5, Default: 50},
		{Name: "think", Label: "Think time", Help: "Mean pause of a client between one operation and the next.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 2000, Step: 10, Default: 200},
		{Name: "local", Label: "Latency in a site", Help: "Mean one-way delay between machines in the same site.", Unit: "ms", Kind: lab.Float, Min: 1, Max: 50, Step: 1, Default: 4, Advanced: true},
		{Name: "wan", Label: "Latency between sites", Help: "Mean one-way delay between the two sites.", Unit: "ms", Kind: lab.Float, Min: 5, Max: 300, Step: 5, Default: 40},
		{Name: "timeout", Label: "Client timeout", Help: "How long a client waits for an answer before it counts an error.", Unit: "ms", Kind: lab.Float, Min: 100, Max: 5000, Step: 50, Default: 600, Advanced: true},
		{Name: "duration", Label: "Run length", Help: "Virtual time the clients keep working.", Unit: "s", Kind: lab.Float, Min: 3, Max: 120, Step: 1, Default: 15, Advanced: true},
	},
	Actions: []lab.Action{
		{Name: "cut", Label: "Cut between sites", Help: "Drop every message between site 1 and site 2, both ways."},
		{Name: "oneway", Label: "Cut one way", Help: "Drop messages from site 2 to site 1; site 1 still reaches site 2."},
		{Name: "isolate", Label: "Isolate replica", Help: "Cut one replica off from everyone, clients included.", Arg: "node", ArgParam: "replicas"},
		{Name: "rejoin", Label: "Rejoin replica", Help: "Reconnect an isolated replica.", Arg: "node", ArgParam: "replicas"},
		{Name: "heal", Label: "Heal", Help: "Restore every link; AP replicas exchange their state and reconcile."},
	},
	Metrics: []lab.Metric{
		{Name: "availability", Label: "Availability", Unit: "fraction", Help: "Operations answered without an error, out of those attempted."},
		{Name: "errors", Label: "Errors", Help: "Operations refused or timed out."},
		{Name: "stale_reads", Label: "Stale reads", Help: "Reads that missed a write acknowledged before they began."},
		{Name: "conflicts_on_heal", Label: "Conflicts on heal", Help: "Keys whose replicas held concurrent versions when a cut healed."},
		{Name: "lost_writes", Label: "Lost writes", Help: "Acknowledged writes discarded by last-write-wins in favour of a concurrent write."},
		{Name: "linearizable", Label: "Linearizable", Help: "Whether the last 200 completed operations pass the porcupine check (a read counts as returning its newest version).", Bool: true},
	},
	Presets: []lab.Preset{
		{Name: "postgres", Label: "PostgreSQL (simplified)",
			Help:   "A fixed primary commits on a majority (quorum synchronous replication); no automatic failover; standbys answer reads from their own copy.",
			Values: map[string]string{"mode": "cp", "failover": "off", "reads": "local"}},
		{Name: "mongodb", Label: "MongoDB (simplified)",
			Help:   "Majority write concern, elections, and reads allowed from the nearest member: the minority side becomes read-only.",
			Values: map[string]string{"mode": "cp", "failover": "on", "reads": "local"}},
		{Name: "spanner", Label: "Spanner, CockroachDB (simplified)",
			Help:   "One consensus group with majority commit and leader reads: the side without a majority is unavailable.",
			Values: map[string]string{"mode": "cp", "failover": "on", "reads": "leader"}},
		{Name: "cassandra", Label: "Cassandra at ONE (simplified)",
			Help:   "Every replica accepts reads and writes at consistency level ONE; conflicts resolve by last-write-wins timestamps.",
			Values: map[string]string{"mode": "ap", "merge": "lww"}},
		{Name: "dynamo", Label: "Dynamo (simplified)",
			Help:   "Every replica accepts writes; concurrent versions are kept as siblings for the reader to merge, as in the 2007 Dynamo paper.",
			Values: map[string]string{"mode": "ap", "merge": "siblings"}},
		{Name: "crdt", Label: "AP with a CRDT set",
			Help:   "Every replica accepts writes, each adding an item to a set; merging is union, so nothing is lost.",
			Values: map[string]string{"mode": "ap", "merge": "crdt"}},
	},
}
