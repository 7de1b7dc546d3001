package bridge

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// heavy is the quorum lab at its most expensive: every node a replica,
// every client busy, background repair on.
const heavy = "lab=quorum&nodes=9&n=9&w=9&r=9&clients=4&think=0&latency=1&antientropy=on&repair=on&seed=3"

// costClock fakes the wall clock so replay work costs wall time in
// proportion to the virtual time replayed (perVirtualSecond each): a slice
// budget then bounds the virtual time one frame replays. Calling the
// returned function lets a frame's time pass.
func costClock(c *Controller, perVirtualSecond time.Duration) (frame func(time.Duration)) {
	var wall time.Duration
	var last time.Duration
	var model any
	c.clock = func() time.Time {
		if r := c.pending; r != nil {
			if r.model != model {
				model, last = r.model, 0
			}
			now := r.model.Now()
			wall += time.Duration(float64(now-last) / float64(time.Second) * float64(perVirtualSecond))
			last = now
		}
		return time.Unix(0, 0).Add(wall)
	}
	return func(d time.Duration) { wall += d }
}

// TestSeekReplaysInSlices: a share link an hour in (24 h in the browser)
// is replayed a bounded slice per frame, reporting its progress, and ends
// exactly where a replay in one go does.
func TestSeekReplaysInSlices(t *testing.T) {
	const at = time.Hour
	link := heavy + "&do=5000000000:crash:1,9000000000:recover:1&t=" + strconv.Itoa(int(at/time.Millisecond))
	c := newQuorum(t, link)
	require.Zero(t, c.Model().Now(), "opening the link replays nothing before the first frame")
	require.True(t, c.Seeking())
	sent(c)

	// 0.1 ms of wall time per virtual second is what a 24-hour replay
	// costing 9.4 s in the browser works out to.
	const cost = 100 * time.Microsecond
	frame := costClock(c, cost)
	frames := 0
	var progress []float64
	for c.Seeking() {
		before := c.pending.model.Now()
		frame(16 * time.Millisecond)
		c.Tick(1.0 / 60)
		frames++
		after := c.Model().Now()
		if c.pending != nil {
			after = c.pending.model.Now()
		}
		work := time.Duration(float64(after-before) / float64(time.Second) * float64(cost))
		require.LessOrEqual(t, work, SliceBudget+SliceBudget/2, "frame %d replayed %v of virtual time", frames, after-before)
		for _, st := range sent(c)["state"] {
			if at, ok := st["seekAt"].(float64); ok {
				require.Equal(t, float64(time.Hour/time.Millisecond), st["seekTo"])
				progress = append(progress, at)
			}
		}
		if c.Seeking() {
			require.Zero(t, c.Model().Now(), "the picture stays on the present until the replay arrives")
		}
	}
	require.Greater(t, frames, int(at/time.Second*cost/SliceBudget)-1, "the work is spread over frames")
	require.NotEmpty(t, progress)
	require.IsIncreasing(t, progress)

	q, err := url.ParseQuery(link)
	require.NoError(t, err)
	once := newQuorum(t, link)
	l := labsFind(t)
	want, err := l.Replay(once.Run(), at)
	require.NoError(t, err)
	require.Equal(t, at, c.Model().Now())
	require.Equal(t, fmt.Sprint(want.Metrics()), fmt.Sprint(c.Model().Metrics()), "slices replay the same run")
	require.Equal(t, q.Get("do"), FormatInputs(c.Run().Inputs))
	require.False(t, c.Running(), "a shared moment opens paused")
}

// TestSeekBurst: Ticks that come without time passing (Ebiten catching up
// after a slow frame) replay one step each, not a budget each.
func TestSeekBurst(t *testing.T) {
	c := newQuorum(t, heavy+"&t=3600000")
	const cost = 100 * time.Microsecond
	frame := costClock(c, cost)
	frame(16 * time.Millisecond)
	c.Tick(0)
	first := c.pending.model.Now()
	require.Greater(t, first, 10*time.Second, "a frame's first slice uses its budget")
	for range 5 {
		before := c.pending.model.Now()
		c.Tick(0)
		require.LessOrEqual(t, c.pending.model.Now()-before, maxStep, "a burst Tick does one step")
		require.LessOrEqual(t, time.Duration(float64(c.pending.model.Now()-before)/float64(time.Second)*float64(cost)), SliceBudget/2)
	}
}

