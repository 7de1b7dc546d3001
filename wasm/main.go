//go:build js && wasm

// Command wasm is the one WebAssembly binary that holds every lab. The frame
// page (lab.html?lab=quorum&n=5…) loads it; it picks the lab from the URL,
// runs it as an Ebiten game and talks to the host page through frame.js.
package main

import (
	"net/url"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/scaling-data/book/render/ebitencanvas"
	"github.com/scaling-data/book/render/views"
	"github.com/scaling-data/book/sim/labs"
	"github.com/scaling-data/book/wasm/bridge"
)

// game adapts the bridge's Controller to Ebiten.
type game struct {
	ctrl   *bridge.Controller
	w, h   float64 // the lab's logical size (its wide or narrow layout)
	cv     *ebitencanvas.Canvas
	inbox  bridge.Inbox // bounded; a seek replaces the seek queued before it
	redraw bool         // the screen or the layout changed, or a picture was asked for: draw now
	lw, lh int          // the last layout size
	last   time.Time
	frames int          // pictures drawn (Draw calls that painted), for measurements
	pace   bridge.Pacer // at most so many pictures a second (tests only; readers get every frame)
}

// framesDrawn is globalThis.scalingdataFrames.value: how many pictures the
// lab has painted. Benchmarks read it to check that a paused lab paints
// nothing. scalingdataFrames.paint() asks for a picture of the current
// state at the next frame, paced or not: tests and tools that take a
// screenshot of a paced lab (see bridge.Pacer) call it, then wait for
// value to grow.
var framesDrawn = func() js.Value {
	o := js.Global().Get("Object").New()
	o.Set("value", 0)
	o.Set("paint", js.FuncOf(func(js.Value, []js.Value) any {
		paintAsked.Store(true)
		return nil
	}))
	js.Global().Set("scalingdataFrames", o)
	return o
}()

// paintAsked is set by scalingdataFrames.paint() and taken by the next Draw.
var paintAsked atomic.Bool

// maxTick bounds the wall time one Update may advance, so a tab that was
// in the background does not jump ahead.
const maxTick = 250 * time.Millisecond

func (g *game) Update() error {
	// A bounded batch of messages per frame, then one slice of any seek
	// (Tick): no message, however many, holds the frame for long.
	msgs, _ := g.inbox.Take()
	for _, m := range msgs {
		g.ctrl.Handle(m)
	}
	// Virtual time follows the wall clock, not the frame count: a slow
	// renderer (software GL) shows fewer frames of the same run.
	now := time.Now()
	dt := time.Second / time.Duration(ebiten.TPS())
	if !g.last.IsZero() {
		dt = min(now.Sub(g.last), maxTick)
	}
	g.last = now
	g.ctrl.Tick(dt.Seconds())
	for _, msg := range g.ctrl.Outbox() {
		send(msg)
	}
	return nil
}

func (g *game) Draw(screen *ebiten.Image) {
	if paintAsked.Swap(false) {
		g.redraw = true
	}
	if !g.ctrl.Dirty() && !g.redraw {
		return // the screen keeps its last picture (SetScreenClearedEveryFrame(false))
	}
	if !g.pace.Due(time.Now()) && !g.redraw {
		return // painted a moment ago; the model stays dirty for the next turn
	}
	g.redraw = false
	g.frames++
	framesDrawn.Set("value", g.frames)
	if g.frames == 1 {
		send(bridge.Encode("frame", map[string]any{"first": true}))
	}
	if g.cv == nil {
		g.cv = ebitencanvas.New(screen, g.w, g.h)
	} else {
		g.cv.Reset(screen, g.w, g.h)
	}
	g.ctrl.Draw(g.cv)
	g.cv.Flush() // the frame's shapes, circles and text, in one draw call
}

// Layout renders at device resolution. outsideW is the canvas's CSS width:
// the controller picks the lab's wide or narrow layout for it (the page
// shows the poster of the same layout, so the frame already has its shape).
func (g *game) Layout(outsideW, outsideH int) (int, int) {
	size := g.ctrl.Layout(float64(outsideW))
	if size.W != g.w || size.H != g.h {
		g.redraw = true // a new layout (other parameters, another width) is shown at once, paced or not
	}
	g.w, g.h = size.W, size.H
	scale := ebiten.Monitor().DeviceScaleFactor()
	sw := int(float64(outsideW) * scale)
	sh := int(float64(outsideH) * scale)
	if sw < 1 || sh < 1 {
		return 1, 1
	}
	if sw != g.lw || sh != g.lh {
		g.lw, g.lh, g.redraw = sw, sh, true
	}
	return sw, sh
}

var sendFn = js.Global().Get("scalingdataSend")

func send(msg []byte) {
	if sendFn.Type() == js.TypeFunction {
		sendFn.Invoke(string(msg))
	}
}

func main() {
	q, _ := url.ParseQuery(trimQuestion(js.Global().Get("location").Get("search").String()))
	name := q.Get("lab")
	l, ok := labs.Find(name)
	view, hasView := views.For(name)
	if !ok || !hasView {
		send(bridge.Encode("error", map[string]any{"text": "no lab called \"" + name + "\""}))
		return
	}
	ctrl := bridge.New(l, view, q)
	g := &game{ctrl: ctrl, w: ctrl.Size().W, h: ctrl.Size().H}
	if fps := js.Global().Get("scalingdataMaxFPS"); fps.Type() == js.TypeNumber {
		g.pace = bridge.PacerFor(fps.Float())
	}
	listen := js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) == 1 && args[0].Type() == js.TypeString {
			g.inbox.Push([]byte(args[0].String()))
		}
		return nil
	})
	if f := js.Global().Get("scalingdataListen"); f.Type() == js.TypeFunction {
		f.Invoke(listen)
	}
	ebiten.SetScreenClearedEveryFrame(false)
	ebiten.SetRunnableOnUnfocused(true)
	ebiten.SetWindowTitle(l.Schema.Title)
	if err := ebiten.RunGame(g); err != nil {
		send(bridge.Encode("error", map[string]any{"text": err.Error()}))
	}
}

func trimQuestion(s string) string {
	if len(s) > 0 && s[0] == '?' {
		return s[1:]
	}
	return s
}
