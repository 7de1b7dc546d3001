# Scaling Data — build, serve and test the book.
#   make serve   build everything and serve it on http://localhost:8080
#   make test    every test (unit, property, golden, compiler, browser)
GO        ?= go
ADDR      ?= localhost:8080
WASM      := .cache/labs.wasm
GOFILES   := $(shell find sim render wasm -name '*.go' -not -name '*_test.go')

VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PLATFORMS := linux/amd64 linux/arm64 darwin/arm64 windows/amd64

.PHONY: all build serve wasm test bench fuzz bundle release scorm clean

all: build

wasm: $(WASM)

# One WebAssembly binary holds every lab.
$(WASM): $(GOFILES) go.mod go.sum
	@mkdir -p $(dir $@)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $@ ./wasm

build: $(WASM)
	$(GO) run ./book/cmd/scalingdata build -wasm $(WASM) -version $(VERSION)

serve: $(WASM)
	$(GO) run ./book/cmd/scalingdata serve -dev -wasm $(WASM) -addr $(ADDR)

# Static checks first: go vet and staticcheck (pinned; from the module
# cache after its first download), native and js/wasm; govulncheck where its
# database is reachable or copied (.ci/vulncheck says plainly when it skips).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
TOOLS       := $(CURDIR)/.cache/tools

# Browser tests run two at once (-parallel 2): on 2 cores the suite is
# bound by CPU, and a lab costs CPU for every second its test waits, so
# more at once is slower (go test ./... on 2 Dec 2026: 344 s at -parallel
# 2, 375 s at 3, 390 s at 4, 430 s at 6). Each runs in a window of its
# own in one shared Chromium (Debian's chromium-headless-shell), whose
# labs paint a picture every five seconds (or when a test asks) and
# compile their WebAssembly with V8's baseline compiler only
# (browsertest.TestFPS, QuickCompiler: under software GL on 2 cores,
# painting and optimizing are what cost).
test:
	$(GO) vet ./...
	$(GO) vet -tags bench ./book/bench
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/... ./render/...
	GOBIN=$(TOOLS) $(GO) install $(STATICCHECK)
	$(TOOLS)/staticcheck ./...
	$(TOOLS)/staticcheck -tags bench ./book/bench
	GOOS=js GOARCH=wasm $(TOOLS)/staticcheck ./wasm/... ./render/...
	GO=$(GO) bash .ci/vulncheck
	$(GO) test -count=1 -parallel 2 -timeout 20m ./...

# Measures sizes, page weight, lab start and running cost in Chromium,
# model throughput and build times; prints each figure with its budget and
# rewrites BENCHMARKS.md.
bench:
	bash .ci/deps
	$(GO) test -count=1 -tags bench -run '^TestBench$$' -timeout 40m -v ./book/bench

# Every fuzz target for FUZZTIME each; corpora live in testdata/fuzz.
FUZZTIME ?= 20s
FUZZ_TARGETS := \
	FuzzDecode:./wasm/bridge FuzzQuery:./wasm/bridge \
	FuzzSimInfo:./book FuzzComputeFigure:./book FuzzChapter:./book FuzzFrontMatter:./book FuzzHostMessages:./book \
	FuzzLenient:./sim/lab FuzzEveryLab:./sim/labs \
	$(foreach d,$(sort $(dir $(wildcard sim/*/fuzz_test.go))),FuzzActions:./$(d:/=))

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "== $${t%%:*} $${t#*:}"; \
		$(GO) test -run='^$$' -fuzz="^$${t%%:*}$$" -fuzztime=$(FUZZTIME) $${t#*:} || exit 1; \
	done

# The offline bundle: unzip, double-click index.html (works from file://).
bundle: $(WASM)
	@mkdir -p dist
	$(GO) run ./book/cmd/scalingdata bundle -wasm $(WASM) -version $(VERSION) -zip dist/scaling-data-$(VERSION).zip

# SCORM 1.2 packages, one per lab and per chapter, for learning platforms.
scorm: $(WASM)
	$(GO) run ./book/cmd/scalingdata scorm -wasm $(WASM) -version $(VERSION) -dir dist/scorm

# One self-contained binary per platform, each carrying the whole site:
# `scalingdata serve --open` is all an offline reader needs.
release: build
	rm -rf book/embedded/site && mkdir -p book/embedded/site
	cd public && find . -type f ! -name .scalingdata-build -exec cp --parents {} ../book/embedded/site/ \;
	@mkdir -p dist
	for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -tags embedsite -ldflags="-s -w" \
			-o dist/scalingdata-$(VERSION)-$$os-$$arch$$ext ./book/cmd/scalingdata || exit 1; \
	done
	rm -rf book/embedded/site
	@ls -l dist/

clean:
	rm -rf public .cache dist book/embedded/site
