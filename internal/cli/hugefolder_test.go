package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/workspace"
)

// TestAHostsFolderTooLargeToShare: a host whose working directory has too many files to
// track never says the party sees its changes (a tester's said so, then seconds later that
// it was not shared); the party's error says why in one sentence, and the host's terminal
// alone adds what to do.
func TestAHostsFolderTooLargeToShare(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i <= workspace.DefaultMaxFiles; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, patience := range []time.Duration{time.Millisecond, time.Minute} { // said while pending, or once known
		func() {
			defer func(p time.Duration) { sharePatience = p }(sharePatience)
			sharePatience = patience
			var out testkit.Buffer
			in, feed := io.Pipe()
			defer feed.Close()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan int, 1)
			go func() {
				done <- Main(ctx, []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--merge", "local", "--no-local-repl",
					"--claude", testkit.FakeClaude(t), "--data-dir", t.TempDir(), "--workdir", dir},
					IO{In: in, Out: &out, Err: &out, Getenv: func(string) string { return "" }})
			}()
			const fix = "[system] to share the working directory, list build output and dependencies in a .gitignore, or host from a smaller folder; a --resume with --share-workspace changes then shares it"
			for deadline := time.Now().Add(60 * time.Second); !strings.Contains(out.String(), fix); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					break
				}
			}
			cancel()
			<-done
			got := out.String()
			if strings.Contains(got, "sees every file that changes") || strings.Count(got, fix) != 1 ||
				!strings.Contains(got, "[error] the working directory is not shared: it has 20001 files, more than the 20000 a party can track\n") ||
				strings.Index(got, "not shared") > strings.Index(got, fix) {
				t.Errorf("patience %s: said\n%s", patience, got)
			}
			if patience < time.Second && !strings.Contains(got, sharePendingWords) {
				t.Errorf("patience %s: not said to be pending:\n%s", patience, got)
			}
		}()
	}
}
