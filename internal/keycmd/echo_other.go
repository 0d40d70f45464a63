//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package keycmd

// echoOff does nothing here: term.ReadPassword turns echo off as it starts.
func echoOff(int) error { return nil }
