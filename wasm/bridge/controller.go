package bridge

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scaling-data/book/render"
	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/sim/lab"
)

// Controller runs one lab for one page: it owns the model, plays it in
// virtual time, applies the page's messages and collects the messages that
// go back. The wasm entry calls Tick once per frame and Draw when Dirty.
//
// Time travel: a run is its values, seed and the reader's recorded inputs
// (lab.Run), so any moment can be rebuilt by replaying it. Seeking back
// shows the past; playing or acting from there forks the run, dropping the
// inputs that came after.
//
// No message or link can freeze the page: a seek is replayed in slices of
// at most SliceBudget of wall time, one per Tick (frame), while the page
// is told the progress (state.seekTo, state.seekAt); a later seek replaces
// a pending one (continuing it when it goes further); a seek message goes
// at most SeekAhead past the end of the run.
type Controller struct {
	lab     lab.Lab
	view    render.View
	run     lab.Run
	model   lab.Model
	theme   canvas.Theme
	speed   float64
	playing bool          // the reader wants it running
	hidden  bool          // the page paused it because it is offscreen
	dirty   bool          // the picture changed since the last Draw
	horizon time.Duration // the latest virtual time this run has reached

	size      canvas.Size // the layout drawn (wide or narrow)
	narrow    bool
	cssW      float64      // the canvas's width on screen, in CSS px (0: unknown)
	lastDrawn layoutReport // the last layout report sent

	seq       int     // last narration event sent
	sinceSent float64 // wall seconds since metrics were last sent
	lastState string
	lastMet   string
	out       [][]byte

	pending   *replay          // a seek being replayed, a slice per Tick
	clock     func() time.Time // wall clock for slice budgets (tests fake it)
	step      time.Duration    // virtual time per Advance in a slice, adapted to its cost
	lastSlice time.Time        // when the last slice ended
}

// replay is a seek in progress: a fresh model advanced towards to, with
// the run's inputs applied at their times.
type replay struct {
	to     time.Duration
	model  lab.Model
	inputs []lab.Input // the run's inputs, sorted
	next   int         // the first input not yet applied
	errs   []string
}

// SliceBudget is the wall time one Tick may spend replaying a seek: well
// under a frame (16.7 ms at 60 Hz), as a same-origin frame shares the
// page's main thread.
const SliceBudget = 6 * time.Millisecond

// SeekAhead is how far past the end of the run (its horizon) a seek
// message may ask the lab to run on.
const SeekAhead = time.Minute

// Step sizes of a replay slice: adapted between these so one Advance
// stays a small part of SliceBudget.
const (
	minStep = time.Millisecond
	maxStep = time.Minute
)

// metricsEvery is how often (wall seconds) metrics and state may be sent.
const metricsEvery = 0.1

// maxEventsPerMessage bounds one events message; the rest follow next tick.
const maxEventsPerMessage = 50

// New reads the lab's parameters, seed, theme, recorded inputs (do=),
// time (t=, in ms) and autoplay from the frame's query. Bad values are
// clamped or dropped and reported in a notice.
func New(l lab.Lab, v render.View, q url.Values) *Controller {
	raw := map[string]string{}
	for k := range q {
		raw[k] = q.Get(k)
	}
	vals, notes := l.Schema.Lenient(raw)
	seed := uint64(1)
	if s := q.Get("seed"); s != "" {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			notes = append(notes, fmt.Sprintf("seed=%q is not a whole number 0…4294967295; using 1", s))
		} else {
			seed = n
		}
	}
	inputs, err := ParseInputs(l.Schema, q.Get("do"))
	if err != nil {
		notes = append(notes, err.Error()+"; the recorded actions are ignored")
	}
	c := &Controller{
		lab: l, view: v, speed: 1,
		run:     lab.Run{Values: vals, Seed: seed},
		theme:   canvas.ThemeNamed(q.Get("theme")),
		playing: q.Get("autoplay") == "1",
		clock:   time.Now,
		step:    time.Second,
	}
	c.theme.Still = q.Get("motion") == "reduce"
	c.size, c.narrow = v.Size(l.Schema, nil, float64(l.Schema.Width))
	c.restart()
	c.send("ready", map[string]any{"lab": l.Schema.Name})
	if len(inputs) > 0 || q.Get("t") != "" {
		c.run.Inputs = inputs
		t := time.Duration(0)
		if s := q.Get("t"); s != "" {
			ms, err := strconv.ParseFloat(s, 64)
			if err != nil || ms < 0 || ms > float64(MaxSeek/time.Millisecond) {
				notes = append(notes, fmt.Sprintf("t=%q is not a time in ms from 0 to %d; starting at 0", s, MaxSeek/time.Millisecond))
			} else {
				t = fromMs(ms)
			}
		}
		c.horizon = max(t, lastInput(inputs))
		c.seek(t)
	}
	if len(notes) > 0 {
		c.notice(notes...)
	}
	return c
}

