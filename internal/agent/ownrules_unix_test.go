//go:build unix

package agent

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadOwnRulesSkipsWhatIsNoSettingsFile: a FIFO or a link to a device where a settings
// file should be (a cloned repository's .claude/settings.json) is skipped at once, and a
// huge file is not read (a reviewer's FIFO held the party's start).
func TestReadOwnRulesSkipsWhatIsNoSettingsFile(t *testing.T) {
	workdir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(workdir, ".claude"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(workdir, ".claude", "settings.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(workdir, ".claude", "settings.local.json")); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(workdir, "big.json")
	writeFile(t, big, `{"permissions":{"allow":["Bash"]}}`+strings.Repeat(" ", 1<<20))
	done := make(chan OwnRules, 1)
	go func() {
		done <- ReadOwnRules(Config{WorkDir: workdir, Env: []string{"HOME=" + t.TempDir(), "CLAUDE_CONFIG_DIR="}, Args: []string{"--settings", "big.json"}})
	}()
	select {
	case r := <-done:
		if !r.Empty() {
			t.Errorf("rules read from no settings file: %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadOwnRules hangs on a FIFO")
	}
}
