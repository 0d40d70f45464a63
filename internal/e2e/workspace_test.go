package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTerminalTreeAndShare: in a party that shares the folder listing, a participant's
// /tree lists it, and the host's /share changes narrows what everyone sees, which stops
// /tree (a tester: neither had a terminal command).
func TestTerminalTreeAndShare(t *testing.T) {
	work := t.TempDir()
	if err := os.MkdirAll(filepath.Join(work, "src"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "notes.txt"), []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := start(t, nil, "host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t),
		"--data-dir", t.TempDir(), "--workdir", work, "--name", "hosty", "--share-workspace", "tree")
	inv := h.expect(`^invite code: (concordia://\S+)$`)[1]
	h.expect(`^\[system\] /share changes narrows what the party sees of the working directory$`)
	bob := start(t, nil, "join", inv, "--name", "bob")
	bob.expect(`joined hosty's party as bob`)
	// Who joins is told the whole folder is shared (a tester: only the host's terminal and
	// the Changes panel said so).
	bob.expect(`this party shares the whole working directory with everyone in it, \.env files and other secrets included`)
	bob.send("/tree")
	bob.expect(`^\s+notes\.txt \(6 bytes\)$`)
	bob.expect(`^\s+src/$`)
	h.send("/share changes")
	bob.expect(`hosty now shares the changed files and their diffs`)
	bob.send("/tree")
	m := bob.expect(`^\[error\] /tree: (.*)$`)
	t.Logf("/tree once narrowed: %s", m[1])
}

// TestNoHostToApprove: with approval on and no host connected, a participant is told on
// joining that merged prompts wait (a tester's prompt waited with nothing said of why).
func TestNoHostToApprove(t *testing.T) {
	_, inv := host(t, nil, "--insecure", "--no-local-repl", "--approve")
	j := start(t, nil, "join", inv, "--name", "bob")
	j.expect(`joined .*'s party as bob`)
	j.expect(`no host is in the party right now: merged prompts wait for a host's approval, and tool requests that need a decision are denied when their time runs out, until one joins`)
}
