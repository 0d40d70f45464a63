package party

import (
	"testing"
	"time"
)

func TestRefusalLimiter(t *testing.T) {
	l := newAddrLimiter(20, 20)
	now := time.Unix(1000, 0)
	for i := 0; i < 20; i++ {
		if d := l.reserve("10.0.0.1", now); d != 0 {
			t.Fatalf("refusal %d within the burst waits %s", i+1, d)
		}
	}
	// Then one every 50 ms: the 21st waits 50 ms, the 40th waits a second.
	if d := l.reserve("10.0.0.1", now); d != 50*time.Millisecond {
		t.Fatalf("21st waits %s, want 50ms", d)
	}
	for i := 22; i < 40; i++ {
		l.reserve("10.0.0.1", now)
	}
	if d := l.reserve("10.0.0.1", now); d != time.Second {
		t.Fatalf("40th waits %s, want 1s", d)
	}
	// Another address is not slowed by the first.
	if d := l.reserve("10.0.0.2", now); d != 0 {
		t.Fatalf("another address waits %s", d)
	}
	// After a quiet while the burst is back.
	if d := l.reserve("10.0.0.1", now.Add(10*time.Second)); d != 0 {
		t.Fatalf("after a pause: waits %s", d)
	}
}
