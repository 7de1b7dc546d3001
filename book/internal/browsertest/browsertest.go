// Package browsertest drives the real Chromium (Debian's /usr/bin/chromium)
// with chromedp for the book's browser tests: it builds the lab binary and
// the site once per test process, serves it on loopback, and opens pages.
//
// Without Chromium the tests skip, except when CI=true, where they fail:
// CI must never pass by skipping the browser.
package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/scaling-data/book/book"
)

// Chromium is the browser the tests drive; CHROMIUM overrides it.
func Chromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// HeadlessShell is the Chromium most tests share: Debian's
// chromium-headless-shell, the same Chromium (its Blink, V8 and
// SwiftShader, the same version) without the browser's window and its
// user interface. CHROMIUM_HEADLESS_SHELL overrides it. A window of the
// full Chromium's headless mode also loads the browser's omnibox popups
// (WebUI pages, a renderer each): measured on 2 Dec 2026 on 2 cores,
// opening a window and a chapter in it took 3.9 s of CPU there and 1.1 s
// in the headless shell, and the suite opens over a hundred windows.
// Starting a lab costs the same in both. Tests with a Chromium of their
// own (OwnBrowser, EveryFrame: service workers, speed) run the full one.
func HeadlessShell() string {
	if p := os.Getenv("CHROMIUM_HEADLESS_SHELL"); p != "" {
		return p
	}
	return "/usr/bin/chromium-headless-shell"
}

// Require skips the test when Chromium or its headless shell is missing,
// or fails it under CI.
func Require(t testing.TB) {
	t.Helper()
	for _, p := range []struct{ path, pkg string }{{Chromium(), "chromium"}, {HeadlessShell(), "chromium-headless-shell"}} {
		if _, err := os.Stat(p.path); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is not at %s: install the %s package (.ci/deps does)", p.pkg, p.path, p.pkg)
			}
			t.Skipf("%s not found at %s; browser tests skipped (they run in CI)", p.pkg, p.path)
		}
	}
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test skipped in -short mode")
	}
}

var (
	siteOnce sync.Once
	siteTmp  string // removed by Cleanup
	siteDir  string
	siteErr  error
)

// Cleanup stops the shared Chromium and removes the site Site built. Call
// it from TestMain after m.Run.
func Cleanup() {
	shared.Lock()
	if shared.cancel != nil {
		shared.cancel()
		shared.ctx, shared.cancel = nil, nil
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	shared.Unlock()
	if siteTmp != "" {
		_ = os.RemoveAll(siteTmp)
	}
}

// ModuleRoot is the repository's top directory.
func ModuleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

var (
	wasmOnce sync.Once
	wasmPath string
	wasmErr  error
)

// Wasm builds the lab binary once per process and returns its path.
func Wasm(t testing.TB) string {
	t.Helper()
	wasmOnce.Do(func() {
		dir, err := tempDir()
		if err != nil {
			wasmErr = err
			return
		}
		wasmPath = filepath.Join(dir, "labs.wasm")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasmPath, "./wasm")
		cmd.Dir = ModuleRoot()
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			wasmErr = &buildError{"go build ./wasm", out, err}
		}
	})
	if wasmErr != nil {
		t.Fatalf("building the labs: %v", wasmErr)
	}
	return wasmPath
}

// Config is the build configuration the tests use: the real chapters, the
// lab binary, Go's wasm_exec.js, and a compression cache that outlives the
// test process.
func Config(t testing.TB, out string) book.Config {
	t.Helper()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return book.Config{
		Chapters: filepath.Join(ModuleRoot(), "chapters"),
		Out:      out,
		Wasm:     Wasm(t),
		WasmExec: filepath.Join(string(bytes.TrimSpace(goroot)), "lib", "wasm", "wasm_exec.js"),
		Cache:    filepath.Join(cache, "scalingdata-test", "compress"),
		Version:  "test",
	}
}

// tempDir is this process's scratch directory, removed by Cleanup.
func tempDir() (string, error) {
	if siteTmp == "" {
		dir, err := os.MkdirTemp("", "scalingdata-test-")
		if err != nil {
			return "", err
		}
		siteTmp = dir
	}
	return siteTmp, nil
}

// Site builds the book once per process and returns the directory of the
// built site.
func Site(t testing.TB) string {
	t.Helper()
	cfg := Config(t, "")
	siteOnce.Do(func() {
		dir, err := tempDir()
		if err != nil {
			siteErr = err
			return
		}
		cfg.Out = filepath.Join(dir, "public")
		siteDir = cfg.Out
		_, siteErr = book.Build(cfg)
	})
	if siteErr != nil {
		t.Fatalf("building the site: %v", siteErr)
	}
	return siteDir
}

type buildError struct {
	what string
	out  []byte
	err  error
}

func (e *buildError) Error() string { return e.what + ": " + e.err.Error() + "\n" + string(e.out) }

