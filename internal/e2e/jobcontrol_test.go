//go:build linux

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A host in an interactive shell, stopped with kill -STOP and continued from outside
// (a tester's), is left by the shell in the background. It must go on serving the party
// there, read nothing of the terminal (that stopped it again, SIGTTIN, at the next key
// typed into the shell, until fg), take the terminal back when the shell's fg gives it
// (no signal comes then: the terminal stayed cooked, and Enter went into the box as a new
// line), and end when told to from the background (putting the terminal's settings back
// stopped it for good, SIGTTOU, its party half ended).
func TestHostContinuedInTheBackground(t *testing.T) {
	sh := newShellPane(t)
	inv, pid := hostInShell(t, sh, "", `› `)
	// Stopped longer than the status line's second: its clock's frame is due as the host
	// continues, before the host learns the shell has the terminal, and was drawn over the
	// shell's lines and then erased with them (two runs in five, before the host checked
	// each write).
	stopAndContinue(t, sh, pid, 2500*time.Millisecond)

	sh.typeText("echo typed at the shell")
	sh.key("Enter")
	sh.wait(`(?m)^typed at the shell`)
	b := start(t, nil, "join", inv, "--name", "bob")
	b.expect(`joined hosty's party as bob `)
	b.send("hello while the host is in the background")
	b.expect(`^echo: hello while the host is in the background$`)
	if procState(pid) == 'T' {
		t.Fatalf("the host stopped in the background:\n%s", sh.screen())
	}
	// Nor does it draw over the shell, which has the terminal: a tester's editor kept
	// painting its input line there, and a prompt typed at it ran as a shell command. The
	// last line is the shell's prompt, after the output and the status line's ticks. The
	// turn's last line first: it is printed, as a background job's output is, and came
	// after the shell's prompt once under -race (bob had it first).
	sh.wait(`claude finished`)
	sh.typeText("echo still the shell")
	sh.key("Enter")
	sh.wait(`(?m)^still the shell`)
	time.Sleep(1500 * time.Millisecond) // the status line's clock moves every second
	lines := strings.Split(strings.TrimRight(sh.screen(), "\n "), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "$" {
		t.Fatalf("in the background the host drew over the shell (last line %q):\n%s", last, sh.screen())
	}

	fgAndSend(t, sh, b)

	stopAndContinue(t, sh, pid, 0)
	endFromOutside(t, pid, b)
}

// TestHostContinuedInTheBackgroundWithTostop: a terminal set to stop a process that
// writes to it from the background (stty tostop) stopped a host continued there at its
// next line (a reviewer's), and the party with it. The host keeps its lines until fg.
func TestHostContinuedInTheBackgroundWithTostop(t *testing.T) {
	sh, pid, b := tostopHostInTheBackground(t)
	b.send("hello while the host is in the background")
	b.expect(`^echo: hello while the host is in the background$`)
	time.Sleep(500 * time.Millisecond) // the host's lines of it come due
	if procState(pid) == 'T' {
		t.Fatalf("the host stopped in the background:\n%s", sh.screen())
	}
	if strings.Contains(sh.screen(), "claude finished") {
		t.Fatalf("the host wrote to a terminal that stops background writers:\n%s", sh.screen())
	}
	fgAndSend(t, sh, b)
	sh.wait(`claude finished`) // kept, and shown once the terminal is the host's
	endFromOutside(t, pid, b)
}

// TestHostEndedInTheBackgroundWithTostop: a host whose party ends while it is in the
// background of a terminal that stops background writers wrote its last lines nowhere
// ("party ended; its journal is …" was kept, and lost with the process: a reviewer's).
func TestHostEndedInTheBackgroundWithTostop(t *testing.T) {
	sh, pid, b := tostopHostInTheBackground(t)
	endFromOutside(t, pid, b)
	sh.wait(`party ended; its journal is`)
}

// tostopHostInTheBackground is a host started in a shell whose terminal stops background
// writers (stty tostop), stopped and continued from outside, so in the background, with
// bob joined.
func tostopHostInTheBackground(t *testing.T) (sh *pane, pid int, b *proc) {
	t.Helper()
	sh = newShellPane(t)
	sh.typeText("stty tostop")
	sh.key("Enter")
	inv, pid := hostInShell(t, sh, "", `› `)
	stopAndContinue(t, sh, pid, 0)
	b = start(t, nil, "join", inv, "--name", "bob")
	b.expect(`joined hosty's party as bob `)
	return sh, pid, b
}

// TestHostStartedInTheBackground: `concordia host … &` stopped itself as its line editor
// made the terminal raw from the background (SIGTTOU, a tester's): the party froze, its
// joiners were told only that the host could not be reached, and a SIGTERM did nothing
// until fg. It hosts in the background, says so, prints the party's lines plainly, and
// takes the terminal once fg gives it. With stty tostop, its first line (the invite,
// written past the screen) stopped it all the same (a reviewer's): it keeps its lines
// until fg then.
func TestHostStartedInTheBackground(t *testing.T) {
	for _, tostop := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "tostop"}[tostop], func(t *testing.T) {
			sh := newShellPane(t)
			shown := `running in the background: the party goes on`
			if tostop {
				sh.typeText("stty tostop")
				sh.key("Enter")
				shown = `(?m)^\[1\] \d+` // the shell's word of its job: the host says nothing yet
			}
			inv, pid := hostInShell(t, sh, " &", shown)
			if tostop {
				sh.typeText("jobs")
				sh.key("Enter")
				sh.wait(`\[1\]\+\s+Running`)
			}
			b := start(t, nil, "join", inv, "--name", "bob")
			b.expect(`joined hosty's party as bob `)
			b.send("hello to a host in the background")
			b.expect(`^echo: hello to a host in the background$`)
			if procState(pid) == 'T' {
				t.Fatalf("the host stopped in the background:\n%s", sh.screen())
			}
			if !tostop {
				sh.wait(`claude finished`) // the party's lines, printed as a background job's
			}
			sh.typeText("echo at the shell")
			sh.key("Enter")
			sh.wait(`(?m)^at the shell`)

			fgAndSend(t, sh, b)
			if tostop {
				sh.wait(`claude finished`) // kept until fg
			}
			endFromOutside(t, pid, b)
		})
	}
}

