// Command scalingdata builds, serves and runs the Scaling Data book.
//
//	scalingdata build  [-chapters dir] [-out dir] [-wasm file] [-wasm-exec file]
//	scalingdata serve  [-addr host:port] [-open] [-embedded] [build flags]
//	scalingdata bundle [-version v] [-zip file] [build flags]
//	scalingdata scorm  [-dir dist/scorm] [build flags]
//	scalingdata sim    <lab> [key=value …] [--json]
//
// A release binary carries the whole built site: serve serves that copy
// unless -chapters is given (a chapters/ folder in the working directory
// is not enough: the binary never compiles, nor writes ./public, unasked).
package main

import (
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/scaling-data/book/book"
	"github.com/scaling-data/book/book/embedded"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "build":
		err = build(args)
	case "serve":
		err = serve(args)
	case "sim":
		err = simulate(args)
	case "bundle":
		err = bundle(args)
	case "scorm":
		err = scorm(args)
	case "help", "-h", "--help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "scalingdata: unknown command %q\n", cmd)
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  scalingdata build  [-chapters chapters] [-out public] [-wasm file] [-wasm-exec file]
  scalingdata serve  [-addr localhost:8080] [-open] [-embedded] [build flags]
  scalingdata bundle [-version dev] [-zip scaling-data-dev.zip] [build flags]
  scalingdata scorm  [-dir dist/scorm] [build flags]
  scalingdata sim    <lab> [key=value …] [--json]
`)
}

func buildFlags(fs *flag.FlagSet) *book.Config {
	cfg := &book.Config{}
	fs.StringVar(&cfg.Chapters, "chapters", "chapters", "the chapters directory")
	fs.StringVar(&cfg.Out, "out", "public", "the output directory (replaced whole)")
	fs.StringVar(&cfg.Wasm, "wasm", ".cache/labs.wasm", "the lab binary built for js/wasm")
	fs.StringVar(&cfg.WasmExec, "wasm-exec", filepath.Join(goRoot(), "lib", "wasm", "wasm_exec.js"), "Go's wasm_exec.js for that binary")
	fs.StringVar(&cfg.Cache, "cache", ".cache/compress", "where compressed copies are kept between builds")
	fs.StringVar(&cfg.Version, "version", "dev", "the edition's version")
	return cfg
}

// goRoot is the GOROOT of the go command on the PATH, the one that builds
// the lab binary (so its wasm_exec.js matches), or "" where there is none
// (a reader's machine running a release binary, which builds nothing).
func goRoot() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func build(args []string) error {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	cfg := buildFlags(fs)
	_ = fs.Parse(args)
	start := time.Now()
	res, err := book.Build(*cfg)
	if err != nil {
		return err
	}
	fmt.Printf("built %d pages, %d files (%.1f MB) into %s/ in %v\n", res.Pages, res.Files, float64(res.Bytes)/1e6, cfg.Out, time.Since(start).Round(time.Millisecond))
	return nil
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	cfg := buildFlags(fs)
	addr := fs.String("addr", "localhost:8080", "where to listen")
	open := fs.Bool("open", false, "open the book in the default browser")
	useEmbedded := fs.Bool("embedded", false, "serve the copy of the site inside this binary")
	dev := fs.Bool("dev", false, "development: rebuild when a chapter changes and reload open pages")
	_ = fs.Parse(args)
	cfg.Dev = *dev
	var (
		site    iofs.FS
		buildID string
	)
	if serveEmbedded(fs, embedded.FS != nil, *useEmbedded) {
		site = embedded.FS
		fmt.Println("serving the copy of the book inside this program")
	} else if *useEmbedded {
		return errors.New("this program carries no copy of the book (build it with make release)")
	} else {
		start := time.Now()
		res, err := book.Build(*cfg)
		if err != nil {
			return err
		}
		fmt.Printf("built %d pages in %v\n", res.Pages, time.Since(start).Round(time.Millisecond))
		site, buildID = book.DirFS(cfg.Out), res.ID // no symlinks out of it
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Printf("Scaling Data is at %s (Ctrl-C stops)\n", url)
	if *open {
		openBrowser(url)
	}
	mux := http.NewServeMux()
	// The development server sends no CORS and answers only to loopback
	// Host names; the public one lets other origins read the lab binary.
	mux.Handle("/", book.HandlerWith(site, book.ServeOptions{Dev: *dev}))
	if *dev && site != embedded.FS {
		lr := book.NewLiveReload(*cfg, buildID)
		lr.OnBuild = func(took time.Duration, err error) {
			if err != nil {
				fmt.Fprintf(os.Stderr, "build failed (the last good book is still served):\n%v\n", err)
				return
			}
			fmt.Printf("rebuilt in %v; open pages reload\n", took.Round(time.Millisecond))
		}
		mux.Handle("/__livereload", lr)
		go lr.Watch(100*time.Millisecond, make(chan struct{}))
		fmt.Println("watching", cfg.Chapters, "for changes")
	}
	return book.Serve(book.Server(mux), ln, book.MaxConns)
}

// serveEmbedded says whether serve serves the copy of the site inside the
// binary: when it has one, unless -chapters was given.
func serveEmbedded(fs *flag.FlagSet, hasEmbedded, forced bool) bool {
	chaptersGiven := false
	fs.Visit(func(f *flag.Flag) { chaptersGiven = chaptersGiven || f.Name == "chapters" })
	return hasEmbedded && (forced || !chaptersGiven)
}

func bundle(args []string) error {
	fs := flag.NewFlagSet("bundle", flag.ExitOnError)
	cfg := buildFlags(fs)
	out := fs.String("zip", "", "the zip to write (default scaling-data-<version>.zip)")
	_ = fs.Parse(args)
	if *out == "" {
		*out = book.BundleName(cfg.Version)
	}
	start := time.Now()
	if err := book.Bundle(*cfg, *out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (%.1f MB) in %v: unzip it and open index.html\n", *out, float64(st.Size())/1e6, time.Since(start).Round(time.Millisecond))
	return nil
}

func scorm(args []string) error {
	fs := flag.NewFlagSet("scorm", flag.ExitOnError)
	cfg := buildFlags(fs)
	dir := fs.String("dir", "dist/scorm", "where the packages go")
	_ = fs.Parse(args)
	start := time.Now()
	zips, err := book.Scorm(*cfg, *dir)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d SCORM 1.2 packages into %s/ in %v\n", len(zips), *dir, time.Since(start).Round(time.Millisecond))
	return nil
}

// openBrowser asks the system to open url, and says so if it cannot.
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		fmt.Printf("could not open a browser (%v): open %s yourself\n", err, url)
	}
}

func simulate(args []string) error {
	run, err := book.ParseSimArgs(args)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(run.Execute())
	return err
}
