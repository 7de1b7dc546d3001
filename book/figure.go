package book

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/scaling-data/book/render/canvas"
	"github.com/scaling-data/book/render/svg"
	"github.com/scaling-data/book/render/views"
	"github.com/scaling-data/book/sim/lab"
	"github.com/scaling-data/book/sim/labs"
)

// figureData is what the "figure" template needs to draw a lab: its
// poster, its controls generated from the schema, and its readouts.
type figureData struct {
	ID, Name, Title, Query, Root string
	PosterLight, PosterDark      string
	PosterAlt                    string
	Width, Height                int
	TimeScaleMs                  float64
	Seed                         uint64
	Presets                      []presetData
	PresetsJSON                  string
	Controls, Advanced           []controlData
	ArgParam, ArgLabel           string
	ArgOptions                   []option
	ArgActions, PlainActions     []lab.Action
	Metrics                      []lab.Metric
	Caption                      template.HTML
	ChapterHref                  string // embed pages link back to the chapter
	EmbedHeight                  int    // a frame height that shows the lab with its controls

	// The narrow layout's posters and size (0 when the lab has none),
	// shown by a container query below the wide layout's Width.
	NarrowLight, NarrowDark   string
	NarrowWidth, NarrowHeight int
}

type presetData struct {
	Name, Label, Help string
	Selected          bool
}

type option struct {
	Value, Label, Help string
	Selected           bool
}

type controlData struct {
	Name, Label, Help, Unit, Kind string
	Min, Max, Step, Value         string
	Checked                       bool
	Options                       []option
	Bound                         string
	// When is the condition under which the control applies, as JSON for
	// the page ({"param":"regions","atLeast":3}); Hidden says it does not
	// apply with the figure's values.
	When   string
	Hidden bool
}

// captionMD renders captions: inline Markdown with typographic quotes.
var captionMD = goldmark.New(goldmark.WithExtensions(extension.Typographer))

func renderCaption(src string) (template.HTML, error) {
	if src == "" {
		return "", nil
	}
	var b bytes.Buffer
	if err := captionMD.Convert([]byte(src), &b); err != nil {
		return "", err
	}
	out := strings.TrimSpace(b.String())
	if strings.Count(out, "<p>") == 1 {
		out = strings.TrimSuffix(strings.TrimPrefix(out, "<p>"), "</p>")
	}
	return template.HTML(out), nil // goldmark output with raw HTML off
}

// newFigureData fills the template data for a figure. posters maps lab
// states to poster files (written by the caller).
func (b *builder) newFigureData(fig *Figure, root string) (*figureData, error) {
	s := fig.Lab.Schema
	caption, err := renderCaption(fig.Caption)
	if err != nil {
		return nil, err
	}
	light, dark, alt, err := b.posters(fig)
	if err != nil {
		return nil, err
	}
	nLight, nDark, nSize, err := b.narrowPosters(fig)
	if err != nil {
		return nil, err
	}
	d := &figureData{
		ID: fig.ID, Name: s.Name, Title: s.Title, Query: fig.Query(), Root: root,
		PosterLight: light, PosterDark: dark, PosterAlt: alt,
		NarrowLight: nLight, NarrowDark: nDark, NarrowWidth: int(nSize.W), NarrowHeight: int(nSize.H),
		Width: s.Width, Height: s.Height, Seed: fig.Seed,
		TimeScaleMs: float64(s.TimeScale) / 1e6,
		Metrics:     s.Metrics,
		Caption:     caption,
		EmbedHeight: embedHeight(s),
	}
	presets := map[string]map[string]string{}
	named := presetsName(s)
	for _, p := range s.Presets {
		if named != "" {
			break // the presets are the options of one control
		}
		d.Presets = append(d.Presets, presetData{Name: p.Name, Label: p.Label, Help: p.Help, Selected: p.Name == fig.Preset})
		presets[p.Name] = p.Values
	}
	js, err := json.Marshal(presets)
	if err != nil {
		return nil, err
	}
	d.PresetsJSON = string(js)
	for _, p := range s.Params {
		c := control(&p, fig.Values[p.Name])
		c.Hidden = !s.Applies(&p, fig.Values)
		if p.Name == named {
			// One dropdown, not two: the options read as the presets do.
			for i := range c.Options {
				pr, _ := s.Preset(c.Options[i].Value)
				c.Options[i].Label, c.Options[i].Help = pr.Label, pr.Help
			}
		}
		if p.Advanced {
			d.Advanced = append(d.Advanced, c)
		} else {
			d.Controls = append(d.Controls, c)
		}
	}
	for _, a := range s.Actions {
		if a.Arg == "" {
			d.PlainActions = append(d.PlainActions, a)
			continue
		}
		d.ArgActions = append(d.ArgActions, a)
		d.ArgParam = a.ArgParam
		d.ArgLabel = strings.ToUpper(a.Arg[:1]) + a.Arg[1:]
	}
	if d.ArgParam != "" {
		for i := 0; i < fig.Values.Int(d.ArgParam); i++ {
			d.ArgOptions = append(d.ArgOptions, option{Value: strconv.Itoa(i), Label: string(rune('A' + i))})
		}
	}
	return d, nil
}

