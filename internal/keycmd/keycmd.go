// Package keycmd is the `concordia key set|status|check|delete` subcommand (PROTOCOL.md
// §1): it stores, reports, checks with Google and removes the Gemini API key through a
// secrets.Store, and moves a legacy plain-text key into the OS keyring on the way. It never prints the key, nor any
// part of it, nor an argument that might be one.
package keycmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/concordia-party/concordia/internal/credential"
	"github.com/concordia-party/concordia/internal/keysave"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // the keyring is unavailable, the key is refused, the input is empty
	exitUsage = 2 // bad action or arguments
)

// maxInput bounds what `key set` reads from a pipe.
const maxInput = 64 << 10

const usage = `Usage: concordia key <action>

Manage the Gemini API key Concordia uses to merge prompts. The key is kept in the
OS keyring (service "concordia", account "gemini-api-key"), never in a file.

actions:
  set      store a key: typed at a hidden prompt, or piped on stdin (one line)
  status   show where the key comes from and whether the keyring is reachable
  check    ask Google whether the key works (one request, no tokens used)
  delete   remove the key from the keyring

GEMINI_API_KEY in the environment overrides the keyring for one run.
"concordia key ACTION --help" describes an action.
`

var actionUsage = map[string]string{
	"set": `Usage: concordia key set

Store the Gemini API key in the OS keyring, replacing any earlier one. On a terminal
the key is typed at a hidden prompt; otherwise stdin is read to its end and must
hold the key on one line (blank lines are fine):
  concordia key set < keyfile
The key is never taken from the command line (it would end up in shell history).
It is first checked with Google (one request that uses no tokens, at most 10 seconds):
a key Google refuses is not stored, and set exits 1. When Google cannot be reached (no
network, a time-out, an outage), the key is stored all the same and "concordia key
status" says it is not checked until "concordia key check", or a party's merge with
it, finds that it works.
A key in the legacy file ~/.config/concordia/.env is first moved into the keyring.
`,
	"status": `Usage: concordia key status

Show where the Gemini API key comes from (GEMINI_API_KEY, the OS keyring, or nowhere),
whether the keyring is reachable and, if not, why, and whether Google refused the key
when it was last checked (by "concordia key check", Settings' Check or a party's
merge). Never shows the key. A key in the
legacy file ~/.config/concordia/.env is first moved into the keyring. Exits 0 whenever
it could report, also when the keyring is unreachable.
`,
	"check": `Usage: concordia key check [--gemini-model MODEL]

Ask Google whether the Gemini API key (GEMINI_API_KEY, else the OS keyring) may use
the model prompts are merged with (default ` + merge.DefaultGeminiModel + `): one request
that reads the model's description and uses no tokens. Exits 0 when Google accepts
the key, 1 when it refuses it, when Google cannot be reached, or when there is no key.
Never shows the key.
`,
	"delete": `Usage: concordia key delete

Remove the Gemini API key from the OS keyring. Does nothing if there is none.
GEMINI_API_KEY in the environment is not affected.
`,
}

