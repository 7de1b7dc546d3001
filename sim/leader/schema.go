// Package leader is the lab "Leader-follower replication": one primary
// takes every write and streams its log (the WAL) to replicas, which apply
// it in order. Writes are acknowledged synchronously, semi-synchronously or
// asynchronously; reads go to the primary or to replicas that may lag;
// session guarantees (read-your-writes, monotonic reads) make replicas wait
// for a client's log position; and failover promotes the most up-to-date
// replica when the primary dies, losing what it had not yet shipped.
package leader

import (
	"time"

	"github.com/scaling-data/book/sim/lab"
)

// Lab is the leader-follower lab: its schema and its model.
var Lab = lab.Lab{
	Schema: &Schema,
	New:    func(v lab.Values, seed uint64) lab.Model { return New(v, seed) },
}

// Replication modes, in the order of the "mode" parameter's options.
const (
	Sync     = 0 // wait for the synchronous standby to flush
	SemiSync = 1 // wait for one replica, until a timeout, then fall back
	Async    = 2 // acknowledge after the local commit
)

// Read routing, in the order of the "reads" parameter's options.
const (
	ReadPrimary  = 0
	ReadReplicas = 1
)

// Promotion, in the order of the "promotion" parameter's options.
const (
	Auto   = 0
	Manual = 1
)

