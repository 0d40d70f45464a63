package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/keysave"
	"github.com/concordia-party/concordia/internal/membership"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// installHint is how to get Claude Code.
const installHint = `Install it with "npm install -g @anthropic-ai/claude-code", or set "Claude Code executable" (under More options, or in Settings) to where the claude program is.`

// hostError carries what a failed CreateParty was asked, for a precise sentence.
type hostError struct {
	err    error
	listen string
	claude string
}

func (e hostError) Error() string { return e.err.Error() }
func (e hostError) Unwrap() error { return e.err }

// listenNameUnknown: the party could not listen because the listen address's host name
// is not one anyone can look up (a tester's "myhostname:40010" read as the resolver's
// "lookup myhostname on 10.255.255.53:53: no such host").
func listenNameUnknown(err error) bool {
	var le *host.ListenError
	var dns *net.DNSError
	return errors.As(err, &le) && errors.As(le.Err, &dns) && dns.IsNotFound
}

// sentence turns an error into the one sentence (or two) a person sees. The technical
// cause goes to the log, not here. This is the only place errors become words.
func sentence(err error) string {
	var cut invite.CutShort
	var he hostError
	var de *host.DataDirError
	var jobs *host.JobsLeftError
	var record *host.RecordLeftError
	if errors.As(err, &he) {
		switch {
		case errors.Is(err, agent.ErrNotInstalled):
			return fmt.Sprintf("Claude Code was not found (looked for %q). %s", he.claude, installHint)
		case host.IsListenError(err, syscall.EADDRINUSE):
			return fmt.Sprintf("The listen address %s is already in use (is another party running?). Choose another one in Settings, e.g. \":0\" for any free port.", he.listen)
		case host.IsListenError(err, syscall.EACCES):
			return fmt.Sprintf("Concordia may not listen on %s. Choose a port above 1023 in Settings.", he.listen)
		case host.IsListenError(err, syscall.EADDRNOTAVAIL):
			return fmt.Sprintf("The listen address %s is not one of this computer's. In Settings, give one of its own addresses, or only a port (e.g. \":8765\") to listen on every interface.", he.listen)
		case listenNameUnknown(err):
			return fmt.Sprintf("The listen address %s names a host this computer cannot look up. In Settings, give one of its own addresses, or only a port (e.g. \":8765\") to listen on every interface.", he.listen)
		case errors.Is(err, host.ErrNoKey):
			return "The merger is set to Gemini, but no Gemini key is set. Add a key in Settings, or choose the auto or local merger."
		case errors.As(err, &de) && errors.Is(err, fs.ErrPermission):
			return fmt.Sprintf("Concordia may not write its data folder %s, where a party keeps its history. Give this user write access to it, then try again.", de.Dir)
		}
	}
	var rerr *rpc.Error
	var limited *party.RateLimitError
	var unchanged workspace.UnchangedError
	var pe pathError
	var ke *session.KeepError
	var removed *session.RemovedError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &removed):
		by := wire.RemovedBy(removed.By)
		if removed.By == "" {
			by = capitalize(by) // a sentence's start; a name stays as its owner wrote it
		}
		switch {
		case removed.Err == nil:
			return by + " removed you from this party. You joined again as someone new: this invite still lets people in."
		case errors.Is(removed.Err, client.ErrRefused) && !errors.As(err, &cut):
			return by + " removed you from this party, and this invite no longer lets you in: ask a host for a new one."
		}
		return by + " removed you from this party. " + sentence(removed.Err)
	case errors.As(err, &ke):
		return fmt.Sprintf("This window could not keep its membership of the party in %s (%s), so if you join again later you will be someone new in it.", ke.Dir, membership.Cause(ke.Err))
	case errors.As(err, &pe):
		s := sentence(pe.err)
		for _, p := range []string{pe.path, path.Clean(pe.path)} { // the host names the path cleaned ("./x": "x")
			// Only the name itself: "Not connected…" is not the path "no" capitalised (a
			// reviewer's).
			if c := capitalize(p); c != p && strings.HasPrefix(s, c) && (len(s) == len(c) || strings.ContainsRune(" :.", rune(s[len(c)]))) {
				return p + s[len(c):]
			}
		}
		return s
	case errors.Is(err, settings.ErrInvalid):
		return strings.Join(settings.Problems(err), " ")
	case errors.Is(err, session.ErrBadRequest):
		return capitalize(err.Error())
	case errors.Is(err, session.ErrRunning):
		return "This party is running already, in another Concordia window or terminal. Join it with its invite, or stop it there first."
	case errors.Is(err, journal.ErrIncomplete):
		if errors.Is(err, journal.ErrLostControl) {
			return "This party cannot be resumed: its journal could not be written to its end (was the disk full?), and what it lost includes a host's change that made the party's rules stricter (who may join, or what the agent may do), so it would come back with rules looser than its hosts set. Export, on its card (or `concordia export` in a terminal), still writes what it kept."
		}
		if errors.Is(err, journal.ErrReadOnly) {
			return "This party cannot be resumed: its journal is read-only, which is how a party marks a journal it could not write to its end. If it was made read-only by hand, make it writable again and resume it; if not, members may hold events it lacks, and a resumed party would number new events as theirs. Export, on its card (or `concordia export` in a terminal), still writes what it kept."
		}
		return "This party cannot be resumed: its journal could not be written to its end (was the disk full?), and its members saw events the journal does not have. Export, on its card (or `concordia export` in a terminal), still writes what it kept."
	case errors.Is(err, host.ErrPartyRunning):
		return "This party is running, in this window or another Concordia: end it first, then forget it."
	case errors.As(err, &jobs):
		return "This party was not forgotten: " + punctuate(jobs.Error()) + " `concordia parties --stop-jobs` in a terminal stops them; then forget it."
	case errors.As(err, &record):
		return "The party's journal is deleted, but not its record of the working directory: " + punctuate(record.Err.Error())
	case errors.Is(err, host.ErrNoParty):
		return "This party is no longer in the data directory."
	case errors.Is(err, session.ErrBusy):
		return "You are already in a party. Leave it first."
	case errors.Is(err, session.ErrNoParty):
		return "You are not in a party."
	case errors.Is(err, session.ErrNoKey):
		return "There is no Gemini key to check: paste one first."
	case errors.Is(err, session.ErrNotHost):
		return "Only the host can end the party."
	case errors.Is(err, session.ErrClosed):
		return "Concordia is closing."
	case errors.Is(err, session.ErrEmptyPrompt):
		return "The prompt is empty."
	case errors.Is(err, session.ErrPromptTooLarge):
		return fmt.Sprintf("The prompt is too long: the limit is %d bytes.", wire.MaxPromptBytes)
	case errors.Is(err, agent.ErrNotInstalled):
		return "Claude Code was not found. " + installHint
	case errors.Is(err, host.ErrNoKey):
		return "No Gemini key is set. Add a key in Settings, or choose the auto or local merger."
	case errors.Is(err, client.ErrFingerprint):
		return "The host's certificate does not match the fingerprint in the invite, so Concordia did not connect. Ask the host for a new invite; if it is new, someone may be intercepting the connection."
	case errors.Is(err, client.ErrRefused) && errors.As(err, &cut):
		return "The host refused this invite; " + string(cut) + "."
	case errors.Is(err, client.ErrRefused):
		return "The host refused this invite: the host has made new invites since (old links stop working), the party it was for has ended (another may run at that address now), or its token is wrong. Ask the host for the current invite."
	case errors.Is(err, errPromptUnanswered):
		// Not "the connection was lost" alone: the text stays in the box, and people sent
		// it again though the host had it.
		return "No answer came for this prompt, so it may have reached the host. If it does not show up in the party, send it again."
	case errors.Is(err, errJoinCancelled):
		return "You cancelled the join."
	case errors.Is(err, client.ErrFullForViewers):
		return "The party has no room for more viewers: its last places are kept for participants. Ask a host for the participant invite, or to make room, then try again."
	case errors.Is(err, client.ErrPlaceLost):
		return "The party is full: your place went to someone else while you were away (a place is kept two minutes after a lost connection). Ask a host to make room, then try again."
	case errors.Is(err, client.ErrFull):
		return "The party is full: it has as many members as its host allows. Ask a host to make room, then try again."
	case errors.Is(err, client.ErrEnded), errors.Is(err, party.ErrClosed):
		return "The party has ended."
	case errors.Is(err, client.ErrReplaced):
		return "You joined this party again from somewhere else."
	case errors.Is(err, client.ErrKicked):
		return "A host removed you from the party."
	case errors.Is(err, party.ErrNotShared):
		return capitalize(punctuate(after(err.Error(), party.ErrNotShared.Error()+": ")))
	case errors.Is(err, workspace.ErrPath):
		return capitalize(punctuate(after(err.Error(), workspace.ErrPath.Error()+": ")))
	case errors.As(err, &unchanged):
		return punctuate(unchanged.Error()) // not "No such file": it is there, unchanged
	case errors.Is(err, workspace.ErrNotFound):
		return capitalize(punctuate(workspace.ErrNotFound.Error() + ": " + after(err.Error(), workspace.ErrNotFound.Error()+": ")))
	case errors.Is(err, party.ErrNotAllowed):
		return notAllowed(err.Error())
	case errors.Is(err, party.ErrInvalid):
		return capitalize(punctuate(after(err.Error(), party.ErrInvalid.Error()+": ")))
	case errors.Is(err, client.ErrNotConnected):
		return "Not connected to the host right now; Concordia is reconnecting. Try again in a moment."
	case errors.Is(err, client.ErrPlainHost):
		return "The address in the invite answers without encryption, but the invite has a ?fp= part, so Concordia did not connect: either the party was restarted without encryption (ask the host for the current invite), or what listens there is not a Concordia party."
	case errors.Is(err, client.ErrTLSHost):
		return "This host uses encryption; the link is missing its ?fp= part — was it cut off? Copy the whole invite again: it ends in ?fp= and 64 letters and digits."
	case errors.Is(err, invite.ErrCutShort):
		return capitalize(punctuate(after(err.Error(), invite.ErrInvalid.Error()+": ")))
	case errors.Is(err, client.ErrNoAnswer):
		// Not the firewall's advice of ErrUnreachable, which it comes wrapped in: something
		// took the connection (a host stopped with SIGSTOP, or hung).
		return "The host took the connection but did not answer: is the party's program stopped or hung? Check with the host that the party is still running."
	case errors.Is(err, client.ErrUnreachable):
		return "Cannot reach the host" + netDetail(err) + ". Check that the party is still running and that this computer can reach the host's address (same network, no firewall in the way)."
	case errors.As(err, &limited): // the host's own window
		return rateLimited(limited.Limit, limited.RetryAfter, limited.Why)
	case errors.Is(err, party.ErrRateLimited):
		return "You are sending prompts too fast; wait a moment."
	case errors.Is(err, party.ErrTooLarge):
		return fmt.Sprintf("The prompt is too long: the limit is %d bytes.", wire.MaxPromptBytes)
	case errors.As(err, &rerr):
		switch rerr.Code {
		case wire.CodeRateLimited:
			var data wire.RateLimitedData
			if raw, ok := rerr.Data.(json.RawMessage); ok && json.Unmarshal(raw, &data) == nil && data.Limit != "" {
				return rateLimited(data.Limit, time.Duration(max(data.RetryAfterMS, 0))*time.Millisecond, after(rerr.Message, party.ErrRateLimited.Error()+": "))
			}
			return "You are sending prompts too fast; wait a moment." // a host from before 2026-12-07 sends no data
		case wire.CodeTooLarge:
			return fmt.Sprintf("The prompt is too long: the limit is %d bytes.", wire.MaxPromptBytes)
		case wire.CodeUnauthorized:
			return "The host no longer accepts you in this party."
		case wire.CodeNotAllowed:
			if strings.Contains(rerr.Message, party.ErrNotShared.Error()+": ") {
				return capitalize(punctuate(after(rerr.Message, party.ErrNotShared.Error()+": ")))
			}
			return notAllowed(rerr.Message)
		case rpc.CodeInvalidParams:
			// A joined member's refusal of a path reads as the host's own: "path refused: "
			// went with it (a reviewer's).
			return capitalize(punctuate(after(after(rerr.Message, party.ErrInvalid.Error()+": "), workspace.ErrPath.Error()+": ")))
		}
		return "The host refused: " + punctuate(rerr.Message)
	case errors.Is(err, rpc.ErrClosed):
		return "The connection to the host was lost."
	case errors.Is(err, keysave.ErrRefused):
		return "Google " + merge.Reason(err) + ", so it was not saved." + keyWords(err, givePasted)
	case errors.Is(err, keysave.ErrTooShort):
		return capitalize(punctuate(keysave.ErrTooShort.Error()))
	case errors.Is(err, secrets.ErrEmptyKey):
		return "The key is empty."
	case errors.Is(err, secrets.ErrInvalidKey):
		return "The key must be one line of printable characters."
	case errors.Is(err, secrets.ErrVerify):
		return "The OS keyring did not give back the key that was written to it; the key may not be stored."
	case errors.Is(err, secrets.ErrUnavailable):
		return "The OS keyring cannot be used: " + punctuate(keyringReason(err))
	case errors.Is(err, context.DeadlineExceeded):
		return "This took too long and was given up."
	}
	if errors.As(err, &he) {
		return "The party could not start: " + punctuate(err.Error())
	}
	return capitalize(punctuate(err.Error()))
}