// MaxSeek bounds how far a link or the scrubber may ask the lab to replay.
const MaxSeek = 24 * time.Hour

func lastInput(in []lab.Input) time.Duration {
	if len(in) == 0 {
		return 0
	}
	return in[len(in)-1].At
}

// restart begins the run again from time zero with no recorded inputs.
func (c *Controller) restart() {
	c.pending = nil
	c.run.Inputs = nil
	c.horizon = 0
	c.rebuild(c.lab.New(c.run.Values, c.run.Seed))
}

// rebuild installs a model and tells the page to start its log afresh.
func (c *Controller) rebuild(m lab.Model) {
	c.model = m
	c.seq = 0
	c.dirty = true
	c.lastState, c.lastMet = "", ""
	c.send("restart", map[string]any{"query": c.Query()})
	c.flush(true)
}

// seek starts rebuilding the run at virtual time t by replaying it (inputs
// after t are kept, so seeking forward again redoes them). Tick replays it
// a slice at a time; the picture stays on the present until it is done. A
// pending replay that has not passed t goes on towards the new time.
func (c *Controller) seek(t time.Duration) {
	t = min(max(t, 0), MaxSeek)
	if r := c.pending; r != nil && r.model.Now() <= t {
		r.to = t
		return
	}
	inputs := slices.Clone(c.run.Inputs)
	slices.SortStableFunc(inputs, func(a, b lab.Input) int { return int(a.At - b.At) })
	c.pending = &replay{to: t, model: c.lab.New(c.run.Values, c.run.Seed), inputs: inputs}
}

// Seeking reports whether a seek is still being replayed.
func (c *Controller) Seeking() bool { return c.pending != nil }

// replaySlice advances the pending seek for at most SliceBudget of wall
// time, and no longer than the time since the last slice (Ticks that come
// in a burst, as Ebiten catches up after a slow frame, get one step each),
// and installs the model when it arrives.
func (c *Controller) replaySlice() {
	r := c.pending
	start := c.clock()
	budget := SliceBudget
	if !c.lastSlice.IsZero() {
		budget = min(budget, start.Sub(c.lastSlice))
	}
	defer func() { c.lastSlice = c.clock() }()
	for {
		now := r.model.Now()
		target := min(now+c.step, r.to)
		if r.next < len(r.inputs) && r.inputs[r.next].At <= target {
			in := r.inputs[r.next]
			r.model.Advance(in.At)
			if err := r.model.Do(in.Action, in.Arg); err != nil {
				r.errs = append(r.errs, fmt.Sprintf("at %v: %v", in.At, err))
			}
			r.next++
		} else {
			r.model.Advance(target)
		}
		if r.model.Now() >= r.to && (r.next >= len(r.inputs) || r.inputs[r.next].At > r.to) {
			break
		}
		spent := c.clock().Sub(start)
		// Keep one step well inside the budget: grow it while steps are
		// cheap, shrink it when one took a large part of the budget.
		if spent < SliceBudget/16 {
			c.step = min(c.step*2, maxStep)
		} else if spent > SliceBudget/2 {
			c.step = max(c.step/2, minStep)
		}
		if spent >= budget {
			return
		}
	}
	c.pending = nil
	c.horizon = max(c.horizon, r.model.Now()) // a seek past the end extends the timeline
	c.rebuild(r.model)
	if len(r.errs) > 0 {
		c.notice("replay: " + strings.Join(r.errs, "; "))
	}
	if c.playing {
		c.fork() // play was pressed during the replay: go on from here
	}
}

