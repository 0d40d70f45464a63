package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// changesWith reports whether a changes event lists path.
func changesWith(path string) func(wire.Event) bool {
	return func(ev wire.Event) bool {
		if ev.Kind != wire.KindChanges {
			return false
		}
		for _, f := range ev.Files {
			if f.Path == path {
				return true
			}
		}
		return false
	}
}

// notShared reports whether err is the party's "not shared at this level" (-32002 over
// the network).
func notShared(err error) bool {
	var rerr *rpc.Error
	return errors.Is(err, party.ErrNotShared) || (errors.As(err, &rerr) && rerr.Code == wire.CodeNotAllowed)
}

func TestWorkspaceThroughTheManager(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	req := hostRequest(t)
	req.PermissionMode = "all"
	if err := os.WriteFile(filepath.Join(req.Workdir, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := m.Host(context.Background(), req) // ShareWorkspace "" means changes
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if info.Party.Workspace != wire.WorkspaceChanges || info.Party.CannotShare {
		t.Fatalf("party.workspace = %q, cannot_share %v; want changes (the default)", info.Party.Workspace, info.Party.CannotShare)
	}

	// A participant in another window (Manager) sees the same through its client.
	prec := newRecorder()
	pm := newManager(t, prec, nil)
	if _, err := pm.Join(context.Background(), info.Invite, "bob"); err != nil {
		t.Fatalf("Join: %v", err)
	}

	if _, err := m.Prompt(context.Background(), "FAKE_FS=w:notes/hello.txt,a:main.go"); err != nil {
		t.Fatalf("Prompt: %v", err)
	}
	waitEvent(t, rec, "a changes event with the new file (host)", changesWith("notes/hello.txt"))
	waitEvent(t, prec, "a changes event with the new file (participant)", changesWith("notes/hello.txt"))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for name, mgr := range map[string]*Manager{"host": m, "participant": pm} {
		res, err := mgr.Changes(ctx)
		if err != nil {
			t.Fatalf("%s: Changes: %v", name, err)
		}
		got := map[string]string{}
		for _, f := range res.Files {
			got[f.Path] = f.Status
		}
		if got["notes/hello.txt"] != "added" || got["main.go"] != "modified" {
			t.Fatalf("%s: changes = %+v", name, res.Files)
		}
		d, err := mgr.Diff(ctx, "notes/hello.txt")
		if err != nil || !strings.Contains(d.Diff, "+hello from the agent") {
			t.Fatalf("%s: Diff = %+v, %v", name, d, err)
		}
		if _, err := mgr.Tree(ctx, ""); !notShared(err) {
			t.Fatalf("%s: Tree with changes shared: err = %v, want not shared", name, err)
		}
		if _, err := mgr.Diff(ctx, "../etc/passwd"); err == nil {
			t.Fatalf("%s: a diff outside the folder was answered", name)
		}
	}
	if _, err := m.Diff(ctx, " "); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("Diff of no path: %v", err)
	}

	// Only a host changes the level; the window's own checks come first.
	if err := pm.SetWorkspace(ctx, "tree"); err == nil {
		t.Fatal("a participant changed the sharing level")
	}
	if err := m.SetWorkspace(ctx, "everything"); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("SetWorkspace(everything): %v", err)
	}
	if err := m.SetWorkspace(ctx, " Tree "); err != nil {
		t.Fatalf("SetWorkspace(tree): %v", err)
	}
	waitEvent(t, prec, "a settings event with workspace tree", func(ev wire.Event) bool {
		return ev.Kind == wire.KindSettings && ev.Settings != nil && ev.Settings.Workspace == wire.WorkspaceTree
	})
	for name, mgr := range map[string]*Manager{"host": m, "participant": pm} {
		tr, err := mgr.Tree(ctx, "")
		if err != nil {
			t.Fatalf("%s: Tree: %v", name, err)
		}
		var names []string
		for _, e := range tr.Entries {
			names = append(names, e.Name)
		}
		if !strings.Contains(strings.Join(names, " "), "notes") || !strings.Contains(strings.Join(names, " "), "main.go") {
			t.Fatalf("%s: tree = %+v", name, tr.Entries)
		}
	}
	if err := m.SetWorkspace(ctx, "off"); err != nil {
		t.Fatalf("SetWorkspace(off): %v", err)
	}
	if _, err := pm.Changes(ctx); !notShared(err) {
		t.Fatalf("Changes with sharing off: %v", err)
	}
}

func TestShareWorkspaceOffAtStart(t *testing.T) {
	m := newManager(t, newRecorder(), nil)
	req := hostRequest(t)
	req.ShareWorkspace = "off"
	info, err := m.Host(context.Background(), req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	if info.Party.Workspace != wire.WorkspaceOff || !info.Party.CannotShare {
		t.Fatalf("party.workspace = %q, cannot_share %v (the Share menu says so, not asks)", info.Party.Workspace, info.Party.CannotShare)
	}
	if _, err := m.Changes(context.Background()); !notShared(err) {
		t.Fatalf("Changes: %v", err)
	}
	// A joined window (a co-host's) is told too, by the hello, and offers no level either.
	joined, err := newManager(t, newRecorder(), nil).Join(context.Background(), info.Invite, "bob")
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if !joined.Party.CannotShare {
		t.Fatalf("a joined window's party.cannot_share = false in a party run with sharing off")
	}
	bad := hostRequest(t)
	bad.ShareWorkspace = "all of it"
	if _, err := newManager(t, newRecorder(), nil).Host(context.Background(), bad); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("Host with a bad level: %v", err)
	}
	if _, err := newManager(t, newRecorder(), nil).Changes(context.Background()); !errors.Is(err, ErrNoParty) {
		t.Fatalf("Changes without a party: %v", err)
	}
}

