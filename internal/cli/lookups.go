package cli

import (
	"context"
	"sync"
	"time"
)

// lookupCommands are the commands that read the working directory through the host
// (/changes, /diff, /tree). A big folder makes them slow: git on the host's side, a
// long list or diff on the way. In the line editor they run beside the terminal, as
// /shell does, so that a prompt or an /allow typed meanwhile goes at once (the terminal
// used to wait for the answer before it read the next line). A script's lines still run
// one after another, in order.
var lookupCommands = map[string]bool{"changes": true, "diff": true, "tree": true}

// commandTimeout is how long a command waits for the host.
const commandTimeout = 30 * time.Second

// lookups runs a terminal's lookups in the background, one after another in the order they
// were typed (a tester's /changes, /diff, /changes came back changes, changes, diff). The
// terminal owns it: the context it gives run ends them when the terminal leaves, and wait
// returns once they have.
type lookups struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	tail chan struct{} // closed when the last lookup started has ended (nil: none yet)
}

// run calls do beside the terminal with ctx cut to commandTimeout, the status line saying
// what runs (what: "/diff main.go"). fail is called with do's error unless ctx ended
// first: a terminal that leaves says nothing of the lookups it cut short.
func (l *lookups) run(ctx context.Context, pr *printer, what string, do func(ctx context.Context) error, fail func(error)) {
	done := pr.lookupStart(what)
	l.mu.Lock()
	prev, ended := l.tail, make(chan struct{})
	l.tail = ended
	l.mu.Unlock()
	l.wg.Add(1)
	go func() { // owned by l: ends with do, which ctx ends
		defer l.wg.Done()
		defer close(ended)
		defer done()
		if prev != nil {
			select {
			case <-prev:
			case <-ctx.Done():
				return
			}
		}
		lctx, cancel := context.WithTimeout(ctx, commandTimeout)
		defer cancel()
		if err := do(lctx); err != nil && ctx.Err() == nil {
			fail(err)
		}
	}()
}

// wait returns once every lookup has ended.
func (l *lookups) wait() { l.wg.Wait() }
