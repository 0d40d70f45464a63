package uitest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// enabled says whether the window tests run (scripts/test-ui.sh sets it).
var enabled = os.Getenv("CONCORDIA_UI_TESTS") == "1"

// The binaries under test. scripts/test-ui.sh builds them once and names them in
// CONCORDIA_UI_BIN and CONCORDIA_UI_FAKECLAUDE; otherwise they are built on first use into
// buildDir, which TestMain removes.
var (
	buildDir  string
	buildOnce sync.Once
	built     struct {
		app, fake string
		err       error
	}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// tools the tests drive the window with.
var tools = []string{"xdotool", "import", "convert", "tesseract", "xclip"}

// setup skips the test unless the window tests are enabled, and then fails it when anything
// they need is missing. It returns the binaries under test.
func setup(t *testing.T) (appBin, fakeClaude string) {
	t.Helper()
	if !enabled {
		t.Skip("window tests need Xvfb and a session bus: run `make test-ui` (scripts/test-ui.sh)")
	}
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("CONCORDIA_UI_TESTS=1 but DISPLAY is not set: run under xvfb-run (scripts/test-ui.sh does)")
	}
	if bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); bus == "" || strings.HasPrefix(bus, "disabled:") {
		t.Fatal("CONCORDIA_UI_TESTS=1 but there is no session bus: run under dbus-run-session (scripts/test-ui.sh does)")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (install it with scripts/setup.sh): %v", tool, err)
		}
	}
	buildOnce.Do(buildBinaries)
	if built.err != nil {
		t.Fatal(built.err)
	}
	displayOnce.Do(func() { displayErr = waitForDisplay() })
	if displayErr != nil {
		t.Fatal(displayErr)
	}
	return built.app, built.fake
}

var (
	displayOnce sync.Once
	displayErr  error
)

// waitForDisplay waits until the X server answers: the first window of a CI run exited
// with "failed to init GTK" (its Xvfb not yet taking connections, under load).
func waitForDisplay() error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := exec.Command("xdotool", "getdisplaygeometry").CombinedOutput()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the X server at DISPLAY=%s does not answer after 30s: %v: %s", os.Getenv("DISPLAY"), err, strings.TrimSpace(string(out)))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// buildBinaries finds or builds the production binary and the fake Claude Code.
func buildBinaries() {
	built.app = os.Getenv("CONCORDIA_UI_BIN")
	built.fake = os.Getenv("CONCORDIA_UI_FAKECLAUDE")
	if built.app != "" && built.fake != "" {
		for _, p := range []string{built.app, built.fake} {
			if _, err := os.Stat(p); err != nil {
				built.err = fmt.Errorf("binary under test: %w", err)
			}
		}
		return
	}
	root, err := moduleRoot()
	if err != nil {
		built.err = err
		return
	}
	buildDir, err = os.MkdirTemp("", "concordia-uitest-")
	if err != nil {
		built.err = fmt.Errorf("make build dir: %w", err)
		return
	}
	if built.app == "" {
		built.app = filepath.Join(buildDir, "concordia")
		if err := goBuild(root, built.app, "-tags", "desktop,production,webkit2_41", "."); err != nil {
			built.err = err
			return
		}
	}
	if built.fake == "" {
		built.fake = filepath.Join(buildDir, "fakeclaude")
		built.err = goBuild(root, built.fake, "./internal/fakeclaude")
	}
}

func goBuild(root, out string, args ...string) error {
	cmd := exec.Command("go", append([]string{"build", "-o", out}, args...)...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

// moduleRoot is the directory holding go.mod, above the test's working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// artifactsDir is where screenshots are kept: $CONCORDIA_UI_ARTIFACTS, else test-artifacts/
// at the module root.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CONCORDIA_UI_ARTIFACTS")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("make artifacts dir: %v", err)
	}
	return dir
}
