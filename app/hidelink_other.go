//go:build !linux

package app

// hideLink: elsewhere the link stays where the OS put it (macOS delivers it as an event,
// not an argument).
func hideLink(args []string) []string { return args }
