// Package cli is the headless face of Concordia: `concordia host`, `join`, `key` and
// `version` (PROTOCOL.md §1). It parses flags, renders party events for a terminal and
// runs the local prompt loop; the work itself is done by internal/host and internal/client.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	xterm "golang.org/x/term"

	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/version"
)

// Exit statuses (PROTOCOL.md §1).
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// IO is what a command reads and writes; tests substitute pipes.
type IO struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	// NoWindow: the headless build, whose usage does not offer the window.
	NoWindow bool
}

// fatal says the error that ends command, once: on stderr when stdout is not where a
// person reads it (`join … >log`: a script saw nothing of "cannot reach the host", a
// tester's), with the party's lines otherwise (stdout a terminal, or stderr the same file
// as stdout, `>log 2>&1`). Said in both places, `host … >out 2>err` wrote it twice and
// `2>&1 | tee` showed it twice (a tester's).
func (io IO) fatal(pr *printer, command, text string) {
	if io.errElsewhere() {
		fmt.Fprintf(io.Err, "concordia %s: %s\n", command, text)
		return
	}
	pr.notice("error", text)
}

// fatalAlone is fatal for an error found before the command made its printer (a host that
// cannot resume its party): said in the same form as every other error that ends it (a
// tester's host said some "[error] …" and others "concordia host: …" at one terminal).
func (io IO) fatalAlone(command, text string) {
	pr := newPrinter(io.Out)
	pr.color = colorFor(io.Out, io.Getenv)
	io.fatal(pr, command, text)
	pr.finish()
}

// errElsewhere reports whether stdout is not a terminal and stderr is another file.
func (io IO) errElsewhere() bool {
	out, ok := io.Out.(*os.File)
	if !ok || xterm.IsTerminal(int(out.Fd())) {
		return false
	}
	if errf, ok := io.Err.(*os.File); ok {
		a, err1 := out.Stat()
		b, err2 := errf.Stat()
		if err1 == nil && err2 == nil && os.SameFile(a, b) {
			return false
		}
	}
	return true
}

// IsSubcommand reports whether args (without the program name) are for the headless CLI
// rather than the window. The window takes no arguments, a concordia:// link (from the
// OS's link handler), or dash flags, which WindowArgs checks (Wails' own, -devserver and
// -assetdir in dev builds, are the only ones it takes); anything else is a command, so a
// mistyped one gets "unknown command", not a window.
func IsSubcommand(args []string) bool {
	if len(args) == 0 {
		return false
	}
	a := args[0]
	switch a {
	case "-h", "-help", "--help", "-version", "--version":
		return true
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a)), "concordia:") || strings.HasPrefix(a, "-") {
		return false
	}
	return true
}

// WindowArgs checks the arguments IsSubcommand leaves to the window, before any window
// opens or a running one is handed them, and returns ExitOK or, having said why on w,
// ExitUsage. The window takes concordia: links (the desktop launcher's "Exec=concordia %u"
// passes one or nothing, the Windows installer's "concordia.exe "%1"" one, and a second
// instance hands them to the first), macOS's -psn_… process number, and the flags named
// in wailsFlags with their values: Wails' own, which only dev and bindings builds read
// (-devserver ADDR, -assetdir=DIR). Any other flag is refused: "concordia -v" and
// "concordia --bogus" opened the window, or raised the running one, with exit 0 (a user
// tester's). Other words are left to the window, which picks the link out of them.
func WindowArgs(args, wailsFlags []string, w io.Writer) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "-psn_") {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if slices.Contains(wailsFlags, name) {
			if !hasValue {
				i++ // its value: every Wails flag takes one
			}
			continue
		}
		hint := ""
		switch near := didYouMean(strings.TrimLeft(a, "-"), []string{"help", "version"}); {
		case a == "-v" || a == "-V":
			hint = "; did you mean --version?"
		case near != "":
			hint = "; did you mean --" + near + "?"
		}
		fmt.Fprintf(w, "concordia: unknown flag %s%s\n", a, hint)
		fmt.Fprintln(w, `Run "concordia --help" for usage.`)
		return ExitUsage
	}
	return ExitOK
}

