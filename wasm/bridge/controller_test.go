package bridge

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/render/views"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/labs"
)

func newQuorum(t *testing.T, query string) *Controller {
	t.Helper()
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	l, ok := labs.Find("quorum")
	require.True(t, ok)
	v, ok := views.For("quorum")
	require.True(t, ok)
	return New(l, v, q)
}

// sent decodes the queued messages by type.
func sent(c *Controller) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, b := range c.Outbox() {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err == nil {
			typ := strings.TrimPrefix(m["type"].(string), "scalingdata:")
			out[typ] = append(out[typ], m)
		}
	}
	return out
}

func handle(t *testing.T, c *Controller, msg string) {
	t.Helper()
	m, err := Decode([]byte(msg))
	require.NoError(t, err)
	c.Handle(m)
}

// settle ticks (as frames do) until a pending seek has been replayed.
func settle(t *testing.T, c *Controller) {
	t.Helper()
	for i := 0; c.Seeking(); i++ {
		require.Less(t, i, 100000, "the seek never arrives")
		c.Tick(0)
	}
}

func TestControllerStartsFromQuery(t *testing.T) {
	c := newQuorum(t, "lab=quorum&n=5&w=3&r=3&seed=9&autoplay=1")
	require.Equal(t, "lab=quorum&n=5&r=3&w=3&seed=9", c.Query())
	msgs := sent(c)
	require.Len(t, msgs["ready"], 1)
	require.Len(t, msgs["restart"], 1)
	require.NotEmpty(t, msgs["metrics"])
	require.Empty(t, msgs["notice"], "good parameters need no notice")
	require.True(t, c.Running())
}

func TestControllerReportsBadQuery(t *testing.T) {
	c := newQuorum(t, "lab=quorum&n=12&w=oops&bogus=1&seed=x")
	notice := sent(c)["notice"]
	require.Len(t, notice, 1)
	text := notice[0]["text"].(string)
	require.Contains(t, text, "n=12 is out of range 1…9; using 9")
	require.Contains(t, text, `w="oops": not a number`)
	require.Contains(t, text, `unknown parameter "bogus"`)
	require.Contains(t, text, `seed="x"`)
	require.False(t, c.Running(), "no autoplay unless asked")
}

func TestControllerPlaysAndPauses(t *testing.T) {
	c := newQuorum(t, "lab=quorum&seed=1")
	c.Tick(1)
	require.Zero(t, c.Model().Now(), "paused labs do not move")

	handle(t, c, `{"type":"scalingdata:play"}`)
	c.Tick(1)
	require.Equal(t, c.lab.Schema.TimeScale, c.Model().Now(), "one wall second at 1× is one TimeScale")

	handle(t, c, `{"type":"scalingdata:speed","value":4}`)
	c.Tick(0.5)
	require.Equal(t, 3*c.lab.Schema.TimeScale, c.Model().Now())

	sent(c)
	handle(t, c, `{"type":"scalingdata:pause","reason":"offscreen"}`)
	at := c.Model().Now()
	c.Tick(1)
	require.Equal(t, at, c.Model().Now(), "offscreen labs do not move")
	states := sent(c)["state"]
	require.NotEmpty(t, states)
	require.Equal(t, true, states[len(states)-1]["offscreen"], "the page learns the lab is idle offscreen")
	require.Equal(t, true, states[len(states)-1]["playing"], "and that it plays on when back")
	handle(t, c, `{"type":"scalingdata:resume"}`)
	c.Tick(0.25)
	require.Greater(t, c.Model().Now(), at)
	states = sent(c)["state"]
	require.NotEmpty(t, states)
	require.Equal(t, false, states[len(states)-1]["offscreen"])

	handle(t, c, `{"type":"scalingdata:pause"}`)
	at = c.Model().Now()
	handle(t, c, `{"type":"scalingdata:resume"}`)
	c.Tick(1)
	require.Equal(t, at, c.Model().Now(), "resuming from offscreen does not undo the reader's pause")
	sent(c)

	handle(t, c, `{"type":"scalingdata:step"}`)
	events := sent(c)["events"]
	require.NotEmpty(t, events, "step advances to the next narrated event")
}

