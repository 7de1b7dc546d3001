//go:build bench

// Package bench measures what a reader pays for the book: the size of the
// lab binary beside an empty Ebiten game, page weight, how fast a lab
// starts and what it costs while running, paused or offscreen, model
// throughput, and build times. `make bench` runs it and writes
// BENCHMARKS.md; each figure has a budget and passes or fails.
package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"

	"github.com/scaling-data/book/book"
	"github.com/scaling-data/book/book/internal/browsertest"
	"github.com/scaling-data/book/sim/labs"
)

// figure is one line of the report.
type figure struct {
	Group, Name string
	Value       string
	Budget      string
	Pass        *bool // nil: no budget, or not measurable here (Why)
	How         string
	Why         string // why a budgeted figure cannot be measured on this machine
}

var report []figure

func add(group, name, value, budget string, pass *bool, how string) {
	report = append(report, figure{group, name, value, budget, pass, how, ""})
	status := ""
	if pass != nil {
		status = map[bool]string{true: "  ok", false: "  OVER BUDGET"}[*pass]
	}
	fmt.Printf("%-10s %-52s %-22s %-18s%s\n", group, name, value, budget, status)
}

func yes(b bool) *bool { return &b }

// unmeasurable records a budgeted figure that this machine cannot measure
// truthfully, with the reason; the report shows it as such instead of as
// passing or failing.
func unmeasurable(group, name, value, budget, how, why string) {
	report = append(report, figure{group, name, value, budget, nil, how, why})
	fmt.Printf("%-10s %-52s %-22s %-18s  NOT MEASURABLE HERE: %s\n", group, name, value, budget, why)
}

func brotliSize(data []byte, quality int) int {
	var b bytes.Buffer
	w := brotli.NewWriterLevel(&b, quality)
	_, _ = w.Write(data)
	_ = w.Close()
	return b.Len()
}

func gzipSize(data []byte) int {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = w.Write(data)
	_ = w.Close()
	return b.Len()
}

func mb(n int) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

// emptyGame builds an Ebiten game that does nothing, with the same Ebiten
// and Go, so the lab binary's size and start time have a yardstick. Its
// only addition is a message to the page when it first draws.
func emptyGame(t *testing.T, dir string) string {
	return buildGame(t, dir, "empty", `//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"
)

type game struct{ drawn bool }

func (g *game) Update() error { return nil }
func (g *game) Draw(*ebiten.Image) {
	if !g.drawn {
		g.drawn = true
		if f := js.Global().Get("scalingdataSend"); f.Type() == js.TypeFunction {
			f.Invoke("{\"type\":\"scalingdata:frame\",\"first\":true}")
		}
	}
}
func (g *game) Layout(w, h int) (int, int) { return w, h }

func main() { _ = ebiten.RunGame(&game{}) }
`)
}

// referenceScene builds the frame-rate yardstick: an Ebiten game that
// redraws 40 anti-aliased circles and 40 anti-aliased lines, moving, every
// frame, at device resolution like the labs, and counts its frames where
// the labs count theirs (globalThis.scalingdataFrames).
func referenceScene(t *testing.T, dir string) string {
	return buildGame(t, dir, "reference", `//go:build js && wasm

package main

import (
	"image/color"
	"math"
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"
)

var frames = func() js.Value {
	o := js.Global().Get("Object").New()
	o.Set("value", 0)
	js.Global().Set("scalingdataFrames", o)
	return o
}()

type game struct{ n int }

func (g *game) Update() error { g.n++; return nil }
func (g *game) Draw(screen *ebiten.Image) {
	screen.Fill(color.White)
	w, h := float64(screen.Bounds().Dx()), float64(screen.Bounds().Dy())
	for i := range 40 {
		a := float64(g.n)/60 + float64(i)*0.157
		x, y := w/2+w*0.4*math.Cos(a*1.3), h/2+h*0.4*math.Sin(a)
		c := color.RGBA{uint8(40 + 5*i), 80, 200, 255}
		vector.FillCircle(screen, float32(x), float32(y), 10, c, true)
		vector.StrokeLine(screen, float32(w/2), float32(h/2), float32(x), float32(y), 2, c, true)
	}
	frames.Set("value", frames.Get("value").Int()+1)
	if g.n <= 1 {
		if f := js.Global().Get("scalingdataSend"); f.Type() == js.TypeFunction {
			f.Invoke("{\"type\":\"scalingdata:frame\",\"first\":true}")
		}
	}
}
func (g *game) Layout(w, h int) (int, int) {
	s := ebiten.Monitor().DeviceScaleFactor()
	return int(float64(w) * s), int(float64(h) * s)
}

func main() { _ = ebiten.RunGame(&game{}) }
`)
}

