package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/term"
	"github.com/concordia-party/concordia/internal/wire"
)

// This file is the terminal's one formatter for what people read: errors turned into a
// sentence that says what happened and what to do (the technical cause goes to the
// --verbose log, never to the screen), durations written one way, help in GNU style and
// "did you mean" for a mistyped command.

// describe turns an error from the party (in-process) or the host (over the wire) into a
// sentence without protocol codes or library strings.
func describe(err error) string {
	var rerr *rpc.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, party.ErrClosed), errors.Is(err, client.ErrEnded):
		return "the party has ended"
	case errors.Is(err, client.ErrNotConnected):
		return "not connected to the host right now (reconnecting); try again in a moment"
	case errors.Is(err, context.DeadlineExceeded):
		return "the host did not answer in time; try again"
	case errors.As(err, &rerr):
		return rpcSentence(rerr)
	case errors.Is(err, agent.ErrNotInstalled):
		return notInstalled(err)
	}
	return plain(err.Error())
}

// hostError is the sentence a person sees when a party cannot start.
func hostError(err error, listen string, resumed bool) string {
	var dataDir *host.DataDirError
	switch {
	case errors.Is(err, agent.ErrNotInstalled):
		return notInstalled(err)
	case host.IsListenError(err, syscall.EADDRINUSE) && resumed:
		return fmt.Sprintf("cannot start the party: %s is in use by another program (another party?). A resumed party listens on the port it had, so that the invites people hold still work; to resume it on another one, give --listen with a port (the invites then change)", listen)
	case host.IsListenError(err, syscall.EADDRINUSE):
		return fmt.Sprintf("cannot start the party: %s is in use by another program (another party?); choose another address with --listen (port 0: any free port)", listen)
	case host.IsListenError(err, syscall.EACCES):
		return fmt.Sprintf("cannot start the party: this user may not listen on %s; choose a port above 1023 with --listen", listen)
	case errors.As(err, &dataDir) && errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("cannot start the party: this user may not write its data directory %s (%s); choose a folder it may write with --data-dir", term.Line(dataDir.Dir), plain(err.Error()))
	}
	if s := listenNotHere(err, listen, "its listen"); s != "" {
		return "cannot start the party: " + s // a resumed party's own address, from its journal
	}
	var le *host.ListenError
	var dns *net.DNSError
	if errors.As(err, &le) && errors.As(le.Err, &dns) {
		return fmt.Sprintf("cannot start the party: the listen host %q could not be looked up (%s); try again, or give an IP address with --listen", dns.Name, dns.Err)
	}
	return "cannot start the party: " + err.Error()
}

// listenNotHere is what a party could not listen on because its address is not this
// machine's: a host name that no one can look up, or an IP address that none of its
// interfaces has (a tester's "--listen myhostname:40010" read "listen tcp: lookup
// myhostname on 10.255.255.53:53: no such host"). subject names the address ("the
// --listen"). It is "" for any other error.
func listenNotHere(err error, listen, subject string) string {
	var le *host.ListenError
	if !errors.As(err, &le) {
		return ""
	}
	h, port, _ := net.SplitHostPort(listen)
	var dns *net.DNSError
	var what string
	switch {
	case errors.As(le.Err, &dns) && dns.IsNotFound:
		what = fmt.Sprintf("%s host %q is not a name this machine can look up", subject, h)
	case errors.Is(le.Err, syscall.EADDRNOTAVAIL):
		what = fmt.Sprintf("%s address %s is not one of this machine's", subject, h)
	default:
		return ""
	}
	return fmt.Sprintf("%s: give one of its own addresses, or only the port to listen on every interface (--listen :%s)", what, port)
}

// argsRefusedWords is the host terminal's last word when Claude Code refused the extra
// arguments (agent.ErrArgsRefused), which ends its party: which ones, and what to do, in
// the terminal's terms only.
func argsRefusedWords(err error) string {
	var ae *agent.ArgsRefusedError
	if errors.As(err, &ae) {
		return fmt.Sprintf("Claude Code refused the extra arguments (%s), so the party ended; host again without them, or with other --claude-arg values", term.Line(strings.Join(ae.Args, " ")))
	}
	return "Claude Code refused the extra arguments, so the party ended; host again without them, or with other --claude-arg values"
}

