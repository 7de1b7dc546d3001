// Command scalingdata builds, serves and runs the Scaling Data book.
//
//	scalingdata build  [-chapters dir] [-out dir] [-wasm file] [-wasm-exec file]
//	scalingdata serve  [-addr host:port] [build flags]
//	scalingdata sim    <lab> [key=value …] [--json]
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/scaling-data/book/book"
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
  scalingdata serve  [-addr localhost:8080] [build flags]
  scalingdata sim    <lab> [key=value …] [--json]
`)
}

func buildFlags(fs *flag.FlagSet) *book.Config {
	cfg := &book.Config{}
	fs.StringVar(&cfg.Chapters, "chapters", "chapters", "the chapters directory")
	fs.StringVar(&cfg.Out, "out", "public", "the output directory (replaced whole)")
	fs.StringVar(&cfg.Wasm, "wasm", ".cache/labs.wasm", "the lab binary built for js/wasm")
	fs.StringVar(&cfg.WasmExec, "wasm-exec", filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"), "Go's wasm_exec.js for that binary")
	fs.StringVar(&cfg.Cache, "cache", ".cache/compress", "where compressed copies are kept between builds")
	return cfg
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
	_ = fs.Parse(args)
	if _, err := book.Build(*cfg); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("Scaling Data is at http://%s/ (Ctrl-C stops)\n", ln.Addr())
	srv := &http.Server{Handler: book.Handler(os.DirFS(cfg.Out)), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func simulate(args []string) error {
	run, err := book.ParseSimArgs(args)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(run.Execute())
	return err
}
