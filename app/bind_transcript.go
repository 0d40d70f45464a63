package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

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
	path, err := sh.SaveFile(transcriptDir(home), transcriptName(tr.Party.Host, time.Now()), "Save the transcript as Markdown")
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

// ExportParty asks where to save the transcript of one of the recent parties (its id as
// RecentParties lists it: ended, stopped or running) and writes it there as Markdown from
// its journal, as `concordia export` does. It returns the path, or "" when the person
// cancelled. Forget's warning said a forgotten party could no longer be exported while the
// window offered no export but in an ended party's view (a window tester's).
func (a *App) ExportParty(id string) (string, error) {
	id = strings.TrimSpace(id)
	src, err := a.session.ExportParty(id)
	if err != nil {
		return "", a.fail("export party", err)
	}
	sh := a.currentShell()
	if sh == nil {
		return "", errors.New("The window is not ready yet.")
	}
	home, _ := os.UserHomeDir()
	path, err := sh.SaveFile(transcriptDir(home), transcriptName(src.Summary.Header.Host, time.Now()), "Export the party's transcript as Markdown")
	if err != nil {
		return "", a.fail("export party", err)
	}
	if path == "" {
		return "", nil
	}
	if inFolder(path, a.session.JournalDir()) {
		return "", errors.New("That folder keeps the parties' journals: save the transcript somewhere else.")
	}
	if err := writeWhole(path, func(w io.Writer) error { return src.WriteMarkdown(context.Background(), w, id) }); err != nil {
		return "", a.fail("export party", err)
	}
	return path, nil
}

// inFolder says whether path is in dir or under it ("" dir: no).
func inFolder(path, dir string) bool {
	if dir == "" {
		return false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(dir, filepath.Dir(abs))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// writeWhole writes path with write's bytes: into a file beside it, put in its place once
// written whole, so that a failed export leaves a file already there as it was.
func writeWhole(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".concordia-export-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
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

// transcriptName is the file name the save dialog proposes for host's party:
// "concordia-hazel-2025-03-01-1405.md".
func transcriptName(hostName string, now time.Time) string {
	host := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' {
			return unicode.ToLower(r)
		}
		return '-'
	}, hostName)
	if host = strings.Trim(host, "-"); host == "" {
		host = "party"
	}
	return fmt.Sprintf("concordia-%s-%s.md", host, now.Format("2006-01-02-1504"))
}

// DismissParty forgets the transcript of a party that ended (the person went home).
func (a *App) DismissParty() {
	a.session.Forget()
}
