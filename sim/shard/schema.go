// Package shard is the lab "Sharding and rebalancing": keys spread over
// shards by one of eight strategies (hash mod N, key ranges, a directory of
// tenants, regions, a consistent-hashing ring with virtual nodes, fixed
// logical partitions, jump hash and rendezvous hashing). Adding or removing
// a shard starts a rate-limited move that can be paused halfway; reads
// issued during the move show where they go, and a range query shows how
// many shards it must ask.
//
// Keys are kept compactly (one uint64 and two bytes each), so a model holds
// a million keys and plans a rebalance of all of them in milliseconds.
package shard

import (
	"fmt"
	"time"

	"github.com/scaling-data/book/sim/lab"
)

// Lab is the shard lab: its schema and its model.
var Lab = lab.Lab{
	Schema: &Schema,
	New:    func(v lab.Values, seed uint64) lab.Model { return New(v, seed) },
}

// MaxShards is the most shards a model runs (and the view draws).
const MaxShards = 16

// Strategies, in the order of the "strategy" parameter's options.
const (
	Mod Strategy = iota
	Range
	Directory
	Geo
	Ring
	Logical
	Jump
	Rendezvous
)

// Strategy is how keys are assigned to shards.
type Strategy int

var strategyNames = []string{"mod", "range", "directory", "geo", "ring", "logical", "jump", "rendezvous"}

var strategyTitles = []string{
	"hash mod N", "key ranges", "directory of tenants", "regions",
	"consistent hashing", "logical partitions", "jump hash", "rendezvous hashing",
}

func (s Strategy) String() string { return strategyNames[s] }

// Title is the strategy's name in prose: "consistent hashing".
func (s Strategy) Title() string { return strategyTitles[s] }

// Key sets, in the order of the "keyset" parameter's options.
const (
	Uniform Keyset = iota
	Users
	Sequential
	UUID
	Zipf
	IDs
)

// Keyset is what the keys look like and how the workload picks them.
type Keyset int

var keysetNames = []string{"uniform", "users", "sequential", "uuid", "zipf", "ids"}

func (k Keyset) String() string { return keysetNames[k] }