// buildGame builds the Go source main as a js/wasm Ebiten game with the
// book's Go and Ebiten versions and returns the binary's path.
func buildGame(t *testing.T, dir, name, main string) string {
	t.Helper()
	root := browsertest.ModuleRoot()
	src := filepath.Join(dir, name)
	require(t, os.MkdirAll(src, 0o755))
	require(t, os.WriteFile(filepath.Join(src, "main.go"), []byte(main), 0o644))
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require(t, err)
	ebitenVersion := regexp.MustCompile(`github.com/hajimehoshi/ebiten/v2 (v\S+)`).FindSubmatch(gomod)[1]
	require(t, os.WriteFile(filepath.Join(src, "go.mod"), []byte("module "+name+"\n\ngo 1.26\n\nrequire github.com/hajimehoshi/ebiten/v2 "+string(ebitenVersion)+"\n"), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require(t, err)
	require(t, os.WriteFile(filepath.Join(src, "go.sum"), sum, 0o644))
	out := filepath.Join(dir, name+".wasm")
	goBuildWasm(t, src, ".", out, "-ldflags=-s -w")
	return out
}

// goBuildWasm builds package pkg of the module in dir for js/wasm into out.
// A module of the bench's own (a game) resolves its requirements from the
// go.sum copied into it (-mod=mod); the book's module is built as it is.
func goBuildWasm(t *testing.T, dir, pkg, out string, flags ...string) {
	t.Helper()
	cmd := exec.Command("go", append(append([]string{"build", "-trimpath"}, flags...), "-o", out, pkg)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if dir != browsertest.ModuleRoot() {
		cmd.Env = append(cmd.Env, "GOFLAGS=-mod=mod")
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s in %s: %v\n%s", pkg, dir, err, b)
	}
}

func require(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestBench(t *testing.T) {
	dir := t.TempDir()
	fmt.Printf("%-10s %-52s %-22s %-18s\n", "group", "figure", "value", "budget")

	// Size: the lab binary and an empty Ebiten game, built the same way.
	ours, err := os.ReadFile(browsertest.Wasm(t))
	require(t, err)
	empty, err := os.ReadFile(emptyGame(t, dir))
	require(t, err)
	ob, eb := brotliSize(ours, 9), brotliSize(empty, 9)
	add("wasm", "labs.wasm raw", mb(len(ours)), "", nil, "GOOS=js GOARCH=wasm go build -ldflags='-s -w' ./wasm")
	add("wasm", "labs.wasm gzip -9", mb(gzipSize(ours)), "", nil, "")
	add("wasm", "labs.wasm brotli -q 9 (as served)", mb(ob), "", nil, "")
	add("wasm", "empty Ebiten game raw / gzip / brotli", mb(len(empty))+" / "+mb(gzipSize(empty))+" / "+mb(eb), "", nil, "same Go and Ebiten")
	ratio := float64(ob) / float64(eb)
	add("wasm", "labs.wasm ÷ empty game (brotli)", fmt.Sprintf("%.2f×", ratio), "≤ 1.25×", yes(ratio <= 1.25), "")
	holdings = binaryHoldings(t, dir)

	// Build: cold (empty caches) and after editing one chapter.
	cfg := browsertest.Config(t, filepath.Join(dir, "public"))
	chapters := filepath.Join(dir, "chapters")
	require(t, exec.Command("cp", "-r", cfg.Chapters, chapters).Run())
	cfg.Chapters = chapters
	cfg.Cache = filepath.Join(dir, "cache")
	start := time.Now()
	_, err = book.Build(cfg)
	require(t, err)
	cold := time.Since(start)
	add("build", "whole book, cold (compression cache empty)", cold.Round(time.Millisecond).String(), "", nil, "scalingdata build")
	quorums := filepath.Join(chapters, "04-quorums.md")
	src, err := os.ReadFile(quorums)
	require(t, err)
	require(t, os.WriteFile(quorums, append(src, []byte("\nAn edit.\n")...), 0o644))
	start = time.Now()
	_, err = book.Build(cfg)
	require(t, err)
	warm := time.Since(start)
	add("build", "whole book after editing one chapter", warm.Round(time.Millisecond).String(), "", nil, "scalingdata build (caches warm)")

	// Page weight: what a chapter costs before any lab starts (brotli, as
	// served), images excluded.
	site := cfg.Out
	shared := 0
	for _, a := range []string{"assets/book.css", "assets/theme.js", "assets/lab.js", "assets/book.js", "assets/search.js", "assets/glossary.js", "assets/terms.js"} {
		shared += servedSize(t, site, a)
	}
	pages, _ := filepath.Glob(filepath.Join(site, "*.html"))
	slices.Sort(pages)
	worst, worstPage := 0, ""
	for _, p := range pages {
		name := filepath.Base(p)
		if name == "lab.html" || name == "print.html" {
			continue
		}
		total := shared + servedSize(t, site, name)
		if total > worst {
			worst, worstPage = total, name
		}
	}
	add("page", "heaviest chapter until readable: "+worstPage, fmt.Sprintf("%.1f KB", float64(worst)/1000), "≤ 60 KB", yes(worst <= 60_000), "HTML+CSS+JS, brotli, no images, no wasm")
	index, _ := os.ReadFile(filepath.Join(site, "assets", "search-index.js"))
	add("page", "search index (loaded on first search)", fmt.Sprintf("%.1f KB raw, %.1f KB brotli", float64(len(index))/1000, float64(brotliSize(index, 11))/1000), "", nil, "")

	liveReload(t, dir)
	browser(t, dir, site, empty)
	models(t)
	writeReport(t)
}

// liveReload measures save → reloaded page with the development server.
func liveReload(t *testing.T, dir string) {
	cfg := browsertest.Config(t, filepath.Join(dir, "dev-public"))
	chapters := filepath.Join(dir, "dev-chapters")
	require(t, exec.Command("cp", "-r", cfg.Chapters, chapters).Run())
	cfg.Chapters, cfg.Dev = chapters, true
	res, err := book.Build(cfg)
	require(t, err)
	lr := book.NewLiveReload(cfg, res.ID)
	stop := make(chan struct{})
	defer close(stop)
	go lr.Watch(20*time.Millisecond, stop)
	mux := http.NewServeMux()
	mux.Handle("/", book.Handler(os.DirFS(cfg.Out)))
	mux.Handle("/__livereload", lr)
	// The server closes after the browser (cleanups run last-in,
	// first-out): Close waits for the page's live-reload stream, which
	// stays open while the page does, so closing it first hung the bench.
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := browsertest.Browser(t, 1280, 900, browsertest.EveryFrame, browsertest.OwnBrowser)
	must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/quorums.html"), chromedp.WaitReady(chromedp.CSS(`body`)), chromedp.Sleep(time.Second)))
	var times []float64
	for i := 0; i < 5; i++ {
		time.Sleep(time.Second) // an author saves, reads, saves again
		mark := fmt.Sprintf("Edited %d.", i)
		path := filepath.Join(chapters, "04-quorums.md")
		src, err := os.ReadFile(path)
		require(t, err)
		start := time.Now()
		require(t, os.WriteFile(path, append(src, []byte("\n"+mark+"\n")...), 0o644))
		must(t, chromedp.Do(ctx, waitFor(`document.body && document.body.textContent.includes(`+strconv.Quote(mark)+`)`)))
		times = append(times, float64(time.Since(start).Milliseconds()))
	}
	must(t, chromedp.Do(ctx, chromedp.Navigate("about:blank"))) // the page lets go of its stream
	slices.Sort(times)
	med := times[len(times)/2]
	add("build", "save a chapter → open page reloaded (median of 5)", fmt.Sprintf("%.0f ms", med), "≤ 300 ms", yes(med <= 300), "make serve (-dev), headless Chromium")
}

func servedSize(t *testing.T, site, name string) int {
	t.Helper()
	if st, err := os.Stat(filepath.Join(site, name+".br")); err == nil {
		return int(st.Size())
	}
	st, err := os.Stat(filepath.Join(site, name))
	require(t, err)
	return int(st.Size())
}

// browser measures labs in Chromium: start time beside the empty game,
// main-thread time per frame, frames while paused or offscreen, memory.
func browser(t *testing.T, dir, site string, empty []byte) {
	// The empty game gets a copy of the site with its binary in place of
	// ours, so both start through the same frame page and server; so does
	// the reference scene, for frame rates.
	emptySite := siteWith(t, site, filepath.Join(dir, "empty-site"), empty)
	ref, err := os.ReadFile(referenceScene(t, dir))
	require(t, err)
	refSite := siteWith(t, site, filepath.Join(dir, "reference-site"), ref)
	oursURL := browsertest.Serve(t, site)
	emptyURL := browsertest.Serve(t, emptySite)
	frameRates(t, oursURL, browsertest.Serve(t, refSite))

	for _, cold := range []bool{true, false} {
		if !cold && os.Getenv("BENCH_WARM") == "" {
			// Warm starts (a second run in the same browser) are measured
			// on request, BENCH_WARM=1: in the last full run here they
			// took minutes each and never finished, which is not yet
			// understood (see BENCHMARKS.md).
			continue
		}
		label := map[bool]string{true: "cold", false: "warm"}[cold]
		om, em := startTimes(t, oursURL, emptyURL, cold)
		add("start", "Run → first frame, "+label+" (median of 5)", fmt.Sprintf("%.0f ms (empty game %.0f ms)", om, em), "", nil, "headless Chromium, SwiftShader")
		r := om / em
		add("start", "lab start ÷ empty game start, "+label, fmt.Sprintf("%.2f×", r), "≤ 1.3×", yes(r <= 1.3), "")
	}
	servers(t, site, emptySite)

	// Running cost on the quorum lab at default settings.
	ctx := browsertest.Browser(t, 1280, 900, browsertest.EveryFrame, browsertest.OwnBrowser)
	const f = `document.querySelector('figure.lab')`
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(oursURL+"/embed/quorum.html"),
		chromedp.Click(chromedp.CSS(`.lab-run`)),
		waitFor(f+`.dataset.firstFrame`),
		chromedp.Sleep(2*time.Second),
	))
	frames := func() float64 {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('.lab-frame').contentWindow.scalingdataFrames.value`))
		must(t, err)
		return v
	}
	busy := func() float64 {
		m, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]*performance.Metric, error) {
			_, _ = cdp.Call(ctx, tg, performance.Enable, performance.EnableParams{})
			r, err := cdp.Call(ctx, tg, performance.GetMetrics, cdp.Empty{})
			if err != nil {
				return nil, err
			}
			return r.Metrics, nil
		})
		must(t, err)
		for _, x := range m {
			if x.Name == "TaskDuration" {
				return x.Value * 1000
			}
		}
		return 0
	}
	f0, b0 := frames(), busy()
	must(t, chromedp.Do(ctx, chromedp.Sleep(5*time.Second)))
	f1, b1 := frames(), busy()
	perFrame := (b1 - b0) / (f1 - f0)
	const perFrameHow = "Performance.getMetrics TaskDuration ÷ frames drawn"
	perFrameValue := fmt.Sprintf("%.1f ms (%.0f frames in 5 s)", perFrame, f1-f0)
	renderer, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const gl = document.createElement('canvas').getContext('webgl2'); const d = gl && gl.getExtension('WEBGL_debug_renderer_info'); return d ? gl.getParameter(d.UNMASKED_RENDERER_WEBGL) : ''; })()`))
	must(t, err)
	if strings.Contains(renderer, "SwiftShader") {
		unmeasurable("running", "main-thread time per frame, animating", perFrameValue, "≤ 4 ms", perFrameHow,
			"WebGL is SwiftShader (software), whose rasterizing is counted as the page's task time")
	} else {
		add("running", "main-thread time per frame, animating", perFrameValue, "≤ 4 ms", yes(perFrame <= 4), perFrameHow)
	}

	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.lab-play`)), chromedp.Sleep(500*time.Millisecond)))
	p0 := frames()
	must(t, chromedp.Do(ctx, chromedp.Sleep(3*time.Second)))
	paused := frames() - p0
	add("running", "frames drawn in 3 s while paused", fmt.Sprintf("%.0f", paused), "0", yes(paused == 0), "")

	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.lab-play`)), chromedp.Sleep(500*time.Millisecond)))
	// Scroll it away and wait until the lab says it is idle offscreen (the
	// page's IntersectionObserver → a message → the lab's next update).
	scrolled := time.Now()
	must(t, chromedp.Do(ctx,
		js(`document.body.style.paddingBottom = '4000px'; window.scrollTo(0, 4000)`),
		waitFor(`document.querySelector('figure.lab').hasAttribute('data-offscreen')`)))
	ack := time.Since(scrolled)
	add("running", "scrolled offscreen → lab idle", fmt.Sprintf("%.0f ms", float64(ack.Milliseconds())), "", nil, "IntersectionObserver, message, next lab update")
	o0 := frames()
	must(t, chromedp.Do(ctx, chromedp.Sleep(3*time.Second)))
	off := frames() - o0
	add("running", "frames drawn in 3 s while scrolled offscreen", fmt.Sprintf("%.0f", off), "0", yes(off == 0), "")

	mem := func() float64 {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('.lab-frame').contentWindow.scalingdataMemory() + (performance.memory ? performance.memory.usedJSHeapSize : 0)`))
		must(t, err)
		return v
	}
	seek := func(ms int) {
		must(t, chromedp.Do(ctx, js(`{ const s = document.querySelector('.lab-scrub'); s.max = '`+strconv.Itoa(ms)+`'; s.value = '`+strconv.Itoa(ms)+`'; s.dispatchEvent(new Event('input')) }`),
			waitFor(`document.querySelector('.lab-time').textContent !== '0 ms'`), chromedp.Sleep(time.Second)))
	}
	must(t, chromedp.Do(ctx, js(`window.scrollTo(0, 0)`)))
	seek(10_000)
	m10 := mem()
	seek(300_000)
	m300 := mem()
	grow := m300 / m10
	add("running", "memory at 5 min vs 10 s of virtual time", fmt.Sprintf("%s vs %s", mb(int(m300)), mb(int(m10))), "≤ 1.25× (bounded)", yes(grow <= 1.25), "wasm memory + JS heap, quorum lab")
}

// siteWith copies the built site to dir with game in place of the lab
// binary (and its compressed copies, as the build writes them for ours,
// so servers that send them send both).
func siteWith(t *testing.T, site, dir string, game []byte) string {
	require(t, exec.Command("cp", "-r", site, dir).Run())
	for _, ext := range []string{"", ".br", ".gz"} {
		_ = os.Remove(filepath.Join(dir, "assets", "labs.wasm"+ext))
	}
	require(t, os.WriteFile(filepath.Join(dir, "assets", "labs.wasm"), game, 0o644))
	var gz, br bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(game)
	require(t, zw.Close())
	bw := brotli.NewWriterLevel(&br, 9)
	_, _ = bw.Write(game)
	require(t, bw.Close())
	require(t, os.WriteFile(filepath.Join(dir, "assets", "labs.wasm.gz"), gz.Bytes(), 0o644))
	require(t, os.WriteFile(filepath.Join(dir, "assets", "labs.wasm.br"), br.Bytes(), 0o644))
	return dir
}

// frameRates: each lab's frames per second while it runs at its defaults
// on its embed page, beside the reference scene's on the same page,
// measured alternately in one browser (reference, lab, for each lab), so
// both see the same load. Budget: a lab draws at least as many frames as
// the reference scene.
func frameRates(t *testing.T, oursURL, refURL string) {
	ctx := browsertest.Browser(t, 1280, 900, browsertest.EveryFrame, browsertest.OwnBrowser)
	const frames = `document.querySelector('.lab-frame').contentWindow.scalingdataFrames.value`
	rate := func(base, lab string) float64 {
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/embed/"+lab+".html?seed=1"),
			chromedp.Click(chromedp.CSS(`.lab-run`)),
			waitFor(`document.querySelector('figure.lab').dataset.firstFrame && `+frames+` > 5`),
		))
		f0, err := chromedp.Run(ctx, chromedp.Evaluate[float64](frames))
		must(t, err)
		start := time.Now()
		must(t, chromedp.Do(ctx, chromedp.Sleep(5*time.Second)))
		f1, err := chromedp.Run(ctx, chromedp.Evaluate[float64](frames))
		must(t, err)
		return (f1 - f0) / time.Since(start).Seconds()
	}
	for _, l := range labs.All() {
		name := l.Schema.Name
		ref := rate(refURL, name)
		ours := rate(oursURL, name)
		add("frames", name+": frames/s, lab vs reference scene", fmt.Sprintf("%.1f vs %.1f (%.2f×)", ours, ref, ours/ref), "≥ 1.0×", yes(ours >= ref),
			"embed page, 1280×900, SwiftShader; reference: 40 AA circles + 40 AA lines redrawn every frame")
	}
	must(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")))
}

// servers: Run → first frame, cold, on the two other kinds of host beside
// scalingdata serve (measured above): nginx with the hosting guide's
// nginx.conf, and a plain static server (no compression, no CORS, as
// python's http.server), each against the empty game on the same server.
// Then the two ways a frame loads the binary, on the plain server and on
// scalingdata serve: fetch (frames with an origin) and the base64 scripts
// (sandboxed embeds: an opaque origin), the scripts forced by refusing
// the .wasm file (the frame falls back to them).
func servers(t *testing.T, site, emptySite string) {
	plain := func(dir string, refuseWasm bool) string {
		files := http.FileServer(http.Dir(dir))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if refuseWasm && r.URL.Path == "/assets/labs.wasm" {
				http.Error(w, "refused", http.StatusForbidden)
				return
			}
			files.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	for _, host := range []struct {
		name  string
		serve func(dir string) string
	}{
		{"nginx, the guide's nginx.conf", func(dir string) string { return browsertest.Nginx(t, dir) }},
		{"plain server, no compression", func(dir string) string { return plain(dir, false) }},
	} {
		o, e := startTimes(t, host.serve(site), host.serve(emptySite), true)
		add("start", "Run → first frame, cold, "+host.name, fmt.Sprintf("%.0f ms (empty game %.0f ms)", o, e), "", nil, "headless Chromium, SwiftShader, median of 5")
		add("start", "lab start ÷ empty game start, cold, "+host.name, fmt.Sprintf("%.2f×", o/e), "≤ 1.3×", yes(o/e <= 1.3), "")
	}
	refusing := func(dir string) string {
		h := book.Handler(os.DirFS(dir))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/assets/labs.wasm" {
				http.Error(w, "refused", http.StatusForbidden)
				return
			}
			h.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	for _, host := range []struct {
		name           string
		fetch, scripts string
	}{
		{"plain server", plain(site, false), plain(site, true)},
		{"scalingdata serve", browsertest.Serve(t, site), refusing(site)},
	} {
		f, s := startTimes(t, host.fetch, host.scripts, true)
		add("start", "Run → first frame, cold, "+host.name+": fetch vs scripts", fmt.Sprintf("%.0f ms vs %.0f ms (%.2f×)", f, s, s/f), "", nil,
			"scripts: what sandboxed embeds use (forced here by refusing the .wasm)")
	}
}

// startTimes times Run → first frame of the quorum lab on two sites, a
// and b, five times each, alternately (a, b, a, b…: a busy moment of the
// machine falls on both), each start in a Chromium of its own that is
// closed before the next one starts; it returns the two medians. Cold:
// nothing cached; warm: the binary is in the HTTP cache from a first run
// in the same browser.
func startTimes(t *testing.T, a, b string, cold bool) (float64, float64) {
	var ta, tb []float64
	for i := 0; i < 5; i++ {
		for _, s := range []struct {
			base  string
			times *[]float64
		}{{a, &ta}, {b, &tb}} {
			t.Run("start", func(t *testing.T) {
				ctx := browsertest.Browser(t, 1280, 900, browsertest.EveryFrame, browsertest.OwnBrowser)
				if !cold {
					_ = firstFrame(t, ctx, s.base)
				}
				*s.times = append(*s.times, firstFrame(t, ctx, s.base))
			})
		}
	}
	slices.Sort(ta)
	slices.Sort(tb)
	return ta[len(ta)/2], tb[len(tb)/2]
}

// firstFrame opens the quorum embed page and times Run → first frame.
func firstFrame(t *testing.T, ctx context.Context, base string) float64 {
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/embed/quorum.html?seed=1"),
		chromedp.Click(chromedp.CSS(`.lab-run`)),
		waitFor(`document.querySelector('figure.lab').dataset.firstFrame`),
	))
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('figure.lab').dataset.firstFrame`))
	must(t, err)
	ms, _ := strconv.ParseFloat(v, 64)
	return ms
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func js(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](expr + `; undefined`)
}

