package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// A tester's terminal said "claude exited (signal: killed)", Go's words for a process
// ended by SIGKILL. The window reads the same cases (frontend/src/render/stderr.test.ts).
func TestExitWords(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "exit-words.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Text, Want string }
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		if got := exitWords(c.Text); got != c.Want {
			t.Errorf("exitWords(%q) = %q, want %q", c.Text, got, c.Want)
		}
	}
}
