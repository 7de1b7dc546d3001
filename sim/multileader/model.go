package multileader

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scaling-data/book/sim/engine"
	"github.com/scaling-data/book/sim/lab"
)

const (
	logSize = 500 // narration events
	window  = 64  // earlier writes a new write is checked against for conflicts
)

// Fields of the shared record.
const (
	Title = iota // a register: the record's name
	Items        // a set with add and remove: a shopping list
	Likes        // a counter
	fields
)

// FieldName names field f.
func FieldName(f int) string { return [...]string{"title", "items", "likes"}[f] }

var regionNames = []string{"US", "EU", "Asia"}

// RegionName names region r.
func RegionName(r int) string { return regionNames[r] }

var pool = []string{"milk", "eggs", "bread", "tea", "jam", "rice"}

// VV is a version vector: how many writes of each region a state reflects.
type VV []int

// leq reports whether a happened before or equals b.
func (a VV) leq(b VV) bool {
	for i := range a {
		if a[i] > b[i] {
			return false
		}
	}
	return true
}

func (a VV) merge(b VV) {
	for i := range a {
		a[i] = max(a[i], b[i])
	}
}

// sib is one of a field's concurrent values, with the version vector of
// the write that made it.
type sib struct {
	val string
	vv  VV
}

type tag struct {
	elem string
	id   int
}

// field is one field of one region's copy, in every representation the
// strategies use (each strategy touches only its own).
type field struct {
	// LWW: the value and its timestamp, ties broken by region.
	val string
	ts  time.Duration
	by  int
	// CRDT register and App: the values not yet superseded.
	sibs []sib
	// CRDT counter: increments and decrements per region.
	p, n []int
	// CRDT set: tagged adds and the tags removed.
	adds  []tag
	tombs []int // sorted
}

// state is one region's copy of the record.
type state struct {
	vv VV
	f  [fields]field
}

func (s *state) clone() *state {
	c := &state{vv: slices.Clone(s.vv)}
	for k := range fields {
		f := s.f[k]
		c.f[k] = field{val: f.val, ts: f.ts, by: f.by, sibs: slices.Clone(f.sibs), p: slices.Clone(f.p), n: slices.Clone(f.n),
			adds: slices.Clone(f.adds), tombs: slices.Clone(f.tombs)}
	}
	return c
}

// Write is one edit of one field, as the lost-write check sees it.
type Write struct {
	ID      int
	Region  int
	Field   int
	Op      string // "set", "add", "remove", "like", "unlike", or "merge" (an application merge)
	Arg     string
	vv      VV
	real    bool // made by a user (merges are not)
	dropped bool // LWW: it lost to a higher timestamp in its own region
}

// Model is a running multi-leader lab. Endpoint r of its network is the
// leader of region r.
type Model struct {
	regions, strategy, ops int
	skew                   []time.Duration
	think                  time.Duration

	sim *engine.Sim
	net *engine.Network
	log *engine.Log

	states []*state
	writes []Write
	nextID int
	issued int

	conflicts, siblings int
	lost                int
	dirty               bool
	lastConflict        string
}

var _ lab.Model = (*Model)(nil)

// New returns a multi-leader model at time zero. Values out of range are
// clamped and missing ones take their defaults.
func New(in lab.Values, seed uint64) *Model {
	v := Schema.Defaults()
	for _, p := range Schema.Params {
		if x, ok := in[p.Name]; ok && !math.IsNaN(x) {
			v[p.Name] = p.Clamp(x)
		}
	}
	m := &Model{
		regions: v.Int("regions"), strategy: v.Int("strategy"), ops: v.Int("ops"),
		skew:  []time.Duration{v.Ms("skew_us"), v.Ms("skew_eu"), v.Ms("skew_asia")},
		think: v.Ms("think"),
		sim:   engine.NewSim(seed),
		log:   engine.NewLog(logSize),
	}
	lat := v.Ms("latency")
	m.net = engine.NewNetwork(m.sim, m.regions, engine.Latency{Mean: lat, Spread: lat / 4})
	for range m.regions {
		s := &state{vv: make(VV, m.regions)}
		for k := range fields {
			s.f[k].p, s.f[k].n, s.f[k].by = make([]int, m.regions), make([]int, m.regions), -1
		}
		s.f[Likes].val = "0"
		m.states = append(m.states, s)
	}
	for r := range m.regions {
		m.rest(r)
	}
	return m
}

