package e2e

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/membership"
	"github.com/concordia-party/concordia/internal/testkit"
)

func TestHostAndJoinTalk(t *testing.T) {
	h, inv := host(t, nil)
	if !strings.Contains(inv, "?fp=") {
		t.Fatalf("default invite must pin TLS: %s", inv)
	}
	j := start(t, nil, "join", inv, "--name", "bob")
	j.expect(`^\[party\] joined hosty's party as bob \(2 in the party: hosty \(host\), bob\)$`)
	// What may be seen of the folder, and how (a tester found /changes only in /help).
	j.expect(`^\[system\] the party sees every file that changes in the working directory, by the agent or by hand, and its diff \(never \.env and other secrets\): /changes lists the files changed, /diff PATH shows one$`)
	h.expect(`^\[party\] bob joined \(2 in the party\)$`)
	// Approval said as a joining terminal says it (a tester's host read "approval off").
	h.expect(`; approval off: merged prompts go to claude at once$`)
	j.send("please say hi")
	j.expect(`^\[you\] bob: please say hi$`)
	// The join was said once: its own joined event, which came before the prompt's, is
	// not said again as "you joined (2 in the party)" (a user tester's).
	if strings.Contains(j.stdout(), "you joined") {
		t.Errorf("the join said twice:\n%s", j.stdout())
	}
	j.expect(`echo: please say hi`)
	h.expect(`echo: please say hi`)
	j.expect(`^\[system\] claude finished`)
	// The host's own terminal takes part.
	h.send("and from the host")
	j.expect(`^\[party\] hosty: and from the host$`)
	j.expect(`echo: and from the host`)
	j.send("/quit")
	if code := j.wait(); code != 0 {
		t.Fatalf("join /quit exit %d", code)
	}
	h.expect(`^\[party\] bob left \(1 in the party\)$`)
	// Both turns over: the host's /exit ends at once (with a turn running it asks back).
	for deadline := time.Now().Add(30 * time.Second); strings.Count(h.stdout(), "[system] claude finished") < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the host never finished both turns:\n%s", h.stdout())
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.send("/exit")
	if code := h.wait(); code != 0 {
		t.Fatalf("host /exit exit %d", code)
	}
}

func TestFlagsBeforeInvite(t *testing.T) {
	_, inv := host(t, nil, "--insecure", "--no-local-repl")
	if strings.Contains(inv, "fp=") {
		t.Fatalf("--insecure invite has a fingerprint: %s", inv)
	}
	j := start(t, nil, "join", "--name", "carol", inv)
	// --no-local-repl: the host is not a member.
	j.expect(`^\[party\] joined hosty's party as carol \(1 in the party: carol\)$`)
}

// TestJoinFromStdinCutIntoLines: an invite a narrow terminal cut into lines, pasted after
// "concordia join -", joins (only the first line was read, and the fingerprint was cut
// off); the line after it is the first prompt.
func TestJoinFromStdinCutIntoLines(t *testing.T) {
	h, inv := host(t, nil, "--no-local-repl")
	j := start(t, nil, "join", "-", "--name", "dora")
	j.send(inv[:50] + "\n" + inv[50:100] + "\n" + inv[100:] + "\nhello from the pieces")
	j.expect(`^\[party\] joined hosty's party as dora \(1 in the party: dora\)$`)
	j.expect(`echo: hello from the pieces`)
	h.expect(`^\[party\] dora: hello from the pieces$`)
}

func TestCtrlCStopsAgentAndExitsZero(t *testing.T) {
	pidDir := t.TempDir()
	h, inv := host(t, []string{"FAKECLAUDE_PIDFILE=" + filepath.Join(pidDir, "pid")})
	j := start(t, nil, "join", inv, "--name", "bob")
	j.send("hello")
	j.expect(`echo: hello`)
	raw, err := os.ReadFile(filepath.Join(pidDir, "pid"))
	if err != nil {
		t.Fatalf("fake claude wrote no pid file: %v", err)
	}
	var pid int
	if _, err := fmtSscan(strings.TrimSpace(string(raw)), &pid); err != nil {
		t.Fatal(err)
	}
	h.cmd.Process.Signal(syscall.SIGINT)
	if code := h.wait(); code != 0 {
		t.Fatalf("host exit after SIGINT: %d", code)
	}
	if !testkit.ProcessGone(pid) {
		t.Fatalf("claude (pid %d) still runs after the host exited", pid)
	}
	j.expect(`^\[system\] the host ended the party$`)
	if code := j.wait(); code != 0 {
		t.Fatalf("join exit after the party ended: %d", code)
	}
	// A participant's Ctrl-C also exits 0.
	h2, inv2 := host(t, nil)
	_ = h2
	j2 := start(t, nil, "join", inv2)
	j2.expect(`^\[party\] joined`)
	j2.cmd.Process.Signal(syscall.SIGINT)
	if code := j2.wait(); code != 0 {
		t.Fatalf("join exit after SIGINT: %d", code)
	}
}

// Ctrl-C while a join still waits for a host that took the connection and says nothing
// (a tester's host, stopped with SIGSTOP) exits 0 with no error; the join said at once
// that it waits (to a pipe: after a few seconds).
func TestCtrlCWhileConnectingExitsZero(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn // never answered; only the accepting goroutine appends until ln closes
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	defer func() {
		ln.Close()
		<-accepted
		for _, c := range held {
			c.Close()
		}
	}()
	addr := ln.Addr().String()
	j := start(t, nil, "join", "concordia://"+addr+"/"+strings.Repeat("a", 43), "--name", "erin")
	j.expect(`^\[system\] still connecting to ` + regexp.QuoteMeta(addr) + `: no answer from the host yet \(Ctrl-C stops\)$`)
	j.cmd.Process.Signal(syscall.SIGINT)
	if code := j.wait(); code != 0 {
		t.Fatalf("join exit after SIGINT while connecting: %d\nstdout:\n%s\nstderr:\n%s", code, j.stdout(), j.stderr())
	}
	j.expect(`^\[system\] stopped connecting to ` + regexp.QuoteMeta(addr) + `$`)
	if all := j.stdout() + j.stderr(); strings.Contains(all, "[error]") || strings.Contains(all, "cannot reach") {
		t.Fatalf("an error after Ctrl-C:\n%s", all)
	}
}