// Schema declares the leader lab's parameters, actions, metrics and presets.
var Schema = lab.Schema{
	Name:      "leader",
	Title:     "Leader-follower replication",
	Summary:   "A primary streams its log to replicas: see replication lag, the reads it makes stale, the session guarantees that hide it, and what a failover loses.",
	Chapter:   "02-leader-follower.md",
	Width:     720,
	Height:    440,
	TimeScale: 250 * time.Millisecond,
	Params: []lab.Param{
		{Name: "nodes", Label: "Servers", Help: "One primary and nodes − 1 replicas (A is the first primary).", Kind: lab.Int, Min: 2, Max: 6, Default: 3},
		{Name: "mode", Label: "Replication", Help: "sync: a write waits for the synchronous standby; semisync: for any one replica, until the timeout; async: for nothing.", Kind: lab.Enum, Options: []string{"sync", "semisync", "async"}, Default: Async},
		{Name: "lag", Label: "Replication delay", Help: "Mean extra delay before a log record reaches a replica (a busy primary, a slow link, a replica that cannot keep up); each replica gets between half and one and a half times this.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 2000, Step: 10, Default: 50},
		{Name: "reads", Label: "Reads go to", Help: "Where clients send reads: the primary, or any replica.", Kind: lab.Enum, Options: []string{"primary", "replicas"}, Default: ReadReplicas},
		{Name: "ryw", Label: "Read your writes", Help: "A read carries the log position of the client's last write, and a replica waits until it has applied it.", Kind: lab.Bool, Default: 0},
		{Name: "monotonic", Label: "Monotonic reads", Help: "A read carries the highest log position the client has read, and a replica waits until it has applied it.", Kind: lab.Bool, Default: 0},
		{Name: "failover", Label: "Scripted failover", Help: "The primary dies a quarter of the way through the run, just after a commit, and restarts after the outage.", Kind: lab.Bool, Default: 0},
		{Name: "promotion", Label: "Promotion", Help: "auto: the failover manager promotes a replica after the detection timeout; manual: it pages an operator.", Kind: lab.Enum, Options: []string{"auto", "manual"}, Default: Auto},
		{Name: "detect", Label: "Detection timeout", Help: "How long the primary must be unreachable before it is declared dead.", Unit: "ms", Kind: lab.Float, Min: 100, Max: 10000, Step: 100, Default: 1000},
		{Name: "fencing", Label: "Fencing", Help: "A deposed primary that comes back learns it was replaced and refuses writes; without fencing it keeps accepting them.", Kind: lab.Bool, Default: 1},
		{Name: "rediscover", Label: "Rediscovery delay", Help: "Clients learn the new primary up to this long after a promotion (a DNS TTL, a proxy's health check).", Unit: "ms", Kind: lab.Float, Min: 0, Max: 10000, Step: 100, Default: 2000},
		{Name: "latency", Label: "Latency", Help: "Mean one-way network delay; each message takes this plus or minus half of it.", Unit: "ms", Kind: lab.Float, Min: 1, Max: 200, Step: 1, Default: 20},
		{Name: "clients", Label: "Clients", Help: "Client sessions running the workload, besides you.", Kind: lab.Int, Min: 1, Max: 4, Default: 3},
		{Name: "writes", Label: "Writes", Help: "Share of operations that are writes (each read back at once, as a page reload would); the rest read a random record.", Unit: "%", Kind: lab.Int, Min: 0, Max: 100, Step: 5, Default: 50},
		{Name: "think", Label: "Think time", Help: "Mean pause of a client between one operation and the next.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 1000, Step: 10, Default: 100},
		{Name: "semitimeout", Label: "Semi-sync timeout", Help: "How long a semi-synchronous primary waits for a replica before it falls back to asynchronous.", Unit: "ms", Kind: lab.Float, Min: 50, Max: 10000, Step: 50, Default: 500, Advanced: true, When: &lab.When{Param: "mode", Is: []string{"semisync"}}},
		{Name: "operator", Label: "Operator delay", Help: "With manual promotion: how long after the alert an operator promotes a replica.", Unit: "ms", Kind: lab.Float, Min: 0, Max: 60000, Step: 500, Default: 5000, Advanced: true, When: &lab.When{Param: "promotion", Is: []string{"manual"}}},
		{Name: "outage", Label: "Outage", Help: "With the scripted failover: how long the killed primary stays down before it restarts.", Unit: "ms", Kind: lab.Float, Min: 100, Max: 30000, Step: 100, Default: 8000, Advanced: true, When: &lab.When{Param: "failover", Is: []string{"on"}}},
		{Name: "timeout", Label: "Client timeout", Help: "How long a client waits for an answer before the operation fails.", Unit: "ms", Kind: lab.Float, Min: 50, Max: 5000, Step: 50, Default: 1000, Advanced: true},
		{Name: "ops", Label: "Operations", Help: "Workload operations in the whole run.", Kind: lab.Int, Min: 1, Max: 20000, Default: 400, Advanced: true},
	},
	Actions: []lab.Action{
		{Name: "post", Label: "Post, then reload", Help: "You write your profile, then read it straight back: does your change show?"},
		{Name: "kill", Label: "Kill primary", Help: "The current primary crashes; its unshipped log records die with it."},
		{Name: "promote", Label: "Promote now", Help: "Act as the operator: promote the most up-to-date replica now."},
		{Name: "restart", Label: "Restart server", Help: "A crashed server comes back: fenced and rejoined as a replica, or, without fencing, still acting as primary.", Arg: "node", ArgParam: "nodes"},
		{Name: "spike", Label: "Lag spike", Help: "Replication to this replica stalls for 2 s (a network hiccup, or a long query holding up replay); it keeps serving reads.", Arg: "node", ArgParam: "nodes"},
	},
	Metrics: []lab.Metric{
		{Name: "write_p50_ms", Label: "Write p50", Unit: "ms", Help: "Median latency of acknowledged writes, from request to acknowledgment."},
		{Name: "write_p99_ms", Label: "Write p99", Unit: "ms", Help: "99th-percentile latency of acknowledged writes."},
		{Name: "replica_lag_ms_max", Label: "Max replica lag", Unit: "ms", Help: "The longest time between a record's commit on the primary and its apply on a replica."},
		{Name: "ryw_violations", Label: "Read-your-writes violations", Help: "Reads of a client's own record that returned an older version than the client's last acknowledged write."},
		{Name: "monotonic_violations", Label: "Monotonic-read violations", Help: "Reads that returned an older version of a record than the same client had already read."},
		{Name: "failover_downtime_ms", Label: "Failover downtime", Unit: "ms", Help: "Time from a primary's crash until a write is next acknowledged by the primary that replaced it."},
		{Name: "lost_writes", Label: "Lost writes", Help: "Acknowledged writes missing from the promoted replica: the old primary never shipped them."},
		{Name: "split_brain_writes", Label: "Split-brain writes", Help: "Writes acknowledged by a deposed primary that still believed it led."},
	},
	Presets: []lab.Preset{
		{Name: "stale", Label: "Async replicas, stale reads", Help: "Asynchronous replication with reads on replicas: writes are fast, and a client often misses its own write.",
			Values: map[string]string{"mode": "async", "lag": "100", "reads": "replicas"}},
		{Name: "sessions", Label: "Session guarantees", Help: "The same lagging replicas, with read-your-writes and monotonic reads on.",
			Values: map[string]string{"mode": "async", "lag": "100", "reads": "replicas", "ryw": "on", "monotonic": "on"}},
		{Name: "sync", Label: "Synchronous standby", Help: "Every write waits for the synchronous standby to flush it.",
			Values: map[string]string{"mode": "sync", "lag": "100"}},
		{Name: "lossy-failover", Label: "Async failover", Help: "The primary dies with unshipped writes; a replica is promoted without them.",
			Values: map[string]string{"mode": "async", "lag": "200", "failover": "on"}},
		{Name: "split-brain", Label: "Split brain", Help: "No fencing and a slow DNS: the old primary comes back and keeps taking writes.",
			Values: map[string]string{"mode": "async", "failover": "on", "fencing": "off", "outage": "1500", "rediscover": "3000"}},
	},
}