func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			ok, err := chromedp.Evaluate[bool]("!!("+expr+")")(ctx, tg)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			time.Sleep(20 * time.Millisecond)
		}
		return chromedp.Void{}, fmt.Errorf("timed out waiting for %s", expr)
	}
}

// models runs the model benchmarks and reports their throughput.
func models(t *testing.T) {
	run := func(pkg, bench string) string {
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", bench, "-benchtime", "1s", pkg)
		cmd.Dir = browsertest.ModuleRoot()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go test -bench %s %s: %v\n%s", bench, pkg, err, out)
		}
		return string(out)
	}
	metric := func(out, unit string) (float64, bool) {
		re := regexp.MustCompile(`([0-9.e+]+) ` + regexp.QuoteMeta(unit))
		m := re.FindStringSubmatch(out)
		if m == nil {
			return 0, false
		}
		v, err := strconv.ParseFloat(m[1], 64)
		return v, err == nil
	}
	out := run("./sim/engine", "BenchmarkEngineEvents")
	if v, ok := metric(out, "events/s"); ok {
		add("models", "engine events per second", fmt.Sprintf("%.2f M/s", v/1e6), "≥ 1 M/s", yes(v >= 1e6), "go test -bench BenchmarkEngineEvents ./sim/engine")
	}
	out = run("./sim/linear", "BenchmarkCheck200")
	if v, ok := metric(out, "ns/op"); ok {
		add("models", "porcupine check of a 200-operation window", fmt.Sprintf("%.2f ms", v/1e6), "≤ 4 ms (a frame)", yes(v/1e6 <= 4), "go test -bench BenchmarkCheck200 ./sim/linear")
	}
	if _, err := os.Stat(filepath.Join(browsertest.ModuleRoot(), "sim", "shard")); err == nil {
		out = run("./sim/shard", "BenchmarkRebalance1M")
		for _, line := range strings.Split(out, "\n") {
			if !strings.HasPrefix(line, "BenchmarkRebalance1M") {
				continue
			}
			if v, ok := metric(line, "ns/op"); ok {
				name := strings.Fields(line)[0]
				add("models", strings.TrimPrefix(name, "Benchmark"), fmt.Sprintf("%.1f ms", v/1e6), "≤ 100 ms", yes(v/1e6 <= 100), "go test -bench BenchmarkRebalance1M ./sim/shard")
			}
		}
	}
}