func TestShellIsLocalOnly(t *testing.T) {
	h, inv := host(t, nil)
	j := start(t, nil, "join", inv, "--name", "bob")
	j.expect(`^\[party\] joined`)
	j.send("/shell echo LOCAL-$((6*7))-ONLY")
	j.expect(`^LOCAL-42-ONLY$`)
	j.send("now a prompt")
	h.expect(`^\[party\] bob: now a prompt$`)
	if strings.Contains(h.stdout(), "LOCAL-") {
		t.Fatal("/shell output reached the host")
	}
}

func TestExitStatuses(t *testing.T) {
	_, inv := host(t, nil)
	badToken := inv[:strings.LastIndex(inv, "/")+1] + strings.Repeat("Z", 43) + inv[strings.Index(inv, "?"):]
	badFP := inv[:strings.Index(inv, "?fp=")+4] + strings.Repeat("0", 64)
	// A token of 38 characters is valid (PROTOCOL.md §2: at least 128 bits), so join tries it;
	// refused, it is called out as a link likely cut short.
	short := inv[:strings.LastIndex(inv, "/")+1+38] + inv[strings.Index(inv, "?"):]
	cases := []struct {
		name string
		args []string
		code int
		msg  string // in stdout or stderr
	}{
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"invite cut in its fingerprint", []string{"join", inv[:len(inv)-20]}, 2, `(was the link cut off?); an invite a terminal cut into lines can be pasted whole after "concordia join -"`},
		{"unknown host flag", []string{"host", "--bogus"}, 2, "unknown flag --bogus"},
		{"bad window", []string{"host", "--window", "-1s"}, 2, "--window must be positive"},
		{"bad merge", []string{"host", "--merge", "magic"}, 2, "--merge must be auto, gemini or local"},
		{"insecure on every interface", []string{"host", "--insecure"}, 2, "only listens on loopback"},
		{"insecure on a LAN address", []string{"host", "--insecure", "--listen", "0.0.0.0:0"}, 2, "only listens on loopback"},
		{"bad permission mode", []string{"host", "--permission-mode", "yolo"}, 2, "--permission-mode must be ask, edits, plan or all"},
		{"bad permission timeout", []string{"host", "--permission-timeout", "0s"}, 2, "--permission-timeout must be positive"},
		{"window too long", []string{"host", "--window", "100h"}, 2, "--window must be at most 10m, got 100h0m0s"},
		{"join without invite", []string{"join"}, 2, "missing INVITE"},
		{"join with a name too long", []string{"join", "concordia://127.0.0.1:1/" + strings.Repeat("a", 43), "--name", strings.Repeat("n", 65)}, 2, "a name is 1 to 64 visible characters"},
		{"host with a bracket in its name", []string{"host", "--name", "[system]"}, 2, "--name \"[system]\": a name cannot contain [ or ]"},
		// A key pasted for a name is refused and not written back (a user tester's was).
		{"host with a key for a name", []string{"host", "--name", "rootAIzaSyA1234567890123456789012345678901"}, 2, "--name (not shown): a name cannot hold what looks like an API key or token"},
		{"join malformed invite", []string{"join", "https://example.com/x"}, 2, "invalid invite"},
		{"join unreachable", []string{"join", "concordia://127.0.0.1:1/" + strings.Repeat("a", 43)}, 1, "cannot reach the host"},
		{"join wrong token", []string{"join", badToken}, 1, "refused"},
		{"join token cut short", []string{"join", short}, 1, "the host refused this invite; the link looks cut short: its token has 38 characters"},
		{"join fingerprint mismatch", []string{"join", badFP}, 1, "fingerprint"},
		{"missing claude", []string{"host", "--listen", "127.0.0.1:0", "--claude", "/nonexistent/claude", "--data-dir", t.TempDir()}, 1, "Claude Code was not found: there is no file /nonexistent/claude; point --claude at the claude program, or install it with \"npm install -g @anthropic-ai/claude-code\""},
		{"gemini without a key", []string{"host", "--listen", "127.0.0.1:0", "--merge", "gemini", "--data-dir", t.TempDir()}, 1, "--merge gemini: "},
		{"export of no such party", []string{"export", "0123456789ab", "--data-dir", "some dir"}, 1, "no party 0123456789ab in some dir (`concordia parties --data-dir 'some dir'` lists them)"},
		{"resume of no such party", []string{"host", "--resume", "0123456789ab", "--data-dir", t.TempDir()}, 1, "no party \"0123456789ab\" in"},
		{"resume with no party at all", []string{"host", "--resume", "--data-dir", t.TempDir()}, 1, "no party to resume in"},
		{"host invite file with a terminal", []string{"host", "--host-invite-file", "/tmp/x"}, 2, "--host-invite-file goes with --no-local-repl"},
		{"host invite file a folder", []string{"host", "--no-local-repl", "--host-invite-file", os.TempDir()}, 2, "is not a regular file (a folder, a link, a device or a pipe)"},
		{"host invite file in no folder", []string{"host", "--no-local-repl", "--host-invite-file", "/nonexistent/dir/hi"}, 2, "--host-invite-file /nonexistent/dir/hi: the folder /nonexistent/dir does not exist"},
		{"version", []string{"version"}, 0, "concordia "},
		{"host help", []string{"host", "--help"}, 0, "--no-local-repl"},
		{"join help", []string{"join", "--help"}, 0, "concordia join INVITE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := start(t, nil, c.args...)
			p.stdin.Close()
			code := p.wait()
			all := p.stdout() + p.stderr()
			if code != c.code || !strings.Contains(all, c.msg) {
				t.Fatalf("exit %d (want %d), output:\n%s\nwant it to mention %q", code, c.code, all, c.msg)
			}
		})
	}
}

