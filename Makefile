# Concordia — build, run and test. `make run` and `make test` set everything up first
# (scripts/setup.sh: apt packages, npm packages, the pinned Claude Code for tests).

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/concordia-party/concordia/internal/version.Version=$(VERSION)
DESKTOP   := desktop,production,webkit2_41
BIN       := build/bin/concordia
CLI_BIN   := build/bin/concordia-cli
CLAUDE    := $(CURDIR)/.tools/claude/node_modules/.bin/claude

.PHONY: all setup setup-app tools frontend build cli run host test lint test-go test-keyring \
        test-frontend test-ui test-install bindings bindings-check windows install uninstall clean fuzz fuzz-short load

all: build

## set-up ---------------------------------------------------------------------

setup:            ## everything: system packages, npm packages, Claude Code for tests
	scripts/setup.sh

setup-app:        ## only what building and running the window needs
	scripts/setup.sh --app

tools: setup      ## the pinned Claude Code binary (.tools/claude) used by integration tests

## build and run --------------------------------------------------------------

frontend:
	cd frontend && npm run build

build: setup-app frontend  ## the production desktop binary (window + CLI)
	$(GO) build -tags $(DESKTOP) -ldflags "-w -s $(LDFLAGS)" -o $(BIN) .

cli:              ## the headless CLI alone (no window, no GTK/WebKit, no cgo): for servers
	CGO_ENABLED=0 $(GO) build -tags headless -ldflags "-w -s $(LDFLAGS)" -o $(CLI_BIN) .
	@ls -l $(CLI_BIN)

run: build        ## set up, build and open the window
	./$(BIN)

bindings:         ## regenerate frontend/wailsjs from the Go bindings
	$(GO) build -tags bindings,webkit2_41 -o /tmp/concordia-bindings . && /tmp/concordia-bindings

# The generated models must be what the Go types say: a field added in Go and not
# regenerated (session.Info's merge_mode went a day unnoticed) is a type the page
# does not know. Regenerates them; fails if that changed anything in the committed
# part, frontend/wailsjs/go (wailsjs/runtime is Wails' own, ignored by git).
bindings-check: frontend
	@snap=$$(mktemp -d) && cp -r frontend/wailsjs/go "$$snap/" && \
	$(MAKE) -s bindings >"$$snap/log" 2>&1 || { cat "$$snap/log"; rm -rf "$$snap"; exit 1; }; \
	if ! diff -r "$$snap/go" frontend/wailsjs/go; then \
		echo "frontend/wailsjs was stale (above: what make bindings changed); commit the regenerated files"; \
		rm -rf "$$snap"; exit 1; fi; rm -rf "$$snap"; echo "bindings: up to date"

