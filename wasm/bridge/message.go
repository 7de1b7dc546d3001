// Package bridge is the lab side of the page ⇄ lab protocol, kept free of
// syscall/js so it is tested and fuzzed natively. The wasm entry feeds it
// the JSON of each postMessage and sends what it returns.
//
// Messages from the page (all types start with "scalingdata:"):
//
//	params  {values: {name: "value", …}}  restart with new parameters
//	action  {name, arg}                   crash node arg, write now, …
//	play, pause {reason?}, resume, step, reset
//	speed   {value: 0.25…8}
//	seed    {value: 0…2^32-1}
//	seek    {value: ms}                   replay the run to that virtual time
//	                                      (at most SeekAhead past its end), a
//	                                      slice per frame; the latest wins
//	motion  {value: "reduce"|"no-preference"}
//	theme   {value: "light"|"dark"}
//	click   {x, y}                        fractions of the canvas (0…1)
//
// Messages to the page: ready, restart (new run: clear the log), state
// (seekTo and seekAt while a seek is being replayed), metrics, events,
// notice, error.
package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// MaxMessage is the largest message accepted, in bytes of JSON.
const MaxMessage = 8192

// Msg is a validated message from the page.
type Msg struct {
	Type   string            // without the "scalingdata:" prefix
	Values map[string]string // params
	Name   string            // action
	Arg    int               // action
	Value  float64           // speed, seed
	Theme  string            // theme; for motion, "reduce" or "no-preference"
	X, Y   float64           // click
	Reason string            // pause: "offscreen" or ""
}

type wire struct {
	Type   string          `json:"type"`
	Values json.RawMessage `json:"values"`
	Name   string          `json:"name"`
	Arg    *float64        `json:"arg"`
	Value  json.RawMessage `json:"value"`
	X      *float64        `json:"x"`
	Y      *float64        `json:"y"`
	Reason string          `json:"reason"`
}

var known = map[string]bool{
	"params": true, "action": true, "play": true, "pause": true, "resume": true,
	"step": true, "reset": true, "speed": true, "seed": true, "theme": true, "click": true,
	"seek": true, "motion": true,
}

// Decode parses and validates one message. Anything unexpected (unknown
// type, wrong shape, values out of range) is an error and must be ignored.
func Decode(data []byte) (Msg, error) {
	var m Msg
	if len(data) > MaxMessage {
		return m, fmt.Errorf("message of %d bytes is over %d", len(data), MaxMessage)
	}
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return m, fmt.Errorf("not a message: %v", err)
	}
	t, ok := strings.CutPrefix(w.Type, "scalingdata:")
	if !ok || !known[t] {
		return m, fmt.Errorf("unknown message type %q", w.Type)
	}
	m.Type = t
	switch t {
	case "params":
		vals := map[string]string{}
		if err := json.Unmarshal(w.Values, &vals); err != nil {
			return m, fmt.Errorf("params: values must be an object of strings")
		}
		if len(vals) > 64 {
			return m, fmt.Errorf("params: %d values is too many", len(vals))
		}
		for k, v := range vals {
			if len(k) == 0 || len(k) > 32 || len(v) > 64 {
				return m, fmt.Errorf("params: %q=%q: too long", k, v)
			}
		}
		m.Values = vals
	case "action":
		if w.Name == "" || len(w.Name) > 32 {
			return m, fmt.Errorf("action: bad name %q", w.Name)
		}
		m.Name = w.Name
		if w.Arg != nil {
			a := *w.Arg
			if a != math.Trunc(a) || a < 0 || a > 1024 {
				return m, fmt.Errorf("action: bad arg %v", a)
			}
			m.Arg = int(a)
		}
	case "speed", "seed":
		var v float64
		if err := json.Unmarshal(w.Value, &v); err != nil {
			return m, fmt.Errorf("%s: value must be a number", t)
		}
		if t == "speed" && (v < 0.25 || v > 8) {
			return m, fmt.Errorf("speed: %v is outside 0.25…8", v)
		}
		if t == "seed" && (v < 0 || v > math.MaxUint32 || v != math.Trunc(v)) {
			return m, fmt.Errorf("seed: %v is not a whole number in 0…%d", v, uint32(math.MaxUint32))
		}
		m.Value = v
	case "seek":
		var v float64
		if err := json.Unmarshal(w.Value, &v); err != nil || v < 0 || v > float64(MaxSeek/time.Millisecond) || math.IsNaN(v) {
			return m, fmt.Errorf("seek: value must be a time in ms from 0 to %d", MaxSeek/time.Millisecond)
		}
		m.Value = v
	case "motion":
		var s string
		if err := json.Unmarshal(w.Value, &s); err != nil || (s != "reduce" && s != "no-preference") {
			return m, fmt.Errorf("motion: want \"reduce\" or \"no-preference\"")
		}
		m.Theme = s
	case "theme":
		var s string
		if err := json.Unmarshal(w.Value, &s); err != nil || (s != "light" && s != "dark") {
			return m, fmt.Errorf("theme: want \"light\" or \"dark\"")
		}
		m.Theme = s
	case "click":
		if w.X == nil || w.Y == nil || *w.X < 0 || *w.X > 1 || *w.Y < 0 || *w.Y > 1 {
			return m, fmt.Errorf("click: x and y must be fractions 0…1")
		}
		m.X, m.Y = *w.X, *w.Y
	case "pause":
		if w.Reason != "" && w.Reason != "offscreen" {
			return m, fmt.Errorf("pause: unknown reason %q", w.Reason)
		}
		m.Reason = w.Reason
	}
	return m, nil
}

// Encode writes a message to the page as JSON, with the type prefixed.
func Encode(typ string, fields map[string]any) []byte {
	var b bytes.Buffer
	out := map[string]any{"type": "scalingdata:" + typ}
	for k, v := range fields {
		out[k] = v
	}
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
	return bytes.TrimSpace(b.Bytes())
}
