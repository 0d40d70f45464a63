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
        test-frontend test-ui test-install bindings windows install uninstall clean

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

test: setup frontend lint test-go test-keyring test-frontend test-ui build test-install test-cli  ## set up and run every test
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

# CI=true makes tests that need a real part (Claude Code) fail instead of skipping.
test-go:
	CI=true CONCORDIA_CLAUDE_BIN=$(CLAUDE) DBUS_SESSION_BUS_ADDRESS=disabled: \
		$(GO) test -race -count=1 ./...

test-keyring:     ## the key store against a real Secret Service (gnome-keyring)
	scripts/with-keyring.sh $(GO) test -race -count=1 -run Real -v ./internal/secrets/

test-frontend:
	cd frontend && npm test

test-ui:          ## the real window under Xvfb and the UI in headless Chromium
	scripts/test-ui.sh

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html