// rateLimited is the sentence for a prompt refused as rate limited, by the limit it met
// (wire.RateLimitedData, PROTOCOL.md §6): retry is how soon a try may pass (0: not known),
// why the host's words after "rate limited: ". "Wait a moment" was said of a full queue,
// which no wait empties, and of a minute's bytes (a reviewer's).
func rateLimited(limit string, retry time.Duration, why string) string {
	again := "try again in a moment"
	if retry > 0 {
		again = fmt.Sprintf("try again in %d s", max(1, int((retry+time.Second-1)/time.Second)))
	}
	switch limit {
	case wire.LimitBurst, wire.LimitRequests:
		return "You are sending prompts too fast: " + again + "."
	case wire.LimitQueue:
		// The host's count ("200 prompts are already waiting", "12 prompts from your
		// address are already waiting, at most …"), up to its first clause.
		waiting := "Too many prompts are already waiting"
		first := why
		if i := strings.IndexAny(why, ",;"); i >= 0 {
			first = why[:i]
		}
		if first = strings.TrimSpace(first); strings.Contains(first, "already waiting") {
			waiting = capitalize(first)
		}
		return waiting + ": it can be sent once a batch goes."
	case wire.LimitBytes:
		said := "You sent more prompt text in the last minute than the party takes"
		if w := strings.TrimSpace(why); w != "" {
			said = capitalize(strings.TrimSuffix(w, "."))
		}
		if retry <= 0 {
			again = "try again in a minute"
		}
		return said + ": " + again + "."
	}
	return "You are sending prompts too fast; wait a moment."
}