// notInstalled says why Claude Code was not found: a path with no file, a file that is not
// executable, or no claude on PATH; then what to do.
func notInstalled(err error) string {
	const fix = `point --claude at the claude program, or install it with "npm install -g @anthropic-ai/claude-code"`
	var ee *exec.Error
	if errors.As(err, &ee) {
		switch {
		case errors.Is(ee.Err, fs.ErrNotExist):
			return fmt.Sprintf("Claude Code was not found: there is no file %s; %s", ee.Name, fix)
		case errors.Is(ee.Err, fs.ErrPermission):
			return fmt.Sprintf("Claude Code was not found: %s is not an executable program; %s", ee.Name, fix)
		case errors.Is(ee.Err, exec.ErrNotFound):
			return fmt.Sprintf("Claude Code was not found: no %q on PATH; %s", ee.Name, fix)
		}
	}
	return "Claude Code was not found; " + fix
}

// rpcSentence is a JSON-RPC error as a person reads it: the host's message, which is
// written for people, without "rpc error -32003:"; a hint where the code calls for one.
func rpcSentence(e *rpc.Error) string {
	msg := plain(e.Message)
	switch e.Code {
	case wire.CodeRateLimited:
		if msg == "" {
			msg = "you are sending prompts too fast"
		}
		// What to do depends on the limit (wire.RateLimitedData): a full queue waits for a
		// batch, which may be minutes away (a tester's held prompt was told "wait a few
		// seconds" with no batch due for ten minutes); a minute's bytes, a minute.
		switch rateLimit(e) {
		case wire.LimitQueue:
			return msg + "; send it again once a batch has gone to the agent"
		case wire.LimitBytes:
			return msg + "; wait a minute and send it again"
		}
		return msg + "; wait a few seconds and send it again"
	case wire.CodePartyFull:
		if msg == "" {
			msg = "the party is full"
		}
		return msg + "; ask a host to make room"
	}
	if msg == "" {
		return "the host refused that"
	}
	return msg
}

// rateLimit is the limit a -32003 names in its data (wire.RateLimitedData); "" when it
// names none (a host from before the data).
func rateLimit(e *rpc.Error) string {
	var data wire.RateLimitedData
	if raw, ok := e.Data.(json.RawMessage); ok && json.Unmarshal(raw, &data) == nil {
		return data.Limit
	}
	return ""
}

// plain strips the internals a library puts in an error string: "rpc error -32003: x"
// becomes "x". Used where an error may still carry one inside a wrapped chain.
func plain(s string) string {
	// The party's "invalid request: " (party.ErrInvalid, in its own errors and in the
	// host's rpc messages) is a programmer's word; what follows it is for people.
	s = strings.ReplaceAll(s, party.ErrInvalid.Error()+": ", "")
	for {
		i := strings.Index(s, "rpc error ")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], ": ")
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+2:]
	}
}

// disconnectWords says why a joined terminal gave up reconnecting, and what to do: the
// same invite again, unless the host no longer takes it (a tester was told to join again
// with an invite the host had just refused).
func disconnectWords(err error) string {
	var cut invite.CutShort
	var removed *client.RemovedError
	switch {
	case errors.As(err, &removed):
		// Removed while away: the host said so when the session came back (since 2026-12-07).
		return removedWords(removed) + ". `concordia join` with the invite joins it again, as someone new, while the invite lets people in."
	case errors.Is(err, client.ErrRefused) && !errors.As(err, &cut):
		// A reconnect says its member's session, not the invite: refused, the host no
		// longer knows that member (a tester's joined while the journal was behind, and
		// was told the unchanged invite had been replaced).
		return "the host no longer knows this member: a host may have removed it while it was away, the party may have been resumed without it (its journal could not keep it), or it ended and another runs at that address. `concordia join` with the invite joins it again, as someone new; if that is refused too, ask the host for the current invite."
	case errors.Is(err, client.ErrRefused), errors.Is(err, client.ErrFingerprint), errors.Is(err, client.ErrPlainHost), errors.Is(err, client.ErrTLSHost):
		return joinError(err)
	}
	return describe(err) + "; join again with the same invite"
}

// removedWords says that a host removed this terminal's member while its connection was
// away, and who when the host said: "alice removed you from this party".
func removedWords(e *client.RemovedError) string {
	return wire.RemovedBy(term.Line(e.By)) + " removed you from this party"
}