// Run runs `concordia key` with args, the arguments after "key" (e.g. ["set"]), and
// returns the exit status: 0 done, 1 failed (keyring unavailable, key refused), 2 bad
// usage (`key status` exits 0 whenever it could report). in is where `key set` reads the key: when it is an *os.File on a terminal, at a
// hidden prompt; otherwise its one line that is not blank. Canceling ctx (say on SIGINT) abandons a
// pending read and restores the terminal.
func Run(ctx context.Context, args []string, in io.Reader, stdout, stderr io.Writer, store *secrets.Store, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "concordia key: missing action\n\n", usage)
		return exitUsage
	}
	action := args[0]
	switch action {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if _, ok := actionUsage[action]; !ok {
		// What was given is said, as the other commands' errors say it (got "x"), unless
		// it might be a key typed in the wrong place.
		got := "something that may be a key (not shown; `concordia key set` asks for it)"
		if shownWord(action) {
			got = fmt.Sprintf("%q", action)
		}
		fmt.Fprintf(stderr, "concordia key: unknown action (want set, status, check or delete); got %s\n\n%s", got, usage)
		return exitUsage
	}
	for _, a := range args[1:] {
		switch a {
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, actionUsage[action])
			return exitOK
		}
	}
	model := merge.DefaultGeminiModel
	if action == "check" {
		if m, given, rest := modelFlag(args); given && strings.TrimSpace(m) == "" {
			// Given, empty or blank (a tester was told to give it).
			fmt.Fprintf(stderr, "concordia key check: --gemini-model must name a model (the default is %s)\n\n%s", merge.DefaultGeminiModel, actionUsage[action])
			return exitUsage
		} else if given {
			model, args = m, rest
		}
	}
	if action == "check" && len(args) == 2 && (args[1] == "--gemini-model" || args[1] == "-gemini-model") {
		// The flag alone: said as the other commands' flags say it (a tester was told the
		// check "takes only --gemini-model MODEL", which it had been given).
		fmt.Fprintf(stderr, "concordia key check: --gemini-model needs a value (the default is %s)\n\n%s", merge.DefaultGeminiModel, actionUsage[action])
		return exitUsage
	}
	if len(args) > 1 {
		// Not echoed either, for the same reason.
		msg := "takes no arguments"
		if action == "check" {
			msg = "takes only --gemini-model MODEL"
		}
		if action == "set" {
			msg = "takes no arguments: the key is read from the terminal or stdin, never from the command line"
		}
		fmt.Fprintf(stderr, "concordia key %s: %s\n\n%s", action, msg, actionUsage[action])
		return exitUsage
	}

	if getenv == nil {
		getenv = os.Getenv
	}
	c := &cmd{ctx: ctx, in: in, stdout: stdout, stderr: stderr, store: store, getenv: getenv}
	switch action {
	case "set":
		return c.set()
	case "status":
		return c.status()
	case "check":
		return c.check(model)
	default:
		return c.delete()
	}
}

// cmd carries one run's streams; it is used by one goroutine.
type cmd struct {
	ctx            context.Context
	in             io.Reader
	stdout, stderr io.Writer
	store          *secrets.Store
	getenv         func(string) string // for merge.BaseURLEnv
	replacing      bool                // key set: a legacy key the keyring's kept out is replaced, not warned of
	// moved is what key set's migration did, said once the key is stored: first, it told
	// a terminal tester the file's key was moved into the keyring, then replaced it.
	moved string
}

// fail prints an error for a person and returns exitFail. Errors from secrets never carry
// the key, and an unavailable keyring's message already points to GEMINI_API_KEY.
func (c *cmd) fail(action string, err error) int {
	// The keyring's own sentence, not the steps to it ("check keyring: OS keyring
	// unavailable: …", a tester's).
	fmt.Fprintf(c.stderr, "concordia key %s: %v\n", action, secrets.Cause(err))
	return exitFail
}

// migrate moves a legacy key into the keyring and says what happened. It returns the
// migration's error, for callers that stop when the keyring is unavailable.
func (c *cmd) migrate() error {
	m, err := c.store.MigrateLegacy(c.ctx)
	switch {
	case errors.Is(err, secrets.ErrLegacyConflict) && c.replacing:
		// key set replaces both keys, and says so after (dropLegacy): not "neither was
		// changed" first (a tester's read both).
	case err == nil && !m.Found:
	case err == nil && c.replacing:
		c.moved = fmt.Sprintf("Legacy key file %s: %s", m.Path, m.Reason)
	case err == nil:
		fmt.Fprintf(c.stdout, "Legacy key file %s: %s.\n", m.Path, m.Reason)
	case m.Reason != "":
		fmt.Fprintf(c.stderr, "warning: legacy key file %s: %s.\n", m.Path, m.Reason)
	default:
		fmt.Fprintf(c.stderr, "warning: legacy key file: %v\n", err)
	}
	return err
}

