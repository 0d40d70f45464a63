package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
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

// TestStopSignals: the first Ctrl-C or SIGTERM is a clean stop; the same signal delivered
// again within repeatGrace (timeout(1) signals the command, then its process group) is
// ignored; a later one cuts the stop short.
func TestStopSignals(t *testing.T) {
	var s stopSignals
	t0 := time.Now()
	for _, tc := range []struct {
		at   time.Duration
		want stopKind
	}{
		{0, cleanStop},
		{time.Millisecond, repeated},
		{repeatGrace - time.Millisecond, repeated},
		{repeatGrace, forced},
		{time.Second, forced},
	} {
		if got := s.take(t0.Add(tc.at)); got != tc.want {
			t.Fatalf("at +%v: %v, want %v", tc.at, got, tc.want)
		}
	}
}

// TestCutShort: a second Ctrl-C during a clean stop ends the process as the signal's
// default handling does (killed by it), with the terminal given back first. Run in a
// child process: it ends the process.
func TestCutShort(t *testing.T) {
	if os.Getenv("CONCORDIA_TEST_CUT_SHORT") == "1" {
		signal.Notify(make(chan os.Signal, 1), os.Interrupt) // caught, as runCLI has it
		w := &watchdog{restore: func() { fmt.Println("terminal given back") }}
		w.cutShort(os.Interrupt)
		t.Fatal("cutShort returned")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no signal to raise again here: cutShort exits with 1")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCutShort$")
	cmd.Env = append(os.Environ(), "CONCORDIA_TEST_CUT_SHORT=1")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the child: %v\n%s", err, out)
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("the child ended with %v, want killed by SIGINT\n%s", err, out)
	}
	if !strings.Contains(string(out), "terminal given back") {
		t.Fatalf("the terminal was not given back:\n%s", out)
	}
}