// fork makes the present the end of the run: recorded inputs after now are
// dropped, as the reader is about to change what happens next.
func (c *Controller) fork() {
	now := c.model.Now()
	c.run.Inputs = slices.DeleteFunc(c.run.Inputs, func(in lab.Input) bool { return in.At > now })
	c.horizon = now
}

func (c *Controller) notice(lines ...string) {
	c.send("notice", map[string]any{"text": strings.Join(lines, "; ")})
}

func (c *Controller) send(typ string, fields map[string]any) {
	c.out = append(c.out, Encode(typ, fields))
}

// Handle applies one message from the page.
func (c *Controller) Handle(m Msg) {
	switch m.Type {
	case "params":
		vals, notes := c.lab.Schema.Lenient(m.Values)
		c.run.Values = vals
		c.restart()
		c.notice(notes...)
	case "action":
		c.act(m.Name, m.Arg)
	case "play":
		if c.pending != nil {
			c.playing = true // from where the replay arrives
			break
		}
		if c.model.Done() {
			c.restart()
		}
		c.fork()
		c.playing = true
	case "pause":
		if m.Reason == "offscreen" {
			c.hidden = true
		} else {
			c.playing = false
		}
	case "resume":
		c.hidden = false
	case "step":
		c.playing = false
		c.pending = nil // the reader acts on what they see
		c.fork()
		c.stepEvent()
	case "reset":
		c.restart()
	case "speed":
		c.speed = m.Value
	case "seed":
		c.run.Seed = uint64(m.Value)
		c.restart()
	case "seek":
		c.playing = false
		t := fromMs(m.Value)
		if limit := max(c.horizon, c.model.Now()) + SeekAhead; t > limit {
			c.notice(fmt.Sprintf("a seek to %v is past the end of the run; going to %v", t, limit))
			t = limit
		}
		c.seek(t)
	case "theme":
		still := c.theme.Still
		c.theme = canvas.ThemeNamed(m.Theme)
		c.theme.Still = still
		c.dirty = true
	case "motion":
		c.theme.Still = m.Theme == "reduce"
		c.dirty = true
	case "click":
		if c.view.Hit == nil {
			return
		}
		x, y := m.X*c.size.W, m.Y*c.size.H
		if c.narrow {
			var ok bool
			if c.view.FromNarrow == nil {
				return
			}
			if x, y, ok = c.view.FromNarrow(c.model, x, y); !ok {
				return
			}
		}
		if name, arg, ok := c.view.Hit(c.model, x, y); ok {
			c.act(name, arg)
		}
	}
	c.flush(true)
}

func (c *Controller) act(name string, arg int) {
	c.pending = nil // the reader acts on what they see
	c.fork()
	if err := c.model.Do(name, arg); err != nil {
		c.notice(err.Error())
		return
	}
	c.run.Inputs = append(c.run.Inputs, lab.Input{At: c.model.Now(), Action: name, Arg: arg})
	c.dirty = true
}

// stepEvent advances to the next narrated event (or at most one virtual minute).
func (c *Controller) stepEvent() {
	start := c.model.Log().Seq()
	for i := 0; i < 60000 && c.model.Log().Seq() == start && !c.model.Done(); i++ {
		c.model.Advance(c.model.Now() + time.Millisecond)
	}
	c.horizon = max(c.horizon, c.model.Now())
	c.dirty = true
}