// hostInShell types into sh a host's command line and suffix (" &" for a background
// job), waits for want on the screen, and returns the host's invite and pid. The invite is
// read from the screen, or, where the host keeps its lines (a terminal that stops
// background writers), from the party's journal.
func hostInShell(t *testing.T, sh *pane, suffix, want string) (inv string, pid int) {
	t.Helper()
	dataDir := t.TempDir()
	sh.typeText(strings.Join(quoteArgs([]string{binary, "host", "--listen", "127.0.0.1:0", "--claude", fakeClaudePath(t),
		"--data-dir", dataDir, "--workdir", t.TempDir(), "--window", "200ms", "--name", "hosty", "--insecure"}), " ") + suffix)
	sh.key("Enter")
	sh.wait(want)
	pid = sh.child()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if m := regexp.MustCompile(`invite code: (concordia://\S+)`).FindStringSubmatch(sh.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", sh.name)); m != nil {
			return m[1], pid
		}
		if inv := journalInvite(dataDir); inv != "" {
			return inv, pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no invite:\n%s", sh.screen())
		}
	}
}

// journalInvite is the invite of the --insecure party whose journal is in dataDir, from
// its header; "" before there is one.
func journalInvite(dataDir string) string {
	files, _ := filepath.Glob(filepath.Join(dataDir, "parties", "*.jsonl"))
	if len(files) != 1 {
		return ""
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	var rec struct {
		Header struct {
			Token    string `json:"token"`
			Settings struct {
				Port       int    `json:"port"`
				PublicHost string `json:"public_host"`
			} `json:"settings"`
		} `json:"header"`
	}
	if json.Unmarshal([]byte(first), &rec) != nil || rec.Header.Token == "" {
		return ""
	}
	return fmt.Sprintf("concordia://%s:%d/%s", rec.Header.Settings.PublicHost, rec.Header.Settings.Port, rec.Header.Token)
}

// stopAndContinue stops the shell's job pid (kill -STOP), waits for the shell to take the
// terminal back, keeps it stopped for stopped, and continues it from outside (kill -CONT):
// the shell leaves it in the background.
func stopAndContinue(t *testing.T, sh *pane, pid int, stopped time.Duration) {
	t.Helper()
	signalProc(t, pid, syscall.SIGSTOP)
	waitProc(t, pid, "stopped", func(s byte) bool { return s == 'T' })
	sh.wait(`Stopped`) // the shell has taken the terminal back
	time.Sleep(stopped)
	signalProc(t, pid, syscall.SIGCONT)
	waitProc(t, pid, "running", func(s byte) bool { return s != 'T' })
}

// endFromOutside ends the host with SIGTERM, as a logout does: b, a member, is told so,
// and the host ends.
func endFromOutside(t *testing.T, pid int, b *proc) {
	t.Helper()
	signalProc(t, pid, syscall.SIGTERM)
	b.expect(`the host.s Concordia was stopped from outside`) // SIGTERM: not the host's own end
	waitProc(t, pid, "ended", func(s byte) bool { return s == 0 || s == 'Z' })
}

// fgAndSend brings the shell's job to the foreground, waits for it to make the terminal
// raw (its line editor's), and sends "after fg" from it: b, a member, must see it.
func fgAndSend(t *testing.T, sh *pane, b *proc) {
	t.Helper()
	sh.typeText("fg")
	sh.key("Enter")
	// The terminal is the host's once the host has made it raw again: a key typed before
	// that is cooked input, Enter a new line (not a sleep: its line settings are read).
	tty := strings.TrimSpace(sh.tmux("display-message", "-p", "-t", sh.name, "#{pane_tty}"))
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out, _ := exec.Command("stty", "-a", "-F", tty).Output()
		if strings.Contains(string(out), "-icanon") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after fg the host never made its terminal raw:\n%s\n%s", out, sh.screen())
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(b.stdout(), "hosty: after fg") {
		if time.Now().After(deadline) {
			t.Fatalf("the host's Enter after fg sent nothing:\n%s", sh.screen())
		}
		sh.typeText("after fg")
		sh.key("Enter")
		time.Sleep(time.Second)
		if strings.Contains(sh.screen(), "after fgafter fg") {
			t.Fatalf("after fg, Enter went into the box as a new line:\n%s", sh.screen())
		}
	}
}

// newShellPane is a pane running an interactive bash, with job control, at a plain prompt.
func newShellPane(t *testing.T) *pane {
	t.Helper()
	home := t.TempDir()
	p := newPaneCommand(t, "exec env -i HOME="+home+" PATH="+os.Getenv("PATH")+" TERM=xterm-256color PS1='$ ' XDG_CONFIG_HOME="+
		configHome(t)+" DBUS_SESSION_BUS_ADDRESS=disabled: bash --norc --noprofile -i")
	p.wait(`(?m)^\$`)
	t.Cleanup(func() {
		// The shell's job, whatever became of it: a stopped one outlives its shell.
		for _, pid := range childPIDs(p.shellPID) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return p
}

// child is the pid of the shell's one child: the job it runs.
func (p *pane) child() int {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c := childPIDs(p.shellPID); len(c) == 1 {
			return c[0]
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the shell (pid %d) runs no one job", p.shellPID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// childPIDs are the pids of pid's children, from /proc.
func childPIDs(pid int) []int {
	var out []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:]) // state, ppid, …
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) && fields[0] != "Z" {
			if c, err := strconv.Atoi(filepath.Base(filepath.Dir(f))); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// procState is the process's state letter from /proc (R, S, T, Z, …), 0 when it is gone.
func procState(pid int) byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2]
	}
	return 0
}

func waitProc(t *testing.T, pid int, what string, ok func(byte) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok(procState(pid)) {
		if time.Now().After(deadline) {
			t.Fatalf("the host (pid %d) is not %s: its state is %q", pid, what, procState(pid))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func signalProc(t *testing.T, pid int, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatalf("kill -%d %d: %v", sig, pid, err)
	}
}