// dropLegacy removes an older key left in the legacy file (the keyring held another, so
// it was not moved in), after the keyring's key was replaced or deleted, and says so; why
// says why it goes.
func (c *cmd) dropLegacy(why string) {
	path, deleted, err := c.store.DropLegacy()
	switch {
	case err != nil:
		fmt.Fprintf(c.stderr, "warning: %v\n", err)
	case path != "" && deleted:
		fmt.Fprintf(c.stdout, "Deleted %s, which held a Gemini key in plain text (%s).\n", path, why)
	case path != "":
		fmt.Fprintf(c.stdout, "Removed the Gemini key from %s, which held it in plain text (%s); its other variables are kept.\n", path, why)
	}
}

func (c *cmd) set() int {
	c.replacing = true
	defer func() {
		if c.moved != "" { // not stored: the file's key is the keyring's now
			fmt.Fprintf(c.stdout, "%s.\n", c.moved)
		}
	}()
	// Check the keyring before asking for the key: no point typing one that cannot be kept.
	if err := c.migrate(); errors.Is(err, secrets.ErrUnavailable) {
		return c.fail("set", err)
	}
	if err := c.store.Available(c.ctx); err != nil {
		return c.fail("set", err)
	}
	key, err := c.readKey()
	if err != nil {
		return c.fail("set", err)
	}
	// Asked before it is stored: a key Google refuses is not kept and shown as working (a
	// window tester's "abc" was).
	who := c.gemini()
	if k, err := secrets.Normalize(key); err == nil && len(k) >= keysave.MinRunes {
		fmt.Fprintf(c.stdout, "Checking the key with %s…\n", who)
	}
	saved, err := keysave.Save(c.ctx, c.store, key, func(k string) merge.GeminiConfig {
		return merge.EnvConfig(k, merge.DefaultGeminiModel, c.getenv)
	})
	switch {
	case errors.Is(err, keysave.ErrRefused):
		return c.fail("set", fmt.Errorf("%s %s, so the key was not stored.%s", capitalize(who), merge.Reason(err), keyWords(err, "run \"concordia key set\" again")))
	case errors.Is(err, keysave.ErrTooShort):
		return c.fail("set", fmt.Errorf("%w; nothing was stored", keysave.ErrTooShort))
	case errors.Is(err, context.Canceled) && c.ctx.Err() != nil:
		return c.fail("set", errCanceled)
	case err != nil && saved.Unchecked == nil:
		return c.fail("set", err)
	case err != nil:
		fmt.Fprintf(c.stderr, "warning: %v\n", err)
	}
	fmt.Fprintf(c.stdout, "Stored the Gemini API key in the OS keyring (service %q, account %q).\n", secrets.Service, secrets.Account)
	if c.moved != "" {
		fmt.Fprintf(c.stdout, "%s; the key just stored replaces it.\n", c.moved)
		c.moved = ""
	}
	c.dropLegacy("the key just stored replaces it")
	switch {
	case saved.Unchecked == nil:
		fmt.Fprintf(c.stdout, "%s accepted it: parties hosted with --merge auto (the default) or gemini merge prompts with it.\n", capitalize(who))
	case errors.Is(saved.Unchecked, merge.ErrKeyDenied):
		// Stored: the key is Google's to allow, not one to paste again.
		fmt.Fprintf(c.stderr, "warning: %s %s.%s\n", who, merge.Reason(saved.Unchecked), keyDenied(saved.Unchecked))
	case errors.Is(saved.Unchecked, merge.ErrRejected):
		fmt.Fprintf(c.stderr, "warning: the key is not checked: %s %s for the model %s; the key itself may be fine. \"concordia key check\" asks again.\n", who, merge.Reason(saved.Unchecked), merge.DefaultGeminiModel)
	default:
		fmt.Fprintf(c.stderr, "warning: the key is not checked: %s could not be reached (%s). \"concordia key check\" asks again; \"concordia key status\" says it is not checked until then, or until a party merges with it.\n", who, merge.Reason(saved.Unchecked))
	}
	if c.store.EnvOverride() {
		fmt.Fprintf(c.stderr, "warning: %s is set in this environment; runs that have it use that value instead of the keyring.\n", secrets.EnvKey)
	}
	return exitOK
}

