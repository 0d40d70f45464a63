package transcript

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/wire"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func ev(seq int64, e wire.Event) wire.Event {
	e.Seq, e.TS = seq, t0.Add(time.Duration(seq)*time.Second)
	return e
}

func prompt(seq int64, id, user, text string) wire.Event {
	return ev(seq, wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: user, Text: text}})
}

func out(seq int64, stream, text string) wire.Event {
	return ev(seq, wire.Event{Kind: wire.KindOutput, Stream: stream, Text: text})
}

func TestMarkdown(t *testing.T) {
	meta := Meta{Host: "hazel", Party: "p1", Ended: "the host ended the party"}
	perm := func(status, by, reason string) *wire.Permission {
		return &wire.Permission{ID: "t1", Tool: "Bash", Summary: "touch x", Batch: "b1", Status: status, By: by, Reason: reason}
	}
	tests := []struct {
		name   string
		events []wire.Event
		want   []string // in this order
		absent []string
	}{
		{
			name: "who asked what, what was merged and sent, the reply",
			events: []wire.Event{
				prompt(1, "p1", "alice", "add a test"),
				prompt(2, "p2", "bob", "and docs"),
				ev(3, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1", "p2"}, Merged: "add a test and docs", Merger: "gemini"}}),
				out(4, wire.StreamAssistant, "Sure: "),
				out(5, wire.StreamAssistant, "**done**."),
				ev(6, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 2500}}),
			},
			want: []string{"# hazel's party", "**How it ended:** the host ended the party",
				"**alice** asked", "```text\nadd a test\n```", "**bob** asked",
				"## Sent to the agent", "From **alice** and **bob**, merged by Gemini:", "```text\nadd a test and docs\n```",
				"**Claude Code:**\n\nSure: **done**.", "**Done** in 2.5 s."},
		},
		{
			name: "tool steps and a permission shown once with its outcome",
			events: []wire.Event{
				prompt(1, "p1", "alice", "touch x"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "touch x", Merger: "local"}}),
				out(3, wire.StreamTool, "Bash: touch x\n"),
				out(4, wire.StreamToolOutput, "the tool said this\nline two\n"),
				ev(4, wire.Event{Kind: wire.KindPermission, Permission: perm("pending", "", "")}),
				ev(5, wire.Event{Kind: wire.KindPermission, Permission: perm("denied", "hazel", "not now")}),
				ev(6, wire.Event{Kind: wire.KindPermission, Permission: func() *wire.Permission { p := perm("pending", "", ""); p.ID = "t2"; return p }()}),
				ev(7, wire.Event{Kind: wire.KindPermission, Permission: func() *wire.Permission { p := perm("allowed", "hazel", "always allow Bash"); p.ID = "t2"; return p }()}),
				// A use the "always" allowed: nobody was asked (its first event is the decision).
				ev(8, wire.Event{Kind: wire.KindPermission, Permission: func() *wire.Permission { p := perm("allowed", "hazel", "always allow Bash"); p.ID = "t3"; return p }()}),
				ev(9, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 100, Denied: 1}}),
			},
			want: []string{"From **alice**, as written:", "Tool steps:\n\n```text\nBash: touch x\n```", "Tool request: Bash `touch x` — **denied** by hazel: `not now`",
				"Tool request: Bash `touch x` — **allowed** by hazel (always allow Bash)",
				"Tool use: Bash `touch x` — **allowed** without asking (hazel allowed Bash for the rest of the party)", "**Done** in 0.1 s — 1 tool request denied."},
			absent: []string{"not decided", "the tool said this"},
		},
		{
			// As the terminal and the window say it (a user tester's export said "Done" of a
			// turn whose step failed, "denied" of one that timed out, and never why a step
			// failed).
			name: "failed steps, their reasons, denials and timeouts",
			events: []wire.Event{
				prompt(1, "p1", "alice", "make dirs"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "make dirs", Merger: "local"}}),
				out(3, wire.StreamTool, "Bash: mkdir /nonexistent/x\n"),
				out(4, wire.StreamTool, "-> (error) Exit code 1 (+1 lines)\n"),
				out(5, wire.StreamToolOutput, "Exit code 1\nmkdir: cannot create directory '/nonexistent/x': No such file or directory\n"),
				out(6, wire.StreamTool, "Bash: ls\n-> file-a (+9 lines)\n"),
				out(7, wire.StreamToolOutput, "file-a\nfile-b\n"),
				ev(8, wire.Event{Kind: wire.KindPermission, Permission: perm("pending", "", "")}),
				ev(9, wire.Event{Kind: wire.KindPermission, Permission: perm("denied", "hazel", "no")}),
				out(10, wire.StreamTool, "Bash: touch x\n-> (denied) hazel (a host of this party) denied this tool use. Reason: no\n"),
				ev(11, wire.Event{Kind: wire.KindPermission, Permission: func() *wire.Permission { p := perm("pending", "", ""); p.ID = "t2"; return p }()}),
				ev(12, wire.Event{Kind: wire.KindPermission, Permission: func() *wire.Permission { p := perm("timed_out", "", ""); p.ID = "t2"; return p }()}),
				ev(13, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 100, Denied: 2}}),
				prompt(14, "p2", "bob", "again"),
				ev(15, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Prompts: []string{"p2"}, Merged: "again", Merger: "local"}}),
				ev(16, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b2", Status: wire.TurnInterrupted, DurationMS: 100, Error: "stopped by carol", Denied: 1}}),
			},
			want: []string{
				"Bash: mkdir /nonexistent/x\n-> (error) Exit code 1 (+1 lines)\n    mkdir: cannot create directory '/nonexistent/x': No such file or directory\nBash: ls\n-> file-a (+9 lines)\n",
				"**Done** in 0.1 s — 1 tool request timed out, 1 denied, 1 tool step failed.",
				"**Interrupted: stopped by carol** after 0.1 s — 1 tool request denied.",
			},
			absent: []string{"file-b"},
		},
		{
			// A failed step's output is the tool's: its lines never count as results, and a
			// carriage return or an escape sequence never ends the code block (a reviewer's
			// injected a heading and a link into the export).
			name: "a failed step's output is only text",
			events: []wire.Event{
				prompt(1, "p1", "alice", "test"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "test", Merger: "local"}}),
				out(3, wire.StreamTool, "Bash: go test\n-> (error) Exit code 1 (+3 lines)\n"),
				out(4, wire.StreamToolOutput, "Exit code 1\n-> (error) boom\n-> (denied) x\nx\r``\x1b[m`\r# INJECTED HEADING\r[click](https://evil.example)\n"),
				ev(5, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 100}}),
			},
			want: []string{"````text\nBash: go test\n-> (error) Exit code 1 (+3 lines)\n    -> (error) boom\n    -> (denied) x\n    x\n    ```\n    # INJECTED HEADING\n    [click](https://evil.example)\n````\n",
				"**Done** in 0.1 s — 1 tool step failed."},
		},
		{
			// Denied by nobody (the turn's end) is no plan sent back; nor is a stopped turn's.
			name: "a plan request the turn's end denied",
			events: []wire.Event{
				prompt(1, "p1", "alice", "plan it"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "plan it", Merger: "local"}}),
				ev(3, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "ExitPlanMode", Summary: "leave plan mode: 1. x", Batch: "b1", Status: wire.PermissionDenied, Reason: "the turn ended before a decision"}}),
				ev(4, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 100, Denied: 1}}),
				prompt(5, "p2", "bob", "plan again"),
				ev(6, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Prompts: []string{"p2"}, Merged: "plan again", Merger: "local"}}),
				ev(7, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "ExitPlanMode", Summary: "leave plan mode: 1. x", Batch: "b2", Status: wire.PermissionDenied, By: "hazel"}}),
				ev(8, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b2", Status: wire.TurnInterrupted, Error: "stopped by hazel", DurationMS: 100, Denied: 1}}),
			},
			// The turn's end cancelled the first: nobody refused it (a user tester's).
			want: []string{"Tool request: ExitPlanMode `leave plan mode: 1. x` — **cancelled**: `the turn ended before a decision`",
				"**Done** in 0.1 s — 1 tool request cancelled.", "**Interrupted: stopped by hazel** after 0.1 s — 1 tool request denied."},
			absent: []string{"the plan was sent back"},
		},
		{
			// A stop cancels what waits; plan mode's own denial names nobody either, and is
			// the party's rule: a denial.
			name: "a stopped turn's cancelled request, beside plan mode's denial",
			events: []wire.Event{
				prompt(1, "p1", "alice", "do it"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "do it", Merger: "local"}}),
				ev(3, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "Write", Summary: "x.go", Batch: "b1", Status: wire.PermissionDenied, Reason: "plan mode: nothing is changed"}}),
				ev(4, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Bash", Summary: "rm x", Batch: "b1", Status: wire.PermissionPending}}),
				ev(5, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Tool: "Bash", Summary: "rm x", Batch: "b1", Status: wire.PermissionDenied, Reason: "the turn ended before a decision"}}),
				ev(6, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: "stopped by hazel", DurationMS: 100, Denied: 2}}),
			},
			want: []string{"Tool request: Write `x.go` — **denied**: `plan mode: nothing is changed`", "Tool request: Bash `rm x` — **cancelled**: `the turn ended before a decision`",
				"**Interrupted: stopped by hazel** after 0.1 s — 1 tool request denied, 1 cancelled."},
		},
		{
			name: "a plan sent back",
			events: []wire.Event{
				prompt(1, "p1", "alice", "plan it"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "plan it", Merger: "local"}}),
				ev(3, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "ExitPlanMode", Summary: "leave plan mode: 1. x", Batch: "b1", Status: wire.PermissionPending}}),
				ev(4, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Tool: "ExitPlanMode", Summary: "leave plan mode: 1. x", Batch: "b1", Status: wire.PermissionDenied, By: "hazel", Reason: "add tests"}}),
				ev(5, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 100, Denied: 1}}),
			},
			want:   []string{"Tool request: ExitPlanMode `leave plan mode: 1. x` — **sent back for changes** by hazel: `add tests`", "**Done** in 0.1 s — the plan was sent back for changes."},
			absent: []string{"1 tool request denied", "**denied**"},
		},
		{
			name: "a failed turn is said once",
			events: []wire.Event{
				prompt(1, "p1", "alice", "crash"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "crash", Merger: "local"}}),
				ev(3, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnError, DurationMS: 100, Error: "claude failed twice: exit 3"}}),
				ev(4, wire.Event{Kind: wire.KindError, Text: "the batch failed: claude failed twice: exit 3"}),
			},
			want:   []string{"**Failed: claude failed twice: exit 3** after 0.1 s."},
			absent: []string{"**Error:**"},
		},
		{
			name: "approval edited, rejection with a reason",
			events: []wire.Event{
				prompt(1, "p1", "alice", "rm -rf /"),
				ev(2, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1"}, Merged: "rm -rf /", Merger: "local"}}),
				ev(3, wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b1", Prompts: []string{"p1"}, By: "hazel", Reason: "no"}}),
				prompt(4, "p2", "bob", "list files"),
				ev(5, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b2", Prompts: []string{"p2"}, Merged: "list files", Merger: "local"}}),
				ev(6, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Prompts: []string{"p2"}, Merged: "list the files", Merger: "local"}}),
			},
			want: []string{"*The prompt of **alice**, waiting for a host's approval", "*Rejected by hazel*: `no` — the prompt of **alice** was not sent.",
				"From **bob**, edited by a host before it was sent:", "list the files", "*The turn had not finished.*"},
		},
		{
			// A removal's withdrawals went with the member (as the terminal says; a tester's).
			name: "a removed member's prompt",
			events: []wire.Event{
				prompt(1, "p1", "carol", "carol pending prompt"),
				ev(2, wire.Event{Kind: wire.KindSystem, Text: "hazel removed carol from the party (carol's waiting prompt is withdrawn)"}),
				ev(3, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p1", User: "carol", By: "hazel"}}),
			},
			want:   []string{"*hazel removed carol from the party (carol's waiting prompt is withdrawn)*", "*carol's prompt went with them (", "It asked: `carol pending prompt`"},
			absent: []string{"hazel withdrew"},
		},
		{
			// Merged, then edited: not "merged by local" of the host's text (a tester's).
			name: "a merged prompt edited",
			events: []wire.Event{
				prompt(1, "p1", "carol", "a haiku"),
				prompt(2, "p2", "bob", "about cats"),
				ev(3, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b1", Prompts: []string{"p1", "p2"}, Merged: "1. a haiku\n2. about cats", Merger: "local"}}),
				ev(4, wire.Event{Kind: wire.KindSystem, Text: "hazel edited and sent the merged prompt"}), // two prompts: merged
				ev(5, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1", "p2"}, Merged: "one haiku about cats and dogs", Merger: "local"}}),
				ev(6, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Batch: "b1", Tool: "Write", Summary: "notes.txt", Status: wire.PermissionPending}}),
				ev(7, wire.Event{Kind: wire.KindSystem, Text: "hazel allowed every tool use"}),
				ev(8, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Batch: "b1", Tool: "Write", Summary: "notes.txt", Status: wire.PermissionAllowed, By: "hazel"}}),
				ev(9, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000}}),
			},
			want: []string{"*Merged locally from **carol** and **bob**, waiting for a host's approval", "hazel edited and sent",
				"From **carol** and **bob**, edited by a host before it was sent:", "one haiku about cats and dogs",
				// A notice came before its decision: the request is said once, with its
				// decision (a user tester's export said each "waiting", then decided).
				"hazel allowed every tool use", "Tool request: Write `notes.txt` — **allowed** by hazel"},
			absent: []string{"merged locally:", "not decided", "waiting for a host's decision"},
		},
		{
			// A request a stop cancelled: its step is no failure, and Claude Code's words
			// for it are not written under it; a step that did fail still is one.
			name: "a step a stop cancelled",
			events: []wire.Event{
				prompt(1, "p1", "carol", "touch x"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "touch x", Merger: "local"}}),
				out(3, wire.StreamTool, "Bash: touch x\n"),
				ev(4, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Batch: "b1", Tool: "Bash", Summary: "touch x", Status: wire.PermissionDenied, Reason: "the turn ended before a decision"}}),
				out(5, wire.StreamTool, "-> (cancelled) The user doesn't want to proceed with this tool use…\n"),
				out(6, wire.StreamToolOutput, "The user doesn't want to proceed with this tool use. STOP what you are doing.\n"),
				out(7, wire.StreamTool, "Bash: false\n-> (error) exit status 1\n"),
				ev(8, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000, Denied: 1}}),
			},
			want:   []string{"Tool request: Bash `touch x` — **cancelled**", "-> (cancelled) The user doesn't want to proceed with this tool use…\nBash: false", "**Done** in 1.0 s — 1 tool request cancelled, 1 tool step failed."},
			absent: []string{"STOP what you are doing"},
		},
		{
			// A request the events end with still waiting says so, once; one a new batch
			// came after was never decided.
			name: "requests never decided",
			events: []wire.Event{
				prompt(1, "p1", "carol", "touch a"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "touch a", Merger: "local"}}),
				ev(3, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t1", Batch: "b1", Tool: "Bash", Summary: "touch a", Status: wire.PermissionPending}}),
				prompt(4, "p2", "bob", "touch b"),
				ev(5, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Prompts: []string{"p2"}, Merged: "touch b", Merger: "local"}}),
				ev(6, wire.Event{Kind: wire.KindPermission, Permission: &wire.Permission{ID: "t2", Batch: "b2", Tool: "Bash", Summary: "touch b", Status: wire.PermissionPending}}),
				ev(7, wire.Event{Kind: wire.KindSystem, Text: "dan joined"}),
			},
			want: []string{"**bob** asked", "Tool request: Bash `touch a` — not decided", "*The turn had not finished.*", "From **bob**",
				"dan joined", "Tool request: Bash `touch b` — waiting for a host's decision", "*The turn had not finished.*"},
		},
		{
			name: "left, and disconnected when the host stopped",
			events: []wire.Event{
				ev(1, wire.Event{Kind: wire.KindParticipants, Left: &wire.Member{ID: "m2", Name: "bob"}}),
				ev(2, wire.Event{Kind: wire.KindParticipants, Left: &wire.Member{ID: "m3", Name: "carol"}, Text: "carol was disconnected when the host stopped", Why: wire.WhyHostStopped}),
				// A party resumed after its end: who was there at the end is not news.
				ev(3, wire.Event{Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "zed"}, Text: "zed left when the party ended", Why: wire.WhyPartyEnded}),
				// Written by the resumed host at its resume: the stop was some time after the
				// last event before them, not at their own time.
				ev(9, wire.Event{Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "hazel"}, Text: "hazel, the host, stopped", Why: wire.WhyHostStopped}),
				ev(10, wire.Event{Kind: wire.KindSystem, Text: "the party was resumed"}),
			},
			want: []string{"*bob left* (", "*carol was disconnected when the host stopped* (some time after " + clock(t0.Add(time.Second)) + ")",
				"*hazel, the host, stopped* (some time after " + clock(t0.Add(3*time.Second)) + ")", "*the party was resumed* (" + clock(t0.Add(10*time.Second)) + ")"},
			absent: []string{"carol left", "zed"},
		},
		{
			name: "withdrawn prompts, by their author and by a host",
			events: []wire.Event{
				prompt(1, "p1", "alice", "a typo"),
				ev(2, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p1", User: "alice", By: "alice"}}),
				prompt(3, "p2", "*bob*", "off topic"),
				ev(4, wire.Event{Kind: wire.KindWithdrawn, Withdrawn: &wire.Withdrawn{Prompt: "p2", User: "*bob*", By: "hazel"}}),
			},
			want:   []string{"*alice withdrew their prompt (", "); it was not sent.* It asked: `a typo`\n", "*hazel withdrew \\*bob\\*'s prompt (", "It asked: `off topic`"},
			absent: []string{"## Sent to the agent"},
		},
		{
			name: "a retry voids the failed attempt's output",
			events: []wire.Event{
				prompt(1, "p1", "alice", "echo"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "echo", Merger: "local"}}),
				out(3, wire.StreamAssistant, "ECH"),
				ev(4, wire.Event{Kind: wire.KindRetry, RetryBatch: "b1"}),
				out(5, wire.StreamAssistant, "ECHO"),
				ev(6, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: "stopped by hazel", DurationMS: 30}}),
			},
			want:   []string{"*The agent was restarted and the batch retried; the output before was discarded.*", "**Claude Code:**\n\nECHO\n", "**Interrupted: stopped by hazel** after less than 0.1 s."},
			absent: []string{"ECHECHO", "host stopped"},
		},
		{
			name: "peer text never becomes Markdown or HTML",
			events: []wire.Event{
				ev(1, wire.Event{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m2", Name: "<img src=x>"}}),
				prompt(2, "p1", "<b>eve</b>", "```\n<script>alert(1)</script>\n```"),
				ev(3, wire.Event{Kind: wire.KindSystem, Text: "*bold* [link](http://x)"}),
			},
			want:   []string{`*\<img src=x\> joined*`, `**\<b\>eve\</b\>** asked`, "````text\n```\n<script>alert(1)</script>\n```\n````", `*\*bold\* \[link\](http://x)*`},
			absent: []string{"*<img", "**<b>"},
		},
		{
			name: "duplicates are skipped; the files changed are listed",
			events: []wire.Event{
				prompt(1, "p1", "alice", "once"),
				prompt(1, "p1", "alice", "once"),
				ev(2, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "a.go", Status: "modified", Additions: 3, Deletions: 1}}}),
				ev(3, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "b.go", Status: "renamed", From: "a.go", Additions: 3, Deletions: 1}}}),
			},
			want:   []string{"## Files changed in the working directory", "- renamed `b.go` from `a.go` (+3 −1)"},
			absent: []string{"modified `a.go`"},
		},
		{
			// As the window's card says them (a window tester's saved Markdown had no such
			// line): the files whose entry in a list from the batch to the first list after
			// the turn's end was new, different or gone, a renamed one with its old name; a
			// hand edit listed later is no turn's.
			name: "the files each turn changed",
			events: []wire.Event{
				ev(1, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "before.txt", Status: "added", Additions: 1}}}),
				prompt(2, "p1", "alice", "shuffle files"),
				ev(3, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "shuffle files", Merger: "local"}}),
				ev(4, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "before.txt", Status: "added", Additions: 1}, {Path: "main.go", Status: "modified", Additions: 1}}}),
				ev(5, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 2500}}),
				ev(6, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "main.go", Status: "modified", Additions: 2},
					{Path: "new_name.txt", Status: "renamed", From: "old_name.txt"}, {Path: "doomed.txt", Status: "deleted", Deletions: 1}}}),
				ev(7, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "main.go", Status: "modified", Additions: 3},
					{Path: "new_name.txt", Status: "renamed", From: "old_name.txt"}, {Path: "doomed.txt", Status: "deleted", Deletions: 1}}}),
				prompt(8, "p2", "bob", "look only"),
				ev(9, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Prompts: []string{"p2"}, Merged: "look only", Merger: "local"}}),
				ev(10, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b2", Status: wire.TurnDone, DurationMS: 1000}}),
				ev(11, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "main.go", Status: "modified", Additions: 3},
					{Path: "new_name.txt", Status: "renamed", From: "old_name.txt"}, {Path: "doomed.txt", Status: "deleted", Deletions: 1}}}),
			},
			want: []string{"**Done** in 2.5 s.", "*Files changed during this turn:* `main.go`, `new_name.txt` (renamed from `old_name.txt`), `doomed.txt`, `before.txt`\n",
				"**bob** asked", "**Done** in 1.0 s.\n\n## Files changed"},
		},
		{
			// The space the party puts before a "/" text is no edit (a reviewer's).
			name: "a prompt that starts with /",
			events: []wire.Event{
				prompt(1, "p1", "alice", "/etc/hosts is wrong"),
				ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: " /etc/hosts is wrong", Merger: "local"}}),
			},
			want:   []string{"From **alice**, as written:"},
			absent: []string{"edited"},
		},
		{
			// A name the line cannot show is quoted, as the terminal's /changes quotes it (a
			// tester's "new\nline.txt" read "new line.txt").
			name: "a file name with a newline",
			events: []wire.Event{
				ev(1, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "new\nline.txt", Status: "added", Additions: 1}, {Path: "two words.txt", Status: "added", Additions: 1},
					{Path: "blob.bin", Status: "added", Binary: true}, {Path: "a  b.txt", Status: "added"}, {Path: " lead.txt", Status: "added"},
					{Path: "dump.sql", Status: "added", Additions: 1, Large: true}}}),
			},
			// And a binary file is said to be one, not "+0 −0"; spaces that inline code
			// would change are quoted too (a reviewer's).
			want:   []string{"- added `\"new\\nline.txt\"` (+1 −0)\n- added `two words.txt` (+1 −0)\n- added `blob.bin` (binary)\n- added `\"a  b.txt\"` (+0 −0)\n- added `\" lead.txt\"` (+0 −0)\n- added `dump.sql` (too large to track)"},
			absent: []string{"new line.txt"},
		},
		{
			name: "files kept back as secrets are counted",
			events: []wire.Event{
				ev(1, wire.Event{Kind: wire.KindChanges, Hidden: 1}),
				ev(2, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "a.go", Status: "added", Additions: 1}}, Hidden: 2}),
			},
			want:   []string{"## Files changed in the working directory", "- added `a.go` (+1 −0)\n- and 2 files that may hold credentials, not shown\n"},
			absent: []string{"None."},
		},
		{
			name: "one secret alone",
			events: []wire.Event{
				ev(1, wire.Event{Kind: wire.KindChanges, Hidden: 1}),
			},
			want:   []string{"## Files changed in the working directory\n\n- 1 file that may hold credentials, not shown\n"},
			absent: []string{"None."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := String(meta, tt.events)
			at := 0
			for _, w := range tt.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("missing (or out of order) %q in:\n%s", w, got)
				}
				at += i + len(w)
			}
			for _, a := range tt.absent {
				if strings.Contains(got, a) {
					t.Errorf("has %q:\n%s", a, got)
				}
			}
			if strings.Count(got, "**alice** asked") > 1 {
				t.Errorf("a prompt shows twice:\n%s", got)
			}
		})
	}
}

