//go:build bindings && !headless

package main

// The bindings build's Wails reads these (github.com/wailsapp/wails/v2
// internal/app/app_bindings.go) when it writes frontend/wailsjs/.
func init() {
	wailsFlags = append(wailsFlags, "tsprefix", "tssuffix", "tsoutputtype")
}
