package e2e

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
)

var binary string // the concordia binary under test, built once in TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "concordia-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "concordia")
	root, err := filepath.Abs("../..")
	if err == nil {
		cmd := exec.Command("go", "build", "-o", binary, ".")
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		err = cmd.Run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "build concordia:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	removeTmuxSocket()
	os.Exit(code)
}

// proc is a running concordia process with its output captured line by line.
type proc struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   []string // stdout lines
	errb  strings.Builder
	wake  chan struct{}
	done  chan struct{}
	code  int
}

func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	// The default data directory is the test's own (a join keeps its membership there),
	// the same for every process of one test.
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=disabled:", "GEMINI_API_KEY=", "XDG_CONFIG_HOME="+configHome(t))
	cmd.Env = append(cmd.Env, env...)
	testkit.OwnGroup(cmd) // the cleanup waits for its children too (a host's git and agent)
	p := &proc{t: t, cmd: cmd, wake: make(chan struct{}, 1), done: make(chan struct{})}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = stdin
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.out = append(p.out, sc.Text())
			p.mu.Unlock()
			p.poke()
		}
	}()
	go func() {
		defer readers.Done()
		b, _ := io.ReadAll(stderr)
		p.mu.Lock()
		p.errb.Write(b)
		p.mu.Unlock()
	}()
	go func() {
		readers.Wait()
		err := cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		_ = err
		close(p.done)
		p.poke()
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			testkit.KillGroup(cmd.Process.Pid)
			<-p.done
		}
		// A host killed during its workspace's git init or snapshot leaves that git
		// running for a moment (it gets SIGKILL when its parent dies, but asynchronously),
		// and it would still be writing into the data directory when t.TempDir removes it;
		// its agent ends when its stdin closes. Only waited for: the leader is reaped, and
		// its number could be another's by now.
		if !testkit.WaitGroupGone(cmd.Process.Pid, 10*time.Second) {
			testkit.KillGroup(cmd.Process.Pid)
			t.Logf("%s: processes it started were still running after 10s; killed", strings.Join(args, " "))
		}
		if t.Failed() {
			t.Logf("%s stdout:\n%s\nstderr:\n%s", strings.Join(args, " "), p.stdout(), p.stderr())
		}
	})
	return p
}

var configHomes sync.Map // *testing.T → its XDG_CONFIG_HOME

// configHome is the test's own XDG_CONFIG_HOME, made at its first process.
func configHome(t *testing.T) string {
	if d, ok := configHomes.Load(t); ok {
		return d.(string)
	}
	d := t.TempDir()
	configHomes.Store(t, d)
	t.Cleanup(func() { configHomes.Delete(t) })
	return d
}

func (p *proc) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
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

// find returns the submatches of the first stdout line matching rx, or nil.
func (p *proc) find(rx *regexp.Regexp) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.out {
		if m := rx.FindStringSubmatch(l); m != nil {
			return m
		}
	}
	return nil
}

// lines is the first submatch of every stdout line so far that matches rx, in order.
func (p *proc) lines(rx *regexp.Regexp) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var got []string
	for _, l := range p.out {
		if m := rx.FindStringSubmatch(l); m != nil {
			got = append(got, m[1])
		}
	}
	return got
}

// expect waits for a stdout line matching re and returns its submatches.
func (p *proc) expect(re string) []string {
	p.t.Helper()
	return p.expectWithin(30*time.Second, re)
}

// expectWithin is expect with a wait of its own.
func (p *proc) expectWithin(wait time.Duration, re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(wait)
	for {
		if m := p.find(rx); m != nil {
			return m
		}
		select {
		case <-p.wake:
		case <-p.done:
			if m := p.find(rx); m != nil { // printed just before exit
				return m
			}
			p.t.Fatalf("process exited (%d) before printing %q", p.code, re)
		case <-deadline:
			p.t.Fatalf("timed out waiting for %q", re)
		}
	}
}

func (p *proc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatalf("write stdin: %v", err)
	}
}

// wait waits for exit and returns the status.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(30 * time.Second):
		p.t.Fatal("process did not exit")
		return -1
	}
}

// quit leaves with /quit and fails the test unless the process exits 0.
func (p *proc) quit() {
	p.t.Helper()
	p.send("/quit")
	if code := p.wait(); code != 0 {
		p.t.Fatalf("%s: /quit exit %d", strings.Join(p.cmd.Args[1:], " "), code)
	}
}

// interrupt ends the process with SIGINT (Ctrl-C) and fails the test unless it exits 0.
func (p *proc) interrupt() {
	p.t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	if code := p.wait(); code != 0 {
		p.t.Fatalf("%s: exit %d after SIGINT", strings.Join(p.cmd.Args[1:], " "), code)
	}
}

// host starts `concordia host` on loopback with the fake Claude and returns it with its invite.
func host(t *testing.T, env []string, extra ...string) (*proc, string) {
	t.Helper()
	args := append([]string{"host", "--listen", "127.0.0.1:0", "--claude", testkit.FakeClaude(t),
		"--data-dir", t.TempDir(), "--workdir", t.TempDir(), "--window", "200ms", "--name", "hosty"}, extra...)
	p := start(t, env, args...)
	m := p.expect(`^invite code: (concordia://\S+)$`)
	return p, m[1]
}

func fmtSscan(s string, v *int) (int, error) { return fmt.Sscan(s, v) }

func fakeClaudePath(t *testing.T) string { return testkit.FakeClaude(t) }

func matched(re, line string) bool { return regexp.MustCompile(re).MatchString(line) }

func timeAfter100ms() <-chan time.Time { return time.After(100 * time.Millisecond) }
