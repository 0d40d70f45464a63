package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Two kinds reuse a key with another type (event_json.go): a retry's "batch" is an id, a
// settings event's "approval" is a bool. Every kind must survive a round trip, and the
// JSON must have the shape PROTOCOL.md §5 and §7 give.
func TestEventJSONRoundTrip(t *testing.T) {
	ts := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	n := 2
	tests := []struct {
		name string
		ev   Event
		want map[string]any // keys that must be on the wire with these values (JSON-decoded)
		not  []string       // keys that must not be there
	}{
		{
			name: "retry carries the batch id as a string",
			ev:   Event{Seq: 7, TS: ts, Kind: KindRetry, RetryBatch: "b3"},
			want: map[string]any{"kind": "retry", "batch": "b3"},
			not:  []string{"approval", "permission_mode"},
		},
		{
			name: "batch carries an object",
			ev:   Event{Seq: 8, TS: ts, Kind: KindBatch, Batch: &Batch{ID: "b3", Prompts: []string{"p1"}, Merged: "do it", Merger: MergerLocal}},
			want: map[string]any{"batch": map[string]any{"id": "b3", "prompts": []any{"p1"}, "merged": "do it", "merger": "local"}},
		},
		{
			name: "settings on",
			ev:   Event{Seq: 9, TS: ts, Kind: KindSettings, Settings: &Settings{Approval: true, PermissionMode: PermissionEdits, Always: []string{}}},
			want: map[string]any{"kind": "settings", "approval": true, "permission_mode": "edits"},
			not:  []string{"batch"},
		},
		{
			name: "settings off still says approval false",
			ev:   Event{Seq: 10, TS: ts, Kind: KindSettings, Settings: &Settings{PermissionMode: PermissionAsk, Always: []string{}}},
			want: map[string]any{"approval": false, "permission_mode": "ask", "always": []any{}},
			not:  []string{"merger"},
		},
		{
			name: "settings list what is always allowed",
			ev:   Event{Seq: 10, TS: ts, Kind: KindSettings, Settings: &Settings{PermissionMode: PermissionEdits, Always: []string{"Bash", "WebFetch"}}},
			want: map[string]any{"approval": false, "permission_mode": "edits", "always": []any{"Bash", "WebFetch"}},
		},
		{
			name: "settings say which merger the party uses",
			ev:   Event{Seq: 10, TS: ts, Kind: KindSettings, Settings: &Settings{PermissionMode: PermissionAsk, Always: []string{}, Merger: MergerGemini}},
			want: map[string]any{"approval": false, "permission_mode": "ask", "always": []any{}, "merger": "gemini"},
		},
		{
			// It was dropped on the wire: the party's own events had it, its members' not.
			name: "settings say why the folder cannot be shared",
			ev:   Event{Seq: 10, TS: ts, Kind: KindSettings, Settings: &Settings{PermissionMode: PermissionAsk, Workspace: WorkspaceOff, Always: []string{}, ShareError: "too large"}},
			want: map[string]any{"approval": false, "permission_mode": "ask", "workspace": "off", "always": []any{}, "share_error": "too large"},
		},
		{
			name: "changes say how many secrets they keep back",
			ev:   Event{Seq: 10, TS: ts, Kind: KindChanges, Files: []FileChange{}, Hidden: 1},
			want: map[string]any{"kind": "changes", "files": []any{}, "hidden": float64(1)},
		},
		{
			name: "changes with none kept back",
			ev:   Event{Seq: 10, TS: ts, Kind: KindChanges, Files: []FileChange{{Path: "a", Status: "added"}}},
			want: map[string]any{"kind": "changes"},
			not:  []string{"hidden"},
		},
		{
			name: "approval carries an object",
			ev:   Event{Seq: 11, TS: ts, Kind: KindApproval, Approval: &Approval{Batch: "b4", Prompts: []string{"p2", "p3"}, Merged: "m", Merger: MergerGemini}},
			want: map[string]any{"approval": map[string]any{"batch": "b4", "prompts": []any{"p2", "p3"}, "merged": "m", "merger": "gemini"}},
			not:  []string{"permission_mode"},
		},
		{
			name: "rejected",
			ev:   Event{Seq: 12, TS: ts, Kind: KindRejected, Rejected: &Rejected{Batch: "b4", Prompts: []string{"p2"}, By: "carol", Reason: "no"}},
			want: map[string]any{"rejected": map[string]any{"batch": "b4", "prompts": []any{"p2"}, "by": "carol", "reason": "no"}},
		},
		{
			name: "permission",
			ev: Event{Seq: 13, TS: ts, Kind: KindPermission, Permission: &Permission{
				ID: "t5", Tool: "Bash", Summary: "touch x", Batch: "b4", Status: PermissionDenied, By: "carol", Reason: "no writes",
			}},
			want: map[string]any{"permission": map[string]any{"id": "t5", "tool": "Bash", "summary": "touch x", "batch": "b4", "status": "denied", "by": "carol", "reason": "no writes"}},
		},
		{
			name: "participants changed",
			ev:   Event{Seq: 14, TS: ts, Kind: KindParticipants, Changed: &Member{ID: "m2", Name: "bob", Role: RoleHost}, Count: &n},
			want: map[string]any{"changed": map[string]any{"id": "m2", "name": "bob", "role": "host"}, "count": 2.0},
			not:  []string{"joined", "left"},
		},
		{
			name: "turn with denials",
			ev:   Event{Seq: 15, TS: ts, Kind: KindTurn, Turn: &Turn{Batch: "b4", Status: TurnInterrupted, DurationMS: 5, Error: "stopped by carol", Denied: 1}},
			want: map[string]any{"turn": map[string]any{"batch": "b4", "status": "interrupted", "duration_ms": 5.0, "error": "stopped by carol", "denied": 1.0}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			if m["seq"] != float64(tc.ev.Seq) || m["kind"] != tc.ev.Kind || m["ts"] != "2026-12-01T08:00:00Z" {
				t.Errorf("envelope of %s", raw)
			}
			for k, v := range tc.want {
				if !reflect.DeepEqual(m[k], v) {
					t.Errorf("%q = %#v, want %#v in %s", k, m[k], v, raw)
				}
			}
			for _, k := range tc.not {
				if _, ok := m[k]; ok {
					t.Errorf("%q present in %s", k, raw)
				}
			}
			var back Event
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tc.ev) {
				t.Errorf("round trip:\n got %+v\nwant %+v", back, tc.ev)
			}
		})
	}
}

