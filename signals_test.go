package main

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
)

// TestWatchdog: a command still stopping when its time is up is ended, with the terminal
// given back first and a line saying so; one that returned in time is left alone, even
// when its deadline comes at the same moment.
func TestWatchdog(t *testing.T) {
	var out testkit.Buffer
	codes := make(chan int, 1)
	restored := make(chan struct{}, 1)
	w := &watchdog{restore: func() { restored <- struct{}{} }}
	w.arm(20*time.Millisecond, &out, func(code int) { codes <- code })
	w.arm(time.Hour, &out, func(int) { t.Error("armed twice") }) // the first deadline stands
	select {
	case code := <-codes:
		if code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog never ended the stuck command")
	}
	select {
	case <-restored:
	default:
		t.Fatal("the terminal was not given back before the exit")
	}
	if got := out.String(); got != "concordia: still stopping 20ms after the signal; exiting now\n" {
		t.Fatalf("said %q", got)
	}

	for range 50 { // returned just as the deadline came: an exit, if any, comes before the return
		w := &watchdog{}
		var returned atomic.Bool
		w.arm(time.Millisecond, &testkit.Buffer{}, func(int) {
			if returned.Load() {
				t.Error("a command that had returned was ended")
			}
		})
		time.Sleep(time.Millisecond)
		w.disarm()
		returned.Store(true)
		time.Sleep(2 * time.Millisecond)
	}
	late := &watchdog{}
	late.disarm()
	late.arm(time.Millisecond, &testkit.Buffer{}, func(int) { t.Error("armed after the return") })
	time.Sleep(20 * time.Millisecond)

	if stopDeadline([]string{"host"}) <= 15*time.Second || stopDeadline([]string{"join"}) <= 30*time.Second {
		t.Fatal("a host's deadline must leave room for its 15-second shutdown, a join's for three write timeouts")
	}
	if !strings.Contains(stopDeadline([]string{"key"}).String(), "15s") {
		t.Fatal("other commands: 15 s")
	}
}