// TestSeekLatestWins: thirty seeks in a row cost one replay, to the last
// of them; a seek further on continues the pending replay, one back starts
// again; nothing is replayed while the lab is offscreen.
func TestSeekLatestWins(t *testing.T) {
	c := newQuorum(t, heavy+"&autoplay=1")
	c.Tick(1)
	for i := range 30 {
		handle(t, c, `{"type":"scalingdata:seek","value":`+strconv.Itoa(1000+i*1000)+`}`)
	}
	require.True(t, c.Seeking())
	require.Equal(t, 30*time.Second, c.pending.to)
	require.Zero(t, c.pending.model.Now(), "handling a seek replays nothing")
	require.LessOrEqual(t, c.pending.to, c.horizon+SeekAhead)

	c.clock = fakeSteps(time.Millisecond)
	c.Tick(0)
	r, reached := c.pending, c.pending.model.Now()
	require.Greater(t, reached, time.Duration(0))
	handle(t, c, `{"type":"scalingdata:seek","value":40000}`)
	require.Same(t, r, c.pending, "a seek further on goes on from where the replay is")
	handle(t, c, `{"type":"scalingdata:seek","value":1}`)
	require.NotSame(t, r, c.pending, "a seek back starts again")

	handle(t, c, `{"type":"scalingdata:pause","reason":"offscreen"}`)
	c.Tick(0)
	require.Zero(t, c.pending.model.Now(), "an offscreen lab replays nothing")
	handle(t, c, `{"type":"scalingdata:resume"}`)
	settle(t, c)
	require.Equal(t, time.Millisecond, c.Model().Now())
}

// fakeSteps is a wall clock that moves d each time it is read.
func fakeSteps(d time.Duration) func() time.Time {
	var now time.Time
	return func() time.Time { now = now.Add(d); return now }
}

// TestSeekBoundedByHorizon: a page may ask for any time, but the lab runs
// on at most SeekAhead past the end of the run, and says so.
func TestSeekBoundedByHorizon(t *testing.T) {
	c := newQuorum(t, "lab=quorum&seed=2")
	sent(c)
	handle(t, c, `{"type":"scalingdata:seek","value":86400000}`)
	require.Equal(t, SeekAhead, c.pending.to)
	require.Contains(t, sent(c)["notice"][0]["text"], "past the end of the run")
	settle(t, c)
	require.Equal(t, SeekAhead, c.Model().Now())
	handle(t, c, `{"type":"scalingdata:seek","value":90000}`)
	require.Equal(t, 90*time.Second, c.pending.to, "the timeline grew: within it, no clamping")
	require.Empty(t, sent(c)["notice"])
}

// TestSeekThenAct: acting during a replay acts on the picture the reader
// sees (the replay is dropped); play waits for the replay and goes on from
// where it arrives.
func TestSeekThenAct(t *testing.T) {
	c := newQuorum(t, "lab=quorum&seed=4&autoplay=1")
	c.Tick(2)
	now := c.Model().Now()
	require.Greater(t, now, 2*time.Millisecond)
	handle(t, c, `{"type":"scalingdata:seek","value":1}`)
	handle(t, c, `{"type":"scalingdata:action","name":"crash","arg":1}`)
	require.False(t, c.Seeking())
	require.Equal(t, now, c.Run().Inputs[0].At)

	handle(t, c, `{"type":"scalingdata:seek","value":1}`)
	handle(t, c, `{"type":"scalingdata:play"}`)
	require.False(t, c.Running(), "no time runs during a replay")
	settle(t, c)
	require.Equal(t, time.Millisecond, c.Model().Now())
	require.True(t, c.Running())
	require.Empty(t, c.Run().Inputs, "playing from the past forks the run")
}

// TestInbox: the inbox drops what does not decode, keeps only the latest
// of consecutive seeks, refuses more than MaxInbox, and gives a frame at
// most MaxPerFrame.
func TestInbox(t *testing.T) {
	var b Inbox
	require.False(t, b.Push([]byte(`{"type":"scalingdata:nope"}`)))
	for i := range 30 {
		require.True(t, b.Push([]byte(`{"type":"scalingdata:seek","value":`+strconv.Itoa(i)+`}`)))
	}
	require.Equal(t, 1, b.Len())
	require.True(t, b.Push([]byte(`{"type":"scalingdata:play"}`)))
	require.True(t, b.Push([]byte(`{"type":"scalingdata:seek","value":7}`)))
	for b.Len() < MaxInbox {
		require.True(t, b.Push([]byte(`{"type":"scalingdata:pause"}`)))
	}
	require.False(t, b.Push([]byte(`{"type":"scalingdata:play"}`)), "a full inbox refuses")
	msgs, dropped := b.Take()
	require.Len(t, msgs, MaxPerFrame)
	require.Equal(t, 1, dropped)
	require.Equal(t, "seek", msgs[0].Type)
	require.Equal(t, 29.0, msgs[0].Value)
	require.Equal(t, "play", msgs[1].Type)
	require.Equal(t, 7.0, msgs[2].Value)
	require.Equal(t, MaxInbox-MaxPerFrame, b.Len())
	_, dropped = b.Take()
	require.Zero(t, dropped)
}