func TestControllerActionsAndClicks(t *testing.T) {
	c := newQuorum(t, "lab=quorum&n=3&seed=1")
	sent(c)
	handle(t, c, `{"type":"scalingdata:action","name":"crash","arg":1}`)
	require.False(t, c.Model().(interface{ Up(int) bool }).Up(1))
	require.Equal(t, "crash", c.Run().Inputs[0].Action, "actions are recorded for replay")

	handle(t, c, `{"type":"scalingdata:action","name":"crash","arg":7}`)
	notice := sent(c)["notice"]
	require.NotEmpty(t, notice)
	require.Contains(t, notice[0]["text"], "out of range", "bad actions are reported, not panics")

	// A click on replica B recovers it (it is down).
	m := c.Model()
	for y := 0.0; y <= 1; y += 0.01 {
		for x := 0.0; x <= 1; x += 0.01 {
			if name, arg, ok := c.view.Hit(m, x*float64(c.lab.Schema.Width), y*float64(c.lab.Schema.Height)); ok && arg == 1 {
				require.Equal(t, "recover", name)
				handle(t, c, `{"type":"scalingdata:click","x":`+ftoa(x)+`,"y":`+ftoa(y)+`}`)
				require.True(t, c.Model().(interface{ Up(int) bool }).Up(1))
				return
			}
		}
	}
	t.Fatal("no point on the canvas hits replica B")
}

func TestControllerParamsRestart(t *testing.T) {
	c := newQuorum(t, "lab=quorum&seed=1&autoplay=1")
	c.Tick(2)
	sent(c)
	handle(t, c, `{"type":"scalingdata:params","values":{"n":"5","w":"9"}}`)
	msgs := sent(c)
	require.Len(t, msgs["restart"], 1)
	require.Equal(t, "lab=quorum&n=5&w=5&seed=1", c.Query(), "w is repaired to n")
	require.Contains(t, msgs["notice"][0]["text"], "w=9 > n=5; using n=5&w=5")
	require.Zero(t, c.Model().Now())

	handle(t, c, `{"type":"scalingdata:seed","value":3}`)
	require.Equal(t, "lab=quorum&n=5&w=5&seed=3", c.Query())
}

func TestControllerDraws(t *testing.T) {
	c := newQuorum(t, "lab=quorum")
	require.True(t, c.Dirty())
	cv := svg.New(640, 400)
	c.Draw(cv)
	require.False(t, c.Dirty(), "nothing to draw until something changes")
	handle(t, c, `{"type":"scalingdata:theme","value":"dark"}`)
	require.True(t, c.Dirty())
}

func ftoa(x float64) string {
	b, _ := json.Marshal(x)
	return string(b)
}

// TestControllerTimeTravel: a link with the run's inputs and time rebuilds
// the same moment, and seeking back then acting forks the run.
func TestControllerTimeTravel(t *testing.T) {
	c := newQuorum(t, "lab=quorum&seed=5&autoplay=1")
	c.Tick(4)
	handle(t, c, `{"type":"scalingdata:action","name":"crash","arg":2}`)
	c.Tick(6)
	sent(c)
	at := c.Model().Now()
	metrics := fmt.Sprint(c.Model().Metrics())
	link := c.Query() + "&do=" + FormatInputs(c.Run().Inputs) + "&t=" + strconv.FormatFloat(ms(at), 'f', -1, 64)

	again := newQuorum(t, link)
	settle(t, again)
	require.Equal(t, at, again.Model().Now(), "the link reopens the same moment")
	require.Equal(t, metrics, fmt.Sprint(again.Model().Metrics()), "and the same run")
	require.Equal(t, c.Run().Inputs, again.Run().Inputs)
	require.False(t, again.Running(), "a shared moment opens paused")

	// Seek back before the crash: the crash is still ahead.
	handle(t, again, `{"type":"scalingdata:seek","value":100}`)
	settle(t, again)
	require.Equal(t, 100*time.Millisecond, again.Model().Now())
	require.Len(t, again.Run().Inputs, 1)
	handle(t, again, `{"type":"scalingdata:seek","value":`+strconv.FormatFloat(ms(at), 'f', -1, 64)+`}`)
	settle(t, again)
	require.Equal(t, metrics, fmt.Sprint(again.Model().Metrics()), "seeking forward redoes the inputs")

	// Seek back and act: the future is forked away.
	handle(t, again, `{"type":"scalingdata:seek","value":100}`)
	settle(t, again)
	handle(t, again, `{"type":"scalingdata:action","name":"crash","arg":0}`)
	require.Len(t, again.Run().Inputs, 1)
	require.Equal(t, "crash", again.Run().Inputs[0].Action)
	require.Equal(t, 0, again.Run().Inputs[0].Arg)

	// Seeking past the end of the timeline runs on to there and extends it.
	handle(t, again, `{"type":"scalingdata:seek","value":30000}`)
	settle(t, again)
	require.Equal(t, 30*time.Second, again.Model().Now())
	states := sent(again)["state"]
	require.NotEmpty(t, states)
	require.Equal(t, 30000.0, states[len(states)-1]["horizon"])
}