// Now is the current virtual time.
func (m *Model) Now() time.Duration { return m.sim.Now() }

// Advance runs the simulation up to t.
func (m *Model) Advance(t time.Duration) { m.sim.Advance(t) }

// Done reports that every edit has been made and every region has heard
// of every other's.
func (m *Model) Done() bool { return m.issued >= m.ops && m.net.Busy() == 0 }

// Log is the narration.
func (m *Model) Log() *engine.Log { return m.log }

// Metrics returns conflicts, lost_writes, converged and merge_siblings.
func (m *Model) Metrics() []float64 {
	conv := 0.0
	if m.Converged() {
		conv = 1
	}
	return []float64{float64(m.conflicts), float64(m.Lost()), conv, float64(m.siblings)}
}

// Regions is the number of regions.
func (m *Model) Regions() int { return m.regions }

// Strategy is the conflict-resolution strategy: LWW, CRDT or App.
func (m *Model) Strategy() int { return m.strategy }

// Clock is region r's clock: true time plus its skew.
func (m *Model) Clock(r int) time.Duration { return m.Now() + m.skew[r] }

// Skew is region r's clock skew.
func (m *Model) Skew(r int) time.Duration { return m.skew[r] }

// Seen is how many writes of each region region r has seen.
func (m *Model) Seen(r int) []int { return slices.Clone(m.states[r].vv) }

// LastConflict describes the most recent conflict, or is empty.
func (m *Model) LastConflict() string { return m.lastConflict }

// InFlight returns the messages on their way, oldest first.
func (m *Model) InFlight() []engine.Message { return m.net.InFlight() }

// Values returns what region r shows for field f: one value, or several
// siblings.
func (m *Model) Values(r, f int) []string {
	fl := &m.states[r].f[f]
	switch {
	case m.strategy == LWW:
		return []string{fl.val}
	case m.strategy == CRDT && f == Likes:
		sum := 0
		for i := range fl.p {
			sum += fl.p[i] - fl.n[i]
		}
		return []string{strconv.Itoa(sum)}
	case m.strategy == CRDT && f == Items:
		return []string{orset(fl)}
	case len(fl.sibs) == 0:
		return []string{m.states[r].f[f].val}
	}
	out := make([]string, len(fl.sibs))
	for i, s := range fl.sibs {
		out[i] = s.val
	}
	slices.Sort(out)
	return out
}