// A notice or a prompt in the middle of a turn does not end it: the reply goes on below,
// with no second heading and no "had not finished"; after a resume, the retry voids what
// was written above the notice. (Found in an export after a crash and --resume.)
func TestTurnGoesOnAfterANotice(t *testing.T) {
	evs := []wire.Event{
		{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: "do it"}},
		{Seq: 2, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "do it", Merger: "local"}},
		{Seq: 3, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "first half "},
		{Seq: 4, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p2", User: "bob", Text: "and this"}},
		{Seq: 5, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "second half"},
		{Seq: 6, Kind: wire.KindSystem, Text: "the party was resumed"},
		{Seq: 7, Kind: wire.KindRetry, RetryBatch: "b1", Resumed: true},
		{Seq: 8, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "the whole reply"},
		{Seq: 9, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000}},
		{Seq: 10, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b2", Prompts: []string{"p2"}, Merged: "and this", Merger: "local"}},
		{Seq: 11, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "cut off"},
	}
	md := String(Meta{Host: "ann"}, evs)
	for _, bad := range []string{"## The agent"} {
		if strings.Contains(md, bad) {
			t.Errorf("the export has %q:\n%s", bad, md)
		}
	}
	if n := strings.Count(md, "*The turn had not finished.*"); n != 1 || !strings.HasSuffix(strings.TrimSpace(md), "*The turn had not finished.*") {
		t.Errorf("\"had not finished\" %d times, want once, for the last batch only:\n%s", n, md)
	}
	order := []string{"**bob** asked", "the party was resumed", "output before was discarded", "the whole reply", "**Done**", "cut off"}
	inOrder(t, md, order...)
	for _, void := range []string{"first half", "second half"} {
		if strings.Contains(md, void) {
			t.Errorf("the export keeps %q, output the retry made void:\n%s", void, md)
		}
	}
}