func (c *cmd) status() int {
	_ = c.migrate() // reported; status goes on either way
	st := c.store.Status(c.ctx)
	source := map[secrets.Source]string{
		secrets.SourceEnv:     "environment (" + secrets.EnvKey + ")",
		secrets.SourceKeyring: "OS keyring",
		secrets.SourceNone:    "none",
	}[st.Source]
	ring := "unavailable: " + st.KeyringError
	switch {
	case st.KeyringAvailable && st.Source == secrets.SourceKeyring && !st.Refused.IsZero():
		ring = "reachable, holds a key Google refused"
	case st.KeyringAvailable && st.KeyringUnchecked:
		// Stored while Google could not be asked (key set): not said to work.
		ring = "reachable, holds a key not yet checked with Google (\"concordia key check\" asks)"
	case st.KeyringAvailable && st.KeyringHasKey:
		ring = "reachable, holds a key"
	case st.KeyringAvailable:
		ring = "reachable, no key stored"
	}
	env := "not set"
	if st.EnvOverride {
		env = "set (overrides the keyring for runs that have it)"
	}
	legacy := "none"
	if st.LegacyFile != "" {
		legacy = st.LegacyFile + " still holds GEMINI_API_KEY in plain text"
	}
	fmt.Fprintf(c.stdout, "key source:     %s\nOS keyring:     %s\n%s: %s\nlegacy file:    %s\n", source, ring, secrets.EnvKey, env, legacy)

	if !st.Refused.IsZero() {
		// Noted by the last check, or a party's merge, of this key (a tester's status said
		// "holds a key" right after `key check` said Google refused it).
		way := "run \"concordia key set\" with a working key"
		if st.Source == secrets.SourceEnv {
			way = "set " + secrets.EnvKey + " to a working key"
		}
		fmt.Fprintf(c.stdout, "\n%s.\n", merge.RefusedWhen(st.Refused, way))
	}
	switch {
	case st.Source == secrets.SourceNone && st.KeyringAvailable:
		fmt.Fprintf(c.stdout, "\nNo key: prompts are merged locally. Run \"concordia key set\" to store one.\n")
	case st.Source == secrets.SourceNone:
		fmt.Fprintf(c.stdout, "\nNo key: prompts are merged locally. Without a keyring, set %s to give a key for a run.\n", secrets.EnvKey)
	}
	return exitOK
}