// notAllowed is a refusal for the member's role: the party's own sentence when it says
// more than that a host is needed ("only its author or a host can withdraw a prompt",
// "viewers watch the party…").
func notAllowed(msg string) string {
	detail := after(msg, party.ErrNotAllowed.Error()+": ")
	if detail == msg || detail == "" || strings.HasPrefix(detail, "only a host") {
		return "Only a host can do this."
	}
	return capitalize(punctuate(detail))
}

// describeKeyCheck says what Google answered about the key from src (CheckKey), with the
// way on for each answer.
func describeKeyCheck(src secrets.Source, model string, err error) KeyCheck {
	which, give := "this key", givePasted
	if src == secrets.SourceEnv {
		which, give = "the key in GEMINI_API_KEY", giveEnv
	}
	switch {
	case err == nil:
		return KeyCheck{Result: "accepted", Text: capitalize("Google accepted " + which + ".")}
	case errors.Is(err, merge.ErrKeyDenied):
		// A key Google knows, refused for this use: pasting it again cannot help.
		return KeyCheck{Result: "refused", Denied: true, Text: "Google " + merge.Reason(err) + ", so prompts are merged locally." + keyWords(err, give)}
	case errors.Is(err, merge.ErrInvalidKey):
		return KeyCheck{Result: "refused", Text: "Google " + merge.Reason(err) + ", so prompts are merged locally." + keyWords(err, give)}
	case errors.Is(err, merge.ErrRejected):
		return KeyCheck{Result: "rejected", Text: fmt.Sprintf("Google %s for the model %s; the key itself may be fine.", merge.Reason(err), model)}
	default:
		return KeyCheck{Result: "unavailable", Text: fmt.Sprintf("Could not check the key with Google: %s. The key is kept; check again later.", merge.Reason(err))}
	}
}