// TestRetryAfterAResumeDropsTheFirstRunsReply: after a host is killed mid-reply and
// resumed, the members it had are said to be disconnected and the batch is retried; what
// the first run wrote is void and is not in the export as a reply (a tester's export and
// --transcript file showed it as one, above the notices, with "discarded" only below them).
func TestRetryAfterAResumeDropsTheFirstRunsReply(t *testing.T) {
	evs := []wire.Event{
		{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "alice", Text: "tell me a story"}},
		{Seq: 2, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "tell me a story", Merger: "local"}},
		{Seq: 3, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "the part before the crash"},
		{Seq: 4, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "alice"}, Text: "alice was disconnected when the host stopped", Why: wire.WhyHostStopped},
		{Seq: 5, Kind: wire.KindSystem, Text: "the party was resumed"},
		{Seq: 6, Kind: wire.KindRetry, RetryBatch: "b1", Resumed: true},
		{Seq: 7, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "the whole story"},
		{Seq: 8, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000}},
	}
	md := String(Meta{}, evs)
	if strings.Contains(md, "the part before the crash") {
		t.Errorf("the void output is in the export:\n%s", md)
	}
	// Said of the host, not of the agent (a tester's export said "the agent was restarted").
	inOrder(t, md, "alice was disconnected when the host stopped", "the party was resumed",
		"*The host stopped before this batch finished; when the party was resumed the batch ran again, and the output before was discarded.*", "**Claude Code:**\n\nthe whole story", "**Done**")
	if strings.Contains(md, "agent was restarted") {
		t.Errorf("a host's stop said as the agent's restart:\n%s", md)
	}
	if n := strings.Count(md, "**Claude Code:**"); n != 1 {
		t.Errorf("%d replies, want the retry's only:\n%s", n, md)
	}
}

