// Package quorum is the lab "Leaderless replication and quorums": a
// Dynamo-style store where a client sends every write and read to all N
// replicas and waits for W acks or R replies. With W+R > N every read
// overlaps the last acknowledged write; with W+R ≤ N a read may miss it
// and return a stale version.
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

// Schema declares the quorum lab's parameters, actions, metrics and presets.
var Schema = lab.Schema{
	Name:      "quorum",
	Title:     "Quorum replication",
	Summary:   "A client writes to W and reads from R of N replicas; see when reads overlap the last write and when they come back stale.",
	Chapter:   "04-quorums.md",
	Width:     640,
	Height:    400,
	TimeScale: 50 * time.Millisecond,
	Params: []lab.Param{
		{Name: "n", Label: "Replicas (N)", Help: "How many replicas hold every key.", Kind: lab.Int, Min: 1, Max: 9, Default: 3},
		{Name: "w", Label: "Write quorum (W)", Help: "How many replicas must ack a write before it succeeds.", Kind: lab.Int, Min: 1, Max: 9, Default: 2, Bound: "n"},
		{Name: "r", Label: "Read quorum (R)", Help: "How many replicas must reply before a read returns the newest version among them.", Kind: lab.Int, Min: 1, Max: 9, Default: 2, Bound: "n"},
		{Name: "latency", Label: "Latency", Help: "Mean one-way delay of a message.", Unit: "ms", Kind: lab.Float, Min: 1, Max: 200, Step: 1, Default: 20},
		{Name: "spread", Label: "Latency spread", Help: "Each message takes the mean latency plus or minus up to this much.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 200, Step: 1, Default: 10},
		{Name: "loss", Label: "Message loss", Help: "Chance that any one message is lost.", Unit: "%", Kind: lab.Float, Min: 0, Max: 50, Step: 1, Default: 0},
		{Name: "keys", Label: "Keys", Help: "How many keys the clients use (x, y, z, u, v).", Kind: lab.Int, Min: 1, Max: 5, Default: 2},
		{Name: "writes", Label: "Writes", Help: "Share of operations that are writes; the rest are reads.", Unit: "%", Kind: lab.Int, Min: 0, Max: 100, Step: 5, Default: 50},
		{Name: "think", Label: "Think time", Help: "Mean pause of a client between one operation and the next.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 1000, Step: 10, Default: 60},
		{Name: "clients", Label: "Clients", Help: "Clients running operations at the same time.", Kind: lab.Int, Min: 1, Max: 4, Default: 1},
		{Name: "timeout", Label: "Timeout", Help: "How long a client waits for its quorum before the operation fails.", Unit: "ms", Kind: lab.Float, Min: 10, Max: 2000, Step: 10, Default: 250},
		{Name: "ops", Label: "Operations", Help: "Client operations in the whole run.", Kind: lab.Int, Min: 1, Max: 100000, Default: 2000, Advanced: true},
	},
	Actions: []lab.Action{
		{Name: "crash", Label: "Crash node", Help: "Take a replica down: it drops every message until it recovers, but keeps its data.", Arg: "node", ArgParam: "n"},
		{Name: "recover", Label: "Recover node", Help: "Bring a crashed replica back with the versions it had.", Arg: "node", ArgParam: "n"},
		{Name: "write", Label: "Write now", Help: "The client writes a new version of a key now."},
		{Name: "read", Label: "Read now", Help: "The client reads a key now."},
	},
	Metrics: []lab.Metric{
		{Name: "writes_ok", Label: "Writes OK", Help: "Writes acknowledged by W replicas in time."},
		{Name: "writes_failed", Label: "Failed writes", Help: "Writes that timed out before W acks; some replicas may still hold them."},
		{Name: "reads_ok", Label: "Reads OK", Help: "Reads answered by R replicas in time, stale or not."},
		{Name: "reads_failed", Label: "Failed reads", Help: "Reads that timed out before R replies."},
		{Name: "stale_reads", Label: "Stale reads", Help: "Reads that returned a version older than a write acknowledged before the read began."},
	},
	Presets: []lab.Preset{
		{Name: "dynamo", Label: "Dynamo (3,2,2)", Help: "Dynamo's common setting: W+R > N, so every read overlaps the last write.",
			Values: map[string]string{"n": "3", "w": "2", "r": "2"}},
		{Name: "fast-stale", Label: "Fast but stale (3,1,1)", Help: "One ack and one reply are enough: fast, but with three busy clients on one key a read often misses the last write.",
			Values: map[string]string{"n": "3", "w": "1", "r": "1", "spread": "40", "keys": "1", "clients": "3", "think": "0"}},
		{Name: "strict5", Label: "Five replicas (5,3,3)", Help: "Majorities of five: reads and writes both survive two crashed replicas.",
			Values: map[string]string{"n": "5", "w": "3", "r": "3"}},
	},
	Validate: validate,
	Repair:   repair,
}

// validate checks that both quorums fit in the replicas.
func validate(v lab.Values) error {
	n := v.Int("n")
	var bad []string
	for _, q := range []string{"w", "r"} {
		if x := v.Int(q); x > n {
			bad = append(bad, fmt.Sprintf("%s=%d > n=%d", q, x, n))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, ", "))
	}
	return nil
}

// repair clamps W and R to N.
func repair(v lab.Values) {
	n := v.Int("n")
	v["w"] = float64(min(v.Int("w"), n))
	v["r"] = float64(min(v.Int("r"), n))
}