// Main runs a subcommand and returns the exit status. ctx ends on Ctrl-C.
func Main(ctx context.Context, args []string, io IO) int {
	if io.Getenv == nil {
		io.Getenv = os.Getenv
	}
	if len(args) == 0 {
		usage(io.Err, io.NoWindow)
		return ExitUsage
	}
	switch args[0] {
	case "host":
		return runHost(ctx, args[1:], io)
	case "join":
		return runJoin(ctx, args[1:], io)
	case "key":
		return runKey(ctx, args[1:], io)
	case "parties":
		return runParties(ctx, args[1:], io)
	case "export":
		return runExport(ctx, args[1:], io)
	case "version", "--version", "-version":
		if len(args) == 2 && slices.Contains([]string{"-h", "-help", "--help"}, args[1]) {
			fmt.Fprintln(io.Out, "Usage: concordia version\n\nPrint this program's version and the party protocol version it speaks.")
			return ExitOK
		}
		if len(args) > 1 {
			what := fmt.Sprintf("unexpected argument %q", args[1])
			if strings.HasPrefix(args[1], "-") {
				what = "unknown flag " + args[1] // as the other commands say it (a tester's)
			}
			fmt.Fprintf(io.Err, "concordia version: %s (version takes none)\n", what)
			return ExitUsage
		}
		fmt.Fprintln(io.Out, version.String())
		return ExitOK
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			switch {
			case args[1] == "help" || args[1] == "version":
			case slices.Contains(subcommands, args[1]):
				return Main(ctx, []string{args[1], "--help"}, io) // concordia help host
			default:
				return Main(ctx, args[1:2], io) // unknown command, with a did-you-mean
			}
		}
		usage(io.Out, io.NoWindow)
		return ExitOK
	}
	if near := didYouMean(args[0], subcommands); near != "" {
		fmt.Fprintf(io.Err, "concordia: unknown command %q; did you mean %s?\n", args[0], near)
		fmt.Fprintf(io.Err, "Run \"concordia help\" for the commands.\n")
		return ExitUsage
	}
	fmt.Fprintf(io.Err, "concordia: unknown command %q\n\n", args[0])
	usage(io.Err, io.NoWindow)
	return ExitUsage
}

func usage(w io.Writer, noWindow bool) {
	window := "  concordia                       open the desktop window\n" +
		"  concordia INVITE                open the window's Join dialog with INVITE, a\n" +
		"                                  concordia:// link (opening such a link does this)\n"
	if noWindow {
		window = "" // the headless build has none
	}
	fmt.Fprint(w, `Concordia: steer one Claude Code agent together.

Usage:
`+window+`  concordia host [flags]          create a party and run it in this terminal
  concordia host --resume [ID]    bring a party back (default: the latest)
  concordia join INVITE [flags]   join a party in this terminal (INVITE may be "-" for
                                  stdin, or come from CONCORDIA_INVITE)
  concordia parties               the parties kept in the data directory
  concordia export PARTY_ID       a party's transcript (Markdown or JSON lines)
  concordia key ACTION            the Gemini API key in the OS keyring: set, status,
                                  check (ask Google whether it works) or delete
  concordia version               print the version

Run "concordia COMMAND --help" for a command's flags.
In a party terminal: type a prompt and press Enter (Alt-Enter or Ctrl-J, or a line
ending in \, starts a new line; a paste is one prompt); /quit, /exit or Ctrl-C leaves;
/shell CMD runs CMD on this machine only (its output is not sent anywhere); /help lists
the rest.
`)
}

// parseFlags parses fs, letting positional arguments stand before, between or after the
// flags ("join INVITE --name x" and "join --name x INVITE" both work). --help prints the
// usage and returns flag.ErrHelp; a parse error is printed as a sentence, like every other
// usage error (the flag package's own message and its whole usage text are not).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	errw, help := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(errw); fs.Usage = help }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				help()
			} else {
				usageError(fs, errw, "%s", flagError(fs, err))
			}
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet makes a flag set whose usage text (--help, on out) starts with synopsis and
// explanation; errors go to errw.
func newFlagSet(name, synopsis, about string, out, errw io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(errw)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s\n\n%s\n\nFlags:\n", synopsis, term.Wrap(strings.TrimSpace(about), helpWidth, "", 0))
		printFlags(out, fs)
	}
	return fs
}

// usageError prints a reason and the short usage, and returns ExitUsage.
func usageError(fs *flag.FlagSet, w io.Writer, format string, a ...any) int {
	fmt.Fprintf(w, "concordia %s: %s\n", fs.Name(), fmt.Sprintf(format, a...))
	fmt.Fprintf(w, "Run \"concordia %s --help\" for usage.\n", fs.Name())
	return ExitUsage
}

// StopSignal is the cause of the context a command runs in when a signal stopped it
// (context.Cause): a host tells its members whether its host ended the party (Ctrl-C) or
// something else stopped it (host.EndText).
type StopSignal struct{ Signal os.Signal }

func (s StopSignal) Error() string { return "stopped by " + s.Signal.String() }
