package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/wire"
	"github.com/concordia-party/concordia/internal/workspace"
)

// fakeNotifier records notifications.
type fakeNotifier struct {
	mu   sync.Mutex
	got  [][2]string
	fail error
}

func (n *fakeNotifier) Notify(title, body string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, [2]string{title, body})
	return n.fail
}

var _ notifier = (*fakeNotifier)(nil)

// lastEvent is the newest party event in the window that pred accepts.
func (f *fixture) lastEvent(pred func(wire.Event) bool) (wire.Event, bool) {
	evs := f.shell.events(session.EventPartyEvent)
	for i := len(evs) - 1; i >= 0; i-- {
		if ev := evs[i].(wire.Event); pred(ev) {
			return ev, true
		}
	}
	return wire.Event{}, false
}

func (f *fixture) waitEvent(t *testing.T, what string, pred func(wire.Event) bool) wire.Event {
	t.Helper()
	var ev wire.Event
	waitFor(t, what, func() bool {
		var ok bool
		ev, ok = f.lastEvent(pred)
		return ok
	})
	return ev
}

func TestHostControlThroughTheBindings(t *testing.T) {
	f := newFixture(t)
	if err := f.app.StopTurn(); err == nil || err.Error() != "You are not in a party." {
		t.Fatalf("StopTurn without a party = %v", err)
	}
	// The form's extra arguments are checked by Go, with the same sentence as Settings.
	if _, err := f.app.CreateParty(CreateRequest{Name: "hana", ClaudeArgs: `--model "opus`}); err == nil || !strings.Contains(err.Error(), "without its closing") {
		t.Fatalf("CreateParty with a broken argument = %v", err)
	}
	if _, err := f.app.CreateParty(CreateRequest{Name: "hana", PermissionMode: "yolo"}); err == nil || !strings.Contains(err.Error(), "ask, edits, plan or all") {
		t.Fatalf("CreateParty with a bad mode = %v", err)
	}
	info, err := f.app.CreateParty(CreateRequest{Name: "hana", Approve: true, ClaudeArgs: "--model opus"})
	if err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	if !info.Party.Approval || info.Party.PermissionMode != wire.PermissionAsk || info.ViewerInvite == "" {
		t.Fatalf("session = %+v", info)
	}
	inv, _ := invite.Parse(info.Invite)
	bob, err := client.Join(context.Background(), client.Config{Invite: inv, Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	defer bob.Close()

	// Approval: an edited batch goes out; the next is rejected.
	if _, err := bob.Prompt(context.Background(), "one FAKE_ASK"); err != nil {
		t.Fatal(err)
	}
	ap := f.waitEvent(t, "the approval event", func(e wire.Event) bool { return e.Kind == wire.KindApproval })
	if err := f.app.ApproveEditedBatch(ap.Approval.Batch, " "); err == nil || err.Error() != "The prompt is empty." {
		t.Fatalf("ApproveEditedBatch(blank) = %v", err)
	}
	if err := f.app.ApproveEditedBatch(ap.Approval.Batch, "edited FAKE_ASK"); err != nil {
		t.Fatalf("ApproveEditedBatch: %v", err)
	}
	// Sent already: said how, and by whom (a host who lost a race to another's decision
	// was told only that nothing waited).
	if err := f.app.ApproveBatch(ap.Approval.Batch); err == nil || err.Error() != "That merged prompt is no longer waiting for approval: you already edited and sent it." {
		t.Fatalf("ApproveBatch twice = %v", err)
	}
	perm := f.waitEvent(t, "a tool request", func(e wire.Event) bool {
		return e.Kind == wire.KindPermission && e.Permission.Status == wire.PermissionPending
	})
	if err := f.app.DecidePermission(perm.Permission.ID, "maybe", ""); err == nil || !strings.Contains(err.Error(), "allow, deny or always") {
		t.Fatalf("DecidePermission(maybe) = %v", err)
	}
	if err := f.app.DecidePermission(perm.Permission.ID, wire.DecisionDeny, "  not in this folder "); err != nil {
		t.Fatalf("DecidePermission: %v", err)
	}
	denied := f.waitEvent(t, "the denial", func(e wire.Event) bool {
		return e.Kind == wire.KindPermission && e.Permission.Status == wire.PermissionDenied
	})
	if denied.Permission.Reason != "not in this folder" || denied.Permission.By != "hana" {
		t.Fatalf("denied = %+v", denied.Permission)
	}
	turn := f.waitEvent(t, "the turn", func(e wire.Event) bool { return e.Kind == wire.KindTurn })
	if turn.Turn.Denied != 1 {
		t.Fatalf("turn = %+v", turn.Turn)
	}
	if _, err := bob.Prompt(context.Background(), "two"); err != nil {
		t.Fatal(err)
	}
	ap2 := f.waitEvent(t, "the second approval", func(e wire.Event) bool {
		return e.Kind == wire.KindApproval && e.Approval.Batch != ap.Approval.Batch
	})
	if err := f.app.RejectBatch(ap2.Approval.Batch, "later"); err != nil {
		t.Fatalf("RejectBatch: %v", err)
	}
	f.waitEvent(t, "the rejection", func(e wire.Event) bool { return e.Kind == wire.KindRejected })
	if err := f.app.SetApproval(false); err != nil {
		t.Fatalf("SetApproval: %v", err)
	}
	if err := f.app.RevokeAlways(" "); err == nil || !strings.Contains(err.Error(), "which tool") {
		t.Fatalf("RevokeAlways(blank) = %v", err)
	}
	if err := f.app.RevokeAlways("Bash"); err == nil || err.Error() != "No tool is always allowed." {
		t.Fatalf("RevokeAlways(Bash) with nothing allowed = %v", err)
	}

	// Roles, invites, agent commands.
	bobID := bob.Hello().You.ID
	if err := f.app.SetRole(bobID, wire.RoleViewer); err != nil {
		t.Fatalf("SetRole: %v", err)
	}
	if err := f.app.SetRole(info.You.ID, wire.RoleViewer); err == nil || !strings.Contains(err.Error(), "always its host") {
		t.Fatalf("SetRole(owner) = %v", err)
	}
	if err := f.app.CopyViewerInvite(); err != nil || f.shell.clipboard != info.ViewerInvite {
		t.Fatalf("CopyViewerInvite = %v; clipboard %q", err, f.shell.clipboard)
	}
	got, err := f.app.NewInvites()
	if err != nil || got.Invite == info.Invite || got.ViewerInvite == info.ViewerInvite {
		t.Fatalf("NewInvites = %+v, %v", got, err)
	}
	if evs := f.shell.events(session.EventPartyInvites); len(evs) != 1 || evs[0].(wire.Invites) != got {
		t.Fatalf("party:invites = %+v", evs)
	}
	if err := f.app.CopyInvite(); err != nil || f.shell.clipboard != got.Invite {
		t.Fatalf("CopyInvite after rotation: %v; clipboard %q", err, f.shell.clipboard)
	}
	if snap := f.tray.last(); snap.Invite != got.Invite {
		t.Fatalf("the tray copies %q, want %q", snap.Invite, got.Invite)
	}
	if err := f.app.AgentCommand("compact"); err == nil || !strings.Contains(err.Error(), "starts with /") {
		t.Fatalf("AgentCommand(compact) = %v", err)
	}
	if err := f.app.AgentCommand("/compact"); err != nil {
		t.Fatalf("AgentCommand: %v", err)
	}
	if err := f.app.Kick(bobID, "bye"); err != nil {
		t.Fatalf("Kick: %v", err)
	}
	<-bob.Done()
	if !errors.Is(bob.Err(), client.ErrKicked) {
		t.Fatalf("bob = %v", bob.Err())
	}
}

func TestNotify(t *testing.T) {
	f := newFixture(t)
	n := &fakeNotifier{fail: errNoNotifications}
	f.app.notifier = n
	if err := f.app.Notify(" ", "body"); err == nil {
		t.Fatal("a notification without a title was shown")
	}
	// Best effort: a failing notifier is not the window's problem.
	if err := f.app.Notify("Tool request", "bob's batch wants\nBash: <b>rm</b> & \u202etxt"); err != nil {
		t.Fatalf("Notify = %v", err)
	}
	want := [2]string{"Tool request", "bob's batch wants Bash: &lt;b&gt;rm&lt;/b&gt; &amp; txt"}
	if len(n.got) != 1 || n.got[0] != want {
		t.Fatalf("notifications = %q, want last %q", n.got, want)
	}
	if got := notifyText(strings.Repeat("x", 300), 10); got != "xxxxxxxxx…" {
		t.Fatalf("notifyText cut = %q", got)
	}
}

// TestNotifySetting: with "Desktop notifications" off in Settings, Notify shows nothing;
// turned on again, it shows the next one.
func TestNotifySetting(t *testing.T) {
	f := newFixture(t)
	n := &fakeNotifier{}
	f.app.notifier = n
	s, err := f.app.GetSettings()
	if err != nil {
		t.Fatal(err)
	}
	if !s.Notifications {
		t.Fatal("notifications are off by default")
	}
	if err := f.app.Notify("The agent finished", "Done"); err != nil || len(n.got) != 1 {
		t.Fatalf("on: Notify = %v, shown %q", err, n.got)
	}
	s.Notifications = false
	if _, err := f.app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if err := f.app.Notify("bob joined the party", "2 in the party"); err != nil || len(n.got) != 1 {
		t.Fatalf("off: Notify = %v, shown %q", err, n.got)
	}
	s.Notifications = true
	if _, err := f.app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if err := f.app.Notify("The party ended", "The host ended the party"); err != nil || len(n.got) != 2 || n.got[1][0] != "The party ended" {
		t.Fatalf("on again: Notify = %v, shown %q", err, n.got)
	}
}

func TestSentenceHostControl(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"not allowed", fmt.Errorf("set approval: %w", fmt.Errorf("%w: only a host can do this", party.ErrNotAllowed)), "Only a host can do this."},
		{"not allowed remote", rpc.Errorf(wire.CodeNotAllowed, "not allowed: only a host can call Party.kick"), "Only a host can do this."},
		{"withdraw someone else's", fmt.Errorf("withdraw prompt: %w", fmt.Errorf("%w: only its author or a host can withdraw a prompt", party.ErrNotAllowed)), "Only its author or a host can withdraw a prompt."},
		{"withdraw someone else's, remote", rpc.Errorf(wire.CodeNotAllowed, "not allowed for your role: only its author or a host can withdraw a prompt"), "Only its author or a host can withdraw a prompt."},
		{"withdraw too late, remote", rpc.Errorf(rpc.CodeInvalidParams, "invalid request: that prompt is already being merged into a batch: too late to withdraw it"), "That prompt is already being merged into a batch: too late to withdraw it."},
		{"invalid", fmt.Errorf("approve batch: %w", fmt.Errorf("%w: batch %q is not waiting for approval", party.ErrInvalid, "b3")), `Batch "b3" is not waiting for approval.`},
		{"invalid remote", rpc.Errorf(rpc.CodeInvalidParams, "invalid request: no turn is running"), "No turn is running."},
		{"decided by another host, remote", &rpc.Error{Code: rpc.CodeInvalidParams, Message: "that merged prompt is no longer waiting for approval: bob already approved it", Data: json.RawMessage(`{"decided":"approved","by":"bob"}`)}, "That merged prompt is no longer waiting for approval: bob already approved it."},
		{"kicked", fmt.Errorf("send prompt: %w", client.ErrKicked), "A host removed you from the party."},
		// A path starts the sentence: kept as it is (the Diff binding says it is about one).
		{"a diff of an unchanged file", aboutPath("main.go", fmt.Errorf("diff: %w", workspace.UnchangedError{Path: "main.go"})), "main.go has no changes since the party began."},
		{"a diff of an unchanged file, counted from a resume", aboutPath("main.go", rpc.Errorf(rpc.CodeInvalidParams, "main.go has no changes since sharing began")), "main.go has no changes since sharing began."},
		{"a diff of an unchanged file, remote", aboutPath("main.go", rpc.Errorf(rpc.CodeInvalidParams, "main.go has no changes since the party began")), "main.go has no changes since the party began."},
		{"not found", fmt.Errorf("tree: %w", fmt.Errorf("%w: docs/x", workspace.ErrNotFound)), "No such file: docs/x."},
		{"bad args", fmt.Errorf("%w", errors.New("The extra Claude Code arguments end with a lone backslash.")), "lone backslash."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sentence(tt.err); got != tt.want && !strings.HasSuffix(got, tt.want) {
				t.Fatalf("sentence = %q, want %q", got, tt.want)
			}
		})
	}
	if describe(client.ErrKicked) != "A host removed you from the party." {
		t.Fatalf("describe(kicked) = %q", describe(client.ErrKicked))
	}
}

func TestSettingsKeepHostControlDefaults(t *testing.T) {
	f := newFixture(t)
	s, _ := f.app.GetSettings()
	if s.PermissionMode != settings.PermissionAsk || s.Approve || s.ClaudeArgs != "" {
		t.Fatalf("defaults = %+v", s)
	}
	s.PermissionMode, s.Approve, s.ClaudeArgs = "edits", true, "--model opus"
	saved, err := f.app.SaveSettings(s)
	if err != nil || saved.PermissionMode != "edits" || !saved.Approve || saved.ClaudeArgs != "--model opus" {
		t.Fatalf("SaveSettings = %+v, %v", saved, err)
	}
	s.ClaudeArgs = "--dangerously-skip-permissions"
	if _, err := f.app.SaveSettings(s); err == nil || !strings.Contains(err.Error(), "Allow everything") {
		t.Fatalf("SaveSettings(skip permissions) = %v", err)
	}
	// Create party takes the saved permission mode when the form leaves it empty.
	info, err := f.app.CreateParty(CreateRequest{Name: "hana"})
	if err != nil {
		t.Fatal(err)
	}
	if info.Party.PermissionMode != "edits" || info.Party.Approval {
		t.Fatalf("party = %+v", info.Party)
	}
}