// holdings is the report's table of what the lab binary holds beside the
// empty game.
var holdings string

// binaryHoldings builds the lab binary and the empty game with their
// function names (no -s) and says, by owner and then by package, where
// the lab binary's extra bytes are.
func binaryHoldings(t *testing.T, dir string) string {
	named := func(src, out string, pkg string) []share {
		goBuildWasm(t, src, pkg, out)
		bin, err := os.ReadFile(out)
		require(t, err)
		s, err := wasmShares(bin)
		require(t, err)
		return s
	}
	ours := named(browsertest.ModuleRoot(), filepath.Join(dir, "labs-named.wasm"), "./wasm")
	empty := named(filepath.Join(dir, "empty"), filepath.Join(dir, "empty-named.wasm"), ".")
	byGroup := func(ss []share) map[string]int {
		m := map[string]int{}
		for _, s := range ss {
			g := group(s.Name)
			if strings.HasPrefix(g, "other modules") {
				g = "other modules"
			}
			m[g] += s.Bytes
		}
		return m
	}
	og, eg := byGroup(ours), byGroup(empty)
	var names []string
	for g := range og {
		names = append(names, g)
	}
	slices.SortFunc(names, func(a, b string) int { return (og[b] - eg[b]) - (og[a] - eg[a]) })
	var b strings.Builder
	b.WriteString("\n## What labs.wasm holds beside the empty game\n\n")
	b.WriteString("Raw bytes of each binary built with its function names (no `-s`), by owner; compression shrinks each part differently.\n\n")
	b.WriteString("| part | labs.wasm | empty game | difference |\n| --- | --- | --- | --- |\n")
	for _, g := range names {
		fmt.Fprintf(&b, "| %s | %s | %s | %+.2f MB |\n", g, mb(og[g]), mb(eg[g]), float64(og[g]-eg[g])/1e6)
	}
	emptyBy := map[string]int{}
	for _, s := range empty {
		emptyBy[s.Name] = s.Bytes
	}
	b.WriteString("\nThe packages that add most code (function bodies, raw):\n\n| package | labs.wasm | empty game |\n| --- | --- | --- |\n")
	ours = slices.DeleteFunc(ours, func(s share) bool { return strings.HasPrefix(s.Name, "(") })
	slices.SortFunc(ours, func(a, b share) int { return (b.Bytes - emptyBy[b.Name]) - (a.Bytes - emptyBy[a.Name]) })
	for _, s := range ours[:min(15, len(ours))] {
		fmt.Fprintf(&b, "| %s | %.0f KB | %.0f KB |\n", s.Name, float64(s.Bytes)/1e3, float64(emptyBy[s.Name])/1e3)
	}
	return b.String()
}