func TestParseInputs(t *testing.T) {
	s := labsFind(t).Schema
	in, err := ParseInputs(s, "5:crash:1,900:recover:1")
	require.NoError(t, err)
	require.Equal(t, "5:crash:1,900:recover:1", FormatInputs(in))
	for raw, want := range map[string]string{
		"5:crash":             "want time:action:arg",
		"x:crash:1":           "bad time",
		"9:crash:1,5:crash:2": "bad time",
		"5:explode:1":         `the quorum lab has no action "explode"`,
		"5:crash:-1":          "bad argument",
	} {
		_, err := ParseInputs(s, raw)
		require.ErrorContains(t, err, want, raw)
	}
	c := newQuorum(t, "lab=quorum&do=5:explode:1&t=abc")
	notice := sent(c)["notice"][0]["text"].(string)
	require.Contains(t, notice, "the recorded actions are ignored")
	require.Contains(t, notice, `t="abc" is not a time`)
}

func labsFind(t *testing.T) lab.Lab {
	l, ok := labs.Find("quorum")
	require.True(t, ok)
	return l
}

// FuzzQuery: any lab URL opens a lab (bad values clamped or dropped, never
// a panic), and the run it starts has valid parameters.
func FuzzQuery(f *testing.F) {
	f.Add(uint8(0), "n=5&w=3&r=3&seed=7")
	f.Add(uint8(1), "seed=99999999999&t=abc&do=5:crash:1")
	f.Add(uint8(2), "t=1000&do=1:nope:2,0:crash:1&autoplay=1")
	f.Add(uint8(3), "%zz=1&shards=-4&keys=1e400")
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		all := labs.All()
		l := all[int(which)%len(all)]
		v, ok := views.For(l.Schema.Name)
		require.True(t, ok)
		q, _ := url.ParseQuery(raw)
		if s := q.Get("t"); s != "" {
			if ms, err := strconv.ParseFloat(s, 64); err == nil && ms > 60_000 {
				q.Set("t", "60000") // keep replays short: the fuzzer explores parsing
			}
		}
		c := New(l, v, q)
		require.NoError(t, l.Schema.Check(c.Run().Values))
		settle(t, c) // the link's moment, replayed a slice per frame
		c.Tick(0.5)
		c.Draw(svg.New(float64(l.Schema.Width), float64(l.Schema.Height)))
	})
}

func TestControllerReducedMotion(t *testing.T) {
	c := newQuorum(t, "lab=quorum&motion=reduce&theme=dark")
	require.Empty(t, sent(c)["notice"], "page options are not lab parameters")
	require.True(t, c.theme.Still)
	require.Equal(t, "dark", c.theme.Name)
	handle(t, c, `{"type":"scalingdata:theme","value":"light"}`)
	require.True(t, c.theme.Still, "a theme change keeps reduced motion")
	handle(t, c, `{"type":"scalingdata:motion","value":"no-preference"}`)
	require.False(t, c.theme.Still)
}

// TestControllerLayouts: the canvas's CSS width picks the layout; the
// frame reports what it drew (layout, smallest text on screen in CSS px),
// and a click on the narrow layout reaches what it shows.
func TestControllerLayouts(t *testing.T) {
	c := newQuorum(t, "lab=quorum&n=3&seed=1")
	wide := c.Size()
	require.Equal(t, 640.0, wide.W, "wide until told otherwise")

	for _, tc := range []struct {
		cssW    float64
		layout  string
		minText float64
	}{
		{300, "narrow", 12.5 * 300 / 320},
		{390, "narrow", 12.5 * 390 / 320},
		{639, "narrow", 12.5 * 639 / 320},
		{640, "wide", 11},
		{1280, "wide", 22},
	} {
		size := c.Layout(tc.cssW)
		require.Equal(t, tc.layout == "narrow", size.W == 320, "%v px", tc.cssW)
		c.Draw(svg.New(size.W, size.H))
		got := sent(c)["layout"]
		require.Len(t, got, 1, "%v px", tc.cssW)
		require.Equal(t, tc.layout, got[0]["layout"])
		require.InDelta(t, tc.minText, got[0]["minText"], 0.01, "%v px", tc.cssW)
		require.GreaterOrEqual(t, got[0]["minText"], 11.0)
		c.Draw(svg.New(size.W, size.H))
		require.Empty(t, sent(c)["layout"], "reported once until it changes")
	}

	// Replica B, clicked where the narrow layout draws its name, crashes.
	size := c.Layout(360)
	l := c.view.Paint(svg.New(size.W, size.H), c.Model(), canvas.Light)
	for _, lb := range l.Labels {
		if lb.Text != "B" {
			continue
		}
		x, y := (lb.Box.X+lb.Box.W/2)/size.W, (lb.Box.Y+lb.Box.H/2)/size.H
		handle(t, c, `{"type":"scalingdata:click","x":`+ftoa(x)+`,"y":`+ftoa(y)+`}`)
		require.False(t, c.Model().(interface{ Up(int) bool }).Up(1))
		return
	}
	t.Fatal("the narrow layout draws no replica B")
}