// keptRemovedWords says that a host removed the member this terminal joined as before
// (kept in its data directory under that name), and who when the host said. Not "you":
// whoever joins now with that name may not be who that member was (a tester, joining
// under the name of a member removed before, read "alice removed you from this party.").
func keptRemovedWords(e *client.RemovedError, name string) string {
	who := "the member this terminal joined this party as before"
	if name != "" {
		who = term.Line(name) + ", " + who
	}
	return wire.RemovedBy(term.Line(e.By)) + " had removed " + who
}

// errRemovedThenRefused: the member this terminal was had been removed, and the invite,
// tried as someone new, was refused too.
var errRemovedThenRefused = errors.New("removed, and the invite refused")

// joinError is the sentence for a join that could not connect: which of the known
// reasons, and what to do about it.
func joinError(err error) string {
	var cut invite.CutShort
	switch {
	case errors.Is(err, errRemovedThenRefused) && errors.Is(err, client.ErrRefused) && !errors.As(err, &cut):
		// The removal was said just before: what is left to say is of the invite.
		return "this invite no longer lets you in: ask a host for a new one."
	case errors.Is(err, client.ErrFingerprint):
		return "the host's certificate does not match the invite's fingerprint, so this terminal did not connect (someone may be in between). Ask the host for the invite again and copy it whole."
	case errors.Is(err, client.ErrRefused) && errors.As(err, &cut):
		return "the host refused this invite; " + string(cut) + "."
	case errors.Is(err, client.ErrRefused):
		return "the host refused this invite: it was replaced (/rotate), the party it was for has ended (another may run at that address now), or its token is wrong. Ask the host for the current invite."
	case errors.Is(err, client.ErrFullForViewers):
		return "the party has no room for more viewers: its last places are kept for participants. Ask a host for the participant invite, or to make room, then join again."
	case errors.Is(err, client.ErrPlaceLost):
		// A member coming back (a tester's, after its terminal was killed): not a bare
		// "full", which read as if something were wrong with the party.
		return "the party is full: your place went to someone else while you were away (a place is kept two minutes after a lost connection). Ask a host to make room, then join again."
	case errors.Is(err, client.ErrFull):
		return "the party is full. Ask a host to make room, then join again."
	case errors.Is(err, client.ErrEnded):
		return "the party has ended."
	case errors.Is(err, client.ErrKicked):
		return "a host removed you from the party."
	case errors.Is(err, client.ErrPlainHost):
		// Not only a party restarted with --insecure: any other program on that port answers
		// the same (a tester's web server was taken for a party).
		return "the address in the invite answers without encryption, but the invite has a ?fp= part, so this terminal did not connect: either the party was restarted with --insecure (ask the host for the current invite), or what listens there is not a Concordia party"
	case errors.Is(err, client.ErrTLSHost) && errors.As(err, &cut):
		return "this host uses encryption, but the invite has no ?fp= part, and " + string(cut) + " (a whole invite ends in ?fp= and 64 hex digits)."
	case errors.Is(err, client.ErrTLSHost):
		return "this host uses encryption; the invite is missing its ?fp= part — was it cut off? Ask the host for the invite again and copy it whole (it ends in ?fp= and 64 hex digits)."
	case errors.Is(err, client.ErrNoAnswer):
		// Not "cannot reach": something took the connection (a tester's host was stopped
		// with SIGSTOP, its connections still accepted by the system).
		return "the host did not answer: the connection was taken, but nothing came back in time (is the party's program stopped or hung?). Check with the host that the party is still running; --verbose shows why."
	case errors.Is(err, client.ErrUnreachable):
		if strings.Contains(err.Error(), "bad handshake") {
			return "cannot reach the host: it answered, but not as a Concordia party (is the invite cut short, or missing its ?fp= part?). Ask the host for the invite again and copy it whole."
		}
		return "cannot reach the host. Check that the party is still running and that this machine can reach it (same network, no firewall in between); --verbose shows why."
	case errors.Is(err, context.Canceled):
		return "stopped before the party was joined."
	}
	return "cannot join the party: " + describe(err) + " (--verbose shows more)"
}

