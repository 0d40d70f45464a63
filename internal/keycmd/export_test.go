package keycmd

import (
	"context"
	"time"
)

// ReadAfterCancel makes the hidden read start only d after its context is canceled (a
// Ctrl-C): the terminal tests' helper, for the Ctrl-C that comes before the read.
func ReadAfterCancel(d time.Duration) {
	beforeRead = func(ctx context.Context) {
		<-ctx.Done()
		time.Sleep(d)
	}
}
