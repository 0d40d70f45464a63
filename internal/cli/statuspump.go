package cli

import "sync"

// statusPump hands the line editor's status line its latest state from a goroutine of its
// own, so the printer never waits for the editor while it holds its lock. The editor's
// sink (tea.Program.Send) waits until the editor's event loop runs; an event printed
// under the printer's lock in the moment before it starts would otherwise hold the lock
// while runEditor, still setting up, waits for it: neither gets on (a tester's join froze
// with no editor, once in about 130 starts).
//
// Only the latest state counts: states put while the sink is busy replace each other.
type statusPump struct {
	mu   sync.Mutex
	next status
	kick chan struct{} // cap 1: a state is waiting
	stop chan struct{} // closed: the goroutine returns (after the sink call under way)
}

// newStatusPump starts the goroutine that calls sink; stop ends it.
func newStatusPump(sink func(status)) *statusPump {
	sp := &statusPump{kick: make(chan struct{}, 1), stop: make(chan struct{})}
	go func() {
		for {
			select {
			case <-sp.stop:
				return
			case <-sp.kick:
			}
			sp.mu.Lock()
			st := sp.next
			sp.mu.Unlock()
			sink(st)
		}
	}()
	return sp
}

// put makes st the state to hand over next; it never waits for the sink.
func (sp *statusPump) put(st status) {
	sp.mu.Lock()
	sp.next = st
	sp.mu.Unlock()
	select {
	case sp.kick <- struct{}{}:
	default: // a hand-over is already due, and will take st
	}
}

// close stops the goroutine; a sink call under way still finishes.
func (sp *statusPump) close() { close(sp.stop) }
