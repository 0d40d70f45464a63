//go:build !linux

package cli

import (
	"io"
	"os"
)

// typedAhead cannot tell here (no TIOCINQ in x/sys): what was typed before the line editor
// took the terminal is read as typed, an Enter in it as a new line in the box.
func typedAhead(*os.File) int { return 0 }

// discardTypedAhead does nothing here: what was typed and not read stays for the shell.
func discardTypedAhead(io.Reader) {}
