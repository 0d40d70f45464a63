//go:build !linux

package app

// handOff: elsewhere Wails' single-instance lock hands the link over itself.
func handOff(string, []string) bool { return false }
