// Package truetime is the lab "Time, order and external consistency": a few
// nodes whose clocks drift and are resynchronised, and clients that run
// transactions on them one after another. Four ways of timestamping the
// transactions can be compared:
//
//   - truetime: Spanner's TrueTime. Each node reads an interval
//     [earliest, latest] that contains true time; its half-width ε grows
//     between synchronisations (a sawtooth). A commit takes s = latest and,
//     with commit wait on, waits until earliest > s before it reports
//     success, so a transaction that starts later always gets a larger s.
//   - hlc: CockroachDB's hybrid logical clocks. No commit wait; a read
//     that meets a value whose timestamp lies above its own but within the
//     max clock offset cannot tell whether that write came first, and
//     restarts at the value's timestamp.
//   - lamport and vector: logical clocks, which order what messages
//     connect and nothing else.
//
// The lab counts order violations: transactions that began after another
// had finished and still got a timestamp that does not place them after it.
package truetime

import (
	"time"

	"github.com/scaling-data/book/sim/lab"
)

// Lab is the truetime lab: its schema and its model.
var Lab = lab.Lab{
	Schema: &Schema,
	New:    func(v lab.Values, seed uint64) lab.Model { return New(v, seed) },
}

// Modes, in the order of the "mode" option.
const (
	TrueTime Mode = iota
	Hybrid
	Lamport
	Vector
)

// Mode is how transactions are timestamped.
type Mode int

var modeNames = []string{"truetime", "hlc", "lamport", "vector"}

func (m Mode) String() string { return modeNames[m] }