// embedHeight estimates the height of an embed page at 640 px wide: the
// canvas plus the bars, controls, metrics and log around it.
func embedHeight(s *lab.Schema) int {
	canvas := 620 * s.Height / s.Width
	controls := 60 * ((len(s.Params) + 2) / 3)
	return (canvas + controls + 480 + 9) / 10 * 10
}

// presetsName returns the Enum parameter whose options the lab's presets
// merely name (each preset sets that one parameter to its own option, one
// preset per option, as the history lab's scenarios do), or "".
func presetsName(s *lab.Schema) string {
	var name string
	seen := map[string]bool{}
	for _, p := range s.Presets {
		if len(p.Values) != 1 {
			return ""
		}
		for k, v := range p.Values {
			if (name != "" && k != name) || v != p.Name || seen[v] {
				return ""
			}
			name = k
			seen[v] = true
		}
	}
	q, ok := s.Param(name)
	if !ok || q.Kind != lab.Enum || len(q.Options) != len(seen) {
		return ""
	}
	for _, o := range q.Options {
		if !seen[o] {
			return ""
		}
	}
	return name
}

// whenJSON is a parameter's condition as the page reads it.
func whenJSON(w *lab.When) string {
	if w == nil {
		return ""
	}
	js, _ := json.Marshal(struct {
		Param   string   `json:"param"`
		Is      []string `json:"is,omitempty"`
		AtLeast float64  `json:"atLeast,omitempty"`
	}{w.Param, w.Is, w.AtLeast})
	return string(js)
}

func control(p *lab.Param, v float64) controlData {
	c := controlData{Name: p.Name, Label: p.Label, Help: p.Help, Unit: p.Unit, Kind: p.Kind.String(), Bound: p.Bound, When: whenJSON(p.When)}
	switch p.Kind {
	case lab.Bool:
		c.Checked = v != 0
	case lab.Enum:
		for i, o := range p.Options {
			c.Options = append(c.Options, option{Value: o, Label: o, Selected: i == int(v)})
		}
	default:
		step := p.Step
		if step == 0 {
			step = 1
		}
		c.Min, c.Max, c.Step, c.Value = p.Format(p.Min), p.Format(p.Max), p.Format(step), p.Format(v)
	}
	return c
}

// posters draws the figure's opening state in both themes and returns the
// poster paths (content-addressed, so equal states share a file) and the
// text alternative. Posters are deterministic, so each distinct state is
// drawn once per process (the dev server rebuilds often).
func (b *builder) posters(fig *Figure) (light, dark, alt string, err error) {
	s := fig.Lab.Schema
	key := fig.Query()
	posterMu.Lock()
	p, ok := posterCache[key]
	posterMu.Unlock()
	if !ok {
		view, found := views.For(s.Name)
		if !found {
			return "", "", "", fmt.Errorf("lab %q has no view", s.Name)
		}
		m := fig.Lab.New(fig.Values, fig.Seed)
		p.alt = s.Title + ", before it runs. " + view.Describe(m)
		for i, th := range []canvas.Theme{canvas.Light, canvas.Dark} {
			c := svg.New(float64(s.Width), float64(s.Height))
			view.Paint(c, m, th) // as the live lab draws: labels above traffic
			p.doc[i] = c.SVG(s.Title)
			p.name[i] = "posters/" + s.Name + "-" + th.Name + "-" + shortHash(p.doc[i]) + ".svg"
		}
		posterMu.Lock()
		posterCache[key] = p
		posterMu.Unlock()
	}
	for i := range p.doc {
		b.files[p.name[i]] = p.doc[i]
	}
	return p.name[0], p.name[1], p.alt, nil
}

