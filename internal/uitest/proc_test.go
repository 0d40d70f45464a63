package uitest

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Timeouts are generous: the machine is shared and slow at times. Every wait ends as soon as
// its condition holds.
const (
	lineTimeout   = 60 * time.Second // a process prints an expected line
	screenTimeout = 60 * time.Second // the window shows an expected text
	stopTimeout   = 20 * time.Second // a process exits after SIGTERM
	// fixtureStop is how long a fixture gets after SIGTERM before it is killed.
	fixtureStop = 3 * time.Second
)

// proc is a started program with its stdout kept line by line and its stderr kept whole.
// The reader goroutines own the writes to out and errb (under mu); they end when the
// program's pipes close, and the waiter goroutine closes done after cmd.Wait.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	// fixture: a program the test runs around ours (the tray host, its settings daemon),
	// whose way of exiting is not under test. xfce4-panel now and then ignores SIGTERM
	// (about one run in 25 here): a fixture that does is killed without failing the test.
	fixture bool

	mu   sync.Mutex
	out  []string
	errb strings.Builder
	wake chan struct{} // poked after every line and at exit; capacity 1
	done chan struct{}
}

// startProc starts bin with args and env (added to ours, later entries winning) and stops it
// when the test ends: SIGTERM, then SIGKILL if it does not exit in time.
func startProc(t *testing.T, name string, env []string, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &proc{t: t, name: name, cmd: cmd, wake: make(chan struct{}, 1), done: make(chan struct{})}
	var err error
	if p.in, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.out = append(p.out, sc.Text())
			p.mu.Unlock()
			p.poke()
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		defer readers.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := stderr.Read(buf)
			p.mu.Lock()
			p.errb.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		readers.Wait()
		_ = cmd.Wait()
		close(p.done)
		p.poke()
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s stdout:\n%s\n%s stderr:\n%s", name, p.stdout(), name, p.stderr())
		}
	})
	return p
}

func (p *proc) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop ends the program: SIGTERM (the app and the CLI quit cleanly on it), SIGKILL after
// stopTimeout. It returns once the program has exited; it may be called more than once.
func (p *proc) stop() {
	if p.exited() {
		return
	}
	_ = p.in.Close()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	wait := stopTimeout
	if p.fixture {
		wait = fixtureStop
	}
	select {
	case <-p.done:
		return
	case <-time.After(wait):
	}
	if p.fixture {
		p.t.Logf("%s (a fixture) did not exit within %v of SIGTERM; killing it", p.name, wait)
	} else {
		p.t.Errorf("%s did not exit within %v of SIGTERM; killing it", p.name, wait)
	}
	_ = p.cmd.Process.Kill()
	if !p.fixture {
		<-p.done
		return
	}
	// A fixture's children (the panel's plugin wrapper) may hold its pipes open after it
	// is gone: they are not waited for.
	select {
	case <-p.done:
	case <-time.After(fixtureStop):
		p.t.Logf("%s (a fixture) was killed; its output pipes are still open, not waiting for them", p.name)
	}
}

// startFixture is startProc for a fixture (see proc.fixture).
func startFixture(t *testing.T, name string, env []string, bin string, args ...string) *proc {
	t.Helper()
	p := startProc(t, name, env, bin, args...)
	p.fixture = true
	return p
}

func (p *proc) stdout() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.out, "\n")
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errb.String()
}

// expect waits for a stdout line matching re and returns its submatches.
func (p *proc) expect(re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	find := func() []string {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, l := range p.out {
			if m := rx.FindStringSubmatch(l); m != nil {
				return m
			}
		}
		return nil
	}
	deadline := time.After(lineTimeout)
	for {
		if m := find(); m != nil {
			return m
		}
		select {
		case <-p.wake:
		case <-p.done:
			if m := find(); m != nil {
				return m
			}
			p.t.Fatalf("%s exited (%v) before printing a line matching %q", p.name, p.cmd.ProcessState, re)
		case <-deadline:
			p.t.Fatalf("%s printed no line matching %q within %v", p.name, re, lineTimeout)
		}
	}
}

// wait waits for the program to exit by itself and returns its exit code.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(stopTimeout):
		p.t.Fatalf("%s did not exit within %v", p.name, stopTimeout)
		return -1
	}
}

// send writes one line to the program's stdin.
func (p *proc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		p.t.Fatalf("write to %s: %v", p.name, err)
	}
}