// orset is the value of an OR-set: the elements with a tag not removed.
func orset(fl *field) string {
	var out []string
	for _, t := range fl.adds {
		if _, gone := slices.BinarySearch(fl.tombs, t.id); !gone && !slices.Contains(out, t.elem) {
			out = append(out, t.elem)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// Converged reports whether every region shows the same record.
func (m *Model) Converged() bool {
	for r := 1; r < m.regions; r++ {
		for f := range fields {
			if !slices.Equal(m.Values(0, f), m.Values(r, f)) {
				return false
			}
		}
	}
	return true
}

// Do applies a reader's action.
func (m *Model) Do(action string, arg int) error {
	switch action {
	case "alice":
		m.alice()
	case "bob":
		m.bob()
	case "both":
		m.alice()
		m.bob()
	default:
		return fmt.Errorf("unknown action %q (want both, alice or bob)", action)
	}
	return nil
}

func (m *Model) alice() {
	m.log.Add(m.Now(), "user", "Alice edits the record in %s", RegionName(0))
	m.write(0, Title, "set", fmt.Sprintf("Alice's list %d", m.nextID+1))
	m.write(0, Likes, "like", "")
	m.write(0, Items, "add", "cake")
}

func (m *Model) bob() {
	m.log.Add(m.Now(), "user", "Bob edits the record in %s", RegionName(1))
	m.write(1, Title, "set", fmt.Sprintf("Bob's list %d", m.nextID+1))
	m.write(1, Likes, "like", "")
	m.write(1, Items, "remove", "milk")
}

// rest lets region r's users pause, then edit the record.
func (m *Model) rest(r int) {
	d := time.Duration(m.sim.Rand().ExpFloat64() * float64(m.think))
	m.sim.After(d, func() {
		if m.issued >= m.ops {
			return
		}
		m.issued++
		rnd := m.sim.Rand()
		switch f := rnd.IntN(fields); f {
		case Title:
			m.write(r, Title, "set", fmt.Sprintf("%s list %d", RegionName(r), m.nextID+1))
		case Items:
			x := pool[rnd.IntN(len(pool))]
			op := "add"
			if rnd.IntN(2) == 0 {
				op = "remove"
			}
			m.write(r, Items, op, x)
		default:
			op := "like"
			if rnd.IntN(4) == 0 {
				op = "unlike"
			}
			m.write(r, Likes, op, "")
		}
		m.rest(r)
	})
}

// write makes one edit in region r and sends the region's record to the
// others.
func (m *Model) write(r, f int, op, arg string) {
	s := m.states[r]
	s.vv[r]++
	m.nextID++
	w := Write{ID: m.nextID, Region: r, Field: f, Op: op, Arg: arg, vv: slices.Clone(s.vv), real: true}
	m.countConflicts(w)
	m.writes = append(m.writes, w)
	m.dirty = true
	fl := &s.f[f]
	switch m.strategy {
	case LWW:
		ts, val := m.Clock(r), apply(f, op, arg, fl.val)
		if fl.by >= 0 && !newer(ts, r, val, fl) {
			// Like any other write, a local one loses to a higher timestamp.
			m.log.Add(m.Now(), "lww", "%s: %s has timestamp %s, older than the %s it would replace (%s): silently dropped",
				RegionName(r), describe(f, op, arg), clock(ts), FieldName(f), clock(fl.ts))
			m.writes[len(m.writes)-1].dropped = true
			m.send(r)
			return
		}
		fl.val, fl.ts, fl.by = val, ts, r
	case CRDT:
		switch f {
		case Title:
			m.supersede(fl, w.vv)
			fl.sibs = []sib{{arg, w.vv}}
		case Likes:
			if op == "like" {
				fl.p[r]++
			} else {
				fl.n[r]++
			}
		case Items:
			if op == "add" {
				fl.adds = append(fl.adds, tag{arg, w.ID})
			} else {
				for _, t := range fl.adds {
					if _, gone := slices.BinarySearch(fl.tombs, t.id); t.elem == arg && !gone {
						fl.tombs = insertSorted(fl.tombs, t.id)
					}
				}
			}
		}
	case App:
		for k := range fields {
			if k != f && len(s.f[k].sibs) > 1 {
				v := m.appMerge(r, k)
				m.supersede(&s.f[k], w.vv)
				s.f[k].sibs = []sib{{v, w.vv}}
				m.writes = append(m.writes, Write{ID: w.ID, Region: r, Field: k, Op: "merge", Arg: v, vv: w.vv})
			}
		}
		base := fl.val
		if len(fl.sibs) > 0 {
			base = m.appMerge(r, f)
		}
		m.supersede(fl, w.vv)
		fl.sibs = []sib{{apply(f, op, arg, base), w.vv}}
	}
	text := fmt.Sprintf("%s: %s", RegionName(r), describe(f, op, arg))
	if m.strategy == LWW {
		text += fmt.Sprintf(" (timestamp %s)", clock(fl.ts))
	}
	m.log.Add(m.Now(), "write", "%s", text)
	m.send(r)
}

// send sends region r's record to the other regions.
func (m *Model) send(r int) {
	for j := range m.regions {
		if j != r {
			m.net.Send(r, j, "sync", m.states[r].clone(), m.receive)
		}
	}
}

// newer reports whether a value written at timestamp ts by region by
// beats fl's under last-write-wins: the higher timestamp wins, then the
// higher region, then the greater value, so every region picks the same.
func newer(ts time.Duration, by int, val string, fl *field) bool {
	if ts != fl.ts {
		return ts > fl.ts
	}
	if by != fl.by {
		return by > fl.by
	}
	return val > fl.val
}

// supersede counts the siblings a write that saw them replaces.
func (m *Model) supersede(fl *field, vv VV) {
	if len(fl.sibs) > 1 {
		m.siblings += len(fl.sibs)
	}
}

// appMerge is the application's merge of region r's siblings of field f:
// the user keeps their own region's title (or the first), lists are
// united, and counters take the highest value (a common, lossy choice).
func (m *Model) appMerge(r, f int) string {
	fl := &m.states[r].f[f]
	vals := m.Values(r, f)
	switch f {
	case Title:
		for _, s := range fl.sibs {
			if strings.HasPrefix(s.val, RegionName(r)) {
				return s.val
			}
		}
		return vals[0]
	case Items:
		var all []string
		for _, v := range vals {
			for _, x := range split(v) {
				if !slices.Contains(all, x) {
					all = append(all, x)
				}
			}
		}
		slices.Sort(all)
		return strings.Join(all, ",")
	}
	best := 0
	for _, v := range vals {
		n, _ := strconv.Atoi(v)
		best = max(best, n)
	}
	return strconv.Itoa(best)
}

// apply applies an edit to a whole value (LWW and App).
func apply(f int, op, arg, cur string) string {
	switch f {
	case Title:
		return arg
	case Items:
		items := split(cur)
		i := slices.Index(items, arg)
		switch {
		case op == "add" && i < 0:
			items = append(items, arg)
			slices.Sort(items)
		case op == "remove" && i >= 0:
			items = slices.Delete(items, i, i+1)
		}
		return strings.Join(items, ",")
	}
	n, _ := strconv.Atoi(cur)
	if op == "like" {
		return strconv.Itoa(n + 1)
	}
	return strconv.Itoa(n - 1)
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func insertSorted(s []int, x int) []int {
	i, found := slices.BinarySearch(s, x)
	if found {
		return s
	}
	return slices.Insert(s, i, x)
}

// receive merges another region's record into this region's.
func (m *Model) receive(msg engine.Message) {
	in, s := msg.Payload.(*state), m.states[msg.To]
	m.dirty = true
	for k := range fields {
		a, b := &s.f[k], &in.f[k]
		switch m.strategy {
		case LWW:
			if b.by >= 0 && (a.by < 0 || newer(b.ts, b.by, b.val, a)) {
				if a.by >= 0 && a.val != b.val && !s.vv.leq(in.vv) {
					m.log.Add(m.Now(), "lww", "%s: %s %s (timestamp %s) replaces %s (timestamp %s)", RegionName(msg.To), FieldName(k), show(b.val), clock(b.ts), show(a.val), clock(a.ts))
				}
				a.val, a.ts, a.by = b.val, b.ts, b.by
			} else if b.by >= 0 && b.val != a.val && !in.vv.leq(s.vv) {
				m.log.Add(m.Now(), "lww", "%s: keeps %s %s (timestamp %s), drops %s (timestamp %s)", RegionName(msg.To), FieldName(k), show(a.val), clock(a.ts), show(b.val), clock(b.ts))
			}
		case CRDT:
			switch k {
			case Likes:
				for i := range a.p {
					a.p[i], a.n[i] = max(a.p[i], b.p[i]), max(a.n[i], b.n[i])
				}
			case Items:
				for _, t := range b.adds {
					if !slices.Contains(a.adds, t) {
						a.adds = append(a.adds, t)
					}
				}
				for _, id := range b.tombs {
					a.tombs = insertSorted(a.tombs, id)
				}
			default:
				m.mergeSibs(msg.To, k, a, b)
			}
		case App:
			m.mergeSibs(msg.To, k, a, b)
		}
	}
	s.vv.merge(in.vv)
}

// mergeSibs unites two sets of siblings, keeping the values no other
// value has superseded.
func (m *Model) mergeSibs(r, k int, a, b *field) {
	all := append(slices.Clone(a.sibs), b.sibs...)
	var keep []sib
	for i, x := range all {
		dominated := false
		for j, y := range all {
			if i != j && x.vv.leq(y.vv) && (!y.vv.leq(x.vv) || j < i) {
				dominated = true
				break
			}
		}
		if !dominated {
			keep = append(keep, x)
		}
	}
	if len(keep) > 1 && len(keep) > len(a.sibs) {
		m.log.Add(m.Now(), "siblings", "%s: %s has %d concurrent values: %s", RegionName(r), FieldName(k), len(keep), joinShow(keep))
	}
	a.sibs = keep
}

// countConflicts counts the earlier writes to the same field that w's
// region had not seen.
func (m *Model) countConflicts(w Write) {
	seen := 0
	for i := len(m.writes) - 1; i >= 0 && seen < window; i-- {
		o := m.writes[i]
		if !o.real {
			continue
		}
		seen++
		if o.Field == w.Field && !o.vv.leq(w.vv) {
			m.conflicts++
			m.lastConflict = fmt.Sprintf("%s %s in %s vs %s in %s", FieldName(w.Field), describeShort(o), RegionName(o.Region), describeShort(w), RegionName(w.Region))
		}
	}
}

// Lost counts the writes, among those region 0 has seen, whose effect is
// missing from region 0's record though no later write saw and replaced
// them: a register value neither present nor superseded, an add whose
// element is absent and was never removed after it, a remove whose
// element is back though every add of it came before, and counter
// updates missing from the total.
func (m *Model) Lost() int {
	if !m.dirty {
		return m.lost
	}
	m.dirty = false
	s := m.states[0]
	var ws []Write
	for _, w := range m.writes {
		if w.vv[w.Region] <= s.vv[w.Region] {
			ws = append(ws, w)
		}
	}
	lost := 0
	titles := m.Values(0, Title)
	items := m.resolved(Items)
	for _, w := range ws {
		switch {
		case w.dropped && w.Field != Likes:
			lost++
		case w.dropped:
		case w.Field == Title && w.real && !slices.Contains(titles, w.Arg):
			if !slices.ContainsFunc(ws, func(o Write) bool { return o.Field == Title && o.ID != w.ID && w.vv.leq(o.vv) }) {
				lost++
			}
		case w.Field == Items && w.Op == "add" && !slices.Contains(items, w.Arg):
			if !slices.ContainsFunc(ws, func(o Write) bool { return o.Op == "remove" && o.Arg == w.Arg && w.vv.leq(o.vv) }) {
				lost++
			}
		case w.Field == Items && w.Op == "remove" && slices.Contains(items, w.Arg):
			if !slices.ContainsFunc(ws, func(o Write) bool { return o.Op == "add" && o.Arg == w.Arg && !o.vv.leq(w.vv) }) {
				lost++
			}
		}
	}
	want := 0
	for _, w := range ws {
		switch w.Op {
		case "like":
			want++
		case "unlike":
			want--
		}
	}
	got, _ := strconv.Atoi(m.resolved(Likes)[0])
	lost += abs(want - got)
	m.lost = lost
	return lost
}

// resolved is region 0's value of field f with siblings merged the way
// the application would (lists united, counters at their highest).
func (m *Model) resolved(f int) []string {
	if m.strategy == App && len(m.states[0].f[f].sibs) > 1 {
		return split(m.appMerge(0, f))
	}
	v := m.Values(0, f)
	if f == Items {
		return split(v[0])
	}
	return v
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func describe(f int, op, arg string) string {
	switch op {
	case "set":
		return fmt.Sprintf("title := %q", arg)
	case "add":
		return "items += " + arg
	case "remove":
		return "items −= " + arg
	case "like":
		return "likes +1"
	}
	return "likes −1"
}

func describeShort(w Write) string {
	switch w.Op {
	case "set":
		return strconv.Quote(w.Arg)
	case "add":
		return "+" + w.Arg
	case "remove":
		return "−" + w.Arg
	case "like":
		return "+1"
	}
	return "−1"
}

func show(v string) string {
	if v == "" {
		return "(empty)"
	}
	return strconv.Quote(v)
}

func joinShow(s []sib) string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = show(x.val)
	}
	return strings.Join(out, " and ")
}

// clock formats a timestamp: "1203 ms".
func clock(t time.Duration) string {
	return fmt.Sprintf("%.0f ms", float64(t)/float64(time.Millisecond))
}
