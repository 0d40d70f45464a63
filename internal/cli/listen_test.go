package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
)

// `concordia host --listen` takes what the window's Settings and Create party take, and
// refuses the rest with the same sentence: the table the settings' and the window's tests
// read (a terminal took ":http" and a bare ":" that the window refused). An address it
// takes is shown by the command going on to the next check, --public-host's, given a
// value it refuses, so that no party starts.
func TestHostListenAsTheWindowSaysIt(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "settings", "testdata", "listen.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Addr, Want string }
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	// Beyond the table: what only the terminal was lenient about.
	cases = append(cases,
		struct{ Addr, Want string }{":http", `The listen port "http" is not a number: use one from 0 to 65535 (0 for any free port).`},
		struct{ Addr, Want string }{":", `The listen address ":" has no port: add one from 0 to 65535 (0 for any free port).`},
	)
	const publicHostRefused = `concordia host: --public-host "bad/host": `
	for _, c := range cases {
		t.Run(c.Addr, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), []string{"host", "--listen", c.Addr, "--public-host", "bad/host", "--workdir", t.TempDir(), "--data-dir", t.TempDir()},
				IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
			if code != ExitUsage || out.Len() != 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2 and nothing on stdout", code, out.String(), errb.String())
			}
			first, _, _ := strings.Cut(errb.String(), "\n")
			if c.Want == "" {
				if !strings.HasPrefix(first, publicHostRefused) {
					t.Fatalf("--listen %q refused: %q", c.Addr, first)
				}
				return
			}
			want := "concordia host: --listen: " + c.Want
			if !strings.HasPrefix(first, want) {
				t.Fatalf("--listen %q: %q, want it to start %q", c.Addr, first, want)
			}
			// What works is shown, whichever part was wrong.
			if !strings.Contains(first, `:8765`) || !strings.Contains(first, "127.0.0.1:0") {
				t.Errorf("--listen %q: %q gives no example of an address that works", c.Addr, first)
			}
		})
	}
}

// On --resume an empty --listen is the party's own address, as no --listen is, and an
// address with an empty port is refused as everywhere (it used to be taken as port 0,
// "any free port", and so as the party's port).
func TestResumeListenAsTheWindowSaysIt(t *testing.T) {
	dataDir := t.TempDir()
	w, err := journal.Create(dataDir, journal.Header{Party: "aaaaaaaaaaaa", Host: "hosty", Created: time.Now(), Token: "tok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", Port: 49301, Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	const publicHostRefused = `concordia host: --public-host "bad/host": `
	for _, c := range []struct{ listen, want string }{
		{"", publicHostRefused},
		{"127.0.0.1:0", publicHostRefused},
		{"127.0.0.1:", `concordia host: --listen: The listen address "127.0.0.1:" has no port: add one from 0 to 65535 (0 for any free port).`},
	} {
		var out, errb bytes.Buffer
		code := Main(context.Background(), []string{"host", "--resume", "aaaaaaaaaaaa", "--data-dir", dataDir, "--listen", c.listen, "--public-host", "bad/host"},
			IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
		if code != ExitUsage || !strings.HasPrefix(errb.String(), c.want) {
			t.Errorf("--resume --listen %q: exit %d, stderr %q; want 2 and stderr starting %q", c.listen, code, errb.String(), c.want)
		}
	}
	// The address each comes to: the party's port for an empty one and for port 0 (the
	// run above stops at --public-host, after this is settled, so it cannot tell).
	for listen, want := range map[string]string{"": "127.0.0.1:49301", "127.0.0.1:0": "127.0.0.1:49301", "[::1]:0": "[::1]:49301", "127.0.0.1:5000": "127.0.0.1:5000"} {
		fs := flag.NewFlagSet("host", flag.ContinueOnError)
		var f hostFlags
		fs.StringVar(&f.listen, "listen", "", "")
		fs.StringVar(&f.dataDir, "data-dir", "", "")
		if err := fs.Parse([]string{"--listen", listen, "--data-dir", dataDir}); err != nil {
			t.Fatal(err)
		}
		var errb bytes.Buffer
		_, res, code := resumeSettings(fs, &f, &resumeFlag{on: true, id: "aaaaaaaaaaaa"}, nil, IO{Err: &errb, Getenv: func(string) string { return "" }})
		if res != nil {
			res.Close()
		}
		if code != -1 || f.listen != want {
			t.Errorf("--resume --listen %q: code %d, listens on %q, want %q (%s)", listen, code, f.listen, want, errb.String())
		}
	}
}