// A reader ignores a "batch" or "approval" of the wrong shape for its kind, as it ignores
// unknown fields: the event still decodes.
func TestEventJSONWrongShapesAreIgnored(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Event
	}{
		{name: "batch event with a string batch", raw: `{"seq":1,"kind":"batch","batch":"b1"}`, want: Event{Seq: 1, Kind: KindBatch}},
		{name: "retry with an object batch", raw: `{"seq":2,"kind":"retry","batch":{"id":"b1"}}`, want: Event{Seq: 2, Kind: KindRetry}},
		{name: "approval event with a bool approval", raw: `{"seq":3,"kind":"approval","approval":true}`, want: Event{Seq: 3, Kind: KindApproval}},
		{name: "settings with an object approval", raw: `{"seq":4,"kind":"settings","approval":{"batch":"b1"},"permission_mode":"plan"}`,
			want: Event{Seq: 4, Kind: KindSettings, Settings: &Settings{PermissionMode: PermissionPlan}}},
		{name: "settings with nothing", raw: `{"seq":5,"kind":"settings"}`, want: Event{Seq: 5, Kind: KindSettings, Settings: &Settings{}}},
		{name: "unknown kind and fields", raw: `{"seq":6,"kind":"future","files":[],"batch":null,"approval":null,"x":1}`, want: Event{Seq: 6, Kind: "future"}},
		{name: "changes with no files", raw: `{"seq":7,"kind":"changes"}`, want: Event{Seq: 7, Kind: KindChanges, Files: []FileChange{}}},
		{name: "changes", raw: `{"seq":8,"kind":"changes","files":[{"path":"a.go","status":"renamed","from":"b.go","additions":1,"deletions":2}]}`,
			want: Event{Seq: 8, Kind: KindChanges, Files: []FileChange{{Path: "a.go", Status: "renamed", From: "b.go", Additions: 1, Deletions: 2}}}},
		{name: "changes with hidden secrets", raw: `{"seq":9,"kind":"changes","files":[],"hidden":2}`, want: Event{Seq: 9, Kind: KindChanges, Files: []FileChange{}, Hidden: 2}},
		// Our extensions, of another shape from another host: ignored, the event kept (a
		// reviewer's "sent": true failed the whole event).
		{name: "retry with a bool sent", raw: `{"seq":10,"kind":"retry","batch":"b1","sent":true}`, want: Event{Seq: 10, Kind: KindRetry, RetryBatch: "b1"}},
		{name: "settings with odd extensions", raw: `{"seq":11,"kind":"settings","approval":true,"permission_mode":"ask","share_error":1,"merger":{},"always":"Bash","workspace":2}`,
			want: Event{Seq: 11, Kind: KindSettings, Settings: &Settings{Approval: true, PermissionMode: PermissionAsk}}},
		{name: "changes with a string for files", raw: `{"seq":12,"kind":"changes","files":"a.go"}`, want: Event{Seq: 12, Kind: KindChanges, Files: []FileChange{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got Event
			if err := json.Unmarshal([]byte(tc.raw), &got); err != nil {
				t.Fatalf("decode %s: %v", tc.raw, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	var ev Event
	if err := json.Unmarshal([]byte(`{"seq":"x"}`), &ev); err == nil || !strings.Contains(err.Error(), "seq") {
		t.Errorf("a bad seq decoded: %v", err)
	}
}

// The hand-written encoding of output events decodes to the same event as the general one.
func TestOutputEncoding(t *testing.T) {
	ts := time.Date(2026, 12, 1, 9, 30, 0, 123456789, time.UTC)
	for _, text := range []string{"", "plain", "quote \" back \\ slash", "ctl \x00\x01\x1f\t\r\n", "é ✓ 🎉", "bad \xff\xfe utf8", "\u2028\u2029", "<html>&"} {
		for _, first := range []int64{0, 7} {
			ev := Event{Seq: 9, FirstSeq: first, TS: ts, Kind: KindOutput, Text: text, Stream: StreamAssistant}
			raw, err := json.Marshal(ev)
			if err != nil || !json.Valid(raw) {
				t.Fatalf("%q: %s %v", text, raw, err)
			}
			var got Event
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			want := ev
			std, _ := json.Marshal(text) // what encoding/json makes of it (U+FFFD per bad byte)
			_ = json.Unmarshal(std, &want.Text)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: round trip %+v, want %+v (%s)", text, got, want, raw)
			}
		}
	}
}

func BenchmarkOutputEvent(b *testing.B) {
	ev := Event{Seq: 12345, TS: time.Now(), Kind: KindOutput, Text: "a delta of streamed text, thirty-two", Stream: StreamAssistant}
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(ev)
		}
	})
	b.Run("Encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = Encode(ev)
		}
	})
	b.Run("reflection (before)", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(eventFields(ev))
		}
	})
}

// A host's replay with its events already encoded decodes to the same state.
func TestStateWithRawEvents(t *testing.T) {
	evs := []Event{
		{Seq: 1, Kind: KindSystem, Text: "hi"},
		{Seq: 2, Kind: KindOutput, Text: "x\"y", Stream: StreamAssistant},
		{Seq: 3, Kind: KindRetry, RetryBatch: "b1"},
	}
	st := State{Seq: 3, Phase: PhaseIdle, Participants: []Member{{ID: "m1", Name: "a", Role: RoleHost}}, Pending: []Prompt{}, Events: evs, Truncated: true}
	plain, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		raw, _ := Encode(ev)
		st.RawEvents = append(st.RawEvents, raw)
	}
	spliced, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var a, b State
	if err := json.Unmarshal(plain, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(spliced, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("spliced %s\nplain   %s", spliced, plain)
	}
}