// A tool request the crash left open is denied on the resume, just before the retry: the
// denial shows (and with no "by" when nobody decided), and the retry voids only output.
func TestResumeDenialSurvivesTheRetry(t *testing.T) {
	perm := wire.Permission{ID: "t1", Tool: "Bash", Summary: "rm -rf build", Batch: "b1", Status: wire.PermissionPending}
	denied := perm
	denied.Status, denied.Reason = wire.PermissionDenied, "the host stopped before a decision"
	evs := []wire.Event{
		{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: "clean"}},
		{Seq: 2, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "clean", Merger: "local"}},
		{Seq: 3, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "cleaning"},
		{Seq: 4, Kind: wire.KindPermission, Permission: &perm},
		{Seq: 5, Kind: wire.KindSystem, Text: "the party was resumed"},
		{Seq: 6, Kind: wire.KindPermission, Permission: &denied},
		{Seq: 7, Kind: wire.KindRetry, RetryBatch: "b1", Resumed: true},
		{Seq: 8, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m2", Name: "bob"}},
		{Seq: 9, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "done cleaning"},
		{Seq: 10, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000}},
	}
	md := String(Meta{}, evs)
	want := "**cancelled**: `the host stopped before a decision`" // nobody refused it
	order := []string{"the party was resumed", "output before was discarded", want, "done cleaning", "**Done**", "*bob joined*"}
	inOrder(t, md, order...)
	if strings.Count(md, "cleaning") != 1 || strings.Contains(md, "not decided") {
		t.Errorf("the first run's output (its reply, the request it left open) is still there:\n%s", md)
	}
	if strings.Contains(md, "## The agent") || strings.Contains(md, "had not finished") {
		t.Errorf("the turn did not go on after the notices:\n%s", md)
	}
}

