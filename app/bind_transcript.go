package app

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/transcript"
)

// ---- the transcript -------------------------------------------------------------

// SaveTranscript asks where to save the party's transcript (the current party, or the one
// that just ended) and writes it there as Markdown. It returns the path, or "" when the
// person cancelled.
func (a *App) SaveTranscript() (string, error) {
	tr, err := a.session.Transcript()
	if err != nil {
		return "", a.fail("save transcript", err)
	}
	sh := a.currentShell()
	if sh == nil {
		return "", errors.New("The window is not ready yet.")
	}
	home, _ := os.UserHomeDir()
	path, err := sh.SaveFile(transcriptDir(home), transcriptName(tr, time.Now()), "Save the transcript as Markdown")
	if err != nil {
		return "", a.fail("save transcript", err)
	}
	if path == "" {
		return "", nil
	}
	var b bytes.Buffer
	meta := transcript.Meta{Host: tr.Party.Host, Party: tr.Party.ID, Agent: tr.Party.Agent, Saved: time.Now(), Ended: endedFor(tr.Ended, tr.You.Name), Viewer: tr.You.Name}
	if err := transcript.Markdown(&b, meta, tr.Events); err != nil {
		return "", a.fail("save transcript", err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return "", a.fail("save transcript", fmt.Errorf("write %s: %w", path, err))
	}
	return path, nil
}

// endedFor says the window's end reason ("you ended the party") with the person's name, for
// a file others read: "you" there is whoever opens it (a tester's).
func endedFor(reason, name string) string {
	if name == "" {
		return reason
	}
	if rest, ok := strings.CutPrefix(reason, "you "); ok {
		return name + " " + rest
	}
	return strings.Replace(reason, " removed you ", " removed "+name+" ", 1)
}

// transcriptDir is the folder the save dialog opens in: the Documents folder in home when
// there is one, else home; not the party's working folder (unless it is one of those): a
// transcript saved there is in the agent's folder, and after a resume it showed in Changes
// as if the agent had made it.
func transcriptDir(home string) string {
	if home == "" {
		return ""
	}
	docs := filepath.Join(home, "Documents")
	if st, err := os.Stat(docs); err == nil && st.IsDir() {
		return docs
	}
	return home
}

// transcriptName is the file name the save dialog proposes: "concordia-hazel-2025-03-01.md".
func transcriptName(tr session.Transcript, now time.Time) string {
	host := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' {
			return unicode.ToLower(r)
		}
		return '-'
	}, tr.Party.Host)
	if host = strings.Trim(host, "-"); host == "" {
		host = "party"
	}
	return fmt.Sprintf("concordia-%s-%s.md", host, now.Format("2006-01-02-1504"))
}

// DismissParty forgets the transcript of a party that ended (the person went home).
func (a *App) DismissParty() {
	a.session.Forget()
}
