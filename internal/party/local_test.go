package party

import (
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// A local member's events arrive all and in order whether they go straight to the reader
// or wait for the pump: a reader that falls behind now and then makes Send switch between
// the two paths many times.
func TestLocalKeepsOrderAcrossPaths(t *testing.T) {
	l := newLocal(nil)
	defer l.shut()
	const n = 20000
	got := make(chan int64, 1)
	go func() {
		var last int64
		for ev := range l.Events() {
			if ev.Seq != last+1 {
				got <- -ev.Seq
				return
			}
			last = ev.Seq
			if last%(localBuffer+7) == 0 {
				time.Sleep(100 * time.Microsecond) // the buffer fills, the queue takes over
			}
			if last == n {
				got <- last
				return
			}
		}
		got <- last
	}()
	for i := int64(1); i <= n; i++ {
		if i%16 == 0 {
			time.Sleep(time.Microsecond) // let the pump and the reader run in between
		}
		if !l.Send(wire.Event{Seq: i, Kind: wire.KindOutput}, nil) {
			t.Fatalf("Send %d refused", i)
		}
	}
	select {
	case last := <-got:
		if last != n {
			t.Fatalf("the reader saw seq %d out of order or stopped there (want 1..%d in order)", last, n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reader did not get every event")
	}
}

// fakeClock is readFramed's clock in tests: each reading moves it on by step.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

func framedEvents(kinds ...string) chan wire.Event {
	ch := make(chan wire.Event, len(kinds))
	for i, k := range kinds {
		ch <- wire.Event{Seq: int64(i + 1), Kind: k}
	}
	return ch
}

// wantSeqs fails t unless seen is 1..n, every event read once and in order.
func wantSeqs(t *testing.T, seen []int64, n int) {
	t.Helper()
	if len(seen) != n {
		t.Fatalf("read %d events, want %d", len(seen), n)
	}
	for i, s := range seen {
		if s != int64(i+1) {
			t.Fatalf("event %d is seq %d: out of order", i, s)
		}
	}
}

// Output that comes fast is read a frame at a time: after the second of two quick deltas
// the reader waits out a frame, then takes everything that came meanwhile without waiting
// again — every event, in order.
func TestReadFramedHoldsFastOutputForAFrame(t *testing.T) {
	out, prompt := wire.KindOutput, wire.KindPrompt
	ch := framedEvents(out, out, out, prompt, out, out)
	close(ch)
	clock := &fakeClock{t: time.Unix(0, 0), step: 100 * time.Microsecond} // far under frame/2
	var waits []time.Duration
	var seen []int64
	readFramed(ch, 16*time.Millisecond, clock.now, func(d time.Duration) { waits = append(waits, d) },
		func(ev wire.Event) { seen = append(seen, ev.Seq) })
	wantSeqs(t, seen, 6)
	// The first delta has no predecessor to be quick after; the second is quick and
	// starts a frame, whose drain takes the other four (the channel is closed under it).
	if len(waits) != 1 || waits[0] != 16*time.Millisecond {
		t.Fatalf("waited %v, want one frame", waits)
	}
}

// A steady stream at a model's brisk pace (a delta every 5 ms, a third of a frame) is
// read a frame at a time for as long as it lasts: one wait per frame and no wake-up per
// delta. The framing ends with the first frame that brings fewer than two deltas (the
// stream has slowed to under one per half frame), and the reader takes deltas as they
// come again.
func TestReadFramedKeepsFramingASteadyStream(t *testing.T) {
	events := make(chan wire.Event, 16)
	clock := &fakeClock{t: time.Unix(0, 0), step: 5 * time.Millisecond}
	seq := int64(0)
	send := func(n int) {
		for range n {
			seq++
			events <- wire.Event{Seq: seq, Kind: wire.KindOutput}
		}
	}
	send(2)
	// The channel is closed a moment after the reader should have stopped framing (or
	// after 5 s, so that a reader that never frames still returns and fails).
	done := make(chan struct{})
	defer close(done)
	var closeOnce sync.Once
	closeSoon := func(d time.Duration) {
		go func() {
			select {
			case <-time.After(d):
				closeOnce.Do(func() { close(events) })
			case <-done:
			}
		}()
	}
	closeSoon(5 * time.Second)
	frames := 0
	var seen []int64
	readFramed(events, 16*time.Millisecond, clock.now,
		func(time.Duration) {
			// Three deltas arrive in each of five frames, then one in the sixth.
			frames++
			switch {
			case frames <= 5:
				send(3)
			case frames == 6:
				send(1)
				closeSoon(50 * time.Millisecond) // a seventh frame would count 7
			}
		},
		func(ev wire.Event) { seen = append(seen, ev.Seq) })
	wantSeqs(t, seen, 18)
	if frames != 6 {
		t.Fatalf("waited %d frames, want 6", frames)
	}
}

// Output that comes slowly (a model's usual pace) is taken as it comes: no frame, so
// nothing waits behind a timer.
func TestReadFramedTakesSlowOutputAtOnce(t *testing.T) {
	out := wire.KindOutput
	ch := framedEvents(out, out, out, wire.KindPrompt, out)
	close(ch)
	clock := &fakeClock{t: time.Unix(0, 0), step: 9 * time.Millisecond} // over frame/2
	waited := 0
	n := 0
	readFramed(ch, 16*time.Millisecond, clock.now, func(time.Duration) { waited++ }, func(wire.Event) { n++ })
	if n != 5 || waited != 0 {
		t.Fatalf("read %d events with %d waits, want 5 and none", n, waited)
	}
}

// Events of other kinds never start a frame, and a frame of 0 turns framing off.
func TestReadFramedOnlyOutputStartsAFrame(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0), step: time.Microsecond}
	waited := 0
	ch := framedEvents(wire.KindPrompt, wire.KindPrompt, wire.KindSystem, wire.KindPrompt)
	close(ch)
	readFramed(ch, 16*time.Millisecond, clock.now, func(time.Duration) { waited++ }, func(wire.Event) {})
	ch = framedEvents(wire.KindOutput, wire.KindOutput, wire.KindOutput)
	close(ch)
	readFramed(ch, 0, clock.now, func(time.Duration) { waited++ }, func(wire.Event) {})
	if waited != 0 {
		t.Fatalf("waited %d times, want none", waited)
	}
}

// Through a real Local and the real clock: a fast stream of deltas, with other events
// among them, reaches a framed reader whole and in order, and the reader returns once the
// view is left.
func TestReadFramedOverALocal(t *testing.T) {
	l := newLocal(nil)
	const n = 3000
	done := make(chan []int64, 1)
	go func() {
		var seen []int64
		ReadFramed(l.Events(), 2*time.Millisecond, func(ev wire.Event) { seen = append(seen, ev.Seq) })
		done <- seen
	}()
	for i := int64(1); i <= n; i++ {
		kind := wire.KindOutput
		if i%97 == 0 {
			kind = wire.KindPrompt
		}
		if !l.Send(wire.Event{Seq: i, Kind: kind}, nil) {
			t.Fatal("send refused")
		}
		if i%50 == 0 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		l.mu.Lock()
		idle := len(l.queue) == 0 && !l.pumping
		l.mu.Unlock()
		if (idle && len(l.events) == 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	l.shut()
	var seen []int64
	select {
	case seen = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ReadFramed did not return after the view ended")
	}
	wantSeqs(t, seen, n)
}
