//go:build dev && !headless

package main

// A dev build's Wails reads these (github.com/wailsapp/wails/v2 internal/app/app_dev.go);
// the browser end-to-end tests start it with -devserver and -assetdir.
func init() {
	wailsFlags = append(wailsFlags, "assetdir", "devserver", "frontenddevserverurl", "loglevel")
}