// How the window is given a key, ending the words that ask for one (merge.KeyWords): the
// key's field is beside every sentence about a stored key (Settings).
const (
	givePasted = "paste it here"
	giveEnv    = "start Concordia with GEMINI_API_KEY set to it"
)

// keyWords is what follows a sentence saying that Google refused a key: Google's own
// words and what helps (merge.KeyWords, give saying how a key is given), each sentence
// ended, after a space; "" when there is nothing to add.
func keyWords(err error, give string) string {
	w := merge.KeyWords(err, func(s string) string { return "“" + strings.TrimSuffix(s, ".") + ".”" }, give)
	if w == "" {
		return ""
	}
	if !strings.HasSuffix(w, "”") { // Google's words end their own sentence
		w = punctuate(w)
	}
	return " " + w
}

// pathError is an error about a file of the working folder, whose sentence may start with
// its name: the name stays as it is ("Src/app.go was made from…" named another file, a
// tester's).
type pathError struct {
	path string
	err  error
}

func (e pathError) Error() string { return e.err.Error() }
func (e pathError) Unwrap() error { return e.err }

// aboutPath makes err (nil stays nil) a pathError about path.
func aboutPath(path string, err error) error {
	if err == nil || path == "" {
		return err
	}
	return pathError{path: path, err: err}
}

