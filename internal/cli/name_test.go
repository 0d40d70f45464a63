package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/settings"
)

// A --name of bytes that are not UTF-8 (a terminal in another encoding) is refused, by
// host and join alike, and shown as the bytes it is: it was taken and shown as "��ab",
// while a name of escape codes alone was refused (a terminal tester's). The window's
// settings refuse it as well.
func TestNameNotUTF8Refused(t *testing.T) {
	const name = "\xff\xfeab"
	const why = `--name "\xff\xfeab": a name must be UTF-8 text, and this one holds bytes that are not (is the terminal's encoding UTF-8?)`
	for _, args := range [][]string{
		{"host", "--merge", "local", "--name", name, "--listen", "127.0.0.1:0", "--workdir", t.TempDir(), "--data-dir", t.TempDir()},
		{"join", "concordia://127.0.0.1:9/p?t=x", "--name", name, "--data-dir", t.TempDir()},
	} {
		var out, errb bytes.Buffer
		code := Main(context.Background(), args, IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
		want := "concordia " + args[0] + ": " + why + "\n"
		if code != ExitUsage || !strings.HasPrefix(errb.String(), want) || out.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and stderr starting %q", args[0], code, out.String(), errb.String(), want)
		}
	}
	if settings.CheckName(name) == nil {
		t.Errorf("the window's settings take the name %q", name)
	}
}