// check asks Google whether the key works, and says so in words.
func (c *cmd) check(model string) int {
	_ = c.migrate()
	key, src, err := c.store.Key(c.ctx)
	if err != nil {
		return c.fail("check", err)
	}
	if key == "" {
		return c.fail("check", fmt.Errorf("no Gemini key is set: run \"concordia key set\" to store one, or set %s", secrets.EnvKey))
	}
	from := map[secrets.Source]string{secrets.SourceEnv: secrets.EnvKey, secrets.SourceKeyring: "the OS keyring"}[src]
	who := c.gemini()
	fmt.Fprintf(c.stdout, "Checking the Gemini key from %s with %s (model %s)…\n", from, who, model)
	err = merge.CheckKey(c.ctx, merge.EnvConfig(key, model, c.getenv))
	switch {
	case err == nil:
		// Whichever the source: a refusal noted of this key is over too.
		_ = c.store.MarkChecked(secrets.KeyID(key)) // a note left only shows it unchecked, or refused
		fmt.Fprintf(c.stdout, "%s accepted the key: parties hosted with --merge auto (the default) or gemini merge prompts with it.\n", capitalize(who))
		return exitOK
	case errors.Is(err, merge.ErrKeyDenied):
		return c.fail("check", fmt.Errorf("%s %s.%s", capitalize(who), merge.Reason(err), keyDenied(err)))
	case errors.Is(err, merge.ErrInvalidKey):
		// Noted for `key status` and the next party, here or in another process (a tester's
		// status said "holds a key" right after). Not a refusal of this use alone (above):
		// that is fixed on Google's side, and the next party asks again.
		_ = c.store.MarkRefused(secrets.KeyID(key), time.Now()) // a note missing only leaves status as it was
		give := "run \"concordia key set\" with it"
		if src == secrets.SourceEnv {
			give = "set " + secrets.EnvKey + " to it"
		}
		return c.fail("check", fmt.Errorf("%s %s.%s; until then parties merge prompts locally", capitalize(who), merge.Reason(err), keyWords(err, give)))
	case errors.Is(err, merge.ErrRejected):
		return c.fail("check", fmt.Errorf("%s %s: the key may be fine, but the model %q did not answer; check --gemini-model", capitalize(who), merge.Reason(err), model))
	case c.ctx.Err() != nil:
		return c.fail("check", fmt.Errorf("stopped before %s answered", who))
	default:
		return c.fail("check", fmt.Errorf("could not check the key with %s: %s; try again later", who, merge.Reason(err)))
	}
}

// keyWords is what follows a sentence saying that Google refused a key: Google's own
// words and what helps (merge.KeyWords, the window's words too; give says how a key is
// given here), after a space; "" when there is nothing to add. Google's words are quoted
// as Go does: no control characters reach the terminal.
func keyWords(err error, give string) string {
	if w := merge.KeyWords(err, strconv.Quote, give); w != "" {
		return " " + w
	}
	return ""
}

// keyDenied follows a sentence saying that Google refused this use of a key
// (merge.ErrKeyDenied): Google's words, what to change on Google's side, and how to ask
// again.
func keyDenied(err error) string {
	w := keyWords(err, "run \"concordia key set\" with it")
	if strings.HasSuffix(w, "check again") {
		w += " (\"concordia key check\")"
	}
	return w + "; until then parties merge prompts locally"
}

// gemini names where keys are checked: Google, or the endpoint merge.BaseURLEnv gives.
func (c *cmd) gemini() string {
	if base := c.getenv(merge.BaseURLEnv); base != "" {
		return "the Gemini API at " + base + " (" + merge.BaseURLEnv + ")"
	}
	return "Google"
}

// capitalize upper-cases s's first letter ("the Gemini API at …" starting a sentence).
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (c *cmd) delete() int {
	st := c.store.Status(c.ctx)
	if !st.KeyringAvailable {
		// Not asked again: a keyring that hangs would cost another timeout.
		fmt.Fprintf(c.stderr, "concordia key delete: OS keyring unavailable: %s (nothing was deleted; %s in the environment works without the keyring)\n", st.KeyringError, secrets.EnvKey)
		return exitFail
	}
	if err := c.store.Delete(c.ctx); err != nil {
		return c.fail("delete", err)
	}
	if st.KeyringHasKey {
		fmt.Fprintln(c.stdout, "Deleted the Gemini API key from the OS keyring.")
	} else {
		fmt.Fprintln(c.stdout, "There was no Gemini API key in the OS keyring; nothing to delete.")
	}
	if st.EnvOverride {
		fmt.Fprintf(c.stderr, "note: %s is still set in this environment; runs that have it will use it.\n", secrets.EnvKey)
	}
	c.dropLegacy("it would have come back into the keyring at the next \"concordia key\" or party")
	return exitOK
}

// errCanceled: Ctrl-C at the prompt. A sentence, not "read key: context canceled" (a
// tester's).
var errCanceled = errors.New("canceled; no key was stored")