// fmtDuration writes a duration the one way the terminal does: "0.4s", "12s", "2m05s",
// "1h02m".
func fmtDuration(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < 10*time.Second:
		if d > 0 && d < 100*time.Millisecond {
			return "under 0.1s"
		}
		if d%time.Second == 0 {
			return fmt.Sprintf("%ds", int(d/time.Second))
		}
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// subcommands are the words Main knows, for "did you mean".
var subcommands = []string{"host", "join", "parties", "export", "key", "version", "help"}

// flagError words one of the flag package's parse errors for a person.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if near := didYouMean(name, names); near != "" {
			return fmt.Sprintf("unknown flag %s; did you mean %s?", dashed(name), dashed(near))
		}
		return "unknown flag " + dashed(name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return dashed(strings.TrimLeft(name, "-")) + " needs a value"
	}
	if arg, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return fmt.Sprintf("%q is not a flag (write -name or --name)", arg)
	}
	// `invalid value "abc" for flag -window: parse error`, `invalid boolean value "x" for
	// -approve: …`: the flag is the one whose name the message gives after " for ".
	var f *flag.Flag
	var value, why string
	fs.VisitAll(func(fl *flag.Flag) {
		for _, mark := range []string{" for flag -" + fl.Name + ": ", " for -" + fl.Name + ": "} {
			if i := strings.LastIndex(msg, mark); f == nil && i > 0 {
				f, why = fl, msg[i+len(mark):]
				if k := strings.IndexByte(msg, '"'); k >= 0 && k < i {
					value = msg[k:i]
				}
			}
		}
	})
	if f == nil {
		return msg
	}
	name := dashed(f.Name)
	var v any
	if g, ok := f.Value.(flag.Getter); ok {
		v = g.Get()
	}
	switch v.(type) {
	case bool:
		return fmt.Sprintf("%s takes no value (or =true, =false); got %s", name, value)
	case time.Duration:
		return fmt.Sprintf("%s must be a duration such as 3s, 500ms or 2m; got %s", name, value)
	case int, int64, uint, uint64:
		if strings.Contains(why, "out of range") {
			return fmt.Sprintf("%s: %s is out of range", name, value)
		}
		return fmt.Sprintf("%s must be a whole number; got %s", name, value)
	}
	return fmt.Sprintf("%s: %s: %s", name, value, why) // a flag of our own: its Set said why
}

// dashed writes a flag as the help does: -o, --name.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagStatus maps a parse error to the exit status.
func flagStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	return ExitUsage
}

// didYouMean returns the known word closest to word when it is a likely typo (at most
// two edits, and fewer than the word's length), or "".
func didYouMean(word string, known []string) string {
	best, bestD := "", 3
	w := strings.ToLower(word)
	for _, k := range known {
		d := levenshtein(w, k)
		if d < bestD && d < len([]rune(k)) {
			best, bestD = k, d
		}
	}
	return best
}

// levenshtein is the edit distance between a and b (insert, delete, substitute), with a
// transposition of two neighbours counted as one edit ("hots" is one edit from "host").
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// helpWidth is the width --help text is wrapped to.
const helpWidth = 100

// printFlags writes fs's flags GNU style ("  --name NAME", two dashes), which is how the
// README and every message spell them; Go's flag package would print "-name".
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if len(f.Name) == 1 {
			line = "  -" + f.Name // -o, as the synopsis writes it
		}
		if name != "" {
			line += " " + strings.ToUpper(name)
		}
		if len(line) <= 4+len("--") {
			line += "\t"
		} else {
			line += "\n    \t"
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" && def != "0s" && !strings.Contains(usage, "(default") {
			if strings.ContainsAny(def, " \t\"") {
				def = strconv.Quote(def)
			}
			usage += fmt.Sprintf(" (default %s)", def)
		}
		// Wrapped at spaces to 100 columns, the tab counting as 8 (lines of 280 ran on).
		line += strings.ReplaceAll(term.Wrap(usage, helpWidth-8, "", 0), "\n", "\n    \t")
		fmt.Fprintln(w, line)
	})
}

// nameProblem is why a --name cannot be a member's name, or "": host and join check it
// alike. First, bytes that are not UTF-8 text (a terminal in another encoding): the
// party's rule (party.CheckName) sees them only as the U+FFFD each becomes, and took
// "\xff\xfeab" to be shown as "��ab" while it refused a name of escape codes alone
// (a terminal tester's); the window's settings refuse them too (settings.CheckName).
func nameProblem(name string) string {
	if !utf8.ValidString(name) {
		return "a name must be UTF-8 text, and this one holds bytes that are not (is the terminal's encoding UTF-8?)"
	}
	if err := party.CheckName(name); err != nil {
		return nameRule(err)
	}
	return ""
}

// nameRule is the rule a name broke (party.CheckName's error without its "bad name:").
func nameRule(err error) string {
	return strings.TrimPrefix(err.Error(), party.ErrBadName.Error()+": ")
}