func TestTranscriptOutlivesTheParty(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	info, err := m.Host(context.Background(), hostRequest(t))
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	prec := newRecorder()
	pm := newManager(t, prec, nil)
	if _, err := pm.Join(context.Background(), info.Invite, "bob"); err != nil {
		t.Fatalf("Join: %v", err)
	}
	if _, err := pm.Prompt(context.Background(), "keep this"); err != nil {
		t.Fatalf("Prompt: %v", err)
	}
	waitEvent(t, prec, "the turn's end", func(ev wire.Event) bool { return ev.Kind == wire.KindTurn })
	waitEvent(t, rec, "the turn's end", func(ev wire.Event) bool { return ev.Kind == wire.KindTurn })

	// The host's window keeps none of the history in memory: its transcript is the journal
	// (a long party hosted from the window must not grow without bound, issue 8.3).
	m.mu.Lock()
	a := m.cur
	m.mu.Unlock()
	a.mu.Lock()
	mem, _ := a.log.f.Memory()
	kept := len(mem)
	a.mu.Unlock()
	if kept != 0 {
		t.Fatalf("the hosting window keeps %d events in memory", kept)
	}
	// Nor does a joined window: its copy of the history, for Save and resyncs, is on
	// disk (a reviewer: it grew with every event for the party's life).
	pm.mu.Lock()
	pa := pm.cur
	pm.mu.Unlock()
	pa.mu.Lock()
	mem, _ = pa.log.f.Memory()
	kept, onDisk := len(mem), pa.log.f.Size()
	pa.mu.Unlock()
	if kept != 0 || onDisk == 0 {
		t.Fatalf("the joined window keeps %d events in memory and %d bytes on disk", kept, onDisk)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := m.End(ctx); err != nil {
		t.Fatalf("End: %v", err)
	}
	prec.waitFor(t, "the participant's party:ended", func(e []emitted) bool { return len(ended(e)) > 0 })

	for _, tc := range []struct {
		name  string
		m     *Manager
		ended string
	}{
		{"host", m, "you ended the party"},
		{"participant", pm, "the host ended the party"},
	} {
		tr, err := tc.m.Transcript()
		if err != nil {
			t.Fatalf("%s: Transcript after the end: %v", tc.name, err)
		}
		if tr.Ended != tc.ended || tr.Party.ID != info.Party.ID || tr.Party.Host != "hazel" {
			t.Fatalf("%s: transcript = ended %q, party %+v", tc.name, tr.Ended, tr.Party)
		}
		if !hasOutput(tr.Events, "echo: keep this") {
			t.Fatalf("%s: the reply is not in the transcript's %d events", tc.name, len(tr.Events))
		}
		checkOrder(t, tr.Events, 0)
		tc.m.Forget()
		if _, err := tc.m.Transcript(); !errors.Is(err, ErrNoParty) {
			t.Fatalf("%s: Transcript after Forget: %v", tc.name, err)
		}
	}
}

// TestTheRemedyForATooLargeFolderIsTheOwnersAlone: the party's error says to everyone why
// its folder is not shared; what to do about it (host.Host.ShareFix) reaches the window
// that runs the party, live and in Current after a reload, and never a joined window (the
// window's owner had lost it once the party stopped saying it to every member).
func TestTheRemedyForATooLargeFolderIsTheOwnersAlone(t *testing.T) {
	rec := newRecorder()
	m := newManager(t, rec, nil)
	req := hostRequest(t)
	for i := 0; i <= workspace.DefaultMaxFiles; i++ {
		if err := os.WriteFile(filepath.Join(req.Workdir, fmt.Sprintf("f%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	info, err := m.Host(ctx, req)
	if err != nil {
		t.Fatalf("Host: %v", err)
	}
	prec := newRecorder()
	pm := newManager(t, prec, nil)
	joined, err := pm.Join(ctx, info.Invite, "bob")
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	const fix = "list build output and dependencies in a .gitignore, or host from a smaller folder"
	rec.waitFor(t, "the owner's remedy", func(evs []emitted) bool {
		return slices.ContainsFunc(evs, func(e emitted) bool { return e.name == EventPartyShareFix && e.data == fix })
	})
	waitEvent(t, prec, "the member told why", func(ev wire.Event) bool {
		return ev.Kind == wire.KindSettings && ev.Settings != nil && ev.Settings.ShareError != ""
	})
	cur, ok, err := m.Current(ctx)
	if err != nil || !ok || cur.ShareFix != fix {
		t.Fatalf("the owner's Current: share_fix %q, %v %v", cur.ShareFix, ok, err)
	}
	if b, _ := json.Marshal(cur); !strings.Contains(string(b), `"share_fix":"list build output`) {
		t.Fatalf("the page is not given it: %s", b)
	}
	pcur, _, err := pm.Current(ctx)
	if err != nil || pcur.ShareFix != "" || joined.ShareFix != "" {
		t.Fatalf("a member's window is given the host's remedy: %q %q %v", pcur.ShareFix, joined.ShareFix, err)
	}
	for _, e := range prec.all() {
		if e.name == EventPartyShareFix {
			t.Fatalf("a member's window is told the host's remedy: %v", e.data)
		}
	}
}
