package cli

// Where `concordia join` reads its invite from: the argument, stdin ("-", also an invite a
// narrow terminal cut into lines), --invite-file, or CONCORDIA_INVITE.

import (
	"bufio"
	"errors"
	"fmt"
	stdio "io"
	"os"
	"strings"

	"github.com/concordia-party/concordia/internal/invite"
)

// maxInviteFile is as much of an --invite-file as is read: an invite, with room for a
// message around it; as much as an invite is looked for in.
const maxInviteFile = invite.MaxText

// readAtMost reads up to n bytes of a file.
func readAtMost(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return stdio.ReadAll(stdio.LimitReader(f, n))
}

// readInvite finds the invite: the argument, "-" for stdin's first line, --invite-file (the file),
// or CONCORDIA_INVITE, so the token need not stand in the process list. It returns the
// input left for prompts (stdin after the invite's line).
func readInvite(pos []string, file string, io IO) (string, stdio.Reader, error) {
	switch {
	case file != "":
		b, err := readAtMost(file, maxInviteFile)
		if err != nil {
			return "", nil, fmt.Errorf("cannot read the invite file: %w", err)
		}
		// The whole file: invite.Parse finds the link in it, also one a terminal cut into
		// lines at its width (copied from /invite in a narrow terminal).
		return strings.TrimSpace(string(b)), io.In, nil
	case len(pos) > 0 && pos[0] == "-":
		f, isFile := io.In.(*os.File)
		person := isFile && inForeground(f)
		if person {
			// A person at a terminal: say what is waited for (it waited in silence, and a
			// tester's /who was taken for the invite).
			fmt.Fprintln(io.Err, "[system] paste the invite (concordia://…) and press Enter")
		}
		r := bufio.NewReader(io.In)
		line, err := readLine(r)
		if errors.Is(err, errLongLine) {
			return "", nil, fmt.Errorf("expected the invite on stdin's first line, got a line longer than any invite (more than %d bytes)", maxInviteFile)
		}
		if strings.TrimSpace(line) == "" {
			return "", nil, fmt.Errorf("expected the invite on stdin's first line, got nothing (%v)", err)
		}
		line, err, lead := linkLine(line, err, r, io)
		var text, back string
		if lead != "" && !strings.Contains(strings.ToLower(line), "concordia://") {
			// Several lines, none with a link: not a cut link, whose pieces follow.
			n := strings.Count(lead+line, "\n")
			if !strings.HasSuffix(line, "\n") {
				n++
			}
			if person {
				leftOut("", r, f)
			}
			return "", nil, fmt.Errorf("no invite (concordia://HOST:PORT/TOKEN) in the %d lines read from stdin", n)
		}
		text, back = inviteLines(strings.TrimSpace(line), err, r, io)
		if person {
			// What else was pasted with the invite is the message around it ("Thanks,
			// Hana"), not prompts; and were join to fail, the shell would run each line of
			// it (a tester's). The rest of the paste is read and left out.
			switch n := leftOut(back, r, f); {
			case n == 1:
				fmt.Fprintln(io.Err, "[system] 1 line pasted with the invite was left out")
			case n > 1:
				fmt.Fprintf(io.Err, "[system] %d lines pasted with the invite were left out\n", n)
			}
			back = ""
		}
		// What follows the invite is typed prompts: read them from r, which holds what it
		// buffered (after a line read too many, given back).
		var rest stdio.Reader = r
		if back != "" {
			rest = stdio.MultiReader(strings.NewReader(back), r)
		} else if f, ok := io.In.(*os.File); ok && r.Buffered() == 0 {
			rest = f // keeps the terminal, so the line editor can run on it
		}
		return text, rest, nil
	case len(pos) > 0:
		return pos[0], io.In, nil
	}
	return strings.TrimSpace(io.Getenv("CONCORDIA_INVITE")), io.In, nil
}