// Schema declares the truetime lab's parameters, actions, metrics and
// presets.
var Schema = lab.Schema{
	Name:      "truetime",
	Title:     "TrueTime, hybrid and logical clocks",
	Summary:   "Transactions on nodes with imperfect clocks: see how commit wait, hybrid logical clocks and logical clocks order them, and what each costs.",
	Chapter:   "22-time.md",
	Width:     640,
	Height:    400,
	TimeScale: 20 * time.Millisecond,
	Params: []lab.Param{
		{Name: "mode", Label: "Clock", Help: "How transactions get their timestamps: TrueTime intervals, hybrid logical clocks (HLC), Lamport clocks or vector clocks.", Kind: lab.Enum, Options: modeNames, Default: 0},
		{Name: "commitwait", Label: "Commit wait", Help: "TrueTime: after taking s = latest, wait until earliest > s before reporting the commit.", Kind: lab.Bool, Default: 1, When: &lab.When{Param: "mode", Is: []string{"truetime"}}},
		{Name: "epsilon", Label: "Mean uncertainty ε", Help: "Average half-width of a node's clock interval; it runs from ε/4 just after a sync to 7ε/4 just before the next.", Unit: "ms", Kind: lab.Float, Min: 0.5, Max: 20, Step: 0.5, Default: 4},
		{Name: "maxoffset", Label: "Max clock offset", Help: "HLC: the clock offset the cluster assumes; a read is uncertain about values up to this far above its timestamp.", Unit: "ms", Kind: lab.Float, Min: 1, Max: 1000, Step: 1, Default: 500, When: &lab.When{Param: "mode", Is: []string{"hlc"}}},
		{Name: "nodes", Label: "Nodes", Help: "Servers, each with its own clock and the data of one key.", Kind: lab.Int, Min: 2, Max: 5, Default: 3},
		{Name: "clients", Label: "Clients", Help: "Clients running transactions at the same time, each one after another.", Kind: lab.Int, Min: 1, Max: 4, Default: 2},
		{Name: "gap", Label: "Pause between transactions", Help: "Mean time from a client hearing that one transaction committed to its next transaction reaching a node.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 100, Step: 0.5, Default: 2},
		{Name: "latency", Label: "Latency between nodes", Help: "HLC and logical clocks: mean one-way delay when a transaction's gateway forwards it to the node that holds the key.", Unit: "ms", Kind: lab.Float, Min: 1, Max: 200, Step: 1, Default: 30, When: &lab.When{Param: "mode", Is: []string{"hlc", "lamport", "vector"}}},
		{Name: "replicate", Label: "Replication time", Help: "TrueTime: how long the leader takes to replicate a commit after choosing its timestamp; commit wait runs alongside it.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 100, Step: 0.5, Default: 1, Advanced: true, When: &lab.When{Param: "mode", Is: []string{"truetime"}}},
		{Name: "sync", Label: "Sync interval", Help: "How often each node resynchronises its clock; ε grows linearly in between.", Unit: "s", Kind: lab.Float, Min: 1, Max: 60, Step: 1, Default: 30, Advanced: true},
		{Name: "drift", Label: "Clock drift", Help: "Each node's clock runs fast or slow by up to this share of the worst-case drift that the growth of ε allows for; above 100% a clock can leave its interval.", Unit: "%", Kind: lab.Float, Min: 0, Max: 300, Step: 10, Default: 50, Advanced: true},
		{Name: "reads", Label: "Reads", Help: "HLC and logical clocks: share of transactions that read their key; the rest write it.", Unit: "%", Kind: lab.Int, Min: 0, Max: 100, Step: 5, Default: 50, Advanced: true, When: &lab.When{Param: "mode", Is: []string{"hlc", "lamport", "vector"}}},
		{Name: "txns", Label: "Transactions", Help: "Transactions in the whole run.", Kind: lab.Int, Min: 1, Max: 100000, Default: 2000, Advanced: true},
	},
	Actions: []lab.Action{
		{Name: "skew", Label: "Push clock ahead", Help: "The node's clock jumps ahead, beyond what its interval (TrueTime) or the max offset (HLC) allows, until its next sync.", Arg: "node", ArgParam: "nodes"},
		{Name: "sync", Label: "Sync clock now", Help: "The node resynchronises now: its offset and its uncertainty drop back.", Arg: "node", ArgParam: "nodes"},
	},
	Metrics: []lab.Metric{
		{Name: "commit_wait_ms_mean", Label: "Mean commit wait", Unit: "ms", Help: "TrueTime with commit wait: average time from choosing s until earliest > s."},
		{Name: "commit_wait_ms_p99", Label: "p99 commit wait", Unit: "ms", Help: "The commit wait that 99% of commits stay within."},
		{Name: "epsilon_ms_mean", Label: "Mean ε", Unit: "ms", Help: "Average clock uncertainty at the moments transactions took their timestamps (0 for logical clocks)."},
		{Name: "order_violations", Label: "Out of order", Help: "Transactions that began after another had finished, yet whose timestamp does not place them after it; for HLC, reads that missed such a write."},
		{Name: "uncertainty_restarts", Label: "Uncertainty restarts", Help: "HLC: reads that met a value within the max offset above their timestamp and restarted."},
		{Name: "throughput_tps", Label: "Throughput", Unit: "txn/s", Help: "Transactions completed per second of simulated time."},
		{Name: "latency_ms_mean", Label: "Mean latency", Unit: "ms", Help: "Average time from a transaction reaching its first node to its commit (or result) being reported."},
	},
	Presets: []lab.Preset{
		{Name: "spanner", Label: "Spanner: TrueTime + commit wait", Help: "ε averages 4 ms, as in the Spanner paper; every commit waits about 2ε and nothing is out of order.",
			Values: map[string]string{"mode": "truetime", "commitwait": "on", "epsilon": "4"}},
		{Name: "no-wait", Label: "TrueTime without commit wait", Help: "The same clocks, but commits report at once: a later transaction can get an earlier timestamp.",
			Values: map[string]string{"mode": "truetime", "commitwait": "off", "epsilon": "4"}},
		{Name: "cockroach", Label: "CockroachDB: HLC, 500 ms max offset", Help: "Hybrid logical clocks with CockroachDB's default max offset: no commit wait, but reads restart on uncertain values.",
			Values: map[string]string{"mode": "hlc", "maxoffset": "500"}},
		{Name: "lamport", Label: "Lamport clocks", Help: "Counters bumped by every event and message: they respect the messages, not the real-time order of the clients.",
			Values: map[string]string{"mode": "lamport"}},
		{Name: "vector", Label: "Vector clocks", Help: "One counter per node: they tell causally ordered transactions from concurrent ones, and call the client's order concurrent.",
			Values: map[string]string{"mode": "vector"}},
	},
}
