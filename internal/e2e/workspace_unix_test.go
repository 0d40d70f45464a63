//go:build unix

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestFirstTurnWaitsForTheBase: the workspace's first snapshot (the base that "changed
// since the party began" is measured from) runs in the background, and a turn that ran
// before it finished had its changes taken into the base: the agent wrote a file and
// everyone was told nothing had changed. The first turn now waits for it, and says why
// when that takes a while.
func TestFirstTurnWaitsForTheBase(t *testing.T) {
	marks := t.TempDir()
	release := filepath.Join(marks, "release")
	// A git whose first add (the first snapshot) lasts until the test has seen the turn
	// wait (at most 60 s), as a large folder's takes long.
	bin := gitWrapper(t, fmt.Sprintf(`if [ "$1" = add ] && [ ! -e %[1]q ]; then
	touch %[1]q
	i=0
	while [ ! -e %[2]q ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
fi`, filepath.Join(marks, "slow-add-started"), release))
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "main.go"), []byte("package main\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := start(t, []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")},
		"host", "--listen", "127.0.0.1:0", "--insecure", "--claude", fakeClaudePath(t), "--data-dir", t.TempDir(),
		"--workdir", work, "--window", "100ms", "--permission-mode", "all", "--name", "hosty")
	h.expect(`^invite code: `)
	h.send("FAKE_FS=w:notes/new.txt")
	h.expect(`^\[system\] the prompt goes to claude once the working directory's first snapshot is taken`)
	if err := os.WriteFile(release, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h.expect(`^\[system\] claude finished`)
	h.expect(`^\[changes\] 1 file changed since the party began \(notes/new\.txt\)`)
}