// TestAFailedCommandSaysItOnStderr: `join … >log` and a script saw nothing of "cannot
// reach the host" (a tester's): the error that ends a command is said on stderr when
// stdout is not a terminal, and only there (`host … >out 2>err` wrote it to both, and
// `2>&1 | tee` showed it twice: a tester's).
func TestAFailedCommandSaysItOnStderr(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"join", "concordia://127.0.0.1:1/" + strings.Repeat("a", 43)}, "concordia join: cannot reach the host"},
		{[]string{"host", "--listen", busy.Addr().String(), "--claude", "/bin/true", "--data-dir", t.TempDir(), "--workdir", t.TempDir()}, "concordia host: cannot start the party: " + busy.Addr().String() + " is in use"},
	} {
		p := start(t, nil, c.args...)
		p.stdin.Close()
		if code := p.wait(); code != 1 {
			t.Fatalf("%v: exit %d", c.args, code)
		}
		if !strings.Contains(p.stderr(), c.want) {
			t.Errorf("%v: stderr %q, want %q", c.args, p.stderr(), c.want)
		}
		if strings.Contains(p.stdout(), "[error] ") {
			t.Errorf("%v: stdout %q says the error too", c.args, p.stdout())
		}
	}
}

// TestADisconnectSaysItOnStderr: a join that ends because the host no longer knows it
// (another party now runs at its address) says why on stderr when its output goes
// elsewhere, as a failed start does: a script's `join … >log` read nothing on stderr and
// exit 1 (a reviewer's).
func TestADisconnectSaysItOnStderr(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	first, inv := host(t, nil, "--insecure", "--listen", addr)
	bob := start(t, nil, "join", inv, "--name", "bob")
	bob.expect(`joined hosty's party as bob `)
	testkit.KillGroup(first.cmd.Process.Pid)
	first.wait()
	host(t, nil, "--insecure", "--listen", addr) // another party at the same address
	if code := bob.wait(); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if want := "concordia join: disconnected from the party: the host no longer knows this member"; !strings.Contains(bob.stderr(), want) {
		t.Errorf("stderr %q, want %q", bob.stderr(), want)
	}
	if strings.Contains(bob.stdout(), "[error] disconnected") {
		t.Errorf("stdout says it too:\n%s", bob.stdout())
	}
}

// TestMissingClaudeIsSaidAsAFlagsError: a --claude that is not there is said before
// anything starts, as every failure that ends the host is (stdout a pipe and stderr
// another: "concordia host: …" on stderr alone; at a terminal, "[error] …" as for a port
// in use, which a tester's read beside "concordia host: Claude Code was not found…").
func TestMissingClaudeIsSaidAsAFlagsError(t *testing.T) {
	p := start(t, nil, "host", "--listen", "127.0.0.1:0", "--claude", "/nonexistent/claude", "--data-dir", t.TempDir())
	p.stdin.Close()
	if code := p.wait(); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	want := "concordia host: Claude Code was not found: there is no file /nonexistent/claude; point --claude at the claude program, or install it with \"npm install -g @anthropic-ai/claude-code\"\n"
	if p.stderr() != want || p.stdout() != "" {
		t.Errorf("stderr %q, stdout %q; want stderr %q and nothing on stdout", p.stderr(), p.stdout(), want)
	}
}

func TestHelpExplainsEveryFlag(t *testing.T) {
	p := start(t, nil, "host", "--help")
	p.wait()
	help := p.stderr() + p.stdout()
	for _, f := range []string{"--listen", "--public-host", "--name", "--window", "--min-prompts", "--merge", "--claude", "--claude-arg", "--workdir", "--data-dir", "--no-local-repl", "--insecure", "--gemini-model"} {
		if !strings.Contains(help, "  --"+strings.TrimLeft(f, "-")) { // GNU style, as the README spells them
			t.Errorf("host --help does not explain %s", f)
		}
	}
}

func TestHostFollowsWhenStdinCloses(t *testing.T) {
	h, inv := host(t, nil)
	h.stdin.Close()
	h.expect(`still hosting`)
	j := start(t, nil, "join", inv)
	j.send("still there?")
	j.expect(`echo: still there\?`)
	_ = time.Second
}

func TestClaudeArgsReachTheAgent(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "claude.log")
	h, inv := host(t, []string{"FAKECLAUDE_LOG=" + logFile}, "--claude-arg=--model", "--claude-arg", "my-test-model", "--no-local-repl")
	j := start(t, nil, "join", inv)
	j.send("which model?")
	j.expect(`echo: which model\?`)
	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"--model","my-test-model"`) {
		t.Fatalf("extra arguments did not reach claude:\n%s", raw)
	}
	for _, want := range []string{`"-p"`, `"--input-format","stream-json"`, `"--output-format","stream-json"`, `"--verbose"`, `"--include-partial-messages"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("claude was not started with %s:\n%s", want, raw)
		}
	}
	_ = h
}