// Serve serves dir with the book's own handler on loopback for the test.
func Serve(t testing.TB, dir string) string {
	t.Helper()
	srv := httptest.NewServer(book.Handler(os.DirFS(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Browser opens a window for the test in the process's one headless
// Chromium (started on first use; Cleanup stops it), in a browser context
// of its own (an incognito profile: no cookies, storage, cache or service
// worker shared with other tests), and returns a chromedp context for its
// tab. width and height set the viewport; below 500 px it emulates a
// phone. The window closes when the test ends. Tests may run in parallel
// (t.Parallel): each tab is the visible, focused page of its own window
// and keeps drawing (tabs that shared one window stopped drawing: animation
// frames and screenshots never came). One browser for all saves each test
// a Chromium start (~3.5 s of CPU).
//
// Labs in this browser paint at most TestFPS pictures a second unless the
// test asks for EveryFrame; OwnBrowser starts a Chromium for the test alone.
func Browser(t testing.TB, width, height int, opts ...Option) context.Context {
	t.Helper()
	Require(t)
	var o options
	for _, f := range opts {
		f(&o)
	}
	var ctx context.Context
	var cancelC func()
	if o.everyFrame {
		o.ownBrowser = true // the reader's compiler: see EveryFrame
	}
	if o.ownBrowser {
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), chromiumFlags(Chromium(), t.TempDir(), max(width, 500), height, !o.everyFrame)...)
		c, cancel := chromedp.NewContext(actx)
		ctx, cancelC = c, func() { cancel(); cancelA() }
	} else {
		parent, err := sharedChromium()
		if err != nil {
			t.Fatalf("starting Chromium: %v", err)
		}
		ctx, cancelC = chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	}
	ctx, cancelT := context.WithTimeout(ctx, 10*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("opening a window in Chromium: %v", err)
	}
	script := logRecorder
	if !o.everyFrame {
		script += "globalThis.scalingdataMaxFPS = " + FormatFPS() + ";\n"
	}
	if err := chromedp.Do(ctx, onEveryDocument(script)); err != nil {
		t.Fatalf("preparing the tab: %v", err)
	}
	if err := chromedp.Do(ctx, Viewport(width, height)); err != nil {
		t.Fatalf("a %d×%d viewport: %v", width, height, err)
	}
	return ctx
}

// TestFPS is how many pictures a second a lab paints in a test's browser
// (bridge.Pacer): one every five seconds. Under software GL a picture
// costs 70–300 ms of CPU in the GPU process whatever it shows, and a lab
// that paints every frame it can takes the whole machine: four tests at
// once, each waiting for an event, spent most of the suite's time
// painting pictures nobody looked at. Measured on 2 Dec 2026 (quorum lab
// at 1280 px, 2 cores): unpaced 1.85 cores, 6 a second 1.6 (1.3 of them
// SwiftShader), 1 a second 0.5 (GPU process 0.31, renderer 0.19), one
// every five seconds 0.25 (GPU process 0.08, renderer 0.16). A paced lab still updates, reports
// and answers every frame, and paints at once when its layout changes;
// a test that screenshots it first asks for a picture of the moment
// (scalingdataFrames.paint(), see wasm/main.go).
const TestFPS = 0.2

// FormatFPS is TestFPS as a script writes it.
func FormatFPS() string { return strconv.FormatFloat(TestFPS, 'g', -1, 64) }

// Option changes how Browser sets up its tab.
type Option func(*options)

type options struct{ everyFrame, ownBrowser bool }

// EveryFrame lets the labs paint every frame, as they do for readers, in
// a Chromium of the test's own whose WebAssembly compiler tiers up as a
// reader's does (see QuickCompiler): for measuring frame rates and
// starts.
func EveryFrame(o *options) { o.everyFrame = true }

// OwnBrowser starts a Chromium for the test alone, with nothing warm in
// it: for measuring cold starts, and for a service worker's life (in the
// shared Chromium beside three busy tests, installing a new worker took
// 5 minutes instead of 20 s).
func OwnBrowser(o *options) { o.ownBrowser = true }

// logRecorder keeps, on each lab's event log (.lab-log), every line added
// since the log was last emptied (a restart empties it), as
// log.scalingdataSeen: the log itself shows only its last lines, and a
// busy machine can poll it too late to see one.
const logRecorder = `document.addEventListener('DOMContentLoaded', () => {
  new MutationObserver((records) => {
    for (const m of records) {
      const log = m.target;
      if (!log.classList || !log.classList.contains('lab-log')) continue;
      const seen = log.scalingdataSeen || (log.scalingdataSeen = []);
      if (m.removedNodes.length && !m.previousSibling && !m.nextSibling) seen.length = 0;
      for (const n of m.addedNodes) if (n.nodeType === 1) seen.push(n.textContent);
      if (seen.length > 100000) seen.splice(0, seen.length - 50000); // keep the newest lines
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
});
`

// onEveryDocument runs script in every document the tab loads from now on
// (lab frames included), before the document's own scripts.
func onEveryDocument(script string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return chromedp.Void{}, err
	}
}

// QuickCompiler is the V8 flag of test Chromiums that do not measure
// speed: WebAssembly is compiled by V8's baseline compiler (Liftoff) only,
// never tiered up to its optimizing one (TurboFan). The lab binary is
// 13.5 MB; what a lab computes does not depend on the tier, but what it
// costs does. Measured on 2 Dec 2026 (shard lab at 1280 px, 2 cores, one
// picture a second): from Run to the lab's first readouts 7.4–7.9 s of
// CPU with tier-up, 2.9–3.3 s without (and 2 s of wall time instead of
// 4.2); then 0.57 cores against 0.34 (TurboFan kept compiling hot
// functions in the background). A suite that starts dozens of labs on 2
// cores spent minutes optimizing code for a few seconds of use: the book
// package took 604 s with tier-up, 407 s without. Tests that measure
// speed (EveryFrame) run the reader's default tiers.
const QuickCompiler = "--liftoff-only"

// chromiumFlags are the command-line flags of the test Chromium at exe
// whose profile is in dir and whose windows are w×h; quick compiles its
// WebAssembly with QuickCompiler.
func chromiumFlags(exe, dir string, w, h int, quick bool) []chromedp.ExecAllocatorOption {
	opts := slices.Clone(chromedp.DefaultExecAllocatorOptions[:])
	if quick {
		opts = append(opts, chromedp.Flag("js-flags", QuickCompiler))
	}
	return append(opts,
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox,
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.WindowSize(w, h),
	)
}

var shared struct {
	sync.Mutex
	ctx    context.Context // the first tab of the shared Chromium
	cancel func()
	dir    string
}

// sharedChromium is the process's one Chromium, started on first use and
// again if it has gone (a crash fails the tests that had windows in it,
// not every test after them).
func sharedChromium() (context.Context, error) {
	shared.Lock()
	defer shared.Unlock()
	if shared.ctx != nil && shared.ctx.Err() == nil {
		return shared.ctx, nil
	}
	if shared.cancel != nil {
		shared.cancel()
	}
	if shared.dir == "" {
		dir, err := os.MkdirTemp("", "scalingdata-chromium-")
		if err != nil {
			return nil, err
		}
		shared.dir = dir
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), chromiumFlags(HeadlessShell(), shared.dir, 1280, 900, true)...)
	ctx, cancelC := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		cancelC()
		cancelA()
		return nil, err
	}
	shared.ctx, shared.cancel = ctx, func() { cancelC(); cancelA() }
	return ctx, nil
}