// Schema declares the shard lab's parameters, actions, metrics and presets.
var Schema = lab.Schema{
	Name:      "shard",
	Title:     "Sharding and rebalancing",
	Summary:   "Spread keys over shards by hash, range, directory, region, ring or logical partitions; add or remove a shard and watch which keys move.",
	Chapter:   "10-partitioning.md",
	Width:     640,
	Height:    460,
	TimeScale: time.Second,
	Params: []lab.Param{
		{Name: "strategy", Label: "Strategy", Help: "How a key's shard is chosen.", Kind: lab.Enum, Options: strategyNames},
		{Name: "shards", Label: "Shards", Help: "Shards (machines) at the start.", Kind: lab.Int, Min: 1, Max: MaxShards, Default: 4},
		{Name: "keys", Label: "Keys", Help: "Keys stored at the start; the view draws a sample of at most 2,000.", Kind: lab.Int, Min: 100, Max: 1_000_000, Step: 100, Default: 10_000},
		{Name: "keyset", Label: "Key set", Help: "uniform random numbers, usernames, sequential auto-increment ids, random UUIDs, a Zipf workload with one celebrity key, or Instagram-style 64-bit ids.", Kind: lab.Enum, Options: keysetNames},
		{Name: "vnodes", Label: "Virtual nodes per shard (V)", Help: "Points each shard places on the consistent-hashing ring.", Kind: lab.Int, Min: 1, Max: 1000, Default: 100, When: &lab.When{Param: "strategy", Is: []string{"ring"}}},
		{Name: "partitions", Label: "Logical partitions", Help: "Fixed partitions mapped onto the shards (logical strategy); also the shard field of Instagram-style ids.", Kind: lab.Int, Min: 16, Max: 8192, Step: 16, Default: 1024},
		{Name: "rate", Label: "Move rate", Help: "Keys copied per second during a rebalance.", Unit: "keys/s", Kind: lab.Int, Min: 100, Max: 1_000_000, Step: 100, Default: 2000},
		{Name: "traffic", Label: "Traffic", Help: "Client operations per second: writes, point reads and range queries.", Unit: "ops/s", Kind: lab.Int, Min: 0, Max: 200, Default: 20},
		{Name: "writes", Label: "Writes", Help: "Share of operations that are writes; 5% are range queries and the rest point reads.", Unit: "%", Kind: lab.Int, Min: 0, Max: 95, Step: 5, Default: 30},
		{Name: "ops", Label: "Operations", Help: "Client operations in the whole run.", Kind: lab.Int, Min: 0, Max: 100_000, Default: 3600, Advanced: true},
		{Name: "add", Label: "Scripted adds", Help: "Shards to add, one after another, starting one second into the run.", Kind: lab.Int, Min: 0, Max: MaxShards - 1, Default: 0, Advanced: true},
		{Name: "remove", Label: "Scripted removes", Help: "Shards to remove (the last one each time) after the scripted adds.", Kind: lab.Int, Min: 0, Max: MaxShards - 1, Default: 0, Advanced: true},
	},
	Actions: []lab.Action{
		{Name: "remove", Label: "Remove shard", Help: "Take the chosen shard away; its keys move to the others.", Arg: "shard", ArgParam: "shards"},
		{Name: "split", Label: "Split range", Help: "Range strategy: split the chosen shard's range at its median onto a new shard.", Arg: "shard", ArgParam: "shards"},
		{Name: "move", Label: "Move partition or tenant", Help: "Logical or directory strategy: move the chosen shard's biggest partition or tenant to the least-loaded shard.", Arg: "shard", ArgParam: "shards"},
		{Name: "add", Label: "Add shard", Help: "Add an empty shard; the strategy decides which keys move to it."},
		{Name: "pause", Label: "Pause or resume move", Help: "Stop copying keys halfway (traffic goes on), or carry on."},
		{Name: "read", Label: "Read a key", Help: "Look up one key now: it lights the shard that serves it."},
		{Name: "scan", Label: "Range query", Help: "Ask for a range of keys now: it lights every shard the query must ask."},
		{Name: "write", Label: "Write a key", Help: "Write a new key now (a new Instagram-style id with the ids key set)."},
	},
	Metrics: []lab.Metric{
		{Name: "keys", Label: "Keys", Help: "Keys stored."},
		{Name: "shards", Label: "Shards", Help: "Shards in use."},
		{Name: "moved_fraction", Label: "Moved (last rebalance)", Unit: "fraction", Help: "Share of all keys that changed shard in the last rebalance; the ideal when adding the (N+1)-th shard is 1/(N+1)."},
		{Name: "moved_keys", Label: "Keys moved", Help: "Keys that changed shard in the last rebalance."},
		{Name: "load_max_over_mean", Label: "Max load / mean", Help: "Keys on the fullest shard divided by the mean per shard; 1 is perfectly even."},
		{Name: "load_stddev_over_mean", Label: "Load spread", Help: "Standard deviation of keys per shard divided by the mean (coefficient of variation)."},
		{Name: "range_query_shards", Label: "Shards per range query", Help: "Shards the last range query had to ask."},
		{Name: "hottest_shard_share", Label: "Writes to hottest shard", Unit: "fraction", Help: "Share of the run's writes that went to the busiest shard."},
		{Name: "double_reads", Label: "Double reads", Help: "Reads during a move that asked the new owner first, found the key not yet copied, and asked the old owner again."},
	},
	Presets: []lab.Preset{
		{Name: "mod", Label: "Hash mod N, add a shard", Help: "Four shards become five: almost every key moves.",
			Values: map[string]string{"strategy": "mod", "shards": "4"}},
		{Name: "ring", Label: "Consistent hashing (V=100)", Help: "Four shards become five: about a fifth of the keys move.",
			Values: map[string]string{"strategy": "ring", "shards": "4", "vnodes": "100"}},
		{Name: "ring1", Label: "Ring without virtual nodes", Help: "One point per shard: uneven arcs, uneven loads.",
			Values: map[string]string{"strategy": "ring", "shards": "4", "vnodes": "1"}},
		{Name: "hotspot", Label: "Range on auto-increment ids", Help: "Every new id is the largest yet, so every write lands on the last range.",
			Values: map[string]string{"strategy": "range", "keyset": "sequential", "writes": "60"}},
		{Name: "celebrity", Label: "Celebrity key", Help: "A Zipf workload: one key takes a quarter of the traffic, and no strategy spreads one key.",
			Values: map[string]string{"strategy": "jump", "keyset": "zipf", "writes": "50"}},
		{Name: "tenants", Label: "Directory of tenants", Help: "A lookup table places each tenant; move the big ones by hand.",
			Values: map[string]string{"strategy": "directory", "shards": "4"}},
		{Name: "instagram", Label: "Instagram: logical shards and ids", Help: "Thousands of logical shards on a few machines; every write gets a 64-bit id with its logical shard inside.",
			Values: map[string]string{"strategy": "logical", "keyset": "ids", "partitions": "4096", "shards": "4", "writes": "50"}},
	},
	Validate: validate,
	Repair:   repair,
}

// validate checks that the scripted adds and removes fit.
func validate(v lab.Values) error {
	n, add, rm := v.Int("shards"), v.Int("add"), v.Int("remove")
	if n+add > MaxShards {
		return fmt.Errorf("shards=%d + add=%d > %d", n, add, MaxShards)
	}
	if rm >= n+add {
		return fmt.Errorf("remove=%d must leave a shard of shards=%d + add=%d", rm, n, add)
	}
	return nil
}

// repair lowers the scripted adds and removes until they fit.
func repair(v lab.Values) {
	n := v.Int("shards")
	add := min(v.Int("add"), MaxShards-n)
	v["add"] = float64(add)
	v["remove"] = float64(min(v.Int("remove"), n+add-1))
}
