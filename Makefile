# Scaling Data — build, serve and test the book.
#   make serve   build everything and serve it on http://localhost:8080
#   make test    every test (unit, property, golden, compiler, browser)
GO        ?= go
ADDR      ?= localhost:8080
WASM      := .cache/labs.wasm
GOFILES   := $(shell find sim render wasm -name '*.go' -not -name '*_test.go')

.PHONY: all build serve wasm test bench fuzz clean

all: build

wasm: $(WASM)

# One WebAssembly binary holds every lab.
$(WASM): $(GOFILES) go.mod go.sum
	@mkdir -p $(dir $@)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $@ ./wasm

build: $(WASM)
	$(GO) run ./book/cmd/scalingdata build -wasm $(WASM)

serve: $(WASM)
	$(GO) run ./book/cmd/scalingdata serve -wasm $(WASM) -addr $(ADDR)

test:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/... ./render/...
	$(GO) test -count=1 ./...

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzDecode -fuzztime=20s ./wasm/bridge
	$(GO) test -run='^$$' -fuzz=FuzzSimInfo -fuzztime=20s ./book
	$(GO) test -run='^$$' -fuzz=FuzzLenient -fuzztime=20s ./sim/lab
	$(GO) test -run='^$$' -fuzz=FuzzActions -fuzztime=20s ./sim/quorum

clean:
	rm -rf public .cache
