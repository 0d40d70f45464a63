package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

var t0 = time.Date(2025, 5, 1, 9, 30, 0, 0, time.UTC)

func header(id string) Header {
	return Header{Party: id, Host: "hosty", Created: t0, Token: "tok", ViewerToken: "vtok",
		Settings: Settings{Listen: "127.0.0.1:0", Port: 4242, WindowMS: 3000, MinPrompts: 1, Merge: "local",
			PermissionMode: "ask", WorkDir: "/w", Claude: "claude", ClaudeArgs: []string{"--model", "x"}}}
}

// event makes event seq with a text of n bytes.
func event(seq int64, kind string, n int) (wire.Event, json.RawMessage) {
	ev := wire.Event{Seq: seq, TS: t0.Add(time.Duration(seq) * time.Second), Kind: kind}
	switch kind {
	case wire.KindTurn:
		ev.Turn = &wire.Turn{Batch: "t" + strconv.FormatInt(seq, 10), Status: wire.TurnDone} // a batch of its own
	case wire.KindRetry:
		ev.RetryBatch = "b1"
	default:
		ev.Text = strings.Repeat("x", n)
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return ev, raw
}

func writeParty(t testing.TB, dir string, n, size int) *Writer {
	t.Helper()
	w, err := Create(dir, header("p1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Member(Member{ID: "m1", Name: "alice", Role: "participant", Session: "s1", ClientID: "c1"}); err != nil {
		t.Fatal(err)
	}
	for i := int64(1); i <= int64(n); i++ {
		kind := wire.KindOutput
		if i%10 == 0 {
			kind = wire.KindTurn
		}
		if err := w.Event(event(i, kind, size)); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func seqs(t *testing.T, w *Writer, from int64) []int64 {
	t.Helper()
	var got []int64
	err := w.Events(from, func(seq int64, raw json.RawMessage) bool {
		var ev wire.Event
		if err := json.Unmarshal(raw, &ev); err != nil || ev.Seq != seq {
			t.Fatalf("event %d: %v (seq in JSON %d)", seq, err, ev.Seq)
		}
		got = append(got, seq)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A host invite comes from the header, and a later invites record without one takes it away
// (a resume with the host's own terminal drops it).
func TestHostTokenFollowsTheLastInvites(t *testing.T) {
	dir := t.TempDir()
	h := header("p1")
	h.HostToken = "htok"
	w, err := Create(dir, h)
	if err != nil {
		t.Fatal(err)
	}
	path := w.Path()
	read := func() *Summary {
		t.Helper()
		s, err := Read(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := read(); s.HostToken != "htok" || s.Token != "tok" {
		t.Fatalf("after the header: %q %q", s.Token, s.HostToken)
	}
	if err := w.Invites(Tokens{Participant: "tok", Viewer: "vtok"}); err != nil {
		t.Fatal(err)
	}
	if s := read(); s.HostToken != "" || s.Token != "tok" || s.ViewerToken != "vtok" {
		t.Fatalf("after an invites record without a host token: %q %q %q", s.Token, s.ViewerToken, s.HostToken)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWriteReopenRead(t *testing.T) {
	dir := t.TempDir()
	w := writeParty(t, dir, 30, 10)
	if err := w.Invites(Tokens{"tok2", "vtok2", "htok2"}); err != nil {
		t.Fatal(err)
	}
	if err := w.AgentSession("sess-1"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"run-1", "run-2"} {
		if err := w.AgentRun(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.End(t0); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := Path(dir, "p1")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", st.Mode().Perm())
	}
	if dst, _ := os.Stat(Dir(dir)); dst.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", dst.Mode().Perm())
	}
	var n int
	s, err := Read(path, func(ev wire.Event, _ json.RawMessage) {
		n++
		if ev.Seq != int64(n) {
			t.Fatalf("event %d has seq %d", n, ev.Seq)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case n != 30 || s.Events != 30 || s.LastSeq != 30 || s.Turns != 3:
		t.Errorf("events %d/%d, last %d, turns %d", n, s.Events, s.LastSeq, s.Turns)
	case s.Token != "tok2" || s.ViewerToken != "vtok2" || s.HostToken != "htok2":
		t.Errorf("tokens %q %q %q, want the rotated ones", s.Token, s.ViewerToken, s.HostToken)
	case s.AgentSession != "sess-1" || !s.Ended || s.Skipped != 0:
		t.Errorf("session %q ended %v skipped %d", s.AgentSession, s.Ended, s.Skipped)
	case s.LastRun() != "run-2" || strings.Join(s.AgentRuns, ",") != "run-1,run-2":
		t.Errorf("agent run %q (all: %q), want the last one (and both)", s.LastRun(), s.AgentRuns)
	case s.Members["m1"].Session != "s1" || s.Header.Settings.ClaudeArgs[1] != "x":
		t.Errorf("members %+v header %+v", s.Members, s.Header)
	}

	// Reopen: appends continue the file, a resume clears "ended".
	w, s2, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s2.LastSeq != 30 {
		t.Fatalf("reopened at %d", s2.LastSeq)
	}
	if err := w.Resumed(t0, Settings{WindowMS: 500}); err != nil {
		t.Fatal(err)
	}
	if err := w.Event(event(30, wire.KindOutput, 1)); err == nil {
		t.Error("a seq already written was accepted")
	}
	if err := w.Event(event(31, wire.KindOutput, 1)); err != nil {
		t.Fatal(err)
	}
	if got := seqs(t, w, 29); len(got) != 3 || got[0] != 29 || got[2] != 31 {
		t.Errorf("events from 29 after reopen: %v", got)
	}
	w.Close()
	s3, err := Read(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s3.Ended || s3.Resumes != 1 || s3.Settings.WindowMS != 500 || s3.LastSeq != 31 {
		t.Errorf("after resume: %+v", s3)
	}
	if _, err := Create(dir, header("p1")); !errors.Is(err, ErrExists) {
		t.Errorf("Create over an existing journal: %v", err)
	}
}

func TestTornLastLineIsSkippedAndCut(t *testing.T) {
	dir := t.TempDir()
	w := writeParty(t, dir, 5, 10)
	w.Close()
	path := Path(dir, "p1")
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"type":"event","event":{"seq":6,"ts":"2025-05-01T09:3`) // killed mid-write
	f.Close()

	s, err := Read(path, nil)
	if err != nil {
		t.Fatalf("a torn line was fatal: %v", err)
	}
	if s.LastSeq != 5 || s.Skipped != 1 {
		t.Errorf("last %d skipped %d", s.LastSeq, s.Skipped)
	}
	w, os, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A torn line is a machine that went down mid-write (a write is one write(2): a killed
	// host does not tear one): its members may hold later seqs, so Open records a floor.
	// The torn part stays, ended as a line a reader skips, so that nothing is glued to it.
	if !os.LostTail || os.SeqFloor != 5+MaxUnsynced {
		t.Fatalf("Open of a torn journal: lost tail %v, floor %d", os.LostTail, os.SeqFloor)
	}
	if err := w.Event(event(os.SeqFloor+1, wire.KindTurn, 0)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	s, err = Read(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.LastSeq != os.SeqFloor+1 || s.Skipped != 1 || s.Turns != 1 || s.SeqFloor != os.SeqFloor {
		t.Errorf("after the floor and an append: last %d skipped %d turns %d floor %d", s.LastSeq, s.Skipped, s.Turns, s.SeqFloor)
	}
	// Opened again: no new floor (nothing new is torn, and the machine stayed up).
	w, os2, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if os2.LostTail || os2.SeqFloor != os.SeqFloor {
		t.Errorf("opened again: lost tail %v, floor %d", os2.LostTail, os2.SeqFloor)
	}
}

func TestDamagedLinesAreSkipped(t *testing.T) {
	var buf bytes.Buffer
	hb, _ := json.Marshal(Record{Type: TypeHeader, Header: &Header{Party: "p"}})
	buf.Write(append(hb, '\n'))
	_, raw1 := event(1, wire.KindOutput, 3)
	_, raw2 := event(2, wire.KindOutput, 3)
	buf.WriteString(eventPrefix + string(raw1) + "}\n")
	buf.WriteString("garbage\n")
	buf.WriteString(eventPrefix + string(raw1) + "}\n") // a repeated seq is never delivered twice
	buf.WriteString(`{"type":"from-the-future"}` + "\n")
	buf.WriteString(eventPrefix + string(raw2) + "}\n")
	var got []int64
	s, err := ReadFrom(&buf, func(ev wire.Event, _ json.RawMessage) { got = append(got, ev.Seq) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1] != 2 || s.Skipped != 3 {
		t.Errorf("got %v, skipped %d", got, s.Skipped)
	}
	if _, err := ReadFrom(strings.NewReader(eventPrefix+string(raw1)+"}\n"), nil); !errors.Is(err, ErrNoHeader) {
		t.Errorf("no header: %v", err)
	}
}

// A line that is not UTF-8 (damage on disk) is skipped by the reader and by a replay from
// the file alike: spliced raw into a hello reply, it made every participant's connection
// fail with 1007, and reconnect into the same reply, in a loop (a reviewer's).
func TestALineNotUTF8IsSkipped(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	hb, _ := json.Marshal(Record{Type: TypeHeader, Header: &Header{Party: "p1"}})
	buf.Write(append(hb, '\n'))
	for seq := int64(1); seq <= 3; seq++ {
		_, raw := event(seq, wire.KindOutput, 3)
		line := eventPrefix + string(raw) + "}\n"
		if seq == 2 {
			line = strings.Replace(line, `"text":"x`, "\"text\":\"\xff", 1)
		}
		buf.WriteString(line)
	}
	if !strings.Contains(buf.String(), "\xff") {
		t.Fatal("the damaged line was not written")
	}
	path := Path(dir, "p1")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var read []int64
	w, s, err := Open(path, func(ev wire.Event, _ json.RawMessage) { read = append(read, ev.Seq) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if !slices.Equal(read, []int64{1, 3}) || s.Skipped != 1 {
		t.Errorf("read %v, skipped %d; want [1 3], 1", read, s.Skipped)
	}
	if got := seqs(t, w, 1); !slices.Equal(got, []int64{1, 3}) {
		t.Errorf("replayed %v, want [1 3]", got)
	}
}

// TestIndexKeepsReadsShort: a replay from a late seq starts at a nearby mark, not at the
// start of the file, and every seq is found from every starting point.
func TestIndexKeepsReadsShort(t *testing.T) {
	dir := t.TempDir()
	w := writeParty(t, dir, 2000, 1000) // ~2 MB
	defer w.Close()
	if len(w.index) < 4 {
		t.Fatalf("only %d index marks for 2 MB", len(w.index))
	}
	for i := 1; i < len(w.index); i++ {
		if w.index[i].off-w.index[i-1].off > markBytes+4096 || w.index[i].seq-w.index[i-1].seq > markEvents {
			t.Fatalf("marks %v and %v too far apart", w.index[i-1], w.index[i])
		}
	}
	for _, from := range []int64{0, 1, 2, 255, 256, 257, 1000, 1999, 2000} {
		got := seqs(t, w, from)
		start := max(from, 1)
		if len(got) != int(2000-start+1) || got[0] != start || got[len(got)-1] != 2000 {
			t.Fatalf("from %d: %d events, first %v", from, len(got), got[:min(3, len(got))])
		}
	}
	if got := seqs(t, w, 2001); len(got) != 0 {
		t.Errorf("past the end: %v", got)
	}
	// Reopening rebuilds the same index from the file.
	w.Close()
	w2, _, err := Open(Path(dir, "p1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if len(w2.index) != len(w.index) || w2.index[3] != w.index[3] {
		t.Errorf("reopened index %d marks, first ones %v, written %v", len(w2.index), w2.index[:4], w.index[:4])
	}
	if got := seqs(t, w2, 1500); len(got) != 501 {
		t.Errorf("from 1500 after reopen: %d", len(got))
	}
}

func TestEventsReadsAnEventLongerThanTheBuffer(t *testing.T) {
	w := writeParty(t, t.TempDir(), 3, 200<<10)
	defer w.Close()
	if got := seqs(t, w, 2); len(got) != 2 {
		t.Errorf("got %v", got)
	}
}

func TestListAndLatest(t *testing.T) {
	dir := t.TempDir()
	if _, err := Latest(dir); !errors.Is(err, ErrNoParties) {
		t.Errorf("empty: %v", err)
	}
	a, _ := Create(dir, header("aaa"))
	a.Close()
	past := time.Now().Add(-time.Hour)
	os.Chtimes(Path(dir, "aaa"), past, past)
	b, _ := Create(dir, header("bbb"))
	b.Close()
	os.WriteFile(filepath.Join(Dir(dir), "notes.txt"), []byte("x"), 0o600)
	if id, err := Latest(dir); err != nil || id != "bbb" {
		t.Errorf("latest %q %v", id, err)
	}
	list, err := List(dir)
	if err != nil || len(list) != 2 {
		t.Fatalf("list %d %v", len(list), err)
	}
	for _, id := range []string{"abc123", "a-b_c"} {
		if !ValidID(id) {
			t.Errorf("%q refused", id)
		}
	}
	for _, id := range []string{"", "../x", "a/b", "a.b"} {
		if ValidID(id) {
			t.Errorf("%q accepted", id)
		}
	}
}

// TestOpenWaitsForALookingProcess: a journal that another process only looks at (InUse,
// which every host's start does for the journals beside its own, holds the lock for a
// moment) is still taken; one held for good stays refused.
func TestOpenWaitsForALookingProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no journal locks here")
	}
	dir := t.TempDir()
	w, err := Create(dir, header("p1"))
	if err != nil {
		t.Fatal(err)
	}
	path := w.Path()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	looker, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := lock(looker); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		looker.Close() // done looking
	}()
	w2, _, err := Open(path, nil)
	if err != nil {
		t.Fatalf("Open while another process looked for a moment: %v", err)
	}
	defer w2.Close()
	if _, _, err := Open(path, nil); !errors.Is(err, ErrInUse) {
		t.Fatalf("Open of a journal a host holds: %v, want ErrInUse", err)
	}
}

// TestListerReadsOnlyWhatChanged: a Lister gives the summary it kept for a journal that has
// not changed, reads one that grew again, and forgets one that is gone.
func TestListerReadsOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"aaa", "bbb"} {
		w, err := Create(dir, header(id))
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
	var l Lister
	byID := func() map[string]*Summary {
		t.Helper()
		list, err := l.List(dir)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]*Summary{}
		for _, s := range list {
			m[s.Header.Party] = s
		}
		return m
	}
	first := byID()
	second := byID()
	if len(second) != 2 || second["aaa"] != first["aaa"] || second["bbb"] != first["bbb"] {
		t.Fatalf("unchanged journals were read again: %v, then %v", first, second)
	}
	w, _, err := Open(Path(dir, "aaa"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.End(time.Now()); err != nil {
		t.Fatal(err)
	}
	w.Close()
	third := byID()
	if third["aaa"] == first["aaa"] || !third["aaa"].Ended || third["bbb"] != first["bbb"] {
		t.Fatalf("after aaa ended: aaa read again %v (ended %v), bbb kept %v", third["aaa"] != first["aaa"], third["aaa"].Ended, third["bbb"] == first["bbb"])
	}
	// Another journal renamed over bbb, with bbb's size and time: read again.
	bbb, _ := os.Stat(Path(dir, "bbb"))
	data, err := os.ReadFile(Path(dir, "bbb"))
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "ccc.jsonl") // the same journal, its party "ccc"
	if err := os.WriteFile(other, bytes.ReplaceAll(data, []byte(`"bbb"`), []byte(`"ccc"`)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, Path(dir, "bbb")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(Path(dir, "bbb"), bbb.ModTime(), bbb.ModTime()); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.Stat(Path(dir, "bbb")); now.Size() != bbb.Size() {
		t.Fatalf("the two journals differ in size (%d, %d): the test needs them alike", now.Size(), bbb.Size())
	}
	if got := byID(); got["ccc"] == nil || got["bbb"] != nil {
		t.Fatalf("a journal renamed over another was not read again: %v", got)
	}
	// A file that is not a journal is kept as not readable, until it changes.
	junk := filepath.Join(Dir(dir), "junk.jsonl")
	if err := os.WriteFile(junk, []byte("not a journal\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	byID()
	if c, ok := l.read[junk]; !ok || c.err == nil {
		t.Fatalf("the unreadable file is not kept as such: %+v", c)
	}
	if err := os.Remove(Path(dir, "bbb")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(junk); err != nil {
		t.Fatal(err)
	}
	if got := byID(); len(got) != 1 || len(l.read) != 1 {
		t.Fatalf("after bbb was removed: listed %d, kept %d", len(got), len(l.read))
	}
}

// A turn the agent never had (claude could not start: turn.unsent) is not counted as a
// turn it ran (a tester's `concordia parties` listed 1 turn for a party whose only prompt
// never reached the agent), nor is one cut short when the host stopped and not run again
// at the resume (`--without-unanswered`: a tester's listing and Recent parties counted it).
// A turn that failed on the agent, or was stopped, it ran: those count.
func TestTurnsLeaveOutTurnsTheAgentDidNotRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		turn wire.Turn
		want int
	}{
		{"unsent", wire.Turn{Batch: "b9", Status: wire.TurnError, Unsent: true}, 1},
		{"not run again", wire.Turn{Batch: "b9", Status: wire.TurnError, DurationMS: 4000, Error: wire.TurnNotRunAgain}, 1},
		{"failed on the agent", wire.Turn{Batch: "b9", Status: wire.TurnError, Error: "claude exited"}, 2},
		{"interrupted", wire.Turn{Batch: "b9", Status: wire.TurnInterrupted}, 2},
		// Cut by the host's end or stop, as "not run again" is: not a turn the agent ran.
		{"cut by the party's end", wire.Turn{Batch: "b9", Status: wire.TurnInterrupted, Error: wire.TurnPartyEnded}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w := writeParty(t, dir, 10, 1) // its 10th event is a turn
			writeTurn(t, w, 11, tc.turn)
			w.Close()
			s, err := Read(Path(dir, "p1"), nil)
			if err != nil || s.Turns != tc.want || s.Events != 11 {
				t.Fatalf("turns %d, events %d (%v); want %d and 11", s.Turns, s.Events, err, tc.want)
			}
		})
	}
}

// TestListReadHandsOverEachJournalsEvents: ListRead lists as List does and gives every
// journal's events, as it reads them, to the function asked for that journal (the reading
// `concordia parties` does once, where it once read every stopped journal twice).
func TestListReadHandsOverEachJournalsEvents(t *testing.T) {
	dir := t.TempDir()
	for i, id := range []string{"aaa", "bbb"} {
		w, err := Create(dir, header(id))
		if err != nil {
			t.Fatal(err)
		}
		for seq := int64(1); seq <= int64(i+2); seq++ {
			ev := wire.Event{Seq: seq, Kind: wire.KindSystem, Text: id}
			raw, _ := json.Marshal(ev)
			if err := w.Event(ev, raw); err != nil {
				t.Fatal(err)
			}
		}
		w.Close()
	}
	os.WriteFile(filepath.Join(Dir(dir), "notes.txt"), []byte("x"), 0o600)
	// One that cannot be read is returned as such; one a host holds (being made: still
	// empty) is not, as it is not damaged.
	os.WriteFile(filepath.Join(Dir(dir), "ddd.jsonl"), []byte("garbage\n"), 0o600)
	os.WriteFile(filepath.Join(Dir(dir), "eee.jsonl"), nil, 0o600)
	held, err := os.Open(filepath.Join(Dir(dir), "eee.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := lock(held); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	list, bad, err := ListRead(dir, func(path string) func(wire.Event, json.RawMessage) {
		id := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		if _, again := got[id]; again {
			t.Errorf("%s opened twice", id)
		}
		got[id] = []string{}
		return func(ev wire.Event, _ json.RawMessage) { got[id] = append(got[id], ev.Text) }
	})
	if len(bad) != 1 || bad[0].ID != "ddd" || !errors.Is(bad[0].Err, ErrNoHeader) {
		t.Errorf("unreadable %+v, want ddd alone (eee is held by a host)", bad)
	}
	delete(got, "ddd") // opened, and found unreadable
	delete(got, "eee")
	if err != nil || len(list) != 2 {
		t.Fatalf("list %d %v", len(list), err)
	}
	if want := map[string][]string{"aaa": {"aaa", "aaa"}, "bbb": {"bbb", "bbb", "bbb"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("events handed over %v, want %v", got, want)
	}
	plain, _ := List(dir)
	for i := range list {
		if list[i].Path != plain[i].Path || list[i].LastSeq != plain[i].LastSeq {
			t.Errorf("ListRead's summary %d %+v, List's %+v", i, list[i], plain[i])
		}
	}
}

// TestRemoveWaitsForALookingProcess: Remove takes a journal that another process only
// looks at for a moment (every host's start does, for the journals beside its own), as
// Open does; one held for good is refused (a reviewer's: --delete said "resumed just now").
func TestRemoveWaitsForALookingProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no journal locks here")
	}
	dir := t.TempDir()
	w, err := Create(dir, header("p1"))
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	path := Path(dir, "p1")
	look, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := lock(look); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(30*time.Millisecond, func() { look.Close() })
	if err := Remove(path); err != nil {
		t.Fatalf("Remove while another process looked: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the journal is still there: %v", err)
	}
	held, err := Create(dir, header("p2"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := Remove(Path(dir, "p2")); !errors.Is(err, ErrInUse) {
		t.Errorf("Remove of a running party's journal = %v, want ErrInUse", err)
	}
}

// cutShort says whether the journal at path carries a mark of a failed write, resumable
// or not.
func cutShort(path string) bool { return Marked(path) || Incomplete(path) }

// writeCutShort writes a journal of three events, then has a fourth fail (as on a full
// disk) and closes it, with a fifth event in between when more says so.
func writeCutShort(t *testing.T, dir string, more func(w *Writer)) string {
	t.Helper()
	w, err := Create(dir, header("pf"))
	if err != nil {
		t.Fatal(err)
	}
	for seq := int64(1); seq <= 3; seq++ {
		ev, raw := event(seq, wire.KindSystem, 10)
		if err := w.Event(ev, raw); err != nil {
			t.Fatal(err)
		}
	}
	path := w.Path()
	if cutShort(path) {
		t.Fatal("a journal written whole is marked cut short")
	}
	w.f.Close() // the next write fails, as on a full disk
	ev, raw := event(4, wire.KindSystem, 10)
	if err := w.Event(ev, raw); err == nil {
		t.Fatal("a write to a closed file succeeded")
	}
	if more != nil {
		more(w)
	}
	// End and Close answer with that same error, which the host says once.
	endErr := w.End(t0)
	if closeErr := w.Close(); endErr == nil || closeErr != endErr {
		t.Fatalf("End %v, Close %v: want the same write error", endErr, closeErr)
	}
	return path
}

// A journal a failed write cut short (a full disk) is marked, read as it is, and resumed
// only past the floor its cut mark names, beyond every event its members were sent: a
// tester's resume from one numbered new events as those members held (they dropped them
// all). The floor is recorded in the journal before its marks come off, saying its end
// was lost, until a resume has run.
func TestAJournalCutShortIsResumedPastItsFloor(t *testing.T) {
	dir := t.TempDir()
	path := writeCutShort(t, dir, func(w *Writer) {
		ev, raw := event(cutStep+10, wire.KindOutput, 10) // the party went on
		if err := w.Event(ev, raw); err == nil {
			t.Fatal("a write to a closed file succeeded")
		}
	})
	if !Marked(path) || Incomplete(path) {
		t.Fatalf("a journal cut short with its cut mark: marked %v, refused %v", Marked(path), Incomplete(path))
	}
	floor, ok := Cut(path)
	if !ok || floor < cutStep+10 {
		t.Fatalf("Cut = %d, %v: want a floor past seq %d, the last one sent", floor, ok, cutStep+10)
	}
	s, err := Read(path, nil)
	if err != nil || s.Incomplete || !s.LostEnd || s.LastSeq != 3 || s.SeqFloor != floor {
		t.Fatalf("Read of a journal cut short: %+v, %v", s, err)
	}
	w, s, err := Open(path, nil)
	if err != nil {
		t.Fatalf("Open of a journal cut short past its floor: %v", err)
	}
	if !s.LostEnd || s.SeqFloor != floor || cutShort(path) {
		t.Fatalf("opened: lost end %v, floor %d (want %d), still marked %v", s.LostEnd, s.SeqFloor, floor, cutShort(path))
	}
	if _, _, ok := cutMark(path); ok {
		t.Fatal("the cut mark was left")
	}
	ev, raw := event(floor+1, wire.KindSystem, 10)
	if err := w.Event(ev, raw); err != nil {
		t.Fatalf("the resumed journal cannot be written: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Until a resume has run, the journal still says so; the floor stays.
	s, err = Read(path, nil)
	if err != nil || !s.LostEnd || s.SeqFloor != floor || s.LastSeq != floor+1 {
		t.Fatalf("read back: %+v, %v", s, err)
	}
	w, _, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Resumed(t0, Settings{}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if s, err := Read(path, nil); err != nil || s.LostEnd {
		t.Fatalf("after a resume ran: %+v, %v", s, err)
	}
}

// A party whose journal is behind while its host runs is not resumed by another host, and
// keeps its read-only mark (Open makes a cut journal writable before it takes the lock).
func TestAJournalBehindInARunningHostIsNotOpened(t *testing.T) {
	w, err := Create(t.TempDir(), header("pf"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err) // Linux has one; the test is about its ENOSPC
	}
	defer full.Close()
	w.mu.Lock()
	w.out = newAppender(full) // the file stays open, and locked, as in a running host
	w.mu.Unlock()
	ev, raw := event(1, wire.KindSystem, 10)
	if err := w.Event(ev, raw); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("an event on a full disk: %v", err)
	}
	if _, ok := Cut(w.Path()); !ok {
		t.Fatal("a journal behind has no cut mark")
	}
	if _, _, err := Open(w.Path(), nil); !errors.Is(err, ErrInUse) {
		t.Fatalf("Open of a running party's journal: %v, want ErrInUse", err)
	}
	if st, err := os.Stat(w.Path()); err != nil || st.Mode().Perm() != 0o400 {
		t.Fatalf("the running party's journal after a refused Open: %v, %v", st.Mode(), err)
	}
}

// settings has the party emit a settings event (the writer compares it with the last one).
func settings(w *Writer, seq int64, s wire.Settings) {
	ev := wire.Event{Seq: seq, Kind: wire.KindSettings, Settings: &s}
	raw, _ := json.Marshal(ev)
	_ = w.Event(ev, raw)
}

// Losing a line that made the rules looser only resumes the party stricter than it was,
// which a host can undo: the party is resumed. A line that loosened them after one that
// tightened them does not undo the first.
func TestAJournalCutShortOfLooserRulesIsResumed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		more    func(w *Writer)
		control bool
	}{
		{"a tool always allowed, edits allowed, another merger", func(w *Writer) {
			settings(w, 5, wire.Settings{PermissionMode: wire.PermissionEdits, Always: []string{"Bash"}, Merger: "local"})
		}, false},
		{"a promotion", func(w *Writer) {
			for i, ev := range []wire.Event{
				{Seq: 5, Kind: wire.KindParticipants, Joined: &wire.Member{ID: "m2", Name: "bob", Role: wire.RoleParticipant}},
				{Seq: 6, Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m2", Name: "bob", Role: wire.RoleHost}},
			} {
				raw, _ := json.Marshal(ev)
				if err := w.Event(ev, raw); err == nil {
					t.Fatalf("event %d written to a full disk", i)
				}
			}
		}, false},
		{"a member the party let go of", func(w *Writer) { _ = w.Member(Member{ID: "m3", Name: "cy", Kicked: true, Forgotten: true}) }, false},
		{"stricter, then looser again", func(w *Writer) {
			settings(w, 5, wire.Settings{Approval: true, PermissionMode: wire.PermissionAsk})
			settings(w, 6, wire.Settings{PermissionMode: wire.PermissionAsk})
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeCutShort(t, t.TempDir(), tc.more)
			if _, _, err := Open(path, nil); (err != nil) != tc.control || tc.control && !errors.Is(err, ErrLostControl) {
				t.Fatalf("Open: %v, want refused for a change of rules: %v", err, tc.control)
			}
		})
	}
}

// The cut mark names a floor at or past the seq of every event the writer has taken while
// it is behind, from the first to the last, across its renames, and it is synced with its
// folder when made or moved: a member is sent an event only after Event returned.
func TestTheCutMarkCoversEverySeqTaken(t *testing.T) {
	dirs := 0
	old := syncDir
	t.Cleanup(func() { syncDir = old })
	syncDir = func(string) error { dirs++; return nil }
	w, err := Create(t.TempDir(), header("pm"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err)
	}
	defer full.Close()
	w.mu.Lock()
	w.out = newAppender(full)
	w.mu.Unlock()
	moves, was := 0, int64(0)
	for seq := int64(1); seq <= 3*cutStep+7; seq++ {
		before := dirs
		ev, raw := event(seq, wire.KindOutput, 10)
		_ = w.Event(ev, raw)
		floor, control, ok := cutMark(w.Path())
		if !ok || control || floor < seq {
			t.Fatalf("after event %d the cut mark says %d (control %v, made %v)", seq, floor, control, ok)
		}
		if floor != was {
			moves++
			if dirs == before {
				t.Fatalf("the cut mark moved to %d without its folder synced", floor)
			}
			was = floor
		}
	}
	if moves != 4 {
		t.Errorf("the cut mark was made or moved %d times over %d events, want 4", moves, 3*cutStep+7)
	}
}

// A journal cut short is not resumed when its cut mark is missing (it could not be made),
// when what it lost changed who may join or what the agent may do (its resumed rules could
// be looser than its hosts set), or when it is only read-only.
func TestAJournalCutShortIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		more func(w *Writer)
		want error
	}{
		{"an invite rotation lost", func(w *Writer) { _ = w.Invites(Tokens{Participant: "x", Viewer: "y"}) }, ErrLostControl},
		{"a kick lost", func(w *Writer) { _ = w.Member(Member{ID: "m2", Name: "bob", Kicked: true}) }, ErrLostControl},
		{"approval turned on lost", func(w *Writer) { settings(w, 5, wire.Settings{Approval: true, PermissionMode: wire.PermissionAsk}) }, ErrLostControl},
		{"a stricter permission mode lost", func(w *Writer) { settings(w, 5, wire.Settings{PermissionMode: wire.PermissionPlan}) }, ErrLostControl},
		{"less shared lost", func(w *Writer) {
			settings(w, 5, wire.Settings{PermissionMode: wire.PermissionAsk, Workspace: wire.WorkspaceOff})
		}, ErrLostControl},
		{"a tool always allowed, then revoked, lost", func(w *Writer) {
			settings(w, 5, wire.Settings{PermissionMode: wire.PermissionAsk, Always: []string{"Bash"}})
			settings(w, 6, wire.Settings{PermissionMode: wire.PermissionAsk, Always: []string{}})
		}, ErrLostControl},
		{"a demotion lost", func(w *Writer) {
			ev := wire.Event{Seq: 5, Kind: wire.KindParticipants, Changed: &wire.Member{ID: "m2", Name: "bob", Role: wire.RoleViewer}}
			raw, _ := json.Marshal(ev)
			_ = w.Event(ev, raw)
		}, ErrLostControl},
		{"no cut mark", func(w *Writer) { removeCutMarks(w.Path()) }, ErrIncomplete},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeCutShort(t, t.TempDir(), tc.more)
			if tc.name == "no cut mark" {
				removeCutMarks(path) // Close made none: it had one already
			}
			if !Incomplete(path) {
				t.Fatal("a journal cut short that must not be resumed is not said to be")
			}
			if _, _, err := Open(path, nil); !errors.Is(err, ErrIncomplete) || !errors.Is(err, tc.want) || errors.Is(err, ErrReadOnly) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
			s, err := Read(path, nil)
			if err != nil || !s.Incomplete || s.LostEnd || s.LastSeq != 3 {
				t.Fatalf("Read of a journal cut short: %+v, %v", s, err)
			}
		})
	}
	// Marked twice: a file beside it, and read-only; either one is enough (some file
	// systems ignore modes).
	path := writeCutShort(t, t.TempDir(), func(w *Writer) { _ = w.Invites(Tokens{}) })
	removeCutMarks(path)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if !Incomplete(path) {
		t.Fatal("the mark beside the journal alone is not enough")
	}
	// Read-only alone (the mark beside it could not be made, or a person's chmod: a
	// tester's, told only "was the disk full?") says so, and what to do if it was a chmod.
	if err := os.Remove(path + incompleteSuffix); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(path, nil); !errors.Is(err, ErrIncomplete) || !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "chmod u+w") || strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Open of a read-only journal: %v, want ErrIncomplete and ErrReadOnly", err)
	}
}

// A journal whose writes fail for a while (a full disk) keeps what it could not write and
// writes it, in order, once it can: it is then whole again, marks off, and resumable. A
// tester's resume on a full disk locked the party's history out for good, though the
// space came back a minute later.
func TestAJournalBehindCatchesUp(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, header("pc"))
	if err != nil {
		t.Fatal(err)
	}
	ev, raw := event(1, wire.KindSystem, 10)
	if err := w.Event(ev, raw); err != nil {
		t.Fatal(err)
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err) // Linux has one; the test is about its ENOSPC
	}
	defer full.Close()
	now := t0
	writerNow = func() time.Time { return now }
	t.Cleanup(func() { writerNow = time.Now })
	disk := w.out
	w.mu.Lock()
	w.out = newAppender(full)
	w.mu.Unlock()
	for seq := int64(2); seq <= 4; seq++ { // 3 is a prompt: durable, it tries at once
		kind := wire.KindSystem
		if seq == 3 {
			kind = wire.KindPrompt
		}
		ev, raw := event(seq, kind, 10)
		if err := w.Event(ev, raw); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("event %d on a full disk: %v", seq, err)
		}
	}
	if err := w.Member(Member{ID: "m1", Name: "bob", Role: wire.RoleParticipant, Session: "s1"}); err == nil {
		t.Fatal("a member record on a full disk was written")
	}
	if _, _, cut := cutMark(w.Path()); !cutShort(w.Path()) || !cut {
		t.Fatalf("a journal behind is not marked (cut mark %v)", cut)
	}
	w.mu.Lock()
	w.out = disk // room again
	w.mu.Unlock()
	ev, raw = event(5, wire.KindSystem, 10)
	if err := w.Event(ev, raw); err == nil || w.Recovered() {
		t.Fatalf("caught up before its time: %v", err) // within retryWait of the last try
	}
	now = now.Add(retryWait)
	ev, raw = event(6, wire.KindSystem, 10)
	if err := w.Event(ev, raw); err != nil {
		t.Fatalf("the write after the disk had room: %v", err)
	}
	if !w.Recovered() || w.Recovered() {
		t.Fatal("Recovered did not say so once")
	}
	if err := w.End(t0); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, cut := cutMark(w.Path()); cutShort(w.Path()) || cut {
		t.Fatalf("a journal that caught up is still marked (cut mark %v)", cut)
	}
	var seqs []int64
	w2, s, err := Open(w.Path(), func(ev wire.Event, _ json.RawMessage) { seqs = append(seqs, ev.Seq) })
	if err != nil {
		t.Fatalf("Open of a journal that caught up: %v", err)
	}
	defer w2.Close()
	if !slices.Equal(seqs, []int64{1, 2, 3, 4, 5, 6}) || s.LastSeq != 6 || !s.Ended {
		t.Fatalf("read back seqs %v, summary %+v", seqs, s)
	}
	var got []int64
	if err := w2.Events(2, func(seq int64, _ json.RawMessage) bool { got = append(got, seq); return true }); err != nil || !slices.Equal(got, []int64{2, 3, 4, 5, 6}) {
		t.Fatalf("Events(2) = %v, %v", got, err)
	}
}

// LostTail says when a journal may have lost events its members saw: the last run did not
// end cleanly, and the machine went down since the file's last write (a power loss takes
// what was not fsynced) or the file ends in a torn line. A killed host on a machine that
// stayed up loses nothing: no gap then.
func TestLostTail(t *testing.T) {
	write := func(t *testing.T, end bool) string {
		w, err := Create(t.TempDir(), header("pl"))
		if err != nil {
			t.Fatal(err)
		}
		for seq := int64(1); seq <= 3; seq++ {
			ev, raw := event(seq, wire.KindSystem, 10)
			if err := w.Event(ev, raw); err != nil {
				t.Fatal(err)
			}
		}
		if end {
			if err := w.End(t0); err != nil {
				t.Fatal(err)
			}
		}
		w.Close()
		return w.Path()
	}
	booted := time.Time{} // zero: the machine has been up all along
	boot := "boot-1"
	oldTime, oldID := bootTime, bootID
	bootTime = func() (time.Time, bool) { return booted, true }
	bootID = func() string { return boot }
	t.Cleanup(func() { bootTime, bootID = oldTime, oldID })
	open := func(t *testing.T, path string) *Summary {
		w, s, err := Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		return s
	}
	if s := open(t, write(t, false)); s.LostTail {
		t.Error("a killed host on a machine that stayed up: lost tail")
	}
	torn := write(t, false)
	f, err := os.OpenFile(torn, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"type":"event","event":{"seq":4,"ki`)
	f.Close()
	if s := open(t, torn); !s.LostTail || s.LastSeq != 3 {
		t.Errorf("a torn last line: %+v", s)
	}
	// The machine went down since the last write: another boot id now. Told by the boot
	// ids even when the clock was set back after the boot, so that the boot time reads as
	// before the file's last write.
	down := write(t, false)
	boot = "boot-2"
	if s := open(t, down); !s.LostTail {
		t.Error("a machine that went down since the last write (its boot time misread): no lost tail")
	}
	// The same boot, with a clock set forward since: the boot time reads as after the last
	// write, the boot id says it was not.
	up := write(t, false)
	booted = time.Now().Add(time.Hour)
	if s := open(t, up); s.LostTail {
		t.Error("the same boot, a clock set forward: lost tail")
	}
	// A journal whose runs recorded no boot id (written before they did, or not on Linux):
	// told by the boot time.
	boot = ""
	if s := open(t, write(t, false)); !s.LostTail {
		t.Error("no boot ids, a machine that started after the last write: no lost tail")
	}
	booted = time.Time{}
	if s := open(t, write(t, false)); s.LostTail {
		t.Error("no boot ids, a machine up all along: lost tail")
	}
	// A resume records its boot: a party made before a reboot and resumed after it, then
	// killed, is resumed in the same boot with no lost tail.
	boot = "boot-3"
	resumed := write(t, false)
	boot = "boot-4"
	w, _, err := Open(resumed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Resumed(t0, Settings{}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if s := open(t, resumed); s.LostTail || s.Boot != "boot-4" {
		t.Errorf("resumed again in the boot of the last run: lost tail %v, boot %q", s.LostTail, s.Boot)
	}
	booted = time.Now().Add(time.Hour)
	if s := open(t, write(t, true)); s.LostTail {
		t.Error("a party that ended cleanly (its end fsynced): lost tail")
	}
}

// Output between durable events is fsynced in the background every SyncEvery events, and
// the writer never gets MaxUnsynced events ahead of an fsync: on a disk slower than the
// events it waits for the one under way and syncs itself. So a power loss takes fewer than
// MaxUnsynced events (the gap a resume after one leaves).
func TestUnsyncedEventsAreBounded(t *testing.T) {
	var syncs atomic.Int32
	release := make(chan struct{})
	old := syncFile
	syncFile = func(f *os.File) error {
		if syncs.Add(1) == 2 { // the first in the background (1 is the header's): a slow disk
			<-release
		}
		return nil
	}
	t.Cleanup(func() { syncFile = old })
	w, err := Create(t.TempDir(), header("ps"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	released := false
	defer func() { // before Close, which waits for the background fsync: a failure must not hang
		if !released {
			close(release)
		}
	}()
	written := make(chan int64, MaxUnsynced+10)
	go func() {
		for seq := int64(1); seq <= MaxUnsynced+5; seq++ {
			ev, raw := event(seq, wire.KindOutput, 10)
			if err := w.Event(ev, raw); err != nil {
				t.Error(err)
			}
			written <- seq
		}
		close(written)
	}()
	var last int64
	for wait := time.After(200 * time.Millisecond); last < MaxUnsynced+5; {
		select {
		case seq := <-written:
			last = seq
			continue
		case <-wait:
		}
		break
	}
	if last != MaxUnsynced-1 {
		t.Fatalf("with the background fsync stuck, %d events were written; want %d (the next waits)", last, MaxUnsynced-1)
	}
	close(release)
	released = true
	for seq := range written {
		last = seq
	}
	w.mu.Lock()
	ahead := w.lastSeq - w.synced
	w.mu.Unlock()
	if last != MaxUnsynced+5 || ahead >= MaxUnsynced {
		t.Fatalf("written %d, %d ahead of the last fsync", last, ahead)
	}
	w.Close() // waits for the background fsync the events after the wait started
	if n := syncs.Load(); n < 4 {
		t.Fatalf("%d fsyncs: want the header's, two in the background and Close's", n)
	}
}

// A line in the file whose fsync failed is not written again (a reviewer's journal read
// seqs 1 2 2 3), and the journal is not trusted to catch up after it: the kernel may have
// dropped the pages, and a later fsync would not say so.
func TestAFailedFsyncIsNotWrittenTwice(t *testing.T) {
	w, err := Create(t.TempDir(), header("pf"))
	if err != nil {
		t.Fatal(err)
	}
	old := syncFile
	fail := true
	syncFile = func(f *os.File) error {
		if fail {
			fail = false
			return syscall.EIO
		}
		return nil
	}
	t.Cleanup(func() { syncFile = old })
	for seq := int64(1); seq <= 3; seq++ {
		ev, raw := event(seq, wire.KindPrompt, 10) // durable: fsynced
		if err := w.Event(ev, raw); err == nil {
			t.Fatalf("event %d: no error after a failed fsync", seq)
		}
	}
	w.Close()
	var seqs []int64
	s, err := Read(w.Path(), func(ev wire.Event, _ json.RawMessage) { seqs = append(seqs, ev.Seq) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seqs, []int64{1}) || s.Skipped != 0 || !cutShort(w.Path()) {
		t.Fatalf("read back %v (skipped %d), incomplete %v; want [1], marked", seqs, s.Skipped, cutShort(w.Path()))
	}
}

// A resume whose first record cannot be written (a full disk) gives the journal back as it
// was, marks off: nobody was sent anything, and the next resume, once there is room, works
// (a tester's party was locked out for good).
func TestAbandonGivesTheJournalBack(t *testing.T) {
	dir := t.TempDir()
	w := writeParty(t, dir, 3, 10)
	w.Close()
	path := Path(dir, "p1")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err)
	}
	defer full.Close()
	w, _, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Events this run took (the second durable, and far enough on for an index mark),
	// then a full disk.
	if err := w.Event(event(4, wire.KindOutput, markBytes+10)); err != nil {
		t.Fatal(err)
	}
	if err := w.Event(event(5, wire.KindPrompt, 10)); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	w.out = newAppender(full)
	w.mu.Unlock()
	if err := w.Resumed(t0, Settings{}); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("the resumed record on a full disk: %v", err)
	}
	if !cutShort(path) {
		t.Fatal("not marked")
	}
	w.Abandon()
	// The writer is as Open left it: its events read back, and the next seq is taken.
	var seqs []int64
	if err := w.Events(0, func(seq int64, _ json.RawMessage) bool { seqs = append(seqs, seq); return true }); err != nil || !slices.Equal(seqs, []int64{1, 2, 3}) {
		t.Fatalf("events after Abandon: %v, %v", seqs, err)
	}
	w.mu.Lock()
	lastSeq, synced, marks := w.lastSeq, w.synced, len(w.index)
	w.mu.Unlock()
	if lastSeq != 3 || synced != 3 || marks != 1 {
		t.Fatalf("after Abandon: last seq %d, synced to %d, %d index marks; want 3, 3, 1", lastSeq, synced, marks)
	}
	w.Close()
	after, _ := os.ReadFile(path)
	if cutShort(path) || !bytes.Equal(before, after) {
		t.Fatalf("after Abandon: incomplete %v, the same bytes %v", cutShort(path), bytes.Equal(before, after))
	}
	w, s, err := Open(path, nil)
	if err != nil || s.LastSeq != 3 {
		t.Fatalf("resumed again: %+v, %v", s, err)
	}
	w.Close()
}

// A journal behind catches up by itself once there is room, with no more writes: a
// tester's idle party stayed marked, and a crash then lost a journal the disk had room
// for.
func TestAnIdleJournalCatchesUp(t *testing.T) {
	w, err := Create(t.TempDir(), header("pi"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err)
	}
	defer full.Close()
	w.mu.Lock()
	disk := w.out
	w.out = newAppender(full)
	w.mu.Unlock()
	ev, raw := event(1, wire.KindSystem, 10)
	if err := w.Event(ev, raw); err == nil {
		t.Fatal("a write on a full disk succeeded")
	}
	w.mu.Lock()
	w.out = disk // room again; nothing more is written
	w.mu.Unlock()
	deadline := time.Now().Add(3 * retryWait)
	for cutShort(w.Path()) {
		if time.Now().After(deadline) {
			t.Fatalf("still behind after %v with room on the disk", 3*retryWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !w.Recovered() {
		t.Fatal("caught up without saying so")
	}
}

// ReadEnd says what Read says of a party as a whole, and its last seq, without decoding
// its events.
func TestReadEndSaysWhatReadSays(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, header("pe"))
	if err != nil {
		t.Fatal(err)
	}
	for seq := int64(1); seq <= 700; seq++ {
		ev, raw := event(seq, wire.KindOutput, 40)
		if err := w.Event(ev, raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Member(Member{ID: "m1", Name: "bob", Role: wire.RoleParticipant, Session: "s1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Invites(Tokens{Participant: "p2", Viewer: "v2"}); err != nil {
		t.Fatal(err)
	}
	if err := w.End(t0); err != nil {
		t.Fatal(err)
	}
	w.Close()
	full, err := Read(w.Path(), nil)
	if err != nil {
		t.Fatal(err)
	}
	end, err := ReadEnd(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if end.LastSeq != 700 || end.LastSeq != full.LastSeq || !end.Ended || end.EndedAt != full.EndedAt || end.Token != "p2" || end.Token != full.Token ||
		end.Header.Party != full.Header.Party || end.Header.Host != full.Header.Host || len(end.Members) != 1 || end.Members["m1"] != full.Members["m1"] || end.Incomplete != full.Incomplete || end.Size != full.Size {
		t.Fatalf("ReadEnd = %+v\nRead = %+v", end, full)
	}
}

// A list's brief read of a journal says what Read says of it, and hands fn every event but
// output, which it takes by seq and time without decoding: as written by the party
// (wire.AppendOutput, first_seq too), or written otherwise (the general way then), a
// damaged one skipped as Read skips it.
func TestReadBriefSaysWhatReadSays(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, header("pb"))
	if err != nil {
		t.Fatal(err)
	}
	seq := int64(0)
	put := func(ev wire.Event, raw []byte) {
		t.Helper()
		seq++
		ev.Seq, ev.TS = seq, t0.Add(time.Duration(seq)*time.Second)
		if raw == nil {
			raw = wire.AppendOutput(nil, ev)
		}
		if err := w.Event(ev, raw); err != nil {
			t.Fatal(err)
		}
	}
	put(wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: "first"}}, mustJSON(t, wire.Event{Seq: 1, TS: t0.Add(time.Second), Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: "first"}}))
	for i := range 50 {
		ev := wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: fmt.Sprintf("piece %d \"quoted\" \u2028", i)}
		if i%7 == 0 {
			ev.FirstSeq = seq
		}
		put(ev, nil)
	}
	turn := wire.Event{Seq: seq + 1, TS: t0.Add(time.Duration(seq+1) * time.Second), Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone}}
	put(turn, mustJSON(t, turn))
	last := wire.Event{Seq: seq + 1, TS: t0.Add(time.Duration(seq+1) * time.Second), Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "json.Marshal's order"}
	put(last, mustJSON(t, last))
	w.Close()
	// A damaged output line, and one that repeats a seq: both skipped.
	f, err := os.OpenFile(w.Path(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "{\"type\":\"event\",\"event\":{\"seq\":%d,\"ts\":\"2026-12-01T00:00:00Z\",\"kind\":\"output\",\"text\":\"cut}\n", seq+1)
	fmt.Fprintf(f, "%s%s}\n", eventPrefix, wire.AppendOutput(nil, wire.Event{Seq: 3, TS: t0, Kind: wire.KindOutput, Text: "again"}))
	f.Close()

	var all, brief []string
	full, err := Read(w.Path(), func(ev wire.Event, _ json.RawMessage) {
		if ev.Kind != wire.KindOutput {
			all = append(all, fmt.Sprintf("%d %s", ev.Seq, ev.Kind))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := readBrief(w.Path(), func(ev wire.Event, _ json.RawMessage) { brief = append(brief, fmt.Sprintf("%d %s", ev.Seq, ev.Kind)) })
	if err != nil {
		t.Fatal(err)
	}
	if s.LastSeq != full.LastSeq || !s.LastActive.Equal(full.LastActive) || s.Events != full.Events || s.Turns != full.Turns ||
		s.FirstPrompt != full.FirstPrompt || s.Skipped != full.Skipped || s.Size != full.Size || full.Skipped != 2 || full.Events != 53 {
		t.Fatalf("brief: last %d at %v, %d events, %d turns, %q, %d skipped\nRead:  last %d at %v, %d events, %d turns, %q, %d skipped",
			s.LastSeq, s.LastActive, s.Events, s.Turns, s.FirstPrompt, s.Skipped, full.LastSeq, full.LastActive, full.Events, full.Turns, full.FirstPrompt, full.Skipped)
	}
	if !slices.Equal(all, brief) {
		t.Fatalf("fn got %q, want %q", brief, all)
	}
}

// writeTurn writes a turn event as the seq-th event, seq seconds after t0.
func writeTurn(t *testing.T, w *Writer, seq int64, tr wire.Turn) {
	t.Helper()
	ev := wire.Event{Seq: seq, TS: t0.Add(time.Duration(seq) * time.Second), Kind: wire.KindTurn, Turn: &tr}
	if err := w.Event(ev, mustJSON(t, ev)); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// outputTime reads the time of an output event as the party writes one, and nothing else.
func TestOutputTime(t *testing.T) {
	at := time.Date(2026, 12, 6, 23, 1, 2, 345678900, time.UTC)
	for _, ev := range []wire.Event{
		{Seq: 12, TS: at, Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: `a "reply"`},
		{Seq: 12, FirstSeq: 9, TS: at, Kind: wire.KindOutput, Stream: wire.StreamTool, Text: "-> ok\n"},
	} {
		if ts, ok := outputTime(wire.AppendOutput(nil, ev)); !ok || !ts.Equal(at) {
			t.Errorf("outputTime of %+v = %v, %v", ev, ts, ok)
		}
	}
	prompt := mustJSON(t, wire.Event{Seq: 3, TS: at, Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", Text: `"kind":"output","text":`}})
	for _, raw := range [][]byte{prompt, []byte(`{"seq":3,"ts":"yesterday","kind":"output","text":"x"}`), []byte(`{"seq":3}`)} {
		if _, ok := outputTime(raw); ok {
			t.Errorf("outputTime took %s", raw)
		}
	}
}

// A resumed party's rules are what its journal said, not only its run's settings: a tool
// always allowed before the resume and revoked after it, the revoke lost, is a stricter
// rule lost (a reviewer's went unflagged: the resume had reset what the writer knew).
func TestARevokeAfterAResumeIsAStricterRule(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, header("ra"))
	if err != nil {
		t.Fatal(err)
	}
	settings(w, 1, wire.Settings{PermissionMode: wire.PermissionAsk, Always: []string{"Bash"}})
	w.Close()
	w, _, err = Open(w.Path(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Resumed(t0, header("ra").Settings); err != nil {
		t.Fatal(err)
	}
	w.f.Close() // the next write fails, as on a full disk
	settings(w, 2, wire.Settings{PermissionMode: wire.PermissionAsk, Always: []string{}})
	w.Close()
	if _, _, err := Open(w.Path(), nil); !errors.Is(err, ErrLostControl) {
		t.Fatalf("Open after a lost revoke: %v, want ErrLostControl", err)
	}
}

// A batch counts once, however many turn events it has (a tester's Recent parties went
// 3 → 7 → 8 across resumes while fewer turns ran): its end at a stop, and its run again.
func TestTurnsCountEachBatchOnce(t *testing.T) {
	dir := t.TempDir()
	w := writeParty(t, dir, 10, 1) // its 10th event is a turn
	for i, tr := range []wire.Turn{
		{Batch: "b9", Status: wire.TurnInterrupted},
		{Batch: "b9", Status: wire.TurnError, Error: "claude failed twice"},
		{Batch: "b9", Status: wire.TurnDone},
		{Batch: "b11", Status: wire.TurnDone},
	} {
		writeTurn(t, w, int64(11+i), tr)
	}
	w.Close()
	s, err := Read(Path(dir, "p1"), nil)
	if err != nil || s.Turns != 3 {
		t.Fatalf("turns %d (%v); want 3: the 10th event's, b9 once, b11", s.Turns, err)
	}
}

// EndCut is the party's last turn when the party's end cut it short, with its authors:
// `concordia parties`, Recent parties and a resume said nothing of it (a tester's), while
// the end notice and the authors' terminals did.
func TestEndCutIsTheLastTurnThePartysEndCut(t *testing.T) {
	pr := func(id, user string) wire.Event {
		return wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: user, Text: "do " + id}}
	}
	batch := func(id string, prompts ...string) wire.Event {
		return wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: id, Prompts: prompts, Merged: "x", Merger: "local"}}
	}
	turn := func(batch, errText string) wire.Event {
		return wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: batch, Status: wire.TurnInterrupted, Error: errText}}
	}
	endCut := turn("b2", wire.TurnPartyEnded)
	for _, tc := range []struct {
		name   string
		events []wire.Event
		want   *EndCut
	}{
		{"none", []wire.Event{pr("p1", "alice"), batch("b1", "p1"), turn("b1", "")}, nil},
		{"the last turn", []wire.Event{
			pr("p1", "alice"), batch("b1", "p1"), turn("b1", ""),
			pr("p2", "bob"), pr("p3", "alice"), pr("p4", "bob"), pr("p5", "carol"), batch("b2", "p2", "p3", "p4"), endCut,
		}, &EndCut{Batch: "b2", By: []string{"bob", "alice"}, Prompts: 3}},
		{"an agent command", []wire.Event{batch("b2"), endCut}, &EndCut{Batch: "b2"}},
		{"a turn after it, resumed", []wire.Event{
			pr("p2", "bob"), batch("b2", "p2"), endCut, pr("p3", "alice"), batch("b3", "p3"), turn("b3", ""),
		}, nil},
		{"stopped by a host: not the end's", []wire.Event{pr("p2", "bob"), batch("b2", "p2"), turn("b2", "stopped by hosty")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := Create(dir, header("p1"))
			if err != nil {
				t.Fatal(err)
			}
			for i, ev := range tc.events {
				ev.Seq, ev.TS = int64(i+1), t0.Add(time.Duration(i+1)*time.Second)
				if err := w.Event(ev, mustJSON(t, ev)); err != nil {
					t.Fatal(err)
				}
			}
			w.Close()
			s, err := Read(Path(dir, "p1"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.EndCut, tc.want) {
				t.Fatalf("EndCut = %+v, want %+v", s.EndCut, tc.want)
			}
		})
	}
}

// A resume says the end-cut turn once: the resume reads it before recording itself, and a
// party resumed and ended again with no turn says nothing of it after (its lists and the
// next resume repeated it, a reviewer's).
func TestEndCutIsSaidByOneResume(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, header("p1"))
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range []wire.Event{
		{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "alice", Text: "do it"}},
		{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "do it", Merger: "local"}},
		{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: wire.TurnPartyEnded}},
	} {
		ev.Seq, ev.TS = int64(i+1), t0.Add(time.Duration(i+1)*time.Second)
		if err := w.Event(ev, mustJSON(t, ev)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.End(t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	path := Path(dir, "p1")
	want := &EndCut{Batch: "b1", By: []string{"alice"}, Prompts: 1}
	// Resumed, and ended again without a turn.
	w, s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.EndCut, want) {
		t.Fatalf("the resume read EndCut %+v, want %+v", s.EndCut, want)
	}
	if err := w.Resumed(t0.Add(2*time.Minute), Settings{}); err != nil {
		t.Fatal(err)
	}
	if err := w.End(t0.Add(3 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if s, err := Read(path, nil); err != nil || s.EndCut != nil {
		t.Fatalf("after a resume that ended with no turn: EndCut %+v (%v), want none", s.EndCut, err)
	}
	w, s, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if s.EndCut != nil {
		t.Fatalf("the next resume read EndCut %+v, want none: the first said it", s.EndCut)
	}
}