// writeReport writes BENCHMARKS.md at the top of the repository.
func writeReport(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("Measured by `make bench` (`go test -tags bench -run TestBench -v ./book/bench`), which rewrites this file.\n")
	b.WriteString("Machine: " + machine() + ". Browser figures come from headless Chromium rendering through SwiftShader\n(software GL), so frame times are far slower than on a reader's GPU; the ratios are what the budgets hold.\n\n")
	b.WriteString("| group | figure | value | budget | | how |\n| --- | --- | --- | --- | --- | --- |\n")
	over := 0
	var missed []string
	for _, f := range report {
		status := ""
		if f.Why != "" {
			status = "not measurable here: " + f.Why
		}
		if f.Pass != nil {
			status = "pass"
			if !*f.Pass {
				status = "**over**"
				over++
				missed = append(missed, f.Group+": "+f.Name+" = "+f.Value+" (budget "+f.Budget+")")
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", f.Group, f.Name, f.Value, f.Budget, status, f.How)
	}
	if over > 0 {
		fmt.Fprintf(&b, "\n%d figure(s) over budget: see \"Budgets not met, and why\" below.\n", over)
	}
	b.WriteString(holdings)
	// The reasons for each budget missed are written by people, in
	// notes.md beside this file, and kept below the figures.
	if notes, err := os.ReadFile(filepath.Join(browsertest.ModuleRoot(), "book", "bench", "notes.md")); err == nil {
		b.WriteString("\n")
		b.Write(notes)
	}
	path := filepath.Join(browsertest.ModuleRoot(), "BENCHMARKS.md")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Println("wrote", path)
	// A budget missed fails the bench: BENCHMARKS.md cannot silently carry
	// misses.
	for _, m := range missed {
		t.Errorf("over budget: %s", m)
	}
}

func machine() string {
	out, _ := exec.Command("go", "version").Output()
	cpus, _ := exec.Command("nproc").Output()
	return strings.TrimSpace(string(out)) + ", " + strings.TrimSpace(string(cpus)) + " cores"
}
