package book

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// LiveReload rebuilds the book when a chapter changes and tells open pages
// (Dev builds load assets/livereload.js) to reload, over server-sent events
// at /__livereload. A failed build is shown on the open pages instead, and
// the last good site stays served.
type LiveReload struct {
	cfg     Config
	mu      sync.Mutex
	clients map[chan event]bool
	build   string // ID of the latest good build
	// OnBuild, when set, is told the outcome of every rebuild.
	OnBuild func(took time.Duration, err error)
}

type event struct{ name, data string }

// NewLiveReload serves cfg's site, whose current build is buildID (from
// Build's Result); cfg.Dev should be set.
func NewLiveReload(cfg Config, buildID string) *LiveReload {
	return &LiveReload{cfg: cfg, clients: map[chan event]bool{}, build: buildID}
}

// ServeHTTP is the /__livereload event stream. Like the development
// server's pages, it answers only to loopback Host names.
func (l *LiveReload) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !LoopbackHost(r.Host) {
		http.Error(w, "the development server answers only to localhost", http.StatusMisdirectedRequest)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	// The stream lives as long as the page: lift the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	ch := make(chan event, 4)
	l.mu.Lock()
	l.clients[ch] = true
	ch <- event{"build", l.build}
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.clients, ch)
		l.mu.Unlock()
	}()
	fmt.Fprint(w, ": connected\n\n")
	flusher.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case e := <-ch:
			_, _ = io.WriteString(w, sseEvent(e))
			flusher.Flush()
		}
	}
}

// sseEvent frames one server-sent event. Every line break in the data (a
// build error's \r\n, \r or \n: all three end a line in the protocol)
// becomes its own data: line, so the text arrives whole and the stream's
// framing holds.
func sseEvent(e event) string {
	data := strings.ReplaceAll(e.data, "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	name := strings.NewReplacer("\r", "", "\n", "").Replace(e.name)
	return "event: " + name + "\ndata: " + strings.ReplaceAll(data, "\n", "\ndata: ") + "\n\n"
}

func (l *LiveReload) broadcast(e event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.clients {
		select {
		case ch <- e:
		default: // a slow page misses one event; the next reload catches up
		}
	}
}

// Watch polls the chapters every interval until stop is closed, rebuilding
// on any change.
func (l *LiveReload) Watch(interval time.Duration, stop <-chan struct{}) {
	last := l.snapshot()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		now := l.snapshot()
		if now == last {
			continue
		}
		last = now
		start := time.Now()
		res, err := Build(l.cfg)
		if l.OnBuild != nil {
			l.OnBuild(time.Since(start), err)
		}
		if err != nil {
			l.broadcast(event{"broken", err.Error()})
			continue
		}
		l.mu.Lock()
		l.build = res.ID
		l.mu.Unlock()
		l.broadcast(event{"ok", ""})
		l.broadcast(event{"build", res.ID})
	}
}

// snapshot summarises the chapters' names, sizes and times.
func (l *LiveReload) snapshot() string {
	var b strings.Builder
	_ = filepath.WalkDir(l.cfg.Chapters, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	if info, err := os.Stat(l.cfg.Wasm); err == nil {
		fmt.Fprintf(&b, "wasm %d %d\n", info.Size(), info.ModTime().UnixNano())
	}
	return b.String()
}
