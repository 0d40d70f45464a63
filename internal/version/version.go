// Package version says which Concordia this is; the build sets Version with -ldflags.
package version

// Version is the release, set at build time with
// -ldflags "-X github.com/concordia-party/concordia/internal/version.Version=1.2.3".
var Version = "0.1.0-dev"

// Protocol is the party protocol version this build speaks (PROTOCOL.md).
const Protocol = "v1.1"

// String is the one-line version text.
func String() string { return "concordia " + Version + " (party protocol " + Protocol + ")" }