// TestJoinsDoNotCutAReply: someone joining or leaving while the agent writes is said
// after the turn's output, which stays one reply: it was cut into several "Claude Code:"
// blocks, mid-word, and a code block would have held the notice (a tester's export).
func TestJoinsDoNotCutAReply(t *testing.T) {
	evs := []wire.Event{
		{Seq: 1, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: "show me"}},
		{Seq: 2, Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "show me", Merger: "local"}},
		{Seq: 3, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "Here:\n\n```go\nfunc ma"},
		{Seq: 4, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m2", Name: "bob"}},
		{Seq: 5, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "in() {}\n```\n\nThat is"},
		{Seq: 6, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m2", Name: "bob"}},
		{Seq: 7, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: " all."},
		{Seq: 8, Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone, DurationMS: 1000}},
		{Seq: 9, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m3", Name: "cy"}},
	}
	md := String(Meta{}, evs)
	if n := strings.Count(md, "**Claude Code:**"); n != 1 {
		t.Fatalf("the reply is in %d pieces, want 1:\n%s", n, md)
	}
	inOrder(t, md, "func main() {}\n```\n\nThat is all.", "**Done**", "*bob joined*", "*bob left*", "*cy joined*")
}

// A member who left and joins again came back, as the window says it (a tester's export
// said "Cleo joined" of members back after a resume); someone new joined; a member still
// there when the party ended, back with the resume, came back too.
func TestMembersBackCameBack(t *testing.T) {
	evs := []wire.Event{
		{Seq: 1, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m2", Name: "cleo"}},
		{Seq: 2, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m2", Name: "cleo"}},
		{Seq: 3, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m2", Name: "cleo"}},
		{Seq: 4, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m3", Name: "dee"}},
		{Seq: 5, Kind: wire.KindParticipants, Left: &wire.Member{ID: "m3", Name: "dee"}, Why: wire.WhyPartyEnded},
		{Seq: 6, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m3", Name: "dee"}},
	}
	md := String(Meta{}, evs)
	inOrder(t, md, "*cleo joined*", "*cleo left*", "*cleo came back*", "*dee joined*", "*dee came back*")
	if n := strings.Count(md, "joined*"); n != 2 {
		t.Errorf("%d joins, want 2 (cleo's and dee's first):\n%s", n, md)
	}
}

// inOrder fails the test unless md has every one of parts, in this order.
func inOrder(t *testing.T, md string, parts ...string) {
	t.Helper()
	at := 0
	for _, s := range parts {
		i := strings.Index(md[at:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", s, md)
		}
		at += i
	}
}

// The agent is named as people read it: "Claude Code", not the protocol's id (a tester's
// export said "Agent: claude\-code").
func TestAgentNamedForPeople(t *testing.T) {
	for agent, want := range map[string]string{"claude-code": "Agent: Claude Code", "": "Agent: Claude Code", "other-agent": `Agent: other-agent`} {
		if md := String(Meta{Host: "ann", Agent: agent}, nil); !strings.Contains(md, want) {
			t.Errorf("agent %q: the export lacks %q:\n%s", agent, want, md)
		}
	}
}

// Peers' escape sequences never reach the file: it is read in terminals, where a
// reviewer's exported prompt set the clipboard (OSC 52) and the window title, and
// cleared the screen. Text, newlines and tabs stay.
func TestMarkdownHasNoEscapeSequences(t *testing.T) {
	evil := "look\x1b]52;c;ZWNobyBwd25lZA==\a here\x1b[2J\x1b]0;pwned\a\tend\rover"
	got := String(Meta{Host: "hazel\x1b[31m", Party: "p1"}, []wire.Event{
		prompt(1, "p1", "mallory\x1b[8m", evil),
		ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: evil, Merger: "local"}}),
		out(3, wire.StreamAssistant, evil),
		out(4, wire.StreamToolOutput, evil+"\n"),
		ev(5, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone}}),
	})
	if i := strings.IndexFunc(got, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }); i >= 0 {
		t.Fatalf("a control character (%q) in the transcript:\n%q", got[i], got)
	}
	if !strings.Contains(got, "look here\tend\nover") || !strings.Contains(got, "mallory") {
		t.Fatalf("the text itself was lost:\n%s", got)
	}
	// An unterminated sequence takes the rest of its line, not the rest of the party (a
	// reviewer's prompt ending in ESC ] erased every turn after it).
	cut := String(Meta{Host: "hazel", Party: "p1"}, []wire.Event{
		prompt(1, "p1", "mallory", "look at this \x1b]"),
		ev(2, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "look at this", Merger: "local"}}),
		out(3, wire.StreamAssistant, "THE AGENT DELETED THE DATABASE"),
		ev(4, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone}}),
		prompt(5, "p2", "alice", "ALICE OBJECTS"),
	})
	for _, want := range []string{"look at this", "THE AGENT DELETED THE DATABASE", "ALICE OBJECTS"} {
		if !strings.Contains(cut, want) {
			t.Errorf("the transcript lost %q:\n%s", want, cut)
		}
	}
	if strings.ContainsRune(cut, '\x1b') {
		t.Errorf("an escape in the transcript:\n%q", cut)
	}
}

