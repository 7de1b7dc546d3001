// Package lab is the contract every lab keeps: a schema that declares the lab
// once (parameters, actions, metrics, presets), and a Model that runs
// deterministically in virtual time.
//
// The schema is read by the book compiler (controls, `sim` block validation),
// by the wasm entry (URL parsing) and by the CLI (`scalingdata sim`). Nothing
// else declares a lab's parameters.
package lab

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a parameter.
type Kind int

const (
	Int Kind = iota
	Float
	Bool
	Enum
)

func (k Kind) String() string {
	switch k {
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case Enum:
		return "enum"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Param declares one parameter of a lab.
type Param struct {
	Name    string   // URL and `sim` block key, lower case: "n", "latency"
	Label   string   // control label: "Replicas (N)"
	Help    string   // one sentence shown beside the control
	Unit    string   // "ms", "%", "" …
	Kind    Kind     // Int, Float, Bool or Enum
	Min     float64  // Int and Float
	Max     float64  // Int and Float
	Step    float64  // Int and Float; 0 means 1 for Int
	Default float64  // for Enum the index into Options, for Bool 0 or 1
	Options []string // Enum only
	// Advanced parameters are folded away in the page's controls.
	Advanced bool
	// Bound names another parameter this one may not exceed (w ≤ n), so
	// the page's slider follows it. Validate still checks the relation.
	Bound string
	// When says when the parameter applies; nil means always. The page
	// hides the control while it does not apply; the model ignores it then.
	When *When
}

// When is the condition under which a parameter applies: while parameter
// Param holds one of Is (option names for an Enum, "on" or "off" for a
// Bool), or, for an Int or Float Param, is at least AtLeast.
type When struct {
	Param   string
	Is      []string
	AtLeast float64
}

// Applies reports whether p applies with the values v.
func (s *Schema) Applies(p *Param, v Values) bool {
	if p.When == nil {
		return true
	}
	q, ok := s.Param(p.When.Param)
	if !ok {
		return true
	}
	switch q.Kind {
	case Enum:
		i := v.Int(q.Name)
		return i >= 0 && i < len(q.Options) && slices.Contains(p.When.Is, q.Options[i])
	case Bool:
		return slices.Contains(p.When.Is, map[bool]string{true: "on", false: "off"}[v.Bool(q.Name)])
	}
	return v[q.Name] >= p.When.AtLeast
}

// Action declares something the reader can do to a running lab.
type Action struct {
	Name  string // "crash", "recover", "write"
	Label string // button text: "Crash node"
	Help  string
	// Arg names what the action applies to ("node"), or is empty. An action
	// with an Arg takes an integer argument in [0, ArgMax(values)).
	Arg string
	// ArgParam is the parameter whose value bounds Arg ("n": nodes 0..n-1).
	ArgParam string
}

// Metric declares one number the lab reports.
type Metric struct {
	Name  string // "stale_reads"
	Label string // "Stale reads"
	Unit  string
	Help  string
	// Bool metrics are 1 (true) or 0 (false) in Model.Metrics, and are
	// printed as true/false (JSON) or yes/no (page).
	Bool bool
}

// Format is how the book prints a value of this metric, the same on the
// page's stat card, in the canvas's panel and in the prose: yes/no for a
// Bool; a fraction as a percentage to 0.1 (with <0.1% and >99.9% at the
// ends, so a rare failure never reads 0% or 100%); milliseconds to 0.1
// below 100 and whole above; txn/s whole; counts as they are; other
// numbers to three significant digits. Units follow ("12.5 ms", "4.0 ms").
func (m *Metric) Format(v float64) string {
	n := m.Number(v)
	switch m.Unit {
	case "fraction", "":
		return n
	}
	return n + " " + m.Unit
}

// Number is Format without the unit (a panel that names the unit in its
// label prints this), except that a fraction keeps its percent sign.
func (m *Metric) Number(v float64) string {
	if m.Bool {
		if v != 0 {
			return "yes"
		}
		return "no"
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	trim := func(s string) string {
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	switch m.Unit {
	case "fraction":
		pct := v * 100
		switch {
		case pct > 0 && pct < 0.1:
			return "<0.1%"
		case pct > 99.9 && pct < 100:
			return ">99.9%"
		}
		return trim(strconv.FormatFloat(pct, 'f', 1, 64)) + "%"
	case "ms":
		if math.Abs(math.Round(v*10)/10) >= 100 {
			return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	case "txn/s":
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	if v == math.Trunc(v) || math.Abs(v) >= 100 {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// Preset is a named set of parameter values that reproduces a situation.
type Preset struct {
	Name   string // "dynamo"
	Label  string // "Dynamo (3,2,2)"
	Help   string
	Values map[string]string // raw values, validated by the schema's tests
}

// Schema declares a lab.
type Schema struct {
	Name    string // "quorum": URL ?lab=, `sim` block, embed/<name>.html
	Title   string // "Quorum replication"
	Summary string // one sentence for cards and the embed page
	// Chapter is the chapter file (relative to chapters/) that explains the
	// lab; embed pages link back to it.
	Chapter string
	// Width and Height are the canvas's logical size in CSS pixels; posters
	// and the live canvas use the same box.
	Width, Height int
	// TimeScale is the virtual time that passes in one wall-clock second
	// at speed 1×.
	TimeScale time.Duration
	Params    []Param
	Actions   []Action
	Metrics   []Metric
	Presets   []Preset
	// Validate checks relations between parameters (w <= n) and returns a
	// message naming them ("w=7 > n=5"). Optional.
	Validate func(Values) error
	// Repair mends values that fail Validate, for lenient (URL) parsing.
	// Optional; without it failing values fall back to the defaults.
	Repair func(Values)
}

// Param returns the parameter called name.
func (s *Schema) Param(name string) (*Param, bool) {
	for i := range s.Params {
		if s.Params[i].Name == name {
			return &s.Params[i], true
		}
	}
	return nil, false
}

// Action returns the action called name.
func (s *Schema) Action(name string) (*Action, bool) {
	for i := range s.Actions {
		if s.Actions[i].Name == name {
			return &s.Actions[i], true
		}
	}
	return nil, false
}

// Preset returns the preset called name.
func (s *Schema) Preset(name string) (*Preset, bool) {
	for i := range s.Presets {
		if s.Presets[i].Name == name {
			return &s.Presets[i], true
		}
	}
	return nil, false
}

// Reserved are query keys that are not lab parameters: they belong to the
// page (which lab, seed, time, recorded actions, embedding options).
var Reserved = map[string]bool{
	"lab": true, "seed": true, "preset": true, "t": true, "do": true,
	"theme": true, "controls": true, "autoplay": true, "id": true, "motion": true,
}

// Values holds a lab's parameters by name: numbers as they are, booleans as
// 0 or 1, enums as the index of the option.
type Values map[string]float64

// Int returns the value of an Int, Bool or Enum parameter.
func (v Values) Int(name string) int { return int(math.Round(v[name])) }

// Float returns the value of a Float parameter.
func (v Values) Float(name string) float64 { return v[name] }

// Bool returns the value of a Bool parameter.
func (v Values) Bool(name string) bool { return v[name] != 0 }

// Ms returns the value of a parameter in milliseconds as a duration.
func (v Values) Ms(name string) time.Duration {
	return time.Duration(v[name] * float64(time.Millisecond))
}

// Clone returns a copy of v.
func (v Values) Clone() Values {
	c := make(Values, len(v))
	for k, x := range v {
		c[k] = x
	}
	return c
}

// Defaults returns every parameter at its default.
func (s *Schema) Defaults() Values {
	v := make(Values, len(s.Params))
	for _, p := range s.Params {
		v[p.Name] = p.Default
	}
	return v
}

// ParseValue parses one raw value for p: numbers for Int and Float, on/off
// (or true/false, yes/no, 1/0) for Bool, an option name for Enum. It checks
// the range but does not clamp.
func (p *Param) ParseValue(raw string) (float64, error) {
	raw = strings.TrimSpace(raw)
	switch p.Kind {
	case Bool:
		switch strings.ToLower(raw) {
		case "on", "true", "yes", "1":
			return 1, nil
		case "off", "false", "no", "0":
			return 0, nil
		}
		return 0, fmt.Errorf("%s=%q: want on or off", p.Name, raw)
	case Enum:
		for i, o := range p.Options {
			if strings.EqualFold(o, raw) {
				return float64(i), nil
			}
		}
		return 0, fmt.Errorf("%s=%q: want one of %s", p.Name, raw, strings.Join(p.Options, ", "))
	}
	x, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%s=%q: not a number", p.Name, raw)
	}
	if p.Kind == Int && x != math.Trunc(x) {
		return 0, fmt.Errorf("%s=%s: want a whole number", p.Name, raw)
	}
	if x < p.Min || x > p.Max {
		return x, &RangeError{Param: p, Value: x}
	}
	return x, nil
}

// RangeError reports a number outside a parameter's range.
type RangeError struct {
	Param *Param
	Value float64
}

func (e *RangeError) Error() string {
	p := e.Param
	return fmt.Sprintf("%s=%s is out of range %s…%s", p.Name, p.Format(e.Value), p.Format(p.Min), p.Format(p.Max))
}

// Clamp returns x limited to p's range, snapped to its step.
func (p *Param) Clamp(x float64) float64 {
	switch p.Kind {
	case Bool:
		if x != 0 {
			return 1
		}
		return 0
	case Enum:
		return math.Max(0, math.Min(float64(len(p.Options)-1), math.Round(x)))
	}
	x = math.Max(p.Min, math.Min(p.Max, x))
	if p.Kind == Int {
		x = math.Round(x)
	}
	return x
}

// Format writes x the way a URL or a `sim` block would: on/off for booleans,
// the option name for enums, the shortest exact number otherwise.
func (p *Param) Format(x float64) string {
	switch p.Kind {
	case Bool:
		if x != 0 {
			return "on"
		}
		return "off"
	case Enum:
		i := int(x)
		if i >= 0 && i < len(p.Options) {
			return p.Options[i]
		}
		return strconv.Itoa(i)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// Parse reads raw key=value pairs strictly: an unknown key, a bad value or a
// value out of range is an error naming the key. Missing keys take their
// defaults. "seed" and "preset" are handled by the caller (see Config).
func (s *Schema) Parse(raw map[string]string) (Values, error) {
	v := s.Defaults()
	for _, k := range sortedKeys(raw) {
		p, ok := s.Param(k)
		if !ok {
			return nil, s.unknown(k)
		}
		x, err := p.ParseValue(raw[k])
		if err != nil {
			return nil, err
		}
		v[k] = x
	}
	if err := s.Check(v); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Schema) unknown(k string) error {
	names := make([]string, 0, len(s.Params))
	for _, p := range s.Params {
		names = append(names, p.Name)
	}
	if near := Nearest(k, names); near != "" {
		return fmt.Errorf("unknown parameter %q (did you mean %q?)", k, near)
	}
	return fmt.Errorf("unknown parameter %q (known: %s)", k, strings.Join(names, ", "))
}

// Check verifies relations between parameters that the lab declares in
// Validate.
func (s *Schema) Check(v Values) error {
	if s.Validate == nil {
		return nil
	}
	return s.Validate(v)
}

// Lenient reads raw key=value pairs the way a URL is read: unknown keys are
// ignored, bad values take the default and out-of-range values are clamped.
// Every change is reported in the returned notes, so the page can show them.
// Constraints that fail are repaired by Repair when the lab provides one.
func (s *Schema) Lenient(raw map[string]string) (Values, []string) {
	v := s.Defaults()
	var notes []string
	for _, k := range sortedKeys(raw) {
		p, ok := s.Param(k)
		if !ok {
			if !Reserved[k] {
				notes = append(notes, "ignored "+s.unknown(k).Error())
			}
			continue
		}
		x, err := p.ParseValue(raw[k])
		if err != nil {
			var re *RangeError
			if ok := asRange(err, &re); ok {
				v[k] = p.Clamp(x)
				notes = append(notes, fmt.Sprintf("%s; using %s", err, p.Format(v[k])))
				continue
			}
			notes = append(notes, fmt.Sprintf("%s; using %s", err, p.Format(p.Default)))
			continue
		}
		v[k] = x
	}
	if err := s.Check(v); err != nil {
		if s.Repair != nil {
			s.Repair(v)
		}
		if s.Check(v) != nil {
			v = s.Defaults()
		}
		notes = append(notes, fmt.Sprintf("%s; using %s", err, orDefaults(s.Encode(v))))
	}
	return v, notes
}

func orDefaults(q string) string {
	if q == "" {
		return "the defaults"
	}
	return q
}

func asRange(err error, re **RangeError) bool {
	r, ok := err.(*RangeError)
	if ok {
		*re = r
	}
	return ok
}

// Encode writes the values that differ from the defaults as a canonical,
// sorted query fragment: "n=5&r=3&w=3".
func (s *Schema) Encode(v Values) string {
	var parts []string
	for _, p := range s.Params {
		x, ok := v[p.Name]
		if !ok || x == p.Default {
			continue
		}
		parts = append(parts, p.Name+"="+p.Format(x))
	}
	slices.Sort(parts)
	return strings.Join(parts, "&")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Nearest returns the name within edit distance 2 of k, if one exists (for
// "did you mean" messages).
func Nearest(k string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(k, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