// TestHostEndsCleanlyWithItsStdoutGone: `concordia host | tee log`, and a Ctrl-C reaches both:
// tee dies first, and the host's next write to its stdout used to kill it (SIGPIPE) halfway
// through its shutdown — party not ended, agent's jobs left. It now ends the party cleanly.
func TestHostEndsCleanlyWithItsStdoutGone(t *testing.T) {
	dataDir := t.TempDir()
	cmd, _, out := rawHost(t, dataDir)
	out.Close() // the reader is gone: every later write to stdout fails
	cmd.Process.Signal(os.Interrupt)
	ended := exited(cmd)
	select {
	case <-ended:
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Fatalf("host with its stdout gone: %s, want exit 0", cmd.ProcessState)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the host did not end")
	}
	s, err := journal.Read(filepath.Join(journal.Dir(dataDir), onlyJournal(t, dataDir)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Ended {
		t.Fatal("the party was not ended cleanly")
	}
}

// TestHostUnderNohupIgnoresAHangUp: a host started with nohup keeps its party through a
// hang-up (Go's signal.Notify used to turn the ignored SIGHUP back on).
func TestHostUnderNohupIgnoresAHangUp(t *testing.T) {
	if _, err := exec.LookPath("nohup"); err != nil {
		t.Skip("no nohup here")
	}
	cmd, sc, _ := rawHost(t, t.TempDir(), "nohup")
	go func() { // keep reading: a full pipe would stall the host
		for sc.Scan() {
		}
	}()
	ended := exited(cmd)
	cmd.Process.Signal(syscall.SIGHUP)
	select {
	case <-ended:
		t.Fatalf("the host under nohup ended on a hang-up: %s", cmd.ProcessState)
	case <-time.After(time.Second):
	}
	cmd.Process.Signal(os.Interrupt)
	select {
	case <-ended:
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Fatalf("host after Ctrl-C: exit %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the host did not end on Ctrl-C")
	}
}

// rawHost starts a headless `concordia host` on loopback (after prefix, a wrapper such as
// nohup) as a bare process for tests about the process itself: its stdout and stderr are
// the write end of a pipe whose read end is returned, read up to the invite line.
func rawHost(t *testing.T, dataDir string, prefix ...string) (*exec.Cmd, *bufio.Scanner, *os.File) {
	t.Helper()
	args := append(append(prefix, binary), "host", "--listen", "127.0.0.1:0", "--insecure", "--claude", testkit.FakeClaude(t),
		"--data-dir", dataDir, "--workdir", t.TempDir(), "--no-local-repl")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=disabled:", "GEMINI_API_KEY=")
	testkit.OwnGroup(cmd)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		testkit.KillGroup(cmd.Process.Pid)
		testkit.WaitGroupGone(cmd.Process.Pid, 10*time.Second)
		r.Close()
	})
	sc := bufio.NewScanner(r)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "invite code: ") {
	}
	return cmd, sc, r
}

// exited is closed once cmd has exited (its ProcessState is set by then).
func exited(cmd *exec.Cmd) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	return done
}

// TestJoinTranscript: --transcript writes what the terminal saw when it leaves; a path
// that cannot be written is refused before joining (it used to be found out only at the
// end, the transcript lost and the exit status 0), and a write that fails at the end is
// an error exit.
func TestJoinTranscript(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	dir := t.TempDir()
	path := filepath.Join(dir, "seen.md")
	j := start(t, nil, "join", inv, "--name", "bob", "--transcript", path)
	j.expect(`joined .*'s party as bob`)
	j.send("hello FAKE_STREAM=2:10")
	j.expect(`claude finished`)
	h.expect(`bob: hello`)
	j.send("/quit")
	j.expect(`transcript written to ` + regexp.QuoteMeta(path))
	if code := j.wait(); code != 0 {
		t.Fatalf("join: exit %d", code)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "hello FAKE_STREAM=2:10") {
		t.Fatalf("the transcript (%v) does not have the prompt:\n%s", err, b)
	}

	bad := start(t, nil, "join", inv, "--name", "carol", "--transcript", filepath.Join(dir, "missing", "seen.md"))
	if code := bad.wait(); code != 2 || !strings.Contains(bad.stderr(), "does not exist") {
		t.Fatalf("--transcript in a missing folder: exit %d, stderr %q", code, bad.stderr())
	}
	if strings.Contains(h.stdout(), "carol joined") {
		t.Fatal("carol joined although her transcript could never be written")
	}

	gone := filepath.Join(t.TempDir(), "sub")
	if err := os.Mkdir(gone, 0o700); err != nil {
		t.Fatal(err)
	}
	// The transcript that cannot be written where asked goes to the temporary folder: the
	// test's own, so that no run leaves a file in the machine's /tmp.
	tmp := t.TempDir()
	d := start(t, []string{"TMPDIR=" + tmp}, "join", inv, "--name", "dan", "--transcript", filepath.Join(gone, "seen.md"))
	d.expect(`joined .*'s party as dan`)
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}
	d.send("/quit")
	d.expect(`cannot write the transcript to .*seen\.md; written to ` + regexp.QuoteMeta(tmp) + `/concordia-transcript-.*\.md instead`)
	if code := d.wait(); code != 1 {
		t.Fatalf("a transcript that could not be written: exit %d, want 1", code)
	}
	if saved, _ := filepath.Glob(filepath.Join(tmp, "concordia-transcript-*.md")); len(saved) != 1 {
		t.Fatalf("the transcript written instead: %v, want one file in %s", saved, tmp)
	}
}

// TestWithdrawFromTheTerminal: a prompt that waits behind a running turn is taken back with
// /withdraw in a participant's terminal; both terminals say so, and the agent never gets it.
func TestWithdrawFromTheTerminal(t *testing.T) {
	h, inv := host(t, nil)
	j := start(t, nil, "join", inv, "--name", "bob")
	j.expect(`^\[party\] joined`)
	j.send("FAKE_SLOW=1500 a slow job")
	j.expect(`^\[system\] sending the prompt to claude`)
	j.send("a prompt with a typo")
	j.expect(`^\[you\] bob: a prompt with a typo$`)
	j.send("/withdraw")
	j.expect(`^\[party\] you withdrew your prompt: a prompt with a typo \(it will not be sent\)$`)
	h.expect(`^\[party\] bob withdrew their prompt: a prompt with a typo \(it will not be sent\)$`)
	j.expect(`^\[system\] claude finished`)
	j.send("/withdraw")
	j.expect(`^\[error\] /withdraw: you have no prompt waiting`)
	j.send("the right prompt")
	j.expect(`echo: the right prompt`)
	if strings.Contains(j.stdout(), "echo: a prompt with a typo") {
		t.Fatal("the withdrawn prompt reached claude")
	}
}