// narrowPosters draws the figure's opening state in the view's narrow
// layout, in both themes (see posters); all empty when the view has none.
func (b *builder) narrowPosters(fig *Figure) (light, dark string, size canvas.Size, err error) {
	s := fig.Lab.Schema
	view, found := views.For(s.Name)
	if !found {
		return "", "", size, fmt.Errorf("lab %q has no view", s.Name)
	}
	if view.Narrow.Zero() {
		return "", "", size, nil
	}
	key := fig.Query() + "&layout=narrow"
	posterMu.Lock()
	p, ok := posterCache[key]
	posterMu.Unlock()
	m := fig.Lab.New(fig.Values, fig.Seed)
	size = view.NarrowSize(m)
	if !ok {
		for i, th := range []canvas.Theme{canvas.Light, canvas.Dark} {
			c := svg.New(size.W, size.H)
			view.Paint(c, m, th)
			p.doc[i] = c.SVG(s.Title)
			p.name[i] = "posters/" + s.Name + "-narrow-" + th.Name + "-" + shortHash(p.doc[i]) + ".svg"
		}
		posterMu.Lock()
		posterCache[key] = p
		posterMu.Unlock()
	}
	for i := range p.doc {
		b.files[p.name[i]] = p.doc[i]
	}
	return p.name[0], p.name[1], size, nil
}

type poster struct {
	name [2]string // light, dark
	doc  [2][]byte
	alt  string
}

var (
	posterCache = map[string]poster{}
	posterMu    sync.Mutex
)

// embedLab is one lab on embed/index.html, the page for course builders.
type embedLab struct {
	Name, Title, Summary string
	Chapter              *navItem
	Params               []embedParam
	Metrics              []lab.Metric
	Src, Snippet         string
	Height               int
}

type embedParam struct {
	Name, Label, Help, Range, Default string
}

func paramRange(p *lab.Param) string {
	switch p.Kind {
	case lab.Bool:
		return "on, off"
	case lab.Enum:
		return strings.Join(p.Options, ", ")
	}
	r := p.Format(p.Min) + "–" + p.Format(p.Max)
	if p.Unit != "" {
		r += " " + p.Unit
	}
	return r
}

// renderEmbedIndex writes embed/index.html.
func (b *builder) renderEmbedIndex() error {
	var list []embedLab
	for _, l := range labs.All() {
		s := l.Schema
		e := embedLab{Name: s.Name, Title: s.Title, Summary: s.Summary, Metrics: s.Metrics, Height: embedHeight(s)}
		for _, p := range b.pages {
			if p.File == s.Chapter {
				e.Chapter = &navItem{Title: p.Title, Href: p.Href}
			}
		}
		for i := range s.Params {
			p := &s.Params[i]
			e.Params = append(e.Params, embedParam{Name: p.Name, Label: p.Label, Help: p.Help, Range: paramRange(p), Default: p.Format(p.Default)})
		}
		e.Src = s.Name + ".html?lab=" + s.Name + "&seed=1"
		e.Snippet = fmt.Sprintf(`<iframe src="https://YOUR-BOOK-HOST/embed/%s.html?seed=1" title="%s (Scaling Data lab)" width="100%%" height="%d" style="border:0;max-width:100%%" sandbox="allow-scripts allow-popups allow-fullscreen" allow="fullscreen" loading="lazy"></iframe>
<script src="https://YOUR-BOOK-HOST/embed/resize.js" async></script>`,
			s.Name, s.Title, e.Height)
		list = append(list, e)
	}
	var out bytes.Buffer
	data := struct {
		pageData
		Labs []embedLab
	}{pageData{Book: BookTitle, Title: "Embedding labs", Root: "../", Version: b.version()}, list}
	if err := b.tmpl.ExecuteTemplate(&out, "embedindex", data); err != nil {
		return err
	}
	b.files["embed/index.html"] = out.Bytes()
	return nil
}
