// Package testkit holds test helpers shared by the tests of other packages: the fake Claude
// Code program (built once per test binary), the real Claude Code binary when installed, and a
// fake Anthropic Messages API on loopback that the real binary can be pointed at.
//
// It is imported only by _test.go files; nothing in the product depends on it.
package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClaude is the build of internal/fakeclaude shared by every test of this test binary.
var fakeClaude struct {
	once sync.Once
	path string
	err  string // why the build failed, for every caller
}

// FakeClaude builds internal/fakeclaude once per test binary and returns the executable's path.
// The binary lives in a temporary directory that is kept for the life of the process (tests
// may run in parallel and outlive any one test's cleanup); builds older than six hours are
// removed by later runs.
func FakeClaude(t testing.TB) string {
	t.Helper()
	root := ModuleRoot(t)
	fakeClaude.once.Do(func() {
		removeStaleBuilds()
		dir, err := os.MkdirTemp("", fakeClaudeDirPrefix)
		if err != nil {
			fakeClaude.err = "make temp dir: " + err.Error()
			return
		}
		name := "fakeclaude"
		if filepath.Separator == '\\' {
			name += ".exe"
		}
		out := filepath.Join(dir, name)
		goBin, err := exec.LookPath("go")
		if err != nil {
			fakeClaude.err = "find the go command: " + err.Error()
			return
		}
		cmd := exec.Command(goBin, "build", "-o", out, "./internal/fakeclaude")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			fakeClaude.err = "build fakeclaude: " + err.Error() + "\n" + string(b)
			return
		}
		fakeClaude.path = out
	})
	if fakeClaude.err != "" {
		t.Fatal(fakeClaude.err)
	}
	return fakeClaude.path
}

const fakeClaudeDirPrefix = "concordia-fakeclaude-"

// removeStaleBuilds deletes fake claude builds left by test binaries that ended long ago, so
// that temporary directories do not pile up (each test binary keeps its build until it exits).
func removeStaleBuilds() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), fakeClaudeDirPrefix+"*"))
	for _, dir := range matches {
		if st, err := os.Stat(dir); err == nil && st.IsDir() && time.Since(st.ModTime()) > 6*time.Hour {
			_ = os.RemoveAll(dir)
		}
	}
}

// ModuleRoot is the directory holding this module's go.mod, found upward from the test's
// working directory (a package directory, under go test).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/concordia-party/concordia") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root not found above the working directory")
		}
		dir = parent
	}
}

// RealClaude returns the path of the real Claude Code binary: $CONCORDIA_CLAUDE_BIN, else
// <module root>/.tools/claude/node_modules/.bin/claude. When it is missing the test is skipped
// with a note on installing it, except in CI ($CI set) or with CONCORDIA_REQUIRE_REAL=1, where
// the test fails: real-binary tests must never silently vanish there.
func RealClaude(t testing.TB) string {
	t.Helper()
	path := os.Getenv("CONCORDIA_CLAUDE_BIN")
	if path == "" {
		path = filepath.Join(ModuleRoot(t), ".tools", "claude", "node_modules", ".bin", "claude")
	}
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		return path
	}
	msg := "real Claude Code binary not found at " + path +
		"; install it with `make tools` (npm install --prefix .tools/claude @anthropic-ai/claude-code)" +
		" or set CONCORDIA_CLAUDE_BIN"
	if os.Getenv("CI") != "" || os.Getenv("CONCORDIA_REQUIRE_REAL") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// RealClaudeEnv is the environment (to add to ours) that keeps the real binary offline and
// pointed at apiURL: a fake key, no telemetry or update checks, no retries (a failing API ends
// the turn at once), and a fresh HOME so no user settings or sessions leak in or out.
func RealClaudeEnv(t testing.TB, apiURL string) []string {
	t.Helper()
	home := t.TempDir()
	return []string{
		"ANTHROPIC_BASE_URL=" + apiURL,
		"ANTHROPIC_API_KEY=test",
		"ANTHROPIC_AUTH_TOKEN=",
		"CLAUDE_CODE_USE_BEDROCK=",
		"CLAUDE_CODE_USE_VERTEX=",
		"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
		"DISABLE_AUTOUPDATER=1",
		"DISABLE_TELEMETRY=1",
		"DISABLE_ERROR_REPORTING=1",
		"CLAUDE_CODE_MAX_RETRIES=0",
		"HOME=" + home,
		"USERPROFILE=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"CLAUDE_CONFIG_DIR=" + filepath.Join(home, ".claude"),
	}
}