// TestJoinWithATakenName: a name someone has (or the host's, written in full-width letters)
// is made unique by the host, and the terminal says so; it used to join as "bob-2" without
// a word (found by a tester).
func TestJoinWithATakenName(t *testing.T) {
	_, inv := host(t, nil, "--insecure")
	b := start(t, nil, "join", inv, "--name", "bob")
	b.expect(`joined .*'s party as bob `)
	b2 := start(t, nil, "join", inv, "--name", "bob")
	b2.expect(`joined .*'s party as bob-2 `)
	b2.expect(`^\[system\] you are called bob-2 here: bob is taken$`)
	h := start(t, nil, "join", inv, "--name", "ｈｏｓｔｙ")
	h.expect(`joined hosty's party as hosty-2 `)
	h.expect(`^\[system\] you are called hosty-2 here: hosty is taken$`)
	if strings.Contains(b.stdout(), "you are called") {
		t.Errorf("a name that was free is said to be taken:\n%s", b.stdout())
	}
}

// TestHostQuitAsksWhileAPromptWaits: the host's /quit with a merged prompt waiting for
// approval says what would be lost and takes a second /quit; the party then ends and its
// author is told the prompt never reached the agent (a tester's vanished without a word).
func TestHostQuitAsksWhileAPromptWaits(t *testing.T) {
	h, inv := host(t, nil, "--insecure", "--approve")
	j := start(t, nil, "join", inv, "--name", "alice")
	j.expect(`joined hosty's party as alice`)
	j.send("prompt before quit")
	h.expect(`a prompt waits for a host's approval`)
	h.send("/quit")
	h.expect(`^\[system\] a merged prompt waits for approval: /quit again within 10 seconds ends the party for everyone`)
	// Still running: alice is still in it.
	j.send("/who")
	j.expect(`^\[party\] 2 in the party:`)
	h.send("/quit")
	// Her own, said as hers (a user tester's read "… reached the agent: pat: “…”").
	j.expect(`^\[system\] your prompt “prompt before quit” did not reach the agent before the party ended\. A host who resumes this party has it queued again \(or withdrawn, resuming without it\)\.$`)
	j.expect(`^\[system\] the host ended the party`)
	if code := h.wait(); code != 0 {
		t.Fatalf("host exit %d", code)
	}
	if code := j.wait(); code != 0 {
		t.Fatalf("join exit %d", code)
	}
}

// TestLosingHostIsToldWhoDecided: a co-host's /approve beats the host's /reject: the host
// is told who sent it, not only that nothing waits (a tester's host read "[error] /reject:
// no merged prompt is waiting for approval"); the co-host, whose /approve comes after the
// host's /reject, who rejected it. Both in a terminal: the host's own, in the party's
// process, and a joined one, over the wire.
func TestLosingHostIsToldWhoDecided(t *testing.T) {
	h, inv := host(t, nil, "--insecure", "--approve")
	b := start(t, nil, "join", inv, "--name", "bob")
	b.expect(`joined hosty's party as bob`)
	h.send("/role bob host")
	b.expect(`hosty made you a co-host`)
	b.send("one prompt")
	h.expect(`a prompt waits for a host's approval`)
	b.expect(`a prompt waits for a host's approval`)
	b.send("/approve")
	h.expect(`^\[system\] bob approved their own prompt$`)
	h.send("/reject no")
	h.expect(`^\[error\] /reject: that merged prompt is no longer waiting for approval: bob already approved it$`)

	b.send("another one")
	h.expect(`^\s+bob: another one$`) // under its approval
	b.expect(`^\s+bob: another one$`)
	h.send("/reject not now")
	b.expect(`^\[system\] hosty rejected your prompt; it was not sent: not now$`)
	b.send("/approve")
	b.expect(`^\[error\] /approve: that merged prompt is no longer waiting for approval: hosty already rejected it$`)
}

// TestLoopbackListenWithAPublicInvite: a party that listens on loopback only while its
// invites name another address cannot be joined from another machine, and the host is told
// (a tester resumed with --listen 127.0.0.1:0; the invites kept the journal's address).
func TestLoopbackListenWithAPublicInvite(t *testing.T) {
	h, inv := host(t, nil, "--insecure", "--no-local-repl", "--public-host", "192.0.2.2")
	if !strings.Contains(inv, "//192.0.2.2:") {
		t.Fatalf("invite %s", inv)
	}
	h.expect(`^\[system\] the party listens on 127\.0\.0\.1 only, so the invites' 192\.0\.2\.2 reaches it from another machine only through a tunnel or proxy`)
}

// TestJoinAgainWithoutANameIsTheSameMember: a join with no --name, after this terminal
// joined the party under another name, joins under that one and comes back as that
// member (a window tester's reopened window joined under the settings' name, someone new,
// and "Cleo" stayed away).
func TestJoinAgainWithoutANameIsTheSameMember(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	c := start(t, nil, "join", inv, "--name", "Cleo")
	c.expect(`joined hosty's party as Cleo `)
	h.expect(`^\[party\] Cleo joined`)
	c.send("/quit")
	c.wait()
	again := start(t, nil, "join", inv)
	again.expect(`^\[system\] joining as Cleo, the name this terminal last joined this host with \(--name NAME joins under another\)$`)
	again.expect(`joined hosty's party as Cleo `)
	again.expect(`^\[system\] you are back as the member this terminal was before \(a participant\)`)
	again.send("/quit")
	again.wait()
}