// maxLeadLines is how many lines "join -" reads for a link when the first has none: a
// chat message pasted whole ("Hi Carol! Here's the link for today:"), its link lines later.
const maxLeadLines = 20

// linkLine finds the first line that holds a link when the first line read (line, its
// read's err) holds none: it reads on while more input is there now (a paste comes at
// once), up to maxLeadLines. It returns that line and its read's error, and lead: the
// lines before it, "" when the first line was kept. Without a link in any, lead is all
// that was read but the last line, which is returned.
func linkLine(line string, err error, r *bufio.Reader, io IO) (string, error, string) {
	lead := ""
	for i := 0; i < maxLeadLines && err == nil && !strings.Contains(strings.ToLower(line), "concordia://") && pendingInput(r, io.In); i++ {
		lead += line
		line, err = readLine(r)
	}
	return line, err, lead
}

// leftOut reads and drops what a person pasted with an invite: back, and what more is
// there to read at once (at most maxInviteFile). It returns how many lines of words that
// was (blank ones are not counted: a reviewer's read "3 lines" of one).
func leftOut(back string, r *bufio.Reader, f *os.File) int {
	n := 0
	for _, l := range strings.Split(back, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	for read := 0; read < maxInviteFile && pendingInput(r, f); {
		line, err := readLine(r)
		read += len(line)
		if strings.TrimSpace(line) != "" {
			n++
		}
		if err != nil {
			break
		}
	}
	return n
}

// maxInviteLines is how many lines "join -" reads for one invite: a TLS invite (about 140
// characters) cut at a terminal's width of 40 or more.
const maxInviteLines = 4

// inviteLines reads the rest of an invite that a terminal cut into lines at its width
// (copied from /invite or the host's first lines in a narrow terminal). While the link read
// so far does not parse, or its token is shorter than our hosts make, or it has no ?fp=
// and the next line may be it, a next line that can be a piece of a link (one word of a
// link's characters) is added. The lines added are kept only if they make the link whole;
// otherwise, when the first line was a link on its own (another host may make shorter
// tokens), they are given back as the first prompts, as is any line that is not a piece.
// Input that is not there yet is not waited for, except on a terminal while the link does
// not parse or is short: it is asked for the rest. first is the first line, err its read's.
func inviteLines(first string, err error, r *bufio.Reader, io IO) (text, back string) {
	text = first
	firstInv, firstErr := invite.Parse(first)
	var read []string    // the lines read after the first, as read
	best, bestN := "", 0 // the most lines that made a better invite than the first line's
	asked := false
	for len(read) < maxInviteLines-1 && err == nil {
		short := cutShort(text)
		if !short && !mayHaveFingerprintNext(text) {
			break
		}
		if !pendingInput(r, io.In) {
			f, ok := io.In.(*os.File)
			if !short || !ok || !inForeground(f) {
				break // nothing more to read now, and nobody to ask
			}
			if !asked {
				fmt.Fprintln(io.Err, "[system] "+askRest(text))
				asked = true
			}
		}
		var line string
		line, err = readLine(r)
		next := strings.TrimSpace(line)
		if next == "" {
			break // Enter: as it is
		}
		if strings.IndexFunc(next, notInALink) >= 0 {
			// The invite's last piece with words after it ("…Q8?fp=… see you at 3", copied
			// with the message around it): a first word that makes the link whole, ?fp= and
			// all, ends it, and the rest of that line is the message's, not a prompt. Only
			// where the first line was no link yet, or the link has a ?fp=: after another
			// host's whole link with a shorter token, a prompt ("documentation needs a fix")
			// must keep its first word (a reviewer's).
			if word := strings.Fields(next)[0]; (firstErr != nil || strings.Contains(strings.ToLower(text+word), "?fp=")) &&
				strings.IndexFunc(word, notInALink) < 0 && betterInvite(firstInv, firstErr, text+"\n"+word) {
				return text + "\n" + word, ""
			}
			back = line
			break
		}
		read = append(read, line)
		text += "\n" + next // invite.Parse takes the line breaks out
		if betterInvite(firstInv, firstErr, text) {
			best, bestN = text, len(read)
		}
	}
	switch {
	case best != "":
		return best, strings.Join(read[bestN:], "") + back
	case firstErr == nil:
		return first, strings.Join(read, "") + back
	}
	return text, back // no link yet: the error names what is wrong with all of it
}

// askRest is what a person who pasted text, an invite that looks cut short, is asked: the
// rest of it, and Enter tries it as it is only where it parses (another host may make
// shorter tokens). A link that cannot parse cannot work: offered to try one, a tester's
// Enter was refused at once ("token too short").
func askRest(text string) string {
	if _, err := invite.Parse(text); err == nil {
		return "the invite looks cut short; paste the rest of it, or press Enter to try it as it is"
	}
	return "the invite is cut short; paste the rest of it"
}

// mayHaveFingerprintNext: text is a whole link without ?fp=, which a terminal may have cut
// off onto the next line just after the token.
func mayHaveFingerprintNext(text string) bool {
	inv, err := invite.Parse(text)
	return err == nil && inv.Fingerprint == "" && invite.CheckComplete(inv) == nil && strings.Contains(strings.ToLower(text), "concordia://")
}

// betterInvite says whether text reads as a more complete invite than the first line (first,
// or firstErr when it was no link): it parses, with a whole token, and the first line did
// not, or had a short token, or had no fingerprint where text has one.
func betterInvite(first invite.Invite, firstErr error, text string) bool {
	inv, err := invite.Parse(text)
	if err != nil || invite.CheckComplete(inv) != nil {
		return false
	}
	return firstErr != nil || invite.CheckComplete(first) != nil || inv.Fingerprint != "" && first.Fingerprint == ""
}

// pendingInput says whether more input is there to read now: buffered, or (a terminal or
// pipe) readable within a moment — a paste arrives at once; a person typing does not.
func pendingInput(r *bufio.Reader, in stdio.Reader) bool {
	if r.Buffered() > 0 {
		return true
	}
	f, ok := in.(*os.File)
	return ok && readableSoon(f)
}

// cutShort says whether text looks like an invite cut short: a concordia:// link that
// does not parse and ends where a cut would leave it (in its host or token, in its query's
// "?fp=", or in a fingerprint of fewer than 64 hex digits), or whose token is shorter than
// our hosts make. A link that does not parse for another reason (a character after a whole
// fingerprint) is no cut: told to paste it whole after `join -`, a helper's tester was misled.
func cutShort(text string) bool {
	inv, err := invite.Parse(text)
	if err == nil {
		return errors.Is(invite.CheckComplete(inv), invite.ErrCutShort)
	}
	t := strings.ToLower(strings.Join(strings.Fields(text), "")) // its lines joined, as they are read
	at := strings.Index(t, "concordia://")
	if at < 0 {
		return false
	}
	t = t[at:]
	if i := strings.LastIndex(t, "fp="); i >= 0 {
		fp := t[i+len("fp="):]
		return len(fp) < 64 && strings.Trim(fp, "0123456789abcdef") == ""
	}
	q := strings.LastIndex(t, "?")
	return q < 0 || strings.HasPrefix("fp=", t[q+1:])
}

// notInALink is true of a character no piece of an invite has.
func notInALink(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/?=&%[]", r))
}

// errLongLine: a line of stdin longer than an invite could be.
var errLongLine = errors.New("a line longer than any invite")

// readLine is r's next line as ReadString('\n') gives it, but at most maxInviteFile bytes
// are kept: a longer line is errLongLine, and what was read of it is dropped (a tester's
// `join - </dev/zero` ran out of memory; a 200 MB line was read whole before it was refused).
func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(b)+len(frag) > maxInviteFile {
			return "", errLongLine
		}
		b = append(b, frag...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return string(b), err
		}
	}
}
