package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/invite"
)

// TestHostInviteForAHeadlessHost: `concordia host --no-local-repl` has no member of its own,
// so it prints a third invite that joins as a host. Its operator joins with it from another
// terminal and decides what the party's own terminal cannot: the merged prompt (--approve,
// which --no-local-repl used to refuse) and the agent's tool request. A rotation replaces
// it (the watching terminal prints the new ones), and --resume keeps it.
func TestHostInviteForAHeadlessHost(t *testing.T) {
	args, _ := resumableHost(t)
	args = append(args, "--window", "200ms", "--name", "server", "--approve")
	h := start(t, nil, args...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	hostInv := h.expect(`^host invite: (concordia://\S+)$`)[1]
	// The host is told how long a tool request waits, as a joiner is (a user tester's was not).
	h.expect(`^\[system\] tool permissions: every tool use that needs permission asks a host \(ask\); undecided tool requests are denied after 2m00s; approval on`)
	h.expect(`this terminal only watches: join with the host invite above .* to answer tool requests .* and approve merged prompts`)
	if hostInv == inv || token(hostInv) == token(inv) {
		t.Fatalf("the host invite is the participant's: %s", hostInv)
	}

	ops := start(t, nil, "join", hostInv, "--name", "ops")
	ops.expect(`joined server's party as ops`)
	ops.expect(`you joined as a co-host: you decide tool requests`)
	bob := start(t, nil, "join", inv, "--name", "bob")
	bob.expect(`joined server's party as bob \(2 in the party: ops \(co-host\), bob\)`)
	bob.expect(`^\[system\] tool permissions: every tool use that needs permission asks a host \(ask\); undecided tool requests are denied after 2m00s; approval on: every merged prompt waits for a host's approval$`)

	bob.send("make a file FAKE_ASK")
	ops.expect(`a prompt waits for a host's approval`)
	ops.send("/approve")
	ops.expect(`claude asks to use Bash`)
	ops.send("/allow")
	bob.expect(`ops allowed Bash: touch file-1$`)
	bob.expect(`claude finished`)
	h.expect(`claude finished`)
	if m := h.find(regexp.MustCompile(`/show prints`)); m != nil {
		t.Fatalf("the terminal that only watches points at a command: %q", m[0])
	}

	// A rotation by the co-host: the watching terminal shows the new invites, and the old
	// host invite is refused.
	ops.send("/rotate")
	newHost := ops.expect(`^\s*host invite: (concordia://\S+)$`)[1]
	// The new invites are printed as the first were, each at the start of its line.
	hostLines := regexp.MustCompile(`^host invite: (concordia://\S+)$`)
	deadline := time.Now().Add(30 * time.Second)
	for len(h.lines(hostLines)) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := h.lines(hostLines); len(got) != 2 || got[1] != newHost {
		t.Fatalf("the host's terminal shows the host invites %q after the rotation, the co-host %s", got, newHost)
	}
	old := start(t, nil, "join", hostInv, "--name", "eve")
	if code := old.wait(); code != 1 {
		t.Fatalf("joining with the rotated-away host invite: exit %d, want 1", code)
	}
	if !strings.Contains(old.stderr(), "the host refused this invite") { // not merely unreachable (said on stderr: stdout is no terminal)
		t.Errorf("joining with the rotated-away host invite: stderr %q", old.stderr())
	}

	// --resume keeps the host invite the party had.
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()
	r := start(t, nil, append(args, "--resume")...)
	if got := r.expect(`^host invite: (concordia://\S+)$`)[1]; got != newHost {
		t.Fatalf("host invite after --resume: %s, was %s", got, newHost)
	}
	r.expect(`the invites are the ones it had last$`)
	// Again after the history, which may have pushed them past the scrollback: this
	// terminal only watches, and has no /invite to print them (a reviewer's: "printed at
	// the top" was all it said).
	r.expect(`^— live —$`)
	r.expect(`^\[system\] the invites:$`)
	deadline = time.Now().Add(30 * time.Second)
	for len(r.lines(hostLines)) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := r.lines(hostLines); len(got) != 2 || got[0] != newHost || got[1] != newHost {
		t.Fatalf("host invites of the resumed party: %q, want %s before the history and after it", got, newHost)
	}
	if m := r.find(regexp.MustCompile(`printed at the top`)); m != nil {
		t.Fatalf("a watching terminal, which prints its invites again, says they are at the top: %q", m[0])
	}
	r.cmd.Process.Signal(os.Interrupt)
	r.wait()
}

// TestResumeWithATerminalDropsTheHostInvite: a headless party resumed with the host's own
// terminal has its owner back as a member, so its host invite is revoked, and stays so.
func TestResumeWithATerminalDropsTheHostInvite(t *testing.T) {
	args, dataDir := resumableHost(t)
	h := start(t, nil, args...)
	hostInv := h.expect(`^host invite: (concordia://\S+)$`)[1]
	h.cmd.Process.Signal(os.Interrupt)
	h.wait()

	r := start(t, nil, "host", "--resume", "--data-dir", dataDir, "--name", "owner")
	r.expect(`^viewer invite: `)
	r.expect(`its host invite no longer works: you take part from this terminal`)
	j := start(t, nil, "join", hostInv, "--name", "eve")
	if code := j.wait(); code != 1 {
		t.Fatalf("joining with the host invite of a party resumed with a terminal: exit %d, want 1", code)
	}
	if !strings.Contains(j.stderr(), "the host refused this invite") { // said on stderr: stdout is no terminal
		t.Errorf("joining with the host invite of a party resumed with a terminal: stderr %q", j.stderr())
	}
	if m := r.find(regexpHostInvite); m != nil {
		t.Fatalf("a host with its own terminal printed a host invite: %q", m[0])
	}
	r.cmd.Process.Signal(os.Interrupt)
	r.wait()

	// Resumed headless again: a new host invite, not the revoked one.
	r2 := start(t, nil, "host", "--resume", "--data-dir", dataDir, "--no-local-repl")
	got := r2.expect(`^host invite: (concordia://\S+)$`)[1]
	r2.expect(`the host invite is new`)
	if got == hostInv {
		t.Fatal("the revoked host invite came back")
	}
	if _, err := invite.Parse(got); err != nil {
		t.Fatalf("host invite %q: %v", got, err)
	}
	r2.cmd.Process.Signal(os.Interrupt)
	r2.wait()
}

var regexpHostInvite = regexp.MustCompile(`^\s*host invite: `)

// TestHostInviteFile: with --host-invite-file the host invite goes to a file only its
// owner can read, never to the terminal's output (which may be a log others read), and
// the file follows a rotation.
func TestHostInviteFile(t *testing.T) {
	args, _ := resumableHost(t)
	file := filepath.Join(t.TempDir(), "host-invite")
	h := start(t, nil, append(args, "--name", "server", "--host-invite-file", file)...)
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	h.expect(`this terminal only watches: join with the host invite in ` + regexp.QuoteMeta(file) + ` \(concordia join, or the app\)`)
	readInvite := func() string {
		t.Helper()
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("the host invite file has mode %v, want 0600", fi.Mode().Perm())
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.TrimSuffix(string(b), "\n")
		if _, err := invite.Parse(got); err != nil || token(got) == token(inv) {
			t.Fatalf("the host invite file holds %q (%v)", b, err)
		}
		return got
	}
	hostInv := readInvite()

	ops := start(t, nil, "join", hostInv, "--name", "ops")
	ops.expect(`you joined as a co-host: you decide tool requests`)
	ops.send("/rotate")
	newHost := ops.expect(`^\s*host invite: (concordia://\S+)$`)[1]
	h.expect(`new invites \(the old links let nobody new in; members away can still come back`)
	h.expect(`the host invite is in ` + regexp.QuoteMeta(file) + ` \(mode 0600\)`)
	// The new invite is printed as the first was, at the start of its line (a protocol
	// tester's script found only the first: the new ones were indented).
	if got := h.lines(regexp.MustCompile(`^invite code: (concordia://\S+)$`)); len(got) != 2 || token(got[1]) == token(inv) {
		t.Fatalf("the host printed the invite codes %q, want the first and then a new one", got)
	}
	if got := readInvite(); got != newHost {
		t.Fatalf("the file holds %s after the rotation, the co-host was given %s", got, newHost)
	}
	if m := h.find(regexpHostInvite); m != nil {
		t.Fatalf("the host's terminal printed a host invite: %q", m[0])
	}
	h.cmd.Process.Signal(os.Interrupt)
	h.wait()
	for _, tok := range []string{token(hostInv), token(newHost)} {
		if all := h.stdout() + h.stderr(); strings.Contains(all, tok) {
			t.Fatalf("a host invite's token is in the host's output:\n%s", all)
		}
	}

	// Resumed: after the history, the invites again, and where the host invite is (the
	// file), not that it is "at the top" (it never was: a reviewer's).
	r := start(t, nil, append(args, "--name", "server", "--host-invite-file", file, "--resume")...)
	r.expect(`^— live —$`)
	r.expect(`^\[system\] the invites:$`)
	r.expect(`^invite code: concordia://`)
	r.expect(`^\[system\] the host invite is in ` + regexp.QuoteMeta(file) + ` \(mode 0600\)`)
	if m := r.find(regexp.MustCompile(`printed at the top|^\s*host invite: `)); m != nil {
		t.Fatalf("the resumed host says %q", m[0])
	}
	r.cmd.Process.Signal(os.Interrupt)
	r.wait()
	if all := r.stdout() + r.stderr(); strings.Contains(all, token(newHost)) {
		t.Fatalf("a host invite's token is in the resumed host's output:\n%s", all)
	}
}

// TestHostInviteFileUnwritable: a rotation whose new host invite cannot be written says
// so on the host's terminal, and the party goes on.
func TestHostInviteFileUnwritable(t *testing.T) {
	args, _ := resumableHost(t)
	dir := filepath.Join(t.TempDir(), "keep")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "host-invite")
	h := start(t, nil, append(args, "--host-invite-file", file)...)
	h.expect(`^invite code: `)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ops := start(t, nil, "join", strings.TrimSpace(string(b)), "--name", "ops")
	ops.expect(`you joined as a co-host`)
	// The folder goes away (as root, a mode would not stop the write).
	if err := os.Rename(dir, dir+"-gone"); err != nil {
		t.Fatal(err)
	}
	ops.send("/rotate")
	ops.expect(`^\s*host invite: concordia://`)
	h.expect(`^\[error\] cannot write the new host invite: the folder ` + regexp.QuoteMeta(dir) + ` does not exist; the one in the file no longer works \(a co-host's /rotate makes new invites and tries again\)$`)
	h.expect(`new invites \(the old links let nobody new in; members away can still come back`)
	ops.send("/who")
	ops.expect(`ops \(co-host\) — you`)
}

// TestTheOwnersTerminalSeesTheTextOfASecretsEdit: a request to Write a .env is shown to a
// participant without its text; the host's own terminal, the party's owner, is shown the
// text under a line that says only the owner sees it (a tester had to approve such edits
// blind).
func TestTheOwnersTerminalSeesTheTextOfASecretsEdit(t *testing.T) {
	h := start(t, nil, "host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", t.TempDir(),
		"--workdir", t.TempDir(), "--window", "100ms", "--name", "owner")
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	bob := start(t, nil, "join", inv, "--name", "bob")
	bob.expect(`joined owner's party as bob`)
	bob.send("set the key FAKE_ASK_WRITE=.env")
	h.expect(`claude asks to use Write`)
	h.expect(`only you see this text, as the party's owner`)
	h.expect(`FAKE-WRITE-TEXT`)
	bob.expect(`its text is not shown: this file usually holds secrets`)
	h.send("/allow")
	bob.expect(`claude finished`)
	if m := bob.find(regexp.MustCompile(`FAKE-WRITE-TEXT|only you see this`)); m != nil {
		t.Fatalf("a participant was shown the owner's text: %q", m[0])
	}
}