// TestRestartedJoinComesBackAsItself: a join killed and started again with the same invite
// and name comes back as the member it was, a co-host still (a tester's restarted terminal
// was a new participant of the same name, and the old co-host stayed "away" for the host to
// guess which to /kick); --new-member joins as someone new. A second terminal with the same
// invite and name while the first runs is someone new, and does not take the first's place.
func TestRestartedJoinComesBackAsItself(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	b := start(t, nil, "join", inv, "--name", "bob")
	b.expect(`joined hosty's party as bob `)
	// The host's terminal names members from what it has seen: bob's welcome can reach bob
	// before his joining reaches it (a CI run's /role found nobody called bob).
	h.expect(`^\[party\] bob joined`)
	h.send("/role bob host")
	b.expect(`^\[party\] hosty made you a co-host`)
	other := start(t, nil, "join", inv, "--name", "bob")
	other.expect(`joined hosty's party as bob-2 `)
	other.send("/quit")
	other.wait()
	testkit.KillGroup(b.cmd.Process.Pid)
	b.wait()
	again := start(t, nil, "join", inv, "--name", "bob")
	again.expect(`joined hosty's party as bob `)
	again.expect(`^\[system\] you are back as the member this terminal was before \(a co-host\); --new-member joins as someone new$`)
	h.send("/who")
	h.expect(`^\[party\] 2 in the party:`)
	if strings.Contains(b.stdout(), "replaced") {
		t.Errorf("the second terminal took the first one's place:\n%s", b.stdout())
	}
	again.send("/quit")
	again.wait()
	fresh := start(t, nil, "join", inv, "--name", "bob", "--new-member")
	fresh.expect(`joined hosty's party as bob`)
	fresh.send("/who")
	fresh.expect(`^\[party\] 2 in the party:`)
	if strings.Contains(fresh.stdout(), "you are back") || strings.Contains(fresh.stdout(), "you joined as a co-host") {
		t.Errorf("--new-member came back as the co-host:\n%s", fresh.stdout())
	}
}

// A co-host's /rotate: the owner's own terminal prints the new invites, so that its last
// "invite code:" line is the one that works (PROTOCOL.md §1); a tester's was only told
// "/invite shows the new invites", and a script reading it handed out a dead link. The
// owner's own /rotate prints them once.
func TestCoHostRotationPrintsTheInvitesAtTheHost(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	a := start(t, nil, "join", inv, "--name", "alice")
	a.expect(`joined hosty's party as alice `)
	h.expect(`^\[party\] alice joined`)
	h.send("/role alice co-host")
	a.expect(`hosty made you a co-host`)
	a.send("/rotate")
	fresh := a.expect(`^\s*invite code: (concordia://\S+)$`)[1]
	codes := regexp.MustCompile(`^invite code: (concordia://\S+)$`)
	deadline := time.Now().Add(30 * time.Second)
	for len(h.lines(codes)) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := h.lines(codes); len(got) != 2 || got[1] != fresh || got[0] != inv {
		t.Fatalf("the host's invite codes after alice's rotation: %q; alice's new one %s", got, fresh)
	}
	if strings.Contains(h.stdout(), "/invite shows the new invites") { // they are just above
		t.Errorf("the owner's terminal points at /invite for invites it printed:\n%s", h.stdout())
	}
	b := start(t, nil, "join", fresh, "--name", "bob")
	b.expect(`joined hosty's party as bob `)
	h.send("/rotate")
	for len(h.lines(codes)) < 3 && time.Now().Before(deadline.Add(30*time.Second)) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // printed once, not twice
	if got := h.lines(codes); len(got) != 3 || got[2] == fresh {
		t.Fatalf("the host's invite codes after its own rotation: %q; want one more, new", got)
	}
}

// A member back whose name was made unique keeps it, and is told so without a
// contradiction (a tester's read "you are back as the member this terminal was before"
// then "you are called bob-2 here: bob is taken").
func TestBackUnderAUniqueName(t *testing.T) {
	_, inv := host(t, nil, "--insecure")
	first := start(t, nil, "join", inv, "--name", "carl")
	first.expect(`joined hosty's party as carl `)
	// Another terminal, with its own data directory (its own kept membership), as carl.
	env := []string{"XDG_DATA_HOME=" + t.TempDir()}
	second := start(t, env, "join", inv, "--name", "carl", "--data-dir", t.TempDir())
	second.expect(`joined hosty's party as carl-2 `)
	second.expect(`^\[system\] you are called carl-2 here: carl is taken$`)
	testkit.KillGroup(second.cmd.Process.Pid)
	second.wait()
	again := start(t, env, append([]string{"join", inv, "--name", "carl", "--data-dir"}, second.cmd.Args[len(second.cmd.Args)-1])...)
	again.expect(`^\[system\] you are back as the member this terminal was before \(a participant\); --new-member joins as someone new$`)
	again.expect(`^\[system\] you are still called carl-2 here, as before \(carl was taken\)$`)
	again.send("/quit")
	again.wait()
}

// A terminal whose kept member was removed says who removed it, joins as someone new, says
// so, and keeps that new member: started again, it comes back as it.
func TestJoinAfterBeingRemovedKeepsTheNewMember(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	first := start(t, nil, "join", inv, "--name", "carl")
	first.expect(`joined hosty's party as carl `)
	h.expect(`^\[party\] carl joined`)
	h.send("/kick carl")
	first.wait()
	second := start(t, nil, "join", inv, "--name", "carl")
	second.expect(`^\[system\] hosty had removed carl, the member this terminal joined this party as before$`)
	second.expect(`joined hosty's party as carl `)
	second.expect(`^\[system\] you joined as someone new: this invite still lets people in$`)
	if strings.Contains(second.stdout(), "no longer in the party") {
		t.Errorf("the removed member was told of a member gone:\n%s", second.stdout())
	}
	testkit.KillGroup(second.cmd.Process.Pid)
	second.wait()
	third := start(t, nil, "join", inv, "--name", "carl")
	third.expect(`joined hosty's party as carl `)
	third.expect(`^\[system\] you are back as the member this terminal was before \(a participant\); --new-member joins as someone new$`)
	third.send("/quit")
	third.wait()
}

