// Package pacelc is the lab "PACELC: latency against consistency": three
// replicas in three regions with a client in each, running the same
// workload under eight replication configurations side by side. Each
// configuration runs as its own simulation with the same seed; the lab
// measures read and write latency (p50, p99), how often reads are stale and
// by how much, and, in a final phase that cuts one region off, whether
// every client is still answered (PA) or not (PC).
package pacelc

import (
	"time"

	"github.com/scaling-data/book/sim/lab"
)

// Lab is the PACELC lab: its schema and its model.
var Lab = lab.Lab{
	Schema: &Schema,
	New:    func(v lab.Values, seed uint64) lab.Model { return New(v, seed) },
}

// Configurations, the options of the "config" parameter, in chart order.
const (
	Sync          = iota // the leader waits for every replica; reads anywhere
	Majority             // the leader waits for a majority; reads at the leader
	Quorum               // leaderless, W = R = 2 of 3
	AsyncLeader          // the leader answers alone; reads at the leader
	AsyncFollower        // the leader answers alone; reads at the nearest replica
	Bounded              // async, nearest replica unless it lags more than the bound
	Session              // async, nearest replica once it has the client's own writes
	Eventual             // any replica accepts writes (W = R = 1), last-write-wins
	Configs              // how many there are
)

// ConfigNames are the configurations' names, as in the "config" parameter.
var ConfigNames = []string{"sync", "majority", "quorum", "async-leader", "async-follower", "bounded", "session", "eventual"}

// Regions are the names of the three regions; the leader is in the first.
var Regions = []string{"us-east", "us-west", "europe"}

// Schema declares the PACELC lab's parameters, metrics and presets.
var Schema = lab.Schema{
	Name:      "pacelc",
	Title:     "PACELC: latency against consistency",
	Summary:   "Three regions, eight replication configurations, one workload: measure what each pays in latency, what it gives up in freshness, and whether it keeps answering when a region is cut off.",
	Chapter:   "21-consistency-pacelc.md",
	Width:     720,
	Height:    480,
	TimeScale: 500 * time.Millisecond,
	Params: []lab.Param{
		{Name: "config", Label: "Configuration shown", Help: "Which configuration the map animates and the readouts report; the chart measures all of them.", Kind: lab.Enum, Options: ConfigNames, Default: Majority},
		{Name: "rtt12", Label: "RTT us-east ↔ us-west", Help: "Round-trip time between the first two regions.", Unit: "ms", Kind: lab.Float, Min: 1, Max: 400, Step: 1, Default: 70},
		{Name: "rtt13", Label: "RTT us-east ↔ europe", Help: "Round-trip time between the leader's region and Europe.", Unit: "ms", Kind: lab.Float, Min: 1, Max: 400, Step: 1, Default: 80},
		{Name: "rtt23", Label: "RTT us-west ↔ europe", Help: "Round-trip time between us-west and Europe.", Unit: "ms", Kind: lab.Float, Min: 1, Max: 400, Step: 1, Default: 140},
		{Name: "local", Label: "RTT within a region", Help: "Round-trip time between a client and the replica in its own region.", Unit: "ms", Kind: lab.Float, Min: 0.2, Max: 20, Step: 0.1, Default: 1, Advanced: true},
		{Name: "jitter", Label: "Jitter", Help: "Each message takes its link's one-way time plus or minus up to this share of it.", Unit: "%", Kind: lab.Int, Min: 0, Max: 90, Step: 5, Default: 30, Advanced: true},
		{Name: "writes", Label: "Writes", Help: "Share of operations that are writes.", Unit: "%", Kind: lab.Int, Min: 5, Max: 95, Step: 5, Default: 30},
		{Name: "keys", Label: "Keys", Help: "How many keys the clients share; fewer keys, more chances to read a key just written elsewhere.", Kind: lab.Int, Min: 1, Max: 100, Default: 2},
		{Name: "think", Label: "Think time", Help: "Mean pause of a client between operations.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 1000, Step: 10, Default: 250, Advanced: true},
		{Name: "bound", Label: "Staleness bound", Help: "Bounded staleness: a replica further behind the leader than this sends reads to the leader.", Unit: "ms", Kind: lab.Float, Min: 10, Max: 2000, Step: 10, Default: 50},
		{Name: "timeout", Label: "Client timeout", Help: "How long a client waits before it counts an error.", Unit: "ms", Kind: lab.Float, Min: 100, Max: 5000, Step: 50, Default: 1000, Advanced: true},
		{Name: "duration", Label: "Run length", Help: "Virtual time of the run; the last quarter cuts Europe off from the other regions.", Unit: "s", Kind: lab.Float, Min: 4, Max: 120, Step: 1, Default: 40, Advanced: true},
	},
	Metrics: []lab.Metric{
		{Name: "latency_p50_ms", Label: "Latency p50", Unit: "ms", Help: "Median latency of the shown configuration's reads and writes before the cut."},
		{Name: "latency_p99_ms", Label: "Latency p99", Unit: "ms", Help: "99th-percentile latency of its reads and writes before the cut."},
		{Name: "read_p50_ms", Label: "Read p50", Unit: "ms", Help: "Median read latency before the cut."},
		{Name: "write_p50_ms", Label: "Write p50", Unit: "ms", Help: "Median write latency before the cut."},
		{Name: "stale_read_fraction", Label: "Stale reads", Unit: "fraction", Help: "Share of reads before the cut that missed a write acknowledged before they began."},
		{Name: "staleness_p99_ms", Label: "Staleness p99", Unit: "ms", Help: "Among stale reads, the 99th percentile of how long the oldest missed write had been acknowledged."},
		{Name: "own_write_misses", Label: "Own writes missed", Help: "Reads before the cut that missed the client's own acknowledged write."},
		{Name: "available_during_partition", Label: "Available in partition", Help: "Whether every operation started while Europe was cut off was answered (PA) or some failed (PC).", Bool: true},
	},
	Presets: []lab.Preset{
		{Name: "dynamodb", Label: "DynamoDB (simplified)",
			Help:   "Every region accepts writes and replicates them to the others in the background; concurrent writes resolve by last writer wins.",
			Values: map[string]string{"config": "eventual"}},
		{Name: "cassandra", Label: "Cassandra QUORUM (simplified)",
			Help:   "Reads and writes wait for two of three replicas; at consistency level ONE Cassandra sits on the eventual row instead.",
			Values: map[string]string{"config": "quorum"}},
		{Name: "mongodb", Label: "MongoDB (simplified)",
			Help:   "Writes wait for a majority (w: majority), reads go to the primary.",
			Values: map[string]string{"config": "majority"}},
		{Name: "spanner", Label: "Spanner (simplified)",
			Help:   "A Paxos leader commits on a majority and serves strong reads; the round trips are shortened to those of regions on one continent (illustrative values).",
			Values: map[string]string{"config": "majority", "rtt12": "30", "rtt13": "40", "rtt23": "60"}},
	},
}