// A change list the host cut says how many files it did not list.
func TestMarkdownSaysWhatIsNotListed(t *testing.T) {
	got := String(Meta{Host: "hazel", Party: "p1"}, []wire.Event{
		ev(1, wire.Event{Kind: wire.KindChanges, Files: []wire.FileChange{{Path: "a.go", Status: "modified", Additions: 1}}, More: 2, Hidden: 1}),
	})
	if !strings.Contains(got, "- modified `a.go` (+1 −0)\n- and 2 more files, not listed (the host lists 2000 at most)\n- and 1 file that may hold credentials, not shown\n") {
		t.Fatalf("the footer:\n%s", got)
	}
}

// The document written as the events come is the one written whole, however often it is
// written out: a turn a notice paused is held until a retry can no longer take its output
// back, and a line is never cut. The events are those of the tests above, one after the
// other, with long output so that the document passes the flush size many times.
func TestWriterStreamsTheSameDocument(t *testing.T) {
	var evs []wire.Event
	seq := int64(0)
	add := func(e wire.Event) {
		seq++
		e.Seq = seq
		evs = append(evs, e)
	}
	for round := range 40 {
		b := fmt.Sprintf("b%d", round)
		p := fmt.Sprintf("p%d", round)
		add(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: p, User: "ann", Text: "do it\x1b]0;title"}})
		add(wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: b, Prompts: []string{p}, Merged: "do it", Merger: "local"}})
		add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: strings.Repeat("first half, ", 30)})
		add(wire.Event{Kind: wire.KindParticipants, Left: &wire.Member{ID: "m1", Name: "alice"}, Text: "alice was disconnected when the host stopped", Why: wire.WhyHostStopped})
		add(wire.Event{Kind: wire.KindSystem, Text: "the party was resumed"})
		if round%2 == 0 {
			add(wire.Event{Kind: wire.KindRetry, RetryBatch: b, Resumed: true})
		}
		add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "Bash: ls\n-> a b c\n"})
		add(wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: strings.Repeat("the whole reply\n", 20)})
		add(wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: b, Status: wire.TurnDone, DurationMS: 1000}})
	}
	whole := String(Meta{Host: "ann"}, evs)
	if strings.Contains(whole, "\x1b") || strings.Count(whole, "first half") == 0 {
		t.Fatalf("the events do not make the document this test needs:\n%.2000s", whole)
	}
	was := flushBytes
	t.Cleanup(func() { flushBytes = was })
	for _, size := range []int{1, 100, 4096} {
		flushBytes = size
		var out strings.Builder
		writes := 0
		tw := NewWriter(writerFunc(func(p []byte) (int, error) { writes++; return out.Write(p) }), Meta{Host: "ann"})
		for _, ev := range evs {
			tw.Event(ev)
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != whole {
			t.Fatalf("flushing at %d bytes, the document differs from the whole one", size)
		}
		if writes < 3 {
			t.Errorf("flushing at %d bytes: %d writes, want it written as it goes", size, writes)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestErrorOutputIsCut(t *testing.T) {
	var in []string
	for i := 1; i <= 11; i++ {
		in = append(in, fmt.Sprintf("line %d", i))
	}
	got := ErrorOutput(strings.Join(in, "\n")+"\n", "-> (error) line 0 (+10 lines)", "  ")
	want := "  line 1\n  line 2\n  line 3\n  line 4\n  line 5\n  line 6\n  line 7\n  line 8\n  … 3 more lines"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	// The first line as the result line says it, its tabs one space: not said twice.
	if got := ErrorOutput("FAIL\tpkg\t0.1s\nwhy\n", "-> (error) FAIL pkg 0.1s (+1 lines)", "> "); got != "> why" {
		t.Fatalf("got %q", got)
	}
	if got := ErrorOutput("one\n", "-> (error) one", "> "); got != "> one" { // its only line stays
		t.Fatalf("got %q", got)
	}
}

func TestIsCancelledResult(t *testing.T) {
	for line, want := range map[string]bool{
		"-> (cancelled) The user doesn't want to proceed…": true,
		"  -> (cancelled) x": true, // a subagent's
		"-> (denied) The turn was stopped before anyone decided.": true, // a host's from before "(cancelled)"
		"-> (denied) carol denied this tool use.":                 false,
		"->  (cancelled) echoed by a tool":                        false,
		"-> (error) The user doesn't want to proceed…":            false,
	} {
		if got := IsCancelledResult(line); got != want {
			t.Errorf("IsCancelledResult(%q) = %v, want %v", line, got, want)
		}
		if IsCancelledResult(line) && IsDeniedResult(line) {
			t.Errorf("%q reads as both cancelled and denied", line)
		}
	}
}

// A first line the result line cut ("…") is not said again under it: only what the cut
// left out (a user tester's export said Claude Code's whole rejection twice).
func TestErrorOutputSaysNoCutFirstLineAgain(t *testing.T) {
	const rejection = "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed."
	cut := string([]rune("-> (error) " + rejection)[:199]) + "…" // as the agent cuts it (toolLineMax)
	if got, want := ErrorOutput(rejection+"\n", cut, "> "), "> …the user to tell you how to proceed."; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got, want := ErrorOutput(rejection+"\nwhy\n", cut+" (+1 lines)", "> "), "> …the user to tell you how to proceed.\n> why"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	// A first line that only starts as the cut one did is the tool's: it stays whole.
	other := "The user doesn't want to proceed, but something else entirely."
	if got := ErrorOutput(other+"\n", "-> (error) The user doesn't want to proceed with…", "> "); got != "> "+other {
		t.Fatalf("got %q", got)
	}
}

// One rule for "the plan was sent back" in the export and the terminal (the window has its
// twin): what the turn was not allowed is all plans a host sent back.
func TestPlanSentBack(t *testing.T) {
	for _, c := range []struct {
		name          string
		r             Requests
		denied, plans int
		want          bool
	}{
		{"nothing denied", Requests{}, 0, 0, false},
		{"the one denial a plan sent back", Requests{}, 1, 1, true},
		{"a plan sent back and a refusal", Requests{}, 2, 1, false},
		{"a plan sent back and a time-out", Requests{TimedOut: 1}, 2, 1, false},
		{"a plan sent back and a request the turn's end cancelled", Requests{Cancelled: 1, counted: 1}, 2, 1, true},
		{"only a cancel", Requests{Cancelled: 1, counted: 1}, 1, 0, false},
		{"more plans seen than the turn counts", Requests{}, 1, 3, true},
	} {
		if got := c.r.PlanSentBack(c.denied, c.plans); got != c.want {
			t.Errorf("%s: PlanSentBack(%d, %d) = %v, want %v", c.name, c.denied, c.plans, got, c.want)
		}
	}
}

// TestMergedLocally: the local merger merged "locally", as the terminal and the window
// say it; an export read "merged by local" and "Merged by local from" (a tester's).
func TestMergedLocally(t *testing.T) {
	md := String(Meta{Host: "hana"}, []wire.Event{
		prompt(1, "p1", "alice", "one"),
		prompt(2, "p2", "bob", "two"),
		ev(3, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1", "p2"}, Merged: "one and two", Merger: wire.MergerLocal}}),
		ev(4, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone}}),
		prompt(5, "p3", "alice", "three"),
		prompt(6, "p4", "bob", "four"),
		ev(7, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b2", Prompts: []string{"p3", "p4"}, Merged: "three and four", Merger: wire.MergerLocal}}),
	})
	inOrder(t, md, "From **alice** and **bob**, merged locally:", "*Merged locally from **alice** and **bob**, waiting for a host's approval")
	if strings.Contains(md, "by local") || strings.Contains(md, "By local") {
		t.Errorf("the export says \"by local\":\n%s", md)
	}
}

// TestExportSaysWhatHappened: the export says what happened as the terminal does (a
// tester's): a merged prompt the resume did not take up was not "rejected by" the host
// who resumed; the local merger merged "locally", not "by local"; a viewer and a co-host
// joined as such; an export of a live party says it was still running.
func TestExportSaysWhatHappened(t *testing.T) {
	evs := []wire.Event{
		ev(1, wire.Event{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m1", Name: "hana", Role: wire.RoleHost}}),
		ev(2, wire.Event{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m2", Name: "carol", Role: wire.RoleViewer}}),
		ev(3, wire.Event{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m3", Name: "bob", Role: wire.RoleHost}}),
		ev(4, wire.Event{Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m4", Name: "alice", Role: wire.RoleParticipant}}),
		prompt(5, "p1", "alice", "one"),
		prompt(6, "p2", "bob", "two"),
		ev(7, wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1", "p2"}, Merged: "one and two", Merger: wire.MergerLocal}}),
		ev(8, wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone}}),
		prompt(9, "p3", "alice", "three"),
		prompt(10, "p4", "bob", "four"),
		ev(11, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b2", Prompts: []string{"p3", "p4"}, Merged: "three and four", Merger: wire.MergerLocal}}),
		ev(12, wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b2", Prompts: []string{"p3", "p4"}, By: "hana", Reason: "not now"}}),
		prompt(13, "p5", "alice", "five"),
		ev(14, wire.Event{Kind: wire.KindApproval, Approval: &wire.Approval{Batch: "b3", Prompts: []string{"p5"}, Merged: "five", Merger: wire.MergerLocal}}),
		ev(15, wire.Event{Kind: wire.KindRejected, Rejected: &wire.Rejected{Batch: "b3", Prompts: []string{"p5"}, By: "hana", Reason: party.ResumedWithout}}),
	}
	md := String(Meta{Host: "hana", Party: "p1", Running: true, Saved: t0.Add(time.Hour)}, evs)
	inOrder(t, md, "**Still running** when exported at 2025-03-01 11:00 UTC: what came after is not here.",
		"*hana joined*", "*carol joined as a viewer*", "*bob joined as a co-host*", "*alice joined*",
		"From **alice** and **bob**, merged locally:",
		"*Merged locally from **alice** and **bob**, waiting for a host's approval",
		"*Rejected by hana*: `not now` — the prompts of **alice** and **bob** were not sent.",
		"*The party was resumed without it* — the prompt of **alice** was not sent.")
	for _, no := range []string{"by local", "By local", "Rejected by hana*: `the party was resumed", "hana joined as", "alice joined as"} {
		if strings.Contains(md, no) {
			t.Errorf("the export says %q:\n%s", no, md)
		}
	}
	// Ended, it says how, and not that it runs.
	if md := String(Meta{Host: "hana", Ended: "the host ended the party", Saved: t0}, nil); strings.Contains(md, "Still running") {
		t.Errorf("an ended party's export says it runs:\n%s", md)
	}
}
