// Package secretstest provides an in-memory keyring for tests of code that uses
// secrets.Store, with switches to make it fail, hang or lie the way a real Secret Service
// can. Unlike go-keyring's MockInit it swaps no global: each test gets its own Backend.
package secretstest

import (
	"sync"

	"github.com/concordia-party/concordia/internal/secrets"
)

var _ secrets.Backend = (*Backend)(nil)

type entry struct{ service, user string }

// Backend is an in-memory secrets.Backend. The zero value is an empty, working keyring.
// All methods are safe for concurrent use; mu guards every field.
type Backend struct {
	mu      sync.Mutex
	items   map[entry][]string // several values model duplicate entries; Get sees the first
	fail    error
	corrupt bool
	gate    chan struct{}
	calls   int
}

// wait counts a call, waits while the backend hangs, and returns the injected failure.
func (b *Backend) wait() error {
	b.mu.Lock()
	b.calls++
	gate := b.gate
	b.mu.Unlock()
	if gate != nil {
		<-gate
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fail
}

// Get returns the first value stored for service and user, or secrets.ErrNotFound.
func (b *Backend) Get(service, user string) (string, error) {
	if err := b.wait(); err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	v := b.items[entry{service, user}]
	if len(v) == 0 {
		return "", secrets.ErrNotFound
	}
	if b.corrupt {
		return v[0] + "-corrupted", nil
	}
	return v[0], nil
}

// Set replaces the first value stored for service and user (like the Secret Service's
// CreateItem with replace=true).
func (b *Backend) Set(service, user, secret string) error {
	if err := b.wait(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.put(service, user, secret, false)
	return nil
}

// Delete removes the first value stored for service and user, or returns
// secrets.ErrNotFound.
func (b *Backend) Delete(service, user string) error {
	if err := b.wait(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := entry{service, user}
	v := b.items[k]
	if len(v) == 0 {
		return secrets.ErrNotFound
	}
	if len(v) == 1 {
		delete(b.items, k)
	} else {
		b.items[k] = v[1:]
	}
	return nil
}

// put stores secret; duplicate appends a second entry instead of replacing. mu is held.
func (b *Backend) put(service, user, secret string, duplicate bool) {
	if b.items == nil {
		b.items = make(map[entry][]string)
	}
	k := entry{service, user}
	if v := b.items[k]; len(v) > 0 && !duplicate {
		v[0] = secret
		return
	}
	b.items[k] = append(b.items[k], secret)
}

// Seed stores secret directly, without counting a call or honouring failures. With
// duplicate it adds another entry under the same attributes, as a second program might.
func (b *Backend) Seed(service, user, secret string, duplicate bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.put(service, user, secret, duplicate)
}

// Lookup returns what is stored, directly, and how many entries there are.
func (b *Backend) Lookup(service, user string) (value string, entries int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v := b.items[entry{service, user}]
	if len(v) == 0 {
		return "", 0
	}
	return v[0], len(v)
}

// Fail makes every later call return err (nil heals the backend). Use it to play an
// unreachable Secret Service.
func (b *Backend) Fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = err
}

// Corrupt makes Get return something other than what was stored.
func (b *Backend) Corrupt(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.corrupt = on
}

// Hang makes every later call block, like go-keyring waiting on an unlock prompt, until
// the returned release is called. Release may be called more than once.
func (b *Backend) Hang() (release func()) {
	gate := make(chan struct{})
	b.mu.Lock()
	b.gate = gate
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			if b.gate == gate {
				b.gate = nil
			}
			b.mu.Unlock()
			close(gate)
		})
	}
}

// Calls returns how many Get, Set and Delete calls the backend has received.
func (b *Backend) Calls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}