windows: setup-app frontend  ## the Windows NSIS installer (registers concordia:// links), cross-built here
	$(GO) install github.com/wailsapp/wails/v2/cmd/wails@v2.15.0
	command -v makensis >/dev/null || scripts/setup.sh
	PATH="$$($(GO) env GOPATH)/bin:$$PATH" wails build -platform windows/amd64 -nsis -s -m -skipbindings \
		-ldflags "$(LDFLAGS)"
	@ls -l build/bin/*installer*.exe

install: build    ## install binary, launcher, icon and the concordia:// handler for this user
	scripts/install-desktop.sh $(BIN)

uninstall:
	scripts/uninstall-desktop.sh

## tests ----------------------------------------------------------------------

test: setup frontend lint bindings-check test-go fuzz-short test-keyring test-frontend test-ui build test-install test-cli  ## set up and run every test
	@echo "make test: all passed"

test-cli: cli      ## the headless build: static (no cgo, no GTK/WebKit) and its subcommands work
	scripts/test-cli.sh $(CLI_BIN)

test-install: build  ## make install into a throwaway HOME: launcher, icons, link handler, uninstall
	scripts/test-install.sh $(BIN)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags $(DESKTOP) .
	CGO_ENABLED=0 $(GO) vet -tags headless .
	@# The other systems the app is built for: every package (tests included) must type-check there.
	GOOS=windows $(GO) vet ./...
	GOOS=darwin $(GO) vet ./...
	cd internal/quietterm && $(GO) vet ./... && $(GO) test -count=1 ./...

# CI=true makes tests that need a real part (Claude Code) fail instead of skipping.
test-go:
	CI=true CONCORDIA_CLAUDE_BIN=$(CLAUDE) DBUS_SESSION_BUS_ADDRESS=disabled: \
		$(GO) test -race -count=1 ./...

# Every fuzz target, as package:Target. Seeds live in each package's testdata/fuzz/Target.
FUZZ_TARGETS := ./internal/invite:FuzzParse ./internal/rpc:FuzzDecode ./internal/term:FuzzClean \
                ./internal/agent:FuzzTranslate ./internal/journal:FuzzRead ./internal/workspace:FuzzCleanPath
# fuzz-short runs each target a fixed number of inputs (a count, not a duration: a duration
# sometimes ends the run with a spurious "context deadline exceeded" from the fuzzing engine).
FUZZTIME     ?= 20000x

fuzz-short:       ## each fuzz target for FUZZTIME (20,000 inputs, a few seconds each), one after another
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}"; \
	done

fuzz:             ## a long run of one target: make fuzz TARGET=./internal/agent:FuzzTranslate FUZZTIME=10m
	$(GO) test -run '^$$' -fuzz "^$(lastword $(subst :, ,$(TARGET)))$$" -fuzztime $(FUZZTIME) \
		"$(firstword $(subst :, ,$(TARGET)))"

load:             ## 200 participants for a minute against the fake claude (docs/RELIABILITY.md)
	CONCORDIA_LOAD=1 $(GO) test -count=1 -run '^TestLoad$$' -v -timeout 10m ./internal/load/

test-keyring:     ## the key store against a real Secret Service (gnome-keyring)
	scripts/with-keyring.sh $(GO) test -race -count=1 -run Real -v ./internal/secrets/

test-frontend:
	cd frontend && npm test

test-ui:          ## the real window under Xvfb and the UI in headless Chromium
	scripts/test-ui.sh

## benchmarks (docs/PERFORMANCE.md) -------------------------------------------

.PHONY: bench bench-quick bench-go bench-bins
BENCH_BIN  := build/bin/concordia-bench
BENCHFLAGS ?=

BENCH_HOST := build/bin/bench/concordia
FAKE_AGENT := build/bin/bench/fakeclaude
BENCH_SYS  := -binary $(BENCH_HOST) -fake-agent $(FAKE_AGENT)

bench-bins:       ## what make bench runs: the bench, a headless concordia (as make cli, in build/bin/bench) and fakeclaude
	$(GO) build -o $(BENCH_BIN) ./cmd/concordia-bench
	$(GO) build -o $(FAKE_AGENT) ./internal/fakeclaude
	CGO_ENABLED=0 $(GO) build -tags headless -ldflags "-w -s $(LDFLAGS)" -o $(BENCH_HOST) .

bench: bench-bins ## fan-out at 10–1,000 participants: the party in-process, the real program, a minimal relay (about 7 min); rewrites the bench section of docs/PERFORMANCE.md and docs/bench-p99.png
	./$(BENCH_BIN) $(BENCH_SYS) $(BENCHFLAGS)

bench-quick: bench-bins ## the same at 10 and 100 participants, one run each, written nowhere (under a minute)
	./$(BENCH_BIN) $(BENCH_SYS) -participants 10,100 -reps 1 -idle 100 -md '' -png '' -json '' $(BENCHFLAGS)

bench-go:         ## the pipeline's Go benchmarks: local merge of 100 prompts, batch to the agent's stdin, hello with 10,000 events
	$(GO) test -run '^$$' -bench 'LocalMerge100|BatchTo|HelloHistory|OutputDelta|DeltaLine' -benchmem -count 5 \
		./internal/merge ./internal/party ./internal/agent

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html
