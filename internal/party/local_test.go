package party

import (
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
