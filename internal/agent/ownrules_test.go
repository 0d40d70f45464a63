package agent

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadOwnRules(t *testing.T) {
	home, workdir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(home, ".claude", "settings.json"),
		`{"permissions":{"allow":["Bash(npm test:*)","WebFetch"],"deny":["Bash(rm:*)"]},"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"true"}]}]}}`)
	writeFile(t, filepath.Join(workdir, ".claude", "settings.json"), `{"permissions":{"allow":["WebFetch","Read(**)"]},"hooks":{"PreToolUse":[]}}`)
	writeFile(t, filepath.Join(workdir, ".claude", "settings.local.json"), `{"permissions":{"allow":[`) // not JSON: skipped, as claude skips it
	writeFile(t, filepath.Join(workdir, "extra.json"), `{"permissions":{"allow":["Edit"]}}`)

	r := ReadOwnRules(Config{
		WorkDir: workdir,
		Env:     []string{"HOME=" + home, "CLAUDE_CONFIG_DIR="},
		Args:    []string{"--model", "opus", "--allowedTools", "Bash(git log:*) Bash(git diff:*),Grep", "Glob", "--settings", "extra.json"},
	})
	wantAllow := []string{"Bash(npm test:*)", "WebFetch", "Read(**)", "Bash(git log:*)", "Bash(git diff:*)", "Grep", "Glob", "Edit"}
	if !slices.Equal(r.Allow, wantAllow) {
		t.Errorf("Allow = %q, want %q", r.Allow, wantAllow)
	}
	wantFrom := []string{"~/.claude/settings.json", ".claude/settings.json in the working folder", "--allowedTools", "--settings"}
	if !slices.Equal(r.AllowFrom, wantFrom) {
		t.Errorf("AllowFrom = %q, want %q", r.AllowFrom, wantFrom)
	}
	if want := []string{"~/.claude/settings.json"}; !slices.Equal(r.HooksIn, want) {
		t.Errorf("HooksIn = %q, want %q (an empty hook list is no hook)", r.HooksIn, want)
	}
	if r.Mode != "" || r.Empty() {
		t.Errorf("Mode %q, Empty %v", r.Mode, r.Empty())
	}
}

func TestReadOwnRulesConfigDirAndModes(t *testing.T) {
	home, conf, workdir := t.TempDir(), t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(home, ".claude", "settings.json"), `{"permissions":{"allow":["Bash"]}}`) // not read: CLAUDE_CONFIG_DIR wins
	writeFile(t, filepath.Join(conf, "settings.json"), `{"permissions":{"allow":["Write"]}}`)
	cases := []struct {
		args []string
		mode string
	}{
		{nil, ""},
		{[]string{"--dangerously-skip-permissions"}, "bypassPermissions"},
		{[]string{"--permission-mode", "acceptEdits"}, "acceptEdits"},
		{[]string{"--permission-mode=bypassPermissions"}, "bypassPermissions"},
		{[]string{"--allowedTools=Bash(make:*)"}, ""},
	}
	for _, c := range cases {
		r := ReadOwnRules(Config{WorkDir: workdir, Env: []string{"HOME=" + home, "CLAUDE_CONFIG_DIR=" + conf}, Args: c.args})
		if r.Mode != c.mode {
			t.Errorf("%q: Mode %q, want %q", c.args, r.Mode, c.mode)
		}
		if len(r.Allow) == 0 || r.Allow[0] != "Write" || slices.Contains(r.Allow, "Bash") {
			t.Errorf("%q: Allow %q, want Write first and no Bash (the user settings are in CLAUDE_CONFIG_DIR)", c.args, r.Allow)
		}
		if want := filepath.Join(conf, "settings.json"); r.AllowFrom[0] != want {
			t.Errorf("%q: AllowFrom %q, want %q first", c.args, r.AllowFrom, want)
		}
	}
	if r := ReadOwnRules(Config{WorkDir: workdir, Env: []string{"HOME=" + t.TempDir(), "CLAUDE_CONFIG_DIR="}}); !r.Empty() {
		t.Errorf("no settings anywhere: %+v, want empty", r)
	}
}

func TestSplitRules(t *testing.T) {
	got := splitRules("Bash(git log:*),Read Bash(npm run test:*)")
	if want := []string{"Bash(git log:*)", "Read", "Bash(npm run test:*)"}; !slices.Equal(got, want) {
		t.Errorf("splitRules = %q, want %q", got, want)
	}
}
