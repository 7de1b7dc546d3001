// Package quorum is the lab "Leaderless replication and quorums": a
// Dynamo-style store on a ring of nodes. Each key lives on N replicas, the
// first N nodes of its preference list; a client sends every write and read
// to them and waits for W acks or R replies. With W+R > N every read
// overlaps the last acknowledged write; with W+R ≤ N a read may miss it.
//
// Around that core the lab models what Dynamo added to ride out failures:
// sloppy quorums with hinted handoff, read repair, anti-entropy with Merkle
// trees, and versions tracked by last-write-wins timestamps or by vector
// clocks. It checks the recent history of client operations for
// linearizability with porcupine (see sim/linear).
package quorum

import (
	"fmt"
	"strings"
	"time"

	"github.com/scaling-data/book/sim/lab"
)

// Lab is the quorum lab: its schema and its model.
var Lab = lab.Lab{
	Schema: &Schema,
	New:    func(v lab.Values, seed uint64) lab.Model { return New(v, seed) },
}

// Version tracking policies, the options of the "versions" parameter.
const (
	LWW    = 0 // last-write-wins: replicas keep the highest timestamp
	VClock = 1 // vector clocks: replicas keep concurrent versions as siblings
)

// Schema declares the quorum lab's parameters, actions, metrics and presets.
var Schema = lab.Schema{
	Name:      "quorum",
	Title:     "Quorum replication",
	Summary:   "Clients write to W and read from R of a key's N replicas on a ring; crash nodes, cut the ring, and watch sloppy quorums, hinted handoff, repair and a linearizability check at work.",
	Chapter:   "04-quorums.md",
	Width:     640,
	Height:    560,
	TimeScale: 50 * time.Millisecond,
	Params: []lab.Param{
		{Name: "nodes", Label: "Nodes on the ring", Help: "How many nodes share the keys; each key lives on N of them.", Kind: lab.Int, Min: 1, Max: 9, Default: 5},
		{Name: "n", Label: "Replicas (N)", Help: "How many nodes hold each key: the first N of its preference list.", Kind: lab.Int, Min: 1, Max: 9, Default: 3, Bound: "nodes"},
		{Name: "w", Label: "Write quorum (W)", Help: "How many replicas must ack a write before it succeeds.", Kind: lab.Int, Min: 1, Max: 9, Default: 2, Bound: "n"},
		{Name: "r", Label: "Read quorum (R)", Help: "How many replicas must reply before a read returns the newest version among them.", Kind: lab.Int, Min: 1, Max: 9, Default: 2, Bound: "n"},
		{Name: "sloppy", Label: "Sloppy quorum", Help: "Send to the first N reachable nodes of the preference list, so stand-ins take over for unreachable replicas.", Kind: lab.Bool, Default: 0},
		{Name: "handoff", Label: "Hinted handoff", Help: "A stand-in delivers the writes it holds for an unreachable replica once that replica is back.", Kind: lab.Bool, Default: 1, When: &lab.When{Param: "sloppy", Is: []string{"on"}}},
		{Name: "repair", Label: "Read repair", Help: "After a read, send the newest version to replicas that answered with an older one.", Kind: lab.Bool, Default: 0},
		{Name: "antientropy", Label: "Anti-entropy", Help: "Pairs of neighbouring replicas compare Merkle trees in the background and exchange the keys that differ.", Kind: lab.Bool, Default: 0},
		{Name: "versions", Label: "Versions", Help: "Last-write-wins keeps the highest timestamp; vector clocks keep concurrent writes as siblings.", Kind: lab.Enum, Options: []string{"lww", "vclock"}, Default: LWW},
		{Name: "clients", Label: "Clients", Help: "Clients running operations at the same time.", Kind: lab.Int, Min: 1, Max: 4, Default: 1},
		{Name: "writes", Label: "Writes", Help: "Share of operations that are writes; the rest are reads.", Unit: "%", Kind: lab.Int, Min: 0, Max: 100, Step: 5, Default: 50},
		{Name: "keys", Label: "Keys", Help: "How many keys the clients use (x, y, z, u, v).", Kind: lab.Int, Min: 1, Max: 5, Default: 2},
		{Name: "spread", Label: "Latency spread", Help: "Each message takes the mean latency plus or minus up to this much.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 200, Step: 1, Default: 20},
		{Name: "loss", Label: "Message loss", Help: "Chance that any one message is lost.", Unit: "%", Kind: lab.Float, Min: 0, Max: 50, Step: 1, Default: 0},
		{Name: "latency", Label: "Latency", Help: "Mean one-way delay of a message.", Unit: "ms", Kind: lab.Float, Min: 1, Max: 200, Step: 1, Default: 20, Advanced: true},
		{Name: "think", Label: "Think time", Help: "Mean pause of a client between one operation and the next.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 1000, Step: 10, Default: 60, Advanced: true},
		{Name: "timeout", Label: "Timeout", Help: "How long a client waits for its quorum before the operation fails.", Unit: "ms", Kind: lab.Float, Min: 10, Max: 2000, Step: 10, Default: 250, Advanced: true},
		{Name: "interval", Label: "Anti-entropy interval", Help: "Time between two Merkle-tree comparisons.", Unit: "ms", Kind: lab.Float, Min: 100, Max: 5000, Step: 100, Default: 1000, Advanced: true, When: &lab.When{Param: "antientropy", Is: []string{"on"}}},
		{Name: "crash", Label: "Scheduled crash", Help: "Crash the first K nodes (A, B …) at 500 ms and recover them at 2,000 ms.", Kind: lab.Int, Min: 0, Max: 4, Default: 0, Advanced: true},
		{Name: "partition", Label: "Scheduled partition", Help: "Cut the ring into two sides at 500 ms and heal it at 2,000 ms.", Kind: lab.Bool, Default: 0, Advanced: true},
		{Name: "ops", Label: "Operations", Help: "Client operations in the whole run.", Kind: lab.Int, Min: 1, Max: 100000, Default: 2000, Advanced: true},
	},
	Actions: []lab.Action{
		{Name: "crash", Label: "Crash node", Help: "Take a node down: it drops every message until it recovers, but keeps its data.", Arg: "node", ArgParam: "nodes"},
		{Name: "recover", Label: "Recover node", Help: "Bring a crashed node back with the versions it had.", Arg: "node", ArgParam: "nodes"},
		{Name: "partition", Label: "Partition", Help: "Cut the ring into two sides that cannot reach each other; clients stay on their side."},
		{Name: "heal", Label: "Heal", Help: "Restore every link cut by the partition."},
		{Name: "write", Label: "Write now", Help: "Client 1 writes a new version of a key now."},
		{Name: "read", Label: "Read now", Help: "Client 1 reads a key now."},
	},
	Metrics: []lab.Metric{
		{Name: "writes_ok", Label: "Writes OK", Help: "Writes acknowledged by W replicas in time."},
		{Name: "writes_failed", Label: "Failed writes", Help: "Writes that timed out before W acks; some replicas may still hold them."},
		{Name: "reads_ok", Label: "Reads OK", Help: "Reads answered by R replicas in time, stale or not."},
		{Name: "reads_failed", Label: "Failed reads", Help: "Reads that timed out before R replies."},
		{Name: "stale_reads", Label: "Stale reads", Help: "Reads that missed a write acknowledged before the read began."},
		{Name: "hinted_handoffs", Label: "Hinted handoffs", Help: "Hinted writes a stand-in delivered to their home replica."},
		{Name: "read_repairs", Label: "Read repairs", Help: "Newer versions sent to replicas that answered a read with an older one."},
		{Name: "siblings", Label: "Reads with siblings", Help: "Reads that returned more than one concurrent version (vector clocks)."},
		{Name: "lost_writes", Label: "Lost writes", Help: "Acknowledged writes silently dropped by last-write-wins in favour of a concurrent one."},
		{Name: "linearizable", Label: "Linearizable", Help: "Whether the last 200 completed operations pass the porcupine linearizability check.", Bool: true},
		{Name: "p50_write_ms", Label: "Write latency p50", Unit: "ms", Help: "Median latency of the last 2,000 successful writes."},
		{Name: "p99_write_ms", Label: "Write latency p99", Unit: "ms", Help: "99th-percentile latency of the last 2,000 successful writes."},
		{Name: "p50_read_ms", Label: "Read latency p50", Unit: "ms", Help: "Median latency of the last 2,000 successful reads."},
		{Name: "p99_read_ms", Label: "Read latency p99", Unit: "ms", Help: "99th-percentile latency of the last 2,000 successful reads."},
	},
	Presets: []lab.Preset{
		{Name: "dynamo", Label: "Dynamo (3,2,2), sloppy, vector clocks", Help: "Dynamo's common setting on a ring of five, with sloppy quorums, hinted handoff, read repair and vector clocks. Crash a node and watch a stand-in take its writes.",
			Values: map[string]string{"nodes": "5", "n": "3", "w": "2", "r": "2", "sloppy": "on", "handoff": "on", "repair": "on", "versions": "vclock"}},
		{Name: "fast-stale", Label: "Fast but stale (3,1,1)", Help: "One ack and one reply are enough: fast, but with three busy clients on one key a read often misses the last write.",
			Values: map[string]string{"nodes": "3", "n": "3", "w": "1", "r": "1", "spread": "40", "keys": "1", "clients": "3", "think": "0"}},
		{Name: "strict5", Label: "Five replicas (5,3,3)", Help: "Majorities of five: reads and writes both survive two crashed replicas.",
			Values: map[string]string{"nodes": "5", "n": "5", "w": "3", "r": "3"}},
		{Name: "overlap-not-linearizable", Label: "W+R>N, yet not linearizable", Help: "Quorums overlap and no read is stale, but lost messages leave failed writes on one replica: one read sees such a write, a later read does not.",
			Values: map[string]string{"nodes": "3", "n": "3", "w": "2", "r": "2", "loss": "25", "timeout": "100", "keys": "1", "clients": "4", "think": "0", "writes": "10"}},
		{Name: "sloppy-partition", Label: "Sloppy quorum across a partition", Help: "The ring splits at 500 ms; sloppy quorums let both sides keep writing the same key, and after the heal at 2,000 ms reads find siblings.",
			Values: map[string]string{"nodes": "5", "n": "3", "w": "2", "r": "2", "sloppy": "on", "handoff": "on", "versions": "vclock", "partition": "on", "clients": "2", "keys": "1", "writes": "70"}},
	},
	Validate: validate,
	Repair:   repair,
}

// validate checks that N fits on the ring, both quorums fit in N, and the
// scheduled crash has nodes to crash.
func validate(v lab.Values) error {
	nodes, n := v.Int("nodes"), v.Int("n")
	var bad []string
	if n > nodes {
		bad = append(bad, fmt.Sprintf("n=%d > nodes=%d", n, nodes))
	}
	for _, q := range []string{"w", "r"} {
		if x := v.Int(q); x > n {
			bad = append(bad, fmt.Sprintf("%s=%d > n=%d", q, x, n))
		}
	}
	if k := v.Int("crash"); k > nodes {
		bad = append(bad, fmt.Sprintf("crash=%d > nodes=%d", k, nodes))
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, ", "))
	}
	return nil
}

// repair raises the ring to N nodes (and to the scheduled crash), then
// clamps W and R to N.
func repair(v lab.Values) {
	nodes := max(v.Int("nodes"), v.Int("n"), v.Int("crash"))
	v["nodes"] = float64(min(nodes, 9))
	n := min(v.Int("n"), v.Int("nodes"))
	v["n"] = float64(n)
	v["w"] = float64(min(v.Int("w"), n))
	v["r"] = float64(min(v.Int("r"), n))
	v["crash"] = float64(min(v.Int("crash"), v.Int("nodes")))
}
