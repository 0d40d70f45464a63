//go:build bindings && !headless

package main

// The bindings build's Wails reads these (github.com/wailsapp/wails/v2
// internal/app/app_bindings.go) when it writes frontend/wailsjs/. It opens no window, so
// it needs no display: make bindings (and make test's bindings-check) runs where there is
// none.
func init() {
	wailsFlags = append(wailsFlags, "tsprefix", "tssuffix", "tsoutputtype")
	needsDisplay = false
}
