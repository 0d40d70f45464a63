package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

func TestWorkspaceBindings(t *testing.T) {
	f := newFixture(t)
	if _, err := f.app.Changes(); err == nil || err.Error() != "You are not in a party." {
		t.Fatalf("Changes without a party = %v", err)
	}
	if _, err := f.app.CreateParty(CreateRequest{Name: "hana", ShareWorkspace: "all"}); err == nil || !strings.Contains(err.Error(), "off, changes or tree") {
		t.Fatalf("CreateParty with a bad level = %v", err)
	}
	// A folder of its own: the fixture's settings folder holds the data directory.
	workdir := t.TempDir()
	info, err := f.app.CreateParty(CreateRequest{Name: "hana", Workdir: workdir, PermissionMode: "all"}) // "" takes the setting: changes
	if err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	if info.Party.Workspace != wire.WorkspaceChanges {
		t.Fatalf("workspace = %q", info.Party.Workspace)
	}
	if _, err := f.app.SendPrompt("FAKE_FS=w:a.txt"); err != nil {
		t.Fatal(err)
	}
	f.waitEvent(t, "a changes event", func(e wire.Event) bool { return e.Kind == wire.KindChanges && len(e.Files) > 0 })
	res, err := f.app.Changes()
	if err != nil || len(res.Files) != 1 || res.Files[0].Path != "a.txt" || res.Files[0].Status != "added" {
		t.Fatalf("Changes = %+v, %v", res, err)
	}
	d, err := f.app.Diff("a.txt")
	if err != nil || !strings.Contains(d.Diff, "+hello from the agent") {
		t.Fatalf("Diff = %+v, %v", d, err)
	}
	if _, err := f.app.Diff("../x"); err == nil || err.Error() != `"../x" has a ".." in it; name the file from the working directory down, without "..".` {
		t.Fatalf("Diff(../x) = %v", err)
	}
	// A sentence that starts with the file's name keeps it as it is (a tester's read
	// "Src/app.go was made from…").
	if err := os.WriteFile(filepath.Join(workdir, ".gitignore"), []byte("build/\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Diff("build/out.txt"); err == nil || err.Error() != "build/out.txt is ignored (by a .gitignore, or the host's own ignore files)." {
		t.Fatalf("Diff(build/out.txt) = %v", err)
	}
	if _, err := f.app.Tree(""); err == nil || err.Error() != "The host shares the changes, not the whole folder." {
		t.Fatalf("Tree with changes shared = %v", err)
	}
	if err := f.app.SetWorkspace("tree"); err != nil {
		t.Fatalf("SetWorkspace: %v", err)
	}
	tr, err := f.app.Tree("")
	if err != nil || len(tr.Entries) == 0 {
		t.Fatalf("Tree = %+v, %v", tr, err)
	}
	if err := f.app.SetWorkspace("sometimes"); err == nil || !strings.Contains(err.Error(), "off, changes or tree") {
		t.Fatalf("SetWorkspace(sometimes) = %v", err)
	}
}

func TestSaveTranscriptAfterTheEnd(t *testing.T) {
	f := newFixture(t)
	if _, err := f.app.SaveTranscript(); err == nil || err.Error() != "You are not in a party." {
		t.Fatalf("SaveTranscript without a party = %v", err)
	}
	if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	if _, err := f.app.SendPrompt("write it down"); err != nil {
		t.Fatal(err)
	}
	f.waitEvent(t, "the turn", func(e wire.Event) bool { return e.Kind == wire.KindTurn })
	if err := f.app.EndParty(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "party:ended", func() bool { return len(f.shell.events(session.EventPartyEnded)) > 0 })

	// Cancelled: nothing written.
	if path, err := f.app.SaveTranscript(); err != nil || path != "" {
		t.Fatalf("SaveTranscript cancelled = %q, %v", path, err)
	}
	if !strings.HasPrefix(f.shell.saveName, "concordia-hana-") || !strings.HasSuffix(f.shell.saveName, ".md") {
		t.Fatalf("proposed name %q", f.shell.saveName)
	}
	// Not in the party's working folder (the agent's: a tester saw the file in Changes after
	// a resume), but in Documents or the home folder.
	home, _ := os.UserHomeDir()
	if s, _ := f.app.GetSettings(); f.shell.saveDir != transcriptDir(home) || f.shell.saveDir == s.Workdir {
		t.Fatalf("the save dialog opened in %q, want %q (the working folder is %q)", f.shell.saveDir, transcriptDir(home), s.Workdir)
	}
	out := filepath.Join(t.TempDir(), "party.md")
	f.shell.savePath = out
	path, err := f.app.SaveTranscript()
	if err != nil || path != out {
		t.Fatalf("SaveTranscript = %q, %v", path, err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{"# hana's party", "**How it ended:** hana ended the party", "**hana** asked", "write it down", "**Claude Code:**\n\necho: write it down", "**Done** in"} {
		if !strings.Contains(md, want) {
			t.Fatalf("transcript lacks %q:\n%s", want, md)
		}
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Fatalf("transcript mode %v", fi.Mode().Perm())
	}

	f.app.DismissParty()
	if _, err := f.app.SaveTranscript(); err == nil || err.Error() != "You are not in a party." {
		t.Fatalf("SaveTranscript after DismissParty = %v", err)
	}
}

func TestTranscriptDir(t *testing.T) {
	home := t.TempDir()
	if got := transcriptDir(home); got != home {
		t.Errorf("transcriptDir without Documents = %q, want the home folder %q", got, home)
	}
	docs := filepath.Join(home, "Documents")
	if err := os.Mkdir(docs, 0o700); err != nil {
		t.Fatal(err)
	}
	if got := transcriptDir(home); got != docs {
		t.Errorf("transcriptDir = %q, want %q", got, docs)
	}
	if got := transcriptDir(""); got != "" {
		t.Errorf(`transcriptDir("") = %q, want "" (the dialog's own choice)`, got)
	}
}

func TestTranscriptName(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 5, 0, 0, time.Local)
	for _, tt := range []struct{ host, want string }{
		{"hana", "concordia-hana-2025-03-01-0905.md"},
		{"Ann Lee/../x", "concordia-ann-lee----x-2025-03-01-0905.md"},
		{"", "concordia-party-2025-03-01-0905.md"},
	} {
		if got := transcriptName(tt.host, at); got != tt.want {
			t.Errorf("transcriptName(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

// TestPathSentences: a refusal that starts with a file's name keeps it as it is, for the
// host's own party and for a joined member, whose refusal comes over the wire ("path
// refused: …" went with it); a sentence that only starts with the letters of the path is
// not taken for it (a reviewer's "Not connected…" of the path "no").
func TestPathSentences(t *testing.T) {
	for _, tc := range []struct {
		path string
		err  error
		want string
	}{
		{"build/out.txt", &rpc.Error{Code: rpc.CodeInvalidParams, Message: "path refused: build/out.txt is ignored (by a .gitignore, or the host's own ignore files)"}, "build/out.txt is ignored (by a .gitignore, or the host's own ignore files)."},
		{"./src/app.go", fmt.Errorf("%w: src/app.go is a copy of a file that usually holds secrets (or that file renamed): its diff is not shown", workspace.ErrPath), "src/app.go is a copy of a file that usually holds secrets (or that file renamed): its diff is not shown."},
		// (The window drops this toast once connected again by its words: frontend notices.ts OFFLINE_WORDS.)
		{"no", client.ErrNotConnected, "Not connected to the host right now; Concordia is reconnecting. Try again in a moment."},
		{"t", fmt.Errorf("%w: the host shares the changes, not the whole folder", party.ErrNotShared), "The host shares the changes, not the whole folder."},
	} {
		if got := sentence(aboutPath(tc.path, tc.err)); got != tc.want {
			t.Errorf("sentence(%q, %v) = %q, want %q", tc.path, tc.err, got, tc.want)
		}
	}
}

// ExportParty writes a recent party's transcript from its journal, as `concordia export`
// does: Forget's warning said a forgotten party could no longer be exported, while the
// window offered no export of a kept one (a window tester's). Never into the folder of the
// journals; an unknown party is said so.
func TestExportRecentParty(t *testing.T) {
	f := newFixture(t)
	if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	if _, err := f.app.SendPrompt("FAKE_FS=w:made.txt"); err != nil {
		t.Fatal(err)
	}
	f.waitEvent(t, "the turn's list", func(e wire.Event) bool {
		return e.Kind == wire.KindChanges && slices.ContainsFunc(e.Files, func(c wire.FileChange) bool { return c.Path == "made.txt" })
	})
	if err := f.app.EndParty(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "party:ended", func() bool { return len(f.shell.events(session.EventPartyEnded)) > 0 })
	f.app.DismissParty()
	list, err := f.app.RecentParties()
	if err != nil || len(list) != 1 {
		t.Fatalf("RecentParties = %+v, %v", list, err)
	}
	id := list[0].ID

	if path, err := f.app.ExportParty(id); err != nil || path != "" { // cancelled
		t.Fatalf("ExportParty cancelled = %q, %v", path, err)
	}
	if !strings.HasPrefix(f.shell.saveName, "concordia-hana-") || !strings.HasSuffix(f.shell.saveName, ".md") {
		t.Fatalf("proposed name %q", f.shell.saveName)
	}
	out := filepath.Join(t.TempDir(), "party.md")
	f.shell.savePath = out
	path, err := f.app.ExportParty(id)
	if err != nil || path != out {
		t.Fatalf("ExportParty = %q, %v", path, err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{"# hana's party", "Party `" + id + "`", "**How it ended:** the host ended the party", "**hana** asked", "**Done** in",
		"*Files changed during this turn:* `made.txt`", "## Files changed in the working directory"} {
		if !strings.Contains(md, want) {
			t.Fatalf("transcript lacks %q:\n%s", want, md)
		}
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Fatalf("transcript mode %v", fi.Mode().Perm())
	}

	journals := f.app.session.JournalDir()
	f.shell.savePath = filepath.Join(journals, id+".jsonl")
	if _, err := f.app.ExportParty(id); err == nil || !strings.Contains(err.Error(), "keeps the parties' journals") {
		t.Fatalf("ExportParty over the journal = %v", err)
	}
	if again, err := f.app.RecentParties(); err != nil || len(again) != 1 {
		t.Fatalf("the journal after an export refused: %+v, %v", again, err)
	}
	if _, err := f.app.ExportParty("0123456789ab"); err == nil || err.Error() != "This party is no longer in the data directory." {
		t.Fatalf("ExportParty of no party = %v", err)
	}
}