// Running reports whether virtual time is moving.
func (c *Controller) Running() bool { return c.playing && !c.hidden && c.pending == nil }

// Tick advances virtual time by dt wall seconds (when running), or replays
// one slice of a pending seek (when visible), and queues messages for the
// page.
func (c *Controller) Tick(dt float64) {
	if c.pending != nil && !c.hidden {
		c.replaySlice()
	} else if c.Running() {
		d := time.Duration(dt * c.speed * float64(c.lab.Schema.TimeScale))
		c.model.Advance(c.model.Now() + d)
		c.horizon = max(c.horizon, c.model.Now())
		c.dirty = true
		if c.model.Done() {
			c.playing = false
		}
	}
	c.sinceSent += dt
	c.flush(false)
}

// flush queues new events at once, and metrics and state when they changed
// (at most every metricsEvery unless forced).
func (c *Controller) flush(force bool) {
	if evs := c.model.Log().Since(c.seq); len(evs) > 0 {
		if len(evs) > maxEventsPerMessage {
			evs = evs[len(evs)-maxEventsPerMessage:] // after a seek, the latest matter
		}
		list := make([]map[string]any, len(evs))
		for i, e := range evs {
			list[i] = map[string]any{"seq": e.Seq, "at": ms(e.At), "kind": e.Kind, "text": e.Text}
		}
		c.seq = evs[len(evs)-1].Seq
		c.send("events", map[string]any{"events": list})
	}
	if !force && c.sinceSent < metricsEvery {
		return
	}
	c.sinceSent = 0
	vals := lab.MetricMap(c.lab.Schema, c.model)
	if key := fmt.Sprint(vals); key != c.lastMet {
		c.lastMet = key
		text := make(map[string]string, len(vals))
		for i := range c.lab.Schema.Metrics {
			mt := &c.lab.Schema.Metrics[i]
			if v, ok := vals[mt.Name]; ok {
				text[mt.Name] = mt.Format(v)
			}
		}
		c.send("metrics", map[string]any{"values": vals, "text": text, "t": ms(c.model.Now())})
	}
	state := map[string]any{
		"playing":   c.Running() || (c.playing && c.hidden),
		"offscreen": c.hidden,
		"t":         ms(c.model.Now()),
		"horizon":   ms(c.horizon),
		"done":      c.model.Done(),
		"do":        FormatInputs(c.run.Inputs),
	}
	if t, ok := c.model.(lab.Targets); ok {
		state["targets"] = t.TargetNames()
	}
	if r := c.pending; r != nil {
		state["seekTo"] = ms(r.to)
		state["seekAt"] = ms(r.model.Now())
	}
	if key := fmt.Sprint(state); key != c.lastState {
		c.lastState = key
		if c.view.Describe != nil {
			state["describe"] = c.view.Describe(c.model)
		}
		c.send("state", state)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fromMs is the moment ms milliseconds in, to the nearest nanosecond: a
// moment written as milliseconds (a link's t, a seek) is a decimal, and
// truncating it could land a nanosecond before the moment it names.
func fromMs(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}

// Dirty reports whether the picture changed since the last Draw.
func (c *Controller) Dirty() bool { return c.dirty }

// Layout tells the controller how wide the canvas is on screen, in CSS
// pixels, and returns the logical size to draw at: the lab's wide layout,
// or its narrow one on a canvas narrower than that (canvas.Pick). A change
// of layout redraws.
func (c *Controller) Layout(cssW float64) canvas.Size {
	if cssW > 0 {
		c.cssW = cssW
	}
	if c.cssW > 0 {
		// Every frame: a restart with other parameters (two regions
		// instead of three) can change the narrow layout's height.
		size, narrow := c.view.Size(c.lab.Schema, c.model, c.cssW)
		if size != c.size {
			c.size, c.narrow = size, narrow
			c.dirty = true
		}
	}
	return c.size
}

// Size is the logical size of the layout drawn now.
func (c *Controller) Size() canvas.Size { return c.size }

// Draw paints the current state, labels above traffic (render.View.Paint),
// and tells the page what it drew when that changed: a "layout" message
// with the layout, its logical size, the smallest text in CSS pixels on
// screen (minText; logical size × the canvas's scale) and how many labels
// needed a halo.
func (c *Controller) Draw(cv canvas.Canvas) {
	l := c.view.Paint(cv, c.model, c.theme)
	c.dirty = false
	layout := "wide"
	if c.narrow {
		layout = "narrow"
	}
	scale := 1.0
	if c.cssW > 0 {
		scale = c.cssW / c.size.W
	}
	halos := 0
	for _, lb := range l.Labels {
		if lb.Halo {
			halos++
		}
	}
	r := layoutReport{layout, c.size.W, c.size.H, math.Round(l.MinText*scale*100) / 100, len(l.Labels), halos}
	if r != c.lastDrawn {
		c.lastDrawn = r
		c.send("layout", map[string]any{"layout": r.layout, "width": r.w, "height": r.h, "minText": r.minText, "labels": r.labels, "halos": r.halos})
	}
}

// layoutReport is what a drawn picture tells the page (a "layout"
// message), compared every frame to send only what changed: a struct, so
// the comparison costs no formatting (fmt.Sprint of a map did, 60 times a
// second).
type layoutReport struct {
	layout        string
	w, h, minText float64
	labels, halos int
}

// Outbox returns and clears the queued messages for the page.
func (c *Controller) Outbox() [][]byte {
	out := c.out
	c.out = nil
	return out
}

// Query is the run's parameters and seed as a URL query.
func (c *Controller) Query() string {
	q := "lab=" + c.lab.Schema.Name
	if enc := c.lab.Schema.Encode(c.run.Values); enc != "" {
		q += "&" + enc
	}
	return q + "&seed=" + strconv.FormatUint(c.run.Seed, 10)
}

// Model is the running model (for tests).
func (c *Controller) Model() lab.Model { return c.model }

// Run is what reproduces the current run: values, seed, recorded inputs.
func (c *Controller) Run() lab.Run { return c.run }

// FormatInputs writes recorded inputs for a URL: "812000000:crash:1,…"
// (virtual time in nanoseconds, so a replay is exact).
func FormatInputs(in []lab.Input) string {
	parts := make([]string, len(in))
	for i, x := range in {
		parts[i] = strconv.FormatInt(int64(x.At), 10) + ":" + x.Action + ":" + strconv.Itoa(x.Arg)
	}
	return strings.Join(parts, ",")
}

// MaxInputs bounds the recorded inputs a link may carry.
const MaxInputs = 500

// ParseInputs reads FormatInputs' output, checking each action against the
// schema. Times must not decrease.
func ParseInputs(s *lab.Schema, raw string) ([]lab.Input, error) {
	if raw == "" {
		return nil, nil
	}
	parts := strings.Split(raw, ",")
	if len(parts) > MaxInputs {
		return nil, fmt.Errorf("do=: %d actions is more than %d", len(parts), MaxInputs)
	}
	out := make([]lab.Input, 0, len(parts))
	var last time.Duration
	for i, p := range parts {
		f := strings.Split(p, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("do=: action %d %q: want time:action:arg", i+1, p)
		}
		at, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || at < 0 || time.Duration(at) > MaxSeek || time.Duration(at) < last {
			return nil, fmt.Errorf("do=: action %d %q: bad time", i+1, p)
		}
		if _, ok := s.Action(f[1]); !ok {
			return nil, fmt.Errorf("do=: action %d %q: the %s lab has no action %q", i+1, p, s.Name, f[1])
		}
		arg, err := strconv.Atoi(f[2])
		if err != nil || arg < 0 || arg > 1024 {
			return nil, fmt.Errorf("do=: action %d %q: bad argument", i+1, p)
		}
		last = time.Duration(at)
		out = append(out, lab.Input{At: last, Action: f[1], Arg: arg})
	}
	return out, nil
}