// describe is the sentence for an error in a window event (party:status, party:ended).
func describe(err error) string {
	if errors.Is(err, client.ErrUnreachable) || errors.Is(err, client.ErrEnded) ||
		errors.Is(err, client.ErrRefused) || errors.Is(err, client.ErrFingerprint) ||
		errors.Is(err, client.ErrFull) || errors.Is(err, client.ErrReplaced) || errors.Is(err, client.ErrKicked) ||
		errors.Is(err, client.ErrTLSHost) || errors.Is(err, client.ErrPlainHost) {
		return sentence(err)
	}
	return "The connection to the host was lost."
}

// after is what follows the last marker in msg (all of msg when there is none): the
// detail of a wrapped sentinel, without the operation names before it.
func after(msg, marker string) string {
	if i := strings.LastIndex(msg, marker); i >= 0 {
		return msg[i+len(marker):]
	}
	return msg
}

// netDetail names the network failure briefly: " (connection refused)".
func netDetail(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Sprintf(" (the name %q is not known)", dns.Name)
	}
	// A dial or handshake that timed out reads the same whichever deadline ran out (it read
	// "i/o timeout" from the socket's and "no answer in time" from the context's).
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return " (no answer in time)"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		msg := op.Err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return " (" + msg + ")"
	}
	return ""
}

// keyringReason is why the keyring is unavailable, without the wrapping.
func keyringReason(err error) string {
	const marker = "OS keyring unavailable"
	msg := err.Error()
	if i := strings.Index(msg, marker); i >= 0 {
		msg = strings.TrimSpace(strings.TrimPrefix(msg[i+len(marker):], ":"))
	}
	return msg
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func punctuate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}