// A terminal whose kept member was removed, and whose invite the host then replaced, is
// refused as someone new too. Each time it is started again it says who removed it, then
// that the invite no longer lets it in: not "joining as carl, the name this terminal last
// joined…", nor that its member is "no longer in the party", nor the refusal of a wrong
// invite (a tester's, removed, read those, and on the second try only the refusal).
func TestJoinAfterBeingRemovedWithNewInvites(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	first := start(t, nil, "join", inv, "--name", "carl")
	first.expect(`joined hosty's party as carl `)
	h.expect(`^\[party\] carl joined`)
	h.send("/kick carl")
	first.wait()
	h.send("/rotate")
	h.expect(`^invite code: concordia://`)
	for try := 1; try <= 2; try++ {
		again := start(t, nil, "join", inv) // no --name: the name it last joined with
		if code := again.wait(); code == 0 {
			t.Fatalf("try %d: a removed member with a replaced invite joined", try)
		}
		again.expect(`^\[system\] hosty had removed carl, the member this terminal joined this party as before$`)
		// The error that ends it is said once, on stderr, stdout not being a terminal.
		if want := "concordia join: this invite no longer lets you in: ask a host for a new one.\n"; again.stderr() != want {
			t.Errorf("try %d: stderr %q, want %q", try, again.stderr(), want)
		}
		out := again.stdout()
		for _, wrong := range []string{"joining as", "no longer in the party", "you joined", "the host refused this invite"} {
			if strings.Contains(out, wrong) {
				t.Errorf("try %d said %q:\n%s", try, wrong, out)
			}
		}
		if n := strings.Count(out, " had removed "); n != 1 {
			t.Errorf("try %d said the removal %d times:\n%s", try, n, out)
		}
	}
}

// A viewer the host removed, joining again from the same terminal with the participant
// invite, is a viewer again: the removal did not undo the demotion (a window tester's came
// back a participant, able to prompt).
func TestARemovedViewerComesBackAViewer(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	first := start(t, nil, "join", inv, "--name", "carl")
	first.expect(`joined hosty's party as carl `)
	h.expect(`^\[party\] carl joined`)
	h.send("/role carl viewer")
	first.expect(`made you a viewer`)
	h.send("/kick carl")
	first.wait()
	second := start(t, nil, "join", inv, "--name", "carl")
	second.expect(`joined hosty's party as carl `)
	// And says why (the hello's viewer_kept): a tester's read only "you joined as a viewer".
	second.expect(`you joined as a viewer, not as a participant: this terminal was a viewer when a host removed it from the party, and joining again from it keeps that; you watch the party and cannot send prompts`)
	second.quit()
}

// A terminal that joins a party with a long history prints its last three turns and says
// how many events it left out; the transcript it writes still has them all. A tester's
// join printed 7 MB of history, more than the terminal's scrollback.
func TestALateJoinerSeesTheLastTurns(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	for i := 1; i <= 5; i++ {
		h.send(fmt.Sprintf("turn number %d", i))
		for deadline := time.Now().Add(30 * time.Second); strings.Count(h.stdout(), "[system] claude finished") < i; {
			if time.Now().After(deadline) {
				t.Fatalf("turn %d never finished:\n%s", i, h.stdout())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	path := filepath.Join(t.TempDir(), "late.md")
	j := start(t, nil, "join", inv, "--name", "late", "--transcript", path)
	j.expect(`^\[system\] the party's earlier history is not shown here \(\d+ earlier prompts, replies and notices: the last 3 turns are\); the transcript this terminal writes when it leaves \(.*late\.md\) has them all$`)
	j.expect(`echo: turn number 3`)
	j.expect(`echo: turn number 5`)
	j.expect(`— live —`)
	if out := j.stdout(); strings.Contains(out, "turn number 1") || strings.Contains(out, "turn number 2") {
		t.Fatalf("the late joiner printed the first turns:\n%s", out)
	}
	j.send("/quit")
	if code := j.wait(); code != 0 {
		t.Fatalf("join: exit %d", code)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "turn number 1") {
		t.Fatalf("the transcript (%v) lacks the first turn:\n%s", err, b)
	}
}

// TestTheInviteIsTheFirstLine: `invite code: ` starts the host's first line on stdout
// (PROTOCOL.md §1), where `head -1` finds it, also with a merger chosen by flag and when a
// party is resumed: a conformance tester's first line was "[system] merging locally".
func TestTheInviteIsTheFirstLine(t *testing.T) {
	dataDir, work := t.TempDir(), t.TempDir()
	args := []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t),
		"--data-dir", dataDir, "--workdir", work, "--no-local-repl", "--merge", "local"}
	for _, resume := range []bool{false, true} {
		a := args
		if resume {
			a = append(append([]string{}, args...), "--resume")
		}
		h := start(t, nil, a...)
		h.expect(`^invite code: concordia://`)
		h.expect(`^\[system\] party (created|resumed); merging locally, `) // said once, in this line
		if resume {
			h.expect(`^\[system\] resumed party `)
		}
		if first := h.lines(regexp.MustCompile(`^(.*)$`))[0]; !strings.HasPrefix(first, "invite code: concordia://") {
			t.Errorf("resume %v: the first line is %q", resume, first)
		}
		h.interrupt()
	}
}

// TestAScriptsPromptsAllArrive: prompts piped into join faster than the host takes them
// (ten at once, then one a second) wait their turn and all arrive; a tester's piped lines
// were refused by the hundred ("prompt not sent … rate limited").
func TestAScriptsPromptsAllArrive(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	j := start(t, nil, "join", inv, "--name", "scripty")
	j.expect(`joined hosty's party as scripty `)
	for i := 1; i <= 14; i++ {
		j.send(fmt.Sprintf("line %d", i))
	}
	h.expect(`^\[party\] scripty: line 14$`)
	for i := 1; i <= 14; i++ {
		h.expect(fmt.Sprintf(`^\[party\] scripty: line %d$`, i))
	}
	if out := j.stdout(); strings.Contains(out, "not sent") || !strings.Contains(out, "each line waits its turn") {
		t.Fatalf("the join said:\n%s", out)
	}
	j.quit()
}

// A host stopped from outside (SIGTERM: a logout, a shutdown) or by its terminal closing
// (SIGHUP) tells its members so, once, and that the party can be resumed; a Ctrl-C is the
// host's own end. A window tester's members read "the host ended the party" of an app
// closed by a logout.
func TestMembersAreToldHowTheHostStopped(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		want string
	}{
		{syscall.SIGTERM, `^\[system\] the host's Concordia was stopped from outside \(a logout, a shutdown or a service manager\); the host can resume the party, and the same invites join it again$`},
		{syscall.SIGHUP, `^\[system\] the host's terminal was closed; the host can resume the party, and the same invites join it again$`},
		{syscall.SIGINT, `^\[system\] the host ended the party$`},
	} {
		t.Run(c.sig.String(), func(t *testing.T) {
			h, inv := host(t, nil)
			j := start(t, nil, "join", inv, "--name", "bob")
			j.expect(`^\[party\] joined`)
			h.cmd.Process.Signal(c.sig)
			if code := h.wait(); code != 0 {
				t.Fatalf("host exit after %v: %d", c.sig, code)
			}
			j.expect(c.want)
			if code := j.wait(); code != 0 {
				t.Fatalf("join exit after the party ended: %d", code)
			}
			if n := strings.Count(j.stdout(), "the host ended the party"); c.sig != syscall.SIGINT && n != 0 || c.sig == syscall.SIGINT && n != 1 {
				t.Errorf("\"the host ended the party\" said %d times:\n%s", n, j.stdout())
			}
		})
	}
}