// errNoKey means the input held no key.
var errNoKey = errors.New("no key given (type it at the prompt, or pipe it on stdin)")

// beforeRead runs on the reading goroutine just before the hidden read: the terminal tests
// hold it until a Ctrl-C, to run one before the read starts (export_test.go).
var beforeRead = func(context.Context) {}

// readLine is the first line of r (a terminal with its echo off), at most
// maxInput bytes; a last line without a newline is fine.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, maxInput)).ReadString('\n')
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return line, err
}

// errLines means a pipe held more than the key.
var errLines = errors.New("the input holds more than one line; pipe only the key (one line), or type it at the prompt")

// readPiped is the one line of r (a pipe or a file) that is not blank, read to its end:
// a second line was dropped without a word (a tester's), and which one is the key is not
// ours to guess.
func readPiped(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxInput {
		return "", fmt.Errorf("the input is over %d KiB; pipe only the key", maxInput>>10)
	}
	var key string
	for line := range strings.Lines(string(b)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if key != "" {
			return "", errLines
		}
		key = line
	}
	return key, nil
}

// readKey reads the key from a hidden prompt on a terminal, or the one line of a pipe.
//
// The read runs on its own goroutine so that canceling ctx (Ctrl-C, with the caller's
// signal.NotifyContext) returns at once, with the terminal's echo restored. The goroutine
// then stays blocked on stdin until the process exits, which follows right away in the
// CLI; it writes only to its buffered channel.
func (c *cmd) readKey() (string, error) {
	f, isFile := c.in.(*os.File)
	terminal := isFile && term.IsTerminal(int(f.Fd()))

	type read struct {
		key string
		err error
	}
	done := make(chan read, 1)
	var restore func()
	if terminal {
		fd := int(f.Fd())
		state, err := term.GetState(fd)
		if err != nil {
			return "", fmt.Errorf("read terminal state: %w", err)
		}
		restore = func() { _ = term.Restore(fd, state) }
		// Echo off before the prompt shows: a key pasted at once is never on the screen.
		if err := echoOff(fd); err != nil {
			return "", fmt.Errorf("turn the terminal's echo off: %w", err)
		}
		fmt.Fprint(c.stderr, "Gemini API key (typing is hidden): ")
		go func() {
			beforeRead(c.ctx)
			key, err := readHidden(f)
			done <- read{key, err}
		}()
	} else {
		go func() {
			key, err := readPiped(c.in)
			done <- read{key, err}
		}()
	}

	select {
	case r := <-done:
		if terminal {
			restore()
			fmt.Fprintln(c.stderr) // the newline typed was not echoed
		}
		if r.err != nil {
			return "", fmt.Errorf("read key: %w", r.err)
		}
		if strings.TrimSpace(r.key) == "" {
			return "", errNoKey
		}
		return r.key, nil
	case <-c.ctx.Done():
		if restore != nil {
			restore()
			fmt.Fprintln(c.stderr)
		}
		return "", errCanceled
	}
}

// modelFlag takes "--gemini-model MODEL" or "--gemini-model=MODEL" (one dash or two) from
// a check's arguments, the action first. given says the flag was there, with a value that
// may be empty; rest is what is left.
func modelFlag(args []string) (model string, given bool, rest []string) {
	if len(args) == 3 && (args[1] == "--gemini-model" || args[1] == "-gemini-model") {
		return args[2], true, args[:1]
	}
	if len(args) == 2 {
		for _, prefix := range []string{"--gemini-model=", "-gemini-model="} {
			if m, ok := strings.CutPrefix(args[1], prefix); ok {
				return m, true, args[:1]
			}
		}
	}
	return "", false, args
}

// shownWord reports whether an argument given for an action may be echoed: a short word,
// and nothing like a token (credential.HoldsToken). A key typed in the wrong place is not.
func shownWord(s string) bool {
	if s == "" || len(s) > 16 || credential.HoldsToken(s) {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
