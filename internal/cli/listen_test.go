package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/host"
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
			// The window's sentence with the flag named mid-line: "--listen: The listen port…"
			// read as two sentences run together (a tester's).
			want := "concordia host: " + strings.Replace(c.Want, "The listen ", "the --listen ", 1)
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
		{"127.0.0.1:", `concordia host: the --listen address "127.0.0.1:" has no port: add one from 0 to 65535 (0 for any free port).`},
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

// A --listen address that is not this machine's is the flag's mistake, said as the other
// flags' are (exit 2), not "cannot start the party: listen on …: listen tcp: …" (a
// tester's, exit 1). 192.0.2.1 (TEST-NET-1) is on no machine's interface.
func TestHostListenNotThisMachine(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"host", "--merge", "local", "--no-local-repl", "--listen", "192.0.2.1:0",
		"--claude", "/bin/true", "--workdir", t.TempDir(), "--data-dir", t.TempDir()},
		IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
	const want = "concordia host: the --listen address 192.0.2.1 is not one of this machine's: give one of its own addresses, or only the port to listen on every interface (--listen :0)\n" +
		"Run \"concordia host --help\" for usage.\n"
	if code != ExitUsage || errb.String() != want || out.Len() != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 2 and stderr %q", code, out.String(), errb.String(), want)
	}
}

// The sentences for a listen address that is not this machine's, from the errors the
// system gives: a name no one can look up, an address of no interface; a resumed party's
// own address is named as its own. A look-up that failed otherwise is not called a wrong
// name, nor said with the resolver's address.
func TestListenNotHereWords(t *testing.T) {
	notFound := &host.ListenError{Addr: "myhostname:40010", Err: &net.OpError{Op: "listen", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "myhostname", Server: "10.255.255.53:53", IsNotFound: true}}}
	notHere := &host.ListenError{Addr: "8.8.8.8:40010", Err: &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRNOTAVAIL)}}
	timeout := &host.ListenError{Addr: "myhostname:40010", Err: &net.OpError{Op: "listen", Net: "tcp",
		Err: &net.DNSError{Err: "i/o timeout", Name: "myhostname", Server: "10.255.255.53:53", IsTimeout: true}}}
	for _, c := range []struct{ name, got, want string }{
		{"name not found", listenNotHere(notFound, "myhostname:40010", "the --listen"),
			`the --listen host "myhostname" is not a name this machine can look up: give one of its own addresses, or only the port to listen on every interface (--listen :40010)`},
		{"address elsewhere", listenNotHere(notHere, "8.8.8.8:40010", "the --listen"),
			`the --listen address 8.8.8.8 is not one of this machine's: give one of its own addresses, or only the port to listen on every interface (--listen :40010)`},
		{"resumed", hostError(notFound, "myhostname:40010", true),
			`cannot start the party: its listen host "myhostname" is not a name this machine can look up: give one of its own addresses, or only the port to listen on every interface (--listen :40010)`},
		{"look-up failed", listenNotHere(timeout, "myhostname:40010", "the --listen"), ""},
		{"look-up failed, said", hostError(timeout, "myhostname:40010", false),
			`cannot start the party: the listen host "myhostname" could not be looked up (i/o timeout); try again, or give an IP address with --listen`},
		{"port in use", listenNotHere(&host.ListenError{Addr: ":1", Err: syscall.EADDRINUSE}, ":1", "the --listen"), ""},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}