// TestJoinSaysWhenItCannotKeepItsMembership: a join whose data directory cannot keep the
// membership (a tester's full disk) says so; it was only logged, and every later join was
// someone new, unexplained.
func TestJoinSaysWhenItCannotKeepItsMembership(t *testing.T) {
	_, inv := host(t, nil, "--insecure")
	dataDir := t.TempDir()
	parsed, err := invite.Parse(inv)
	if err != nil {
		t.Fatal(err)
	}
	// A folder where bob's record goes: it cannot be written (as on a full disk), while
	// everything else of the directory works.
	if err := os.MkdirAll(filepath.Join(dataDir, "joined", membership.Key(parsed, "bob")+".json", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	b := start(t, nil, "join", inv, "--name", "bob", "--data-dir", dataDir)
	b.expect(`joined .*'s party as bob `)
	b.expect(`^\[system\] this terminal could not keep its membership in \S+/joined \([^/()]+\): joining again later makes you someone new$`)
	ok := start(t, nil, "join", inv, "--name", "carol", "--data-dir", t.TempDir())
	ok.expect(`joined .*'s party as carol `)
	ok.send("/who")
	ok.expect(`^\[party\] 3 in the party:`)
	if strings.Contains(ok.stdout(), "could not keep its membership") {
		t.Errorf("a data directory that keeps it:\n%s", ok.stdout())
	}
}

// A member the host removes while a prompt of theirs waits reads it once: who removed them,
// why, and the prompt that goes with them, to be copied; then the terminal ends, exit 1.
// A tester's read four lines: the removal, the prompt, "Up recalls your prompt" (the
// terminal ended at once) and "[error] a host removed you from the party".
func TestRemovedWithAWaitingPromptSaidOnce(t *testing.T) {
	h, inv := host(t, nil, "--insecure", "--min-prompts", "2")
	zed := start(t, nil, "join", inv, "--name", "zed")
	zed.expect(`joined hosty's party as zed `)
	h.expect(`^\[party\] zed joined`)
	zed.send("zed pending prompt")
	h.expect(`^\[party\] zed: zed pending prompt$`)
	h.send("/kick zed bye")
	if code := zed.wait(); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	zed.expect(`^\[system\] hosty removed you from the party: bye; your waiting prompt goes with you, not sent:$`)
	zed.expect(`^    zed pending prompt$`)
	out := zed.stdout() + zed.stderr()
	if n := strings.Count(out, "removed you"); n != 1 {
		t.Errorf("the removal said %d times:\n%s", n, out)
	}
	for _, not := range []string{"Up recalls", "[error]", "goes with you: "} {
		if strings.Contains(out, not) {
			t.Errorf("%q said:\n%s", not, out)
		}
	}
}

// TestHostQuitDuringATurn: the host's /quit while claude works on alice's prompt names it,
// and says the turn is cut and not run again; the party's end cuts it, and alice is told
// her prompt was cut, with its text to send again (a tester's alice read only "stopped by
// the host", and her prompt went with the party unsaid).
func TestHostQuitDuringATurn(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	j := start(t, nil, "join", inv, "--name", "alice")
	j.expect(`joined hosty's party as alice`)
	j.send("FAKE_SLOW=20000 a slow job")
	h.expect(`^\[system\] sending the prompt to claude`)
	h.send("/quit")
	h.expect(`^\[system\] claude's turn for alice's prompt is running \(ending the party cuts it short, and a resume does not run it again\): /quit again within 10 seconds ends the party for everyone$`)
	h.send("/quit")
	j.expect(`^\[system\] claude's turn for your prompt was cut short after .* when the party ended; (it had written nothing yet|what it wrote so far is above)\. A resume does not run it again: send your prompt again then:$`)
	j.expect(`^    FAKE_SLOW=20000 a slow job$`)
	j.expect(`^\[system\] the host ended the party`)
	h.expect(`^\[system\] claude's turn for alice's prompt was cut short after .* when the party ended; .*\. A resume does not run it again$`)
	if code := j.wait(); code != 0 {
		t.Fatalf("join exit %d", code)
	}
	h.wait()
}