// Viewport sizes the tab's viewport; below 500 px (narrower than a
// desktop window can be) it emulates a phone. Each tab believes it has
// the focus, as the only window on a screen would.
func Viewport(width, height int) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
			return chromedp.Void{}, err
		}
		if width < 500 {
			return chromedp.EmulateViewport(int64(width), int64(height), chromedp.EmulateMobile)(ctx, t)
		}
		return chromedp.EmulateViewport(int64(width), int64(height))(ctx, t)
	}
}

// Shot saves a PNG under the test's temp directory (and under
// SCREENSHOT_DIR when set, for people to look at) and decodes it.
func Shot(t testing.TB, name string, png []byte) image.Image {
	t.Helper()
	dirs := []string{t.TempDir()}
	if d := os.Getenv("SCREENSHOT_DIR"); d != "" {
		_ = os.MkdirAll(d, 0o755)
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
			t.Fatalf("writing screenshot: %v", err)
		}
	}
	img, err := decodePNG(png)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	return img
}

func decodePNG(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }

// Colours counts the distinct colours in img (quantised to 4 bits per
// channel): a blank canvas has one or two, a drawn lab dozens.
func Colours(img image.Image) int {
	seen := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[(r>>12)<<8|(g>>12)<<4|bl>>12] = true
		}
	}
	return len(seen)
}

// EmulateMedia sets the CSS media type ("print", or "" for screen) and
// media features such as prefers-reduced-motion.
func EmulateMedia(media string, features map[string]string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		p := emulation.SetEmulatedMediaParams{Media: media}
		for name, value := range features {
			p.Features = append(p.Features, &emulation.MediaFeature{Name: name, Value: value})
		}
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, p)
		return chromedp.Void{}, err
	}
}

// WaitFor polls a JavaScript expression until it is true, for up to two
// minutes (a generous bound: a busy 2-core machine rendering in software
// can take a minute to start a lab; a passing wait returns at once). It
// survives navigations: while a new page loads, evaluation errors mean
// "not yet".
func WaitFor(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		deadline := time.Now().Add(2 * time.Minute)
		var last error
		for time.Now().Before(deadline) {
			ok, err := chromedp.Evaluate[bool]("!!("+expr+")")(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			last = err
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		return chromedp.Void{}, fmt.Errorf("timed out waiting for %s (last error: %v)", expr, last)
	}
}
