package main

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// TestStopWatchdog: a command still stopping when its time is up is ended, with a line
// saying so; one that stopped in time (the timer stopped) is left alone.
func TestStopWatchdog(t *testing.T) {
	var mu sync.Mutex
	var out bytes.Buffer
	codes := make(chan int, 1)
	w := stopWatchdog(20*time.Millisecond, writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return out.Write(b)
	}), func(code int) { codes <- code })
	select {
	case code := <-codes:
		if code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog never ended the stuck command")
	}
	w.Stop()
	mu.Lock()
	if got := out.String(); got != "concordia: still stopping 20ms after the signal; exiting now\n" {
		t.Fatalf("said %q", got)
	}
	mu.Unlock()

	stopped := stopWatchdog(50*time.Millisecond, &bytes.Buffer{}, func(int) { t.Error("a command that stopped in time was ended") })
	stopped.Stop()
	time.Sleep(100 * time.Millisecond)

	if stopDeadline([]string{"host"}) <= 15*time.Second {
		t.Fatal("a host's deadline must leave room for its 15-second shutdown")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
